using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace MgGraph.PowerShell
{
    /// <summary>
    /// The core module, <c>Microsoft.Graph.Authentication</c>, as the SDK-named modules need it.
    ///
    /// Each SDK-named module loads this assembly and its models through its manifest's
    /// <c>RequiredAssemblies</c> and, from its own initializer, calls <see cref="EnsureImported"/>:
    /// the core module is imported into the global scope by the path of its manifest, once per
    /// runspace. Not <c>RequiredModules</c>: for a module required by name that is not loaded
    /// yet, PowerShell first runs <c>Get-Module -ListAvailable</c> for it and then imports it by
    /// name (a second search of PSModulePath), about 50 ms of a fresh process's first import
    /// from bash (README, "Where the remaining time goes").
    /// </summary>
    public static class CoreModule
    {
        /// <summary>The runspaces the core module is imported into (its initializer adds the
        /// runspace, its cleanup removes it); weak, so a closed runspace is not kept alive.</summary>
        static readonly ConditionalWeakTable<Runspace, object> Imported = new ConditionalWeakTable<Runspace, object>();

        /// <summary>The core module's manifest: <c>Microsoft.Graph.Authentication.psd1</c>,
        /// the parent folder of this assembly's <c>bin/</c>.</summary>
        public static string ManifestPath =>
            Path.Combine(MgBuiltinCmdlet.SdkModuleRoot, "Microsoft.Graph.Authentication", "Microsoft.Graph.Authentication.psd1");

        /// <summary>Called by the core module's initializer: it is imported into the current runspace.</summary>
        internal static void OnCoreImported()
        {
            var runspace = Runspace.DefaultRunspace;
            if (runspace != null) Imported.AddOrUpdate(runspace, null);
        }

        /// <summary>Called by the core module's cleanup (<c>Remove-Module</c>).</summary>
        internal static void OnCoreRemoved()
        {
            var runspace = Runspace.DefaultRunspace;
            if (runspace != null) Imported.Remove(runspace);
        }

        /// <summary>
        /// Imports the core module into the current runspace's global scope unless it is there
        /// already. Called from an SDK-named module's <c>IModuleAssemblyInitializer</c>, so on
        /// PowerShell's pipeline thread, during that module's <c>Import-Module</c>.
        /// </summary>
        /// <exception cref="InvalidOperationException">The core module could not be imported (the
        /// message names its manifest's path and PowerShell's error); the SDK-named module's
        /// import then fails with it.</exception>
        public static void EnsureImported()
        {
            var runspace = Runspace.DefaultRunspace;
            if (runspace == null || Imported.TryGetValue(runspace, out _)) return;
            var manifest = ManifestPath;
            if (!File.Exists(manifest))
                throw new InvalidOperationException($"MgGraph: its core module is missing: '{manifest}' does not exist. Reinstall MgGraph.");
            using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand("Microsoft.PowerShell.Core\\Import-Module")
                .AddParameter("Name", manifest)
                .AddParameter("Global", true);
            ps.Invoke();
            if (ps.HadErrors && ps.Streams.Error.Count > 0)
                throw new InvalidOperationException($"MgGraph: importing its core module '{manifest}' failed: {ps.Streams.Error[0]}", ps.Streams.Error[0].Exception);
        }
    }
}
