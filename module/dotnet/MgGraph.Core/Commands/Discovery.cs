// Finding commands, choosing the API profile, and making the SDK-named modules discoverable.

using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text.RegularExpressions;
using MgGraph.PowerShell;

namespace Microsoft.Graph.PowerShell.Authentication.Cmdlets
{
    /// <summary>Find-MgGraphCommand: the cmdlets for a Microsoft Graph URI, or the URIs a cmdlet calls.</summary>
    [Cmdlet(VerbsCommon.Find, "MgGraphCommand", DefaultParameterSetName = "FindByUri",
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/find-mggraphcommand")]
    [OutputType("Microsoft.Graph.PowerShell.Authentication.Models.GraphCommand")]
    public sealed class FindMgGraphCommand : MgBuiltinCmdlet
    {
        /// <summary>Cmdlet names; * wildcards allowed.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "FindByCommand", Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        public string[] Command { get; set; }

        /// <summary>Graph URIs or paths.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "FindByUri", Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        public string[] Uri { get; set; }

        /// <summary>GET, POST, PATCH, PUT or DELETE.</summary>
        [Parameter(ParameterSetName = "FindByUri", Position = 1)]
        [ValidateSet("GET", "POST", "PUT", "PATCH", "DELETE")]
        public string Method { get; set; }

        /// <summary>v1.0 or beta.</summary>
        [Parameter(Position = 2)]
        [ValidateSet("v1.0", "beta")]
        public string ApiVersion { get; set; }

        /// <summary>One pipeline record's names or URIs.</summary>
        protected override void ProcessRecord()
        {
            var byCommand = ParameterSetName == "FindByCommand";
            foreach (var item in (byCommand ? Command : Uri) ?? Array.Empty<string>())
            {
                var query = byCommand ? new Hashtable { ["Command"] = item } : new Hashtable { ["Uri"] = item, ["Method"] = Method ?? "" };
                if (!string.IsNullOrEmpty(ApiVersion)) query["ApiVersion"] = ApiVersion;
                var rows = new List<object>();
                InvokeEngine("Find-MgGraphCommand", query, null, null, rows);
                if (rows.Count == 0)
                {
                    var what = byCommand && !string.IsNullOrEmpty(item) ? $"command '{item}'" : $"URI '{item}'";
                    WriteError(new ErrorRecord(new ArgumentException($"MgGraph: no Microsoft Graph command matches the {what}."),
                        "NotFound", ErrorCategory.ObjectNotFound, item));
                    continue;
                }
                foreach (var row in rows)
                {
                    var r = row as IDictionary ?? new Hashtable();
                    var variants = r["Variants"] is object[] list ? list : new[] { r["Variants"] };
                    WriteObject(CustomObject("Microsoft.Graph.PowerShell.Authentication.Models.GraphCommand",
                        ("Command", r["Command"]),
                        ("Module", r["Module"]),
                        ("APIVersion", r["APIVersion"]),
                        ("Method", r["Method"]),
                        ("URI", r["URI"]),
                        ("OutputType", r["OutputType"]),
                        ("Permissions", Permissions(r["Permissions"])),
                        ("Variants", variants)));
                }
            }
        }

        /// <summary>The engine's permission rows as the SDK's permission objects.</summary>
        private static object[] Permissions(object rows)
        {
            if (!(rows is object[] items)) return Array.Empty<object>();
            var result = new object[items.Length];
            for (int i = 0; i < items.Length; i++)
            {
                var p = items[i] as IDictionary ?? new Hashtable();
                result[i] = CustomObject("Microsoft.Graph.PowerShell.Authentication.Models.GraphPermission",
                    ("Name", p["Name"]),
                    ("PermissionType", p["PermissionType"]),
                    ("IsAdmin", p["IsAdmin"]),
                    ("IsLeastPrivilege", p["IsLeastPrivilege"]),
                    ("Description", p["Description"]),
                    ("FullDescription", p["FullDescription"]));
            }
            return result;
        }
    }

    /// <summary>Select-MgProfile: the API version v1.0-named cmdlets call, as in SDK v1.</summary>
    [Cmdlet(VerbsCommon.Select, "MgProfile", HelpUri = "https://learn.microsoft.com/powershell/microsoftgraph/migration-steps")]
    public sealed class SelectMgProfile : MgBuiltinCmdlet
    {
        /// <summary>v1.0 or beta.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateSet("v1.0", "beta")]
        public string Name { get; set; }

        /// <summary>Chooses it for the process.</summary>
        protected override void EndProcessing()
        {
            var domain = AppDomain.CurrentDomain;
            if (!LanguagePrimitives.IsTrue(domain.GetData("MgGraph.ProfileWarned")))
            {
                domain.SetData("MgGraph.ProfileWarned", true);
                WriteWarning("Select-MgProfile is a Microsoft Graph PowerShell SDK v1 feature that MgGraph keeps for compatibility: v1.0-named cmdlets now call the " + Name +
                    " API. In new scripts, call the MgBeta cmdlets (Get-MgBetaUser, ...) instead.");
            }
            domain.SetData("MgGraph.Profile", Name);
        }
    }

    /// <summary>The SDK-named modules' folder on PSModulePath and in the user's profile.</summary>
    internal static class SdkModulePath
    {
        /// <summary>The first line of the profile block Enable-MgGraphSdkModule writes.</summary>
        internal const string Begin = "# >>> MgGraph: SDK-named modules (Enable-MgGraphSdkModule) >>>";
        /// <summary>Its last line.</summary>
        internal const string End = "# <<< MgGraph: SDK-named modules <<<";

        internal static string[] Entries() =>
            (System.Environment.GetEnvironmentVariable("PSModulePath") ?? "").Split(Path.PathSeparator);

        internal static bool Contains(string folder)
        {
            foreach (var e in Entries()) if (string.Equals(e, folder, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }

        /// <summary>Puts the folder first on this process's PSModulePath (when missing).</summary>
        internal static void Add(string folder)
        {
            if (Contains(folder)) return;
            System.Environment.SetEnvironmentVariable("PSModulePath", folder + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PSModulePath"));
        }

        /// <summary>The profile lines; checkout is a folder to use when no installed MgGraph is
        /// found (a checkout's module/ folder), or ''. They name no version: at each start they
        /// put the newest installed MgGraph's sdk folder first on PSModulePath, so they keep
        /// working after Update-PSResource and do nothing once MgGraph is uninstalled.</summary>
        internal static string Block(string checkout)
        {
            var literal = checkout.Replace("'", "''");
            return string.Join("\n",
                Begin,
                "& {",
                "    $sep = [System.IO.Path]::PathSeparator",
                "    $best = '" + literal + "'; $bestVersion = $null",
                "    foreach ($root in $env:PSModulePath.Split($sep)) {",
                "        if (-not $root -or -not [System.IO.Directory]::Exists(\"$root/MgGraph\")) { continue }",
                "        foreach ($dir in [System.IO.Directory]::GetDirectories(\"$root/MgGraph\")) {",
                "            $version = $null",
                "            if ([version]::TryParse([System.IO.Path]::GetFileName($dir), [ref] $version) -and",
                "                [System.IO.Directory]::Exists(\"$dir/sdk\") -and ($null -eq $bestVersion -or $version -gt $bestVersion)) {",
                "                $best = \"$dir/sdk\"; $bestVersion = $version",
                "            }",
                "        }",
                "    }",
                "    if ($best -and [System.IO.Directory]::Exists($best) -and $env:PSModulePath.Split($sep) -notcontains $best) {",
                "        $env:PSModulePath = $best + $sep + $env:PSModulePath",
                "    }",
                "}",
                End);
        }

        /// <summary>Text without the MgGraph block (and the blank line before it).</summary>
        internal static string RemoveBlock(string text)
        {
            var pattern = @"(?ms)(\r?\n)?" + Regex.Escape(Begin) + ".*?" + Regex.Escape(End) + @"\r?\n?";
            return Regex.Replace(text, pattern, "");
        }

        /// <summary>The profile every PowerShell host of this user runs ($PROFILE.CurrentUserAllHosts).</summary>
        internal static string ProfilePath(PSCmdlet cmdlet)
        {
            object p = null;
            try { p = cmdlet.GetVariableValue("PROFILE"); }
            catch (Exception) { }
            var property = p == null ? null : PSObject.AsPSObject(p).Properties["CurrentUserAllHosts"];
            var value = property?.Value;
            if (value != null && LanguagePrimitives.IsTrue(p)) return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException("MgGraph: this PowerShell host has no $PROFILE, so there is no user profile to change. Use -Scope Process, or add the folder to PSModulePath yourself."),
                "NoProfile", ErrorCategory.InvalidOperation, null));
            return null;
        }
    }

    /// <summary>Enable-MgGraphSdkModule: makes MgGraph's SDK-named modules available to new sessions.</summary>
    [Cmdlet(VerbsLifecycle.Enable, "MgGraphSdkModule", SupportsShouldProcess = true)]
    public sealed class EnableMgGraphSdkModule : MgBuiltinCmdlet
    {
        /// <summary>CurrentUser (the default) or Process.</summary>
        [Parameter(Position = 0)]
        [ValidateSet("CurrentUser", "Process")]
        public string Scope { get; set; } = "CurrentUser";

        /// <summary>Adds the folder to PSModulePath or the lines to the profile.</summary>
        protected override void EndProcessing()
        {
            var folder = SdkModuleRoot;
            string profilePath = null;
            if (string.Equals(Scope, "Process", StringComparison.OrdinalIgnoreCase))
            {
                if (!SdkModulePath.Contains(folder) && Confirm("PSModulePath", $"Add '{folder}'"))
                    System.Environment.SetEnvironmentVariable("PSModulePath", folder + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PSModulePath"));
            }
            else
            {
                profilePath = SdkModulePath.ProfilePath(this);
                // A package keeps its modules in <version>/sdk, found afresh at each start; a
                // checkout's module/ folder is named as it is.
                var checkout = string.Equals(Path.GetFileName(folder), "sdk", StringComparison.OrdinalIgnoreCase) ? "" : folder;
                var old = File.Exists(profilePath) ? File.ReadAllText(profilePath) : "";
                var rest = SdkModulePath.RemoveBlock(old).TrimEnd('\r', '\n');
                var updated = (rest.Length > 0 ? rest + System.Environment.NewLine + System.Environment.NewLine : "") + SdkModulePath.Block(checkout);
                if (!string.Equals(updated, old, StringComparison.OrdinalIgnoreCase) &&
                    Confirm(profilePath, "Add the lines that put MgGraph's SDK-named modules on PSModulePath"))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(profilePath));
                    File.WriteAllText(profilePath, updated);
                }
            }
            WriteObject(CustomObject(null, ("Scope", Scope), ("Folder", folder), ("Profile", profilePath)));
        }
    }

    /// <summary>Disable-MgGraphSdkModule: undoes Enable-MgGraphSdkModule.</summary>
    [Cmdlet(VerbsLifecycle.Disable, "MgGraphSdkModule", SupportsShouldProcess = true)]
    public sealed class DisableMgGraphSdkModule : MgBuiltinCmdlet
    {
        /// <summary>CurrentUser (the default) or Process.</summary>
        [Parameter(Position = 0)]
        [ValidateSet("CurrentUser", "Process")]
        public string Scope { get; set; } = "CurrentUser";

        /// <summary>Takes the folder off PSModulePath and the lines out of the profile.</summary>
        protected override void EndProcessing()
        {
            var root = SdkModuleRoot;
            var kept = new List<string>();
            foreach (var e in SdkModulePath.Entries()) if (!string.Equals(e, root, StringComparison.OrdinalIgnoreCase)) kept.Add(e);
            if (Confirm("PSModulePath", $"Remove '{root}'"))
                System.Environment.SetEnvironmentVariable("PSModulePath", string.Join(Path.PathSeparator.ToString(), kept));
            if (string.Equals(Scope, "Process", StringComparison.OrdinalIgnoreCase)) return;
            var profilePath = SdkModulePath.ProfilePath(this);
            if (!File.Exists(profilePath)) return;
            var old = File.ReadAllText(profilePath);
            var updated = SdkModulePath.RemoveBlock(old);
            if (string.Equals(updated, old, StringComparison.OrdinalIgnoreCase)) return;
            if (Confirm(profilePath, "Remove MgGraph's lines"))
            {
                if (updated.Trim().Length > 0) File.WriteAllText(profilePath, updated);
                else File.Delete(profilePath);
            }
        }
    }

    /// <summary>Runs when the authentication module (this assembly) is imported: puts the
    /// SDK-named modules' folder (the parent of the module's folder) first on PSModulePath for
    /// this process, so their cmdlets load on first use and <c>Import-Module
    /// Microsoft.Graph.Users</c> finds MgGraph's copy ahead of any installed SDK.</summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        /// <summary>At import.</summary>
        public void OnImport()
        {
            try { SdkModulePath.Add(MgBuiltinCmdlet.SdkModuleRoot); }
            catch (Exception) { }
        }
    }
}
