// Permissions: finding Microsoft Graph's permissions (Find-MgGraphPermission, as in the SDK) and
// what the operations a session performed needed (Get-MgGraphRequiredPermission, MgGraph's own).
// Both read Microsoft's permission map compiled into the engine.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.InteropServices;
using MgGraph.PowerShell;

namespace Microsoft.Graph.PowerShell.Authentication.Cmdlets
{
    /// <summary>Find-MgGraphPermission: Microsoft Graph's permissions whose names match, with
    /// their ids, consent and descriptions.</summary>
    [Cmdlet(VerbsCommon.Find, "MgGraphPermission", DefaultParameterSetName = "Search",
        HelpUri = "https://learn.microsoft.com/powershell/microsoftgraph/find-mg-graph-permission")]
    [OutputType("Microsoft.Graph.Custom.Permission")]
    public sealed class FindMgGraphPermission : MgBuiltinCmdlet
    {
        /// <summary>Text the permission's name contains ('user', 'mail').</summary>
        [Parameter(ParameterSetName = "Search", Position = 0, ValueFromPipeline = true, Mandatory = true)]
        public string SearchString { get; set; }

        /// <summary>Only permissions named exactly SearchString.</summary>
        [Parameter(ParameterSetName = "Search")]
        public SwitchParameter ExactMatch { get; set; }

        /// <summary>Any, Delegated or Application.</summary>
        [Parameter]
        [ValidateSet("Any", "Delegated", "Application")]
        public string PermissionType { get; set; } = "Any";

        /// <summary>The SDK refreshes its copy from Graph; MgGraph's map is compiled in, so this
        /// is accepted and changes nothing.</summary>
        [Parameter]
        public SwitchParameter Online { get; set; }

        /// <summary>Every permission (of PermissionType).</summary>
        [Parameter(ParameterSetName = "All")]
        public SwitchParameter All { get; set; }

        /// <summary>One search string.</summary>
        protected override void ProcessRecord()
        {
            var query = new Hashtable { ["PermissionType"] = PermissionType, ["ExactMatch"] = ExactMatch.IsPresent, ["All"] = All.IsPresent };
            if (!All) query["SearchString"] = SearchString;
            var rows = new List<object>();
            InvokeEngine("Find-MgGraphPermission", query, null, null, rows);
            if (rows.Count == 0 && ExactMatch)
            {
                WriteError(new ErrorRecord(
                    new ArgumentException($"No results were found that exactly matched the specified permission '{SearchString}'."),
                    "PermissionNotFound", ErrorCategory.ObjectNotFound, SearchString));
                return;
            }
            foreach (var row in rows)
            {
                var r = row as IDictionary ?? new Hashtable();
                WriteObject(CustomObject("Microsoft.Graph.Custom.Permission",
                    ("Id", r["Id"]),
                    ("PermissionType", r["PermissionType"]),
                    ("Consent", r["Consent"]),
                    ("Name", r["Name"]),
                    ("Description", r["Description"])));
            }
        }
    }

    /// <summary>Get-MgGraphRequiredPermission: the least-privileged permissions that cover every
    /// Graph operation this connection has performed, per Microsoft's permission map.</summary>
    [Cmdlet(VerbsCommon.Get, "MgGraphRequiredPermission", DefaultParameterSetName = "Permission")]
    [OutputType("MgGraph.RequiredPermission", ParameterSetName = new[] { "Permission" })]
    [OutputType("MgGraph.RecordedOperation", ParameterSetName = new[] { "Operation" })]
    public sealed class GetMgGraphRequiredPermission : MgBuiltinCmdlet
    {
        /// <summary>Any (both kinds), Delegated or Application.</summary>
        [Parameter(ParameterSetName = "Permission", Position = 0)]
        [ValidateSet("Any", "Delegated", "Application")]
        public string PermissionType { get; set; } = "Any";

        /// <summary>Lists the recorded operations, each with its least-privileged permissions,
        /// instead of the permissions.</summary>
        [Parameter(ParameterSetName = "Operation", Mandatory = true)]
        public SwitchParameter Operation { get; set; }

        /// <summary>Starts a new recording after this answer (the next script's run).</summary>
        [Parameter]
        public SwitchParameter Clear { get; set; }

        /// <summary>Reads the recording.</summary>
        protected override void EndProcessing()
        {
            NativeMethods.EnsureResolver();
            var status = NativeMethods.mggraph_session_permissions(Engine.Session, Clear ? 1u : 0u, out var ptr);
            if (status != Status.Ok)
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException("MgGraph: " + Engine.LastError(status)),
                    "RecordingUnavailable", ErrorCategory.InvalidOperation, null));
            var report = JsonValues.Parse(NativeMethods.TakeString(ptr) ?? "{}") as IDictionary ?? new Hashtable();
            var operations = report["operations"] as object[] ?? Array.Empty<object>();
            if (operations.Length == 0)
            {
                WriteWarning("MgGraph: this connection has performed no Graph operation yet (recording starts at Connect-MgGraph).");
                return;
            }
            if (Operation)
            {
                foreach (var item in operations)
                {
                    var o = item as IDictionary ?? new Hashtable();
                    var d = o["delegated"] as IDictionary ?? new Hashtable();
                    var a = o["application"] as IDictionary ?? new Hashtable();
                    WriteObject(CustomObject("MgGraph.RecordedOperation",
                        ("Method", o["method"]),
                        ("Path", o["path"]),
                        ("Count", o["count"]),
                        ("Delegated", Strings(d["least"])),
                        ("Application", Strings(a["least"])),
                        ("Documented", LanguagePrimitives.IsTrue(d["documented"]) && LanguagePrimitives.IsTrue(a["documented"])),
                        ("Example", o["example"])));
                }
                return;
            }
            foreach (var kind in new[] { "Delegated", "Application" })
            {
                if (PermissionType != "Any" && !string.Equals(PermissionType, kind, StringComparison.OrdinalIgnoreCase)) continue;
                foreach (var item in report[kind.ToLowerInvariant()] as object[] ?? Array.Empty<object>())
                {
                    var p = item as IDictionary ?? new Hashtable();
                    WriteObject(CustomObject("MgGraph.RequiredPermission",
                        ("PermissionType", kind),
                        ("Name", p["permission"]),
                        ("Id", p["id"]),
                        ("Consent", p["consent"]),
                        ("Operations", Strings(p["operations"]))));
                }
            }
        }

        private static string[] Strings(object value)
        {
            if (!(value is object[] items)) return Array.Empty<string>();
            var result = new string[items.Length];
            for (int i = 0; i < items.Length; i++) result[i] = Convert.ToString(items[i], System.Globalization.CultureInfo.InvariantCulture);
            return result;
        }
    }
}
