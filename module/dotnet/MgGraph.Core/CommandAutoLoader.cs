// Loads an SDK-named module when a script first names one of its cmdlets, before PowerShell
// searches for the name. PowerShell's own search for a command it does not know looks in every
// PATH directory first (on Linux it enumerates and stats each entry of /usr/bin and /bin:
// 30-50 ms per name on the benchmark machine) and then through every module's exports before it
// auto-loads the module; the catalog knows the module at once. Measured figures: README,
// "Where the remaining time goes".

using System;
using System.Collections.Concurrent;
using System.IO;
using System.Reflection;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Microsoft.PowerShell.Commands;

namespace MgGraph.PowerShell
{
    /// <summary>A <c>PreCommandLookupAction</c> (chained after any handler already set) that
    /// imports the SDK-named module of an <c>Verb-Mg…</c> cmdlet from MgGraph's module folder on
    /// the name's first look-up, then lets PowerShell's search find the cmdlet as usual. It
    /// honours <c>$PSModuleAutoLoadingPreference</c> (only <c>All</c> loads), asks about each
    /// name once per runspace, leaves names an alias or function answers, names whose module is
    /// loaded already and names the catalog does not know to PowerShell, and never throws: any failure leaves the search to
    /// PowerShell's own auto-loading.</summary>
    internal static class CommandAutoLoader
    {
        /// <summary>Set while this thread imports a module (its own look-ups pass through).</summary>
        [ThreadStatic] static bool t_importing;

        /// <summary>The running runspace's <c>$ExecutionContext</c>. A module initializer runs
        /// inside Import-Module's pipeline, where the runspace's SessionStateProxy refuses calls
        /// ("a pipeline is already running") and PowerShell offers no public way to the running
        /// engine; the runspace's own (non-public) context answers, else a nested script block.
        /// The script block is the documented way but the costly one: a process's first script
        /// block invoked from .NET took 7 ms (ReadyToRun pwsh, module initializer, five fresh
        /// processes), against 0.4 ms for the two property reads, and every import of the core
        /// paid it.</summary>
        internal static EngineIntrinsics CurrentEngine()
        {
            var runspace = Runspace.DefaultRunspace;
            if (runspace == null) return null;
            var engine = RunspaceEngine(runspace);
            if (engine != null) return engine;
            foreach (var o in ScriptBlock.Create("$ExecutionContext").Invoke())
                if (o?.BaseObject is EngineIntrinsics fromScript) return fromScript;
            return null;
        }

        /// <summary><c>Runspace.ExecutionContext.EngineIntrinsics</c>, both internal to
        /// PowerShell; null when a version of PowerShell names them otherwise.</summary>
        static EngineIntrinsics RunspaceEngine(Runspace runspace)
        {
            const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic;
            try
            {
                var context = typeof(Runspace).GetProperty("ExecutionContext", Internal)?.GetValue(runspace);
                return context?.GetType().GetProperty("EngineIntrinsics", Internal)?.GetValue(context) as EngineIntrinsics;
            }
            catch (Exception) { return null; }
        }

        /// <summary>Hooks the look-ups of <paramref name="engine"/>'s runspace (once).</summary>
        internal static void Register(EngineIntrinsics engine, string moduleRoot)
        {
            var invoke = engine.InvokeCommand;
            var previous = invoke.PreCommandLookupAction;
            if (previous != null && previous.Target is Hook) return;
            invoke.PreCommandLookupAction = new Hook(previous, engine.SessionState, moduleRoot).OnLookup;
        }

        /// <summary>Takes the hook off again (the core is being removed), keeping any handler
        /// that was chained behind it.</summary>
        internal static void Unregister(CommandInvocationIntrinsics invoke)
        {
            if (invoke.PreCommandLookupAction?.Target is Hook hook) invoke.PreCommandLookupAction = hook.Previous;
        }

        /// <summary>Whether a name has the SDK's shape, <c>Verb-Mg…</c>: cheap enough for every
        /// look-up a script makes.</summary>
        internal static bool IsSdkShaped(string name)
        {
            var dash = name.IndexOf('-');
            return dash > 0 && name.Length > dash + 3
                && (name[dash + 1] == 'M' || name[dash + 1] == 'm')
                && (name[dash + 2] == 'g' || name[dash + 2] == 'G')
                && name.IndexOf('\\') < 0 && name.IndexOf('/') < 0;
        }

