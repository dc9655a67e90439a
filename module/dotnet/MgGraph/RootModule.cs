using System;
using System.IO;
using System.Management.Automation;

namespace MgGraph.PowerShell
{
    /// <summary>Runs when MgGraph is imported: imports the core, Microsoft.Graph.Authentication,
    /// into the global scope by path (never another version, nor the SDK's own module of that
    /// name), and loads the v1.0 model classes. The core's own initializer then puts the
    /// SDK-named modules' folder first on PSModulePath.</summary>
    public sealed class RootModule : IModuleAssemblyInitializer
    {
        /// <summary>The core's manifest below the SDK-named modules' folder.</summary>
        const string Core = "Microsoft.Graph.Authentication";

        /// <summary>At import. Throws (and so fails Import-Module MgGraph, naming the path)
        /// when the core is missing or cannot be imported.</summary>
        public void OnImport()
        {
            var here = Path.GetDirectoryName(typeof(RootModule).Assembly.Location) ?? ".";
            // A package keeps the SDK-named modules in sdk/; a checkout has them beside MgGraph.
            var sdk = Path.Combine(here, "sdk");
            if (!Directory.Exists(sdk)) sdk = Path.GetDirectoryName(here) ?? here;
            var manifest = Path.Combine(sdk, Core, Core + ".psd1");
            if (!File.Exists(manifest))
                throw new FileNotFoundException($"MgGraph: its core module is missing: '{manifest}' does not exist. Reinstall MgGraph.", manifest);
            using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            // -ErrorAction Stop: under a caller's SilentlyContinue a failed import would write
            // nothing to the error stream, and MgGraph would load without its core.
            ps.AddCommand("Microsoft.PowerShell.Core\\Import-Module")
                .AddParameter("Name", manifest)
                .AddParameter("Global", true)
                .AddParameter("ErrorAction", ActionPreference.Stop);
            try { ps.Invoke(); }
            catch (Exception e) when (!(e is PipelineStoppedException))
            {
                var cause = (e as IContainsErrorRecord)?.ErrorRecord?.Exception ?? e;
                throw new InvalidOperationException($"MgGraph: importing its core '{manifest}' failed: {cause.Message}", cause);
            }
            if (ps.HadErrors && ps.Streams.Error.Count > 0)
                throw new InvalidOperationException($"MgGraph: importing its core '{manifest}' failed: {ps.Streams.Error[0]}", ps.Streams.Error[0].Exception);
            // The v1.0 model classes, which the SDK-named v1.0 modules otherwise bring: a script
            // that imports MgGraph can name them at once. (The beta ones come with the beta
            // modules: about 4 ms of an import each.)
            var models = Path.Combine(sdk, Core, "bin", "MgGraph.Models.dll");
            if (File.Exists(models)) System.Reflection.Assembly.LoadFrom(models);
        }
    }
}
