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
    /// runspace. Not <c>RequiredModules</c> (the SDK's pins the core's exact version): for a
    /// required module that is not loaded yet, PowerShell first runs <c>Get-Module
    /// -ListAvailable</c> for it and then imports it by name, a second search of PSModulePath:
    /// 70–98 ms in-process, about 30 ms of a fresh process's <c>Import-Module
    /// Microsoft.Graph.Users</c> from bash (README, "Where the remaining time goes").
    /// </summary>
    public static class CoreModule
    {
        /// <summary>The runspaces the core module is imported into (its initializer adds the
        /// runspace, its cleanup removes it); weak, so a closed runspace is not kept alive.</summary>
        static readonly ConditionalWeakTable<Runspace, object> Imported = new ConditionalWeakTable<Runspace, object>();

        /// <summary>The core module's manifest: <c>Microsoft.Graph.Authentication/Microsoft.Graph.Authentication.psd1</c>
        /// in the SDK-named modules' folder (this assembly is in the core's <c>bin/</c>).</summary>
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
        /// Imports the core module into the current runspace's global scope unless its
        /// initializer has run in this runspace already. Called from an SDK-named module's
        /// <c>IModuleAssemblyInitializer</c>, so on PowerShell's pipeline thread, during that
        /// module's <c>Import-Module</c>. Does nothing without a default runspace (a host
        /// importing modules outside a pipeline imports the core itself).
        /// </summary>
        /// <exception cref="InvalidOperationException">The core module could not be imported (the
        /// message names its manifest's path and PowerShell's error), whatever the caller's
        /// error preference; the SDK-named module's import then fails with it.</exception>
        public static void EnsureImported()
        {
            var runspace = Runspace.DefaultRunspace;
            if (runspace == null || Imported.TryGetValue(runspace, out _)) return;
            var manifest = ManifestPath;
            if (!File.Exists(manifest))
                throw new InvalidOperationException($"MgGraph: its core module is missing: '{manifest}' does not exist. Reinstall MgGraph.");
            using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            // -ErrorAction Stop: under a caller's SilentlyContinue (or a default in
            // $PSDefaultParameterValues) a failed import would write nothing to the error stream.
            ps.AddCommand("Microsoft.PowerShell.Core\\Import-Module")
                .AddParameter("Name", manifest)
                .AddParameter("Global", true)
                .AddParameter("ErrorAction", ActionPreference.Stop);
            try { ps.Invoke(); }
            catch (Exception e) when (!(e is PipelineStoppedException))
            {
                // -ErrorAction Stop wraps the import's own error; name that one.
                var cause = (e as IContainsErrorRecord)?.ErrorRecord?.Exception ?? e;
                throw new InvalidOperationException($"MgGraph: importing its core module '{manifest}' failed: {cause.Message}", cause);
            }
            if (ps.HadErrors && ps.Streams.Error.Count > 0)
                throw new InvalidOperationException($"MgGraph: importing its core module '{manifest}' failed: {ps.Streams.Error[0]}", ps.Streams.Error[0].Exception);
            if (!Imported.TryGetValue(runspace, out _))
                throw new InvalidOperationException($"MgGraph: importing its core module '{manifest}' did not load it (another module of that name, or a different MgGraph.Core.dll, may be loaded in this process).");
        }
    }
}