        sealed class Hook
        {
            internal readonly EventHandler<CommandLookupEventArgs> Previous;
            readonly SessionState _session;
            readonly string _moduleRoot;
            /// <summary>Names this runspace has looked up (any case): each costs the engine once.</summary>
            readonly ConcurrentDictionary<string, byte> _asked = new ConcurrentDictionary<string, byte>(StringComparer.OrdinalIgnoreCase);

            internal Hook(EventHandler<CommandLookupEventArgs> previous, SessionState session, string moduleRoot)
            {
                Previous = previous;
                _session = session;
                _moduleRoot = moduleRoot;
            }

            internal void OnLookup(object sender, CommandLookupEventArgs e)
            {
                Previous?.Invoke(sender, e);
                if (e.StopSearch || t_importing) return;
                var name = e.CommandName;
                if (name == null || !IsSdkShaped(name) || _asked.ContainsKey(name)) return;
                try
                {
                    // A name met while auto-loading is off is asked about again once it is on.
                    if (!AutoLoadingAll() || !_asked.TryAdd(name, 0)) return;
                    Load(name);
                }
                catch (Exception) { }
            }

            bool AutoLoadingAll()
            {
                var preference = _session.PSVariable.GetValue("PSModuleAutoLoadingPreference");
                return preference == null || string.Equals(preference.ToString(), "All", StringComparison.OrdinalIgnoreCase);
            }

            void Load(string name)
            {
                // A name of a loaded module (every first call of one of its cmdlets) is settled
                // by the two cheap checks, and its class's binding caches filled; the providers
                // are asked only before an import.
                var module = Engine.CommandModule(name);
                if (module == null) return;
                var loaded = LoadedAssembly(module);
                if (loaded != null)
                {
                    Prime(loaded, module, name);
                    return;
                }
                var manifest = Path.Combine(_moduleRoot, module, module + ".psd1");
                if (!File.Exists(manifest)) return;
                // An alias or function of that name answers before any cmdlet: as PowerShell's
                // own auto-loading, load nothing then.
                var items = _session.InvokeProvider.Item;
                if (items.Exists("Alias:" + name, false, true) || items.Exists("Function:" + name, false, true)) return;
                t_importing = true;
                try
                {
                    // As PowerShell's own auto-loading imports (CommandDiscovery.AutoloadSpecifiedModule).
                    using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
                    ps.AddCommand(new CmdletInfo("Import-Module", typeof(ImportModuleCommand)))
                        .AddParameter("Name", manifest)
                        .AddParameter("Scope", "Global")
                        .AddParameter("ErrorAction", ActionPreference.Ignore)
                        .AddParameter("WarningAction", ActionPreference.Ignore)
                        .AddParameter("InformationAction", ActionPreference.Ignore)
                        .AddParameter("Verbose", false)
                        .AddParameter("Debug", false);
                    ps.Invoke();
                }
                finally { t_importing = false; }
                loaded = LoadedAssembly(module);
                if (loaded != null) Prime(loaded, module, name);
            }

            /// <summary>Fills PowerShell's binding caches for the cmdlet's class
            /// (<see cref="BindingCaches"/>), found by its generated name (<c>Get-MgUser</c> →
            /// <c>GetMgUser</c>) as written; a name typed in another case is left to PowerShell
            /// (a case-insensitive type look-up builds a table of the whole assembly).</summary>
            static void Prime(Assembly assembly, string module, string name)
            {
                var ns = module.StartsWith("Microsoft.Graph.Beta.", StringComparison.OrdinalIgnoreCase)
                    ? "Microsoft.Graph.Beta.PowerShell.Cmdlets." : "Microsoft.Graph.PowerShell.Cmdlets.";
                BindingCaches.Prime(assembly.GetType(ns + name.Replace("-", ""), false, false));
            }

            /// <summary>The module's cmdlet assembly if it is loaded (the module is imported, or
            /// was: after Remove-Module PowerShell's own auto-loading brings it back), else null.</summary>
            static Assembly LoadedAssembly(string module)
            {
                // By the display name ("Microsoft.Graph.Users, Version=..."), which the runtime
                // keeps: GetName() builds an AssemblyName from the metadata each time (measured:
                // 0.5-1 ms per look-up over the 100-odd assemblies of a session).
                foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
                {
                    var full = assembly.FullName;
                    if (full != null && full.Length > module.Length && full[module.Length] == ','
                        && full.StartsWith(module, StringComparison.OrdinalIgnoreCase)) return assembly;
                }
                return null;
            }
        }
    }
}
