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
        /// <summary>Cmdlet names: a name, a * wildcard, or a regular expression over the whole
        /// name as in the SDK (.*UserToDo.*).</summary>
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
        [Alias("Profile")]
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
                result[i] = new Microsoft.Graph.PowerShell.Authentication.Models.GraphPermission
                {
                    Name = p["Name"] as string,
                    PermissionType = p["PermissionType"] as string,
                    IsAdmin = LanguagePrimitives.IsTrue(p["IsAdmin"]),
                    IsLeastPrivilege = LanguagePrimitives.IsTrue(p["IsLeastPrivilege"]),
                    Description = p["Description"] as string,
                    FullDescription = p["FullDescription"] as string,
                };
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

        /// <summary>Chooses it for the process, in the set's spelling: <c>-Name Beta</c>, as
        /// Microsoft's examples write it, binds (the set ignores case) and selects beta.</summary>
        protected override void EndProcessing()
        {
            var name = string.Equals(Name, "beta", StringComparison.OrdinalIgnoreCase) ? "beta" : "v1.0";
            var domain = AppDomain.CurrentDomain;
            if (!LanguagePrimitives.IsTrue(domain.GetData("MgGraph.ProfileWarned")))
            {
                domain.SetData("MgGraph.ProfileWarned", true);
                WriteWarning("Select-MgProfile is a Microsoft Graph PowerShell SDK v1 feature that MgGraph keeps for compatibility: v1.0-named cmdlets now call the " + name +
                    " API. In new scripts, call the MgBeta cmdlets (Get-MgBetaUser, ...) instead.");
            }
            domain.SetData("MgGraph.Profile", name);
        }
    }

    /// <summary>Get-MgProfile: the API version Select-MgProfile chose (v1.0 until it is called),
    /// or with -ListAvailable both, as SDK v1's did; objects with Name and Description.</summary>
    [Cmdlet(VerbsCommon.Get, "MgProfile", HelpUri = "https://learn.microsoft.com/powershell/microsoftgraph/migration-steps")]
    [OutputType(typeof(PSObject))]
    public sealed class GetMgProfile : MgBuiltinCmdlet
    {
        /// <summary>Only these profiles (v1.0, beta).</summary>
        [Parameter(Position = 0)]
        [ValidateSet("v1.0", "beta")]
        public string[] Name { get; set; }

        /// <summary>Every profile, not only the selected one.</summary>
        [Parameter]
        public SwitchParameter ListAvailable { get; set; }

        /// <summary>Writes the profiles.</summary>
        protected override void EndProcessing()
        {
            var selected = AppDomain.CurrentDomain.GetData("MgGraph.Profile") as string ?? "v1.0";
            foreach (var name in new[] { "v1.0", "beta" })
            {
                var named = Name != null && Array.Exists(Name, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
                if (!(ListAvailable || named || (Name == null && name == selected))) continue;
                var profile = new PSObject();
                profile.TypeNames.Insert(0, "Microsoft.Graph.PowerShell.Authentication.Models.PSGraphServiceProfile");
                profile.Properties.Add(new PSNoteProperty("Name", name));
                profile.Properties.Add(new PSNoteProperty("Description", $"The Microsoft Graph {name} API (https://graph.microsoft.com/{name})."));
                WriteObject(profile);
            }
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

    /// <summary>PowerShellGet's install records (PSGetModuleInfo.xml) for the SDK-named modules of
    /// an installed package. Get-InstalledModule lists a module when it finds such a record
    /// anywhere below the user's or the shared module folder (it recurses), so a record in each
    /// <c>&lt;version&gt;/sdk/&lt;Module&gt;</c> folder makes the SDK-named modules "installed", and
    /// Uninstall-PSResource MgGraph takes the records away with the package. Each is a copy of
    /// MgGraph's own record (the one PSResourceGet wrote), with the module's name, version and
    /// description and no dependencies.</summary>
    internal static class SdkInstallRecords
    {
        internal const string FileName = "PSGetModuleInfo.xml";

        /// <summary>MgGraph's own record next to the sdk folder, or null when the folder is not a
        /// package's (a checkout) or MgGraph was not installed by PSResourceGet/PowerShellGet:
        /// the SDK-named modules are then as installed as MgGraph is, that is, not at all.</summary>
        internal static string PackageRecord(string sdkFolder)
        {
            if (!string.Equals(Path.GetFileName(sdkFolder), "sdk", StringComparison.OrdinalIgnoreCase)) return null;
            var path = Path.Combine(Path.GetDirectoryName(sdkFolder), FileName);
            return File.Exists(path) ? path : null;
        }

        /// <summary>The module folders below sdk, with the version and description their
        /// manifests (generated, one value a line) give.</summary>
        static IEnumerable<(string Folder, string Name, string Version, string Description)> Modules(string sdkFolder)
        {
            foreach (var dir in Directory.GetDirectories(sdkFolder))
            {
                var name = Path.GetFileName(dir);
                var manifest = Path.Combine(dir, name + ".psd1");
                if (!File.Exists(manifest)) continue;
                var text = File.ReadAllText(manifest);
                var version = Regex.Match(text, @"(?m)^\s*ModuleVersion\s*=\s*'([^']+)'");
                if (!version.Success) continue;
                var description = Regex.Match(text, @"(?m)^\s*Description\s*=\s*'((?:[^']|'')*)'");
                yield return (dir, name, version.Groups[1].Value,
                    description.Success ? description.Groups[1].Value.Replace("''", "'") : name);
            }
        }

        /// <summary>Writes a record into every module folder; returns how many.</summary>
        internal static int Write(string sdkFolder, string packageRecord)
        {
            var source = (PSObject)Plain(PSSerializer.Deserialize(File.ReadAllText(packageRecord)));
            // PowerShellGet calls PublishedDate.ToString() on every record it reads and drops the
            // details of one without it (PSResourceGet leaves it empty for a local feed).
            var published = source.Properties["PublishedDate"]?.Value ?? source.Properties["InstalledDate"]?.Value ?? DateTime.UtcNow;
            var count = 0;
            foreach (var m in Modules(sdkFolder))
            {
                var record = new PSObject();
                record.TypeNames.Clear();
                foreach (var t in source.TypeNames) record.TypeNames.Add(t);
                foreach (var p in source.Properties)
                {
                    object value = p.Value;
                    switch (p.Name)
                    {
                        case "Name": value = m.Name; break;
                        case "Version": value = m.Version; break;
                        case "Description": value = m.Description; break;
                        case "PublishedDate": value = published; break;
                        case "InstalledLocation": value = m.Folder; break;
                        // MgGraph's dependencies and commands are not this module's.
                        case "Dependencies": value = Array.Empty<object>(); break;
                        case "Includes": value = EmptyIncludes(p.Value); break;
                        case "AdditionalMetadata": value = WithVersion(p.Value, m.Version); break;
                    }
                    record.Properties.Add(new PSNoteProperty(p.Name, value));
                }
                var path = Path.Combine(m.Folder, FileName);
                // Windows: a hidden file cannot be overwritten, and PowerShellGet reads only
                // hidden records there (as PSResourceGet writes them).
                if (File.Exists(path)) File.Delete(path);
                File.WriteAllText(path, PSSerializer.Serialize(record, 5));
                if (OperatingSystem.IsWindows()) File.SetAttributes(path, File.GetAttributes(path) | FileAttributes.Hidden);
                count++;
            }
            return count;
        }

        /// <summary>A value read back from CliXml as it was before it was written: property bags
        /// as PSCustomObjects, lists as arrays, and values of types this process does not load
        /// (PSResourceGet's enums) as their text, so the copy does not say "Deserialized.".</summary>
        static object Plain(object value)
        {
            if (value == null) return null;
            var pso = value as PSObject;
            var inner = pso?.BaseObject ?? value;
            if (inner is PSCustomObject && pso != null)
            {
                var copy = new PSObject();
                copy.TypeNames.Clear();
                foreach (var t in pso.TypeNames)
                    copy.TypeNames.Add(t.StartsWith("Deserialized.", StringComparison.Ordinal) ? t.Substring("Deserialized.".Length) : t);
                foreach (var p in pso.Properties) copy.Properties.Add(new PSNoteProperty(p.Name, Plain(p.Value)));
                return copy;
            }
            if (inner is IDictionary table)
            {
                var copy = new Hashtable();
                foreach (DictionaryEntry e in table) copy[e.Key] = Plain(e.Value);
                return copy;
            }
            if (inner is IList list && inner is not string)
            {
                var items = new List<object>();
                foreach (var item in list) items.Add(Plain(item));
                return items.TrueForAll(i => i is string) ? items.ConvertAll(i => (string)i).ToArray() : items.ToArray();
            }
            if (pso != null && pso.TypeNames.Count > 0 && pso.TypeNames[0].StartsWith("Deserialized.", StringComparison.Ordinal))
                return pso.ToString();
            return inner;
        }

        /// <summary>The record's Includes table with its keys and no commands.</summary>
        static object EmptyIncludes(object includes)
        {
            if (includes is not IDictionary table) return includes;
            var empty = new Hashtable();
            foreach (DictionaryEntry e in table) empty[e.Key] = Array.Empty<string>();
            return empty;
        }

        /// <summary>PSResourceGet's AdditionalMetadata with the module's NormalizedVersion.</summary>
        static object WithVersion(object metadata, string version)
        {
            if (metadata is not PSObject bag) return metadata;
            var copy = new PSObject();
            copy.TypeNames.Clear();
            foreach (var t in bag.TypeNames) copy.TypeNames.Add(t);
            foreach (var p in bag.Properties)
                copy.Properties.Add(new PSNoteProperty(p.Name, p.Name == "NormalizedVersion" ? version : p.Value));
            return copy;
        }

        /// <summary>Whether any module folder below sdk holds a record.</summary>
        internal static bool Any(string sdkFolder)
        {
            foreach (var dir in Directory.GetDirectories(sdkFolder))
                if (File.Exists(Path.Combine(dir, FileName))) return true;
            return false;
        }

        /// <summary>Removes the records Write wrote; returns how many.</summary>
        internal static int Remove(string sdkFolder)
        {
            if (!Directory.Exists(sdkFolder)) return 0;
            var count = 0;
            foreach (var dir in Directory.GetDirectories(sdkFolder))
            {
                var path = Path.Combine(dir, FileName);
                if (!File.Exists(path)) continue;
                File.SetAttributes(path, FileAttributes.Normal);
                File.Delete(path);
                count++;
            }
            return count;
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
            var records = 0;
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
                records = WriteRecords(folder);
            }
            WriteObject(CustomObject(null, ("Scope", Scope), ("Folder", folder), ("Profile", profilePath), ("InstallRecords", records)));
        }

        /// <summary>Makes Get-InstalledModule find the SDK-named modules as installed with
        /// MgGraph (scripts gate on it); returns how many records were written.</summary>
        int WriteRecords(string folder)
        {
            var record = SdkInstallRecords.PackageRecord(folder);
            if (record == null)
            {
                WriteVerbose($"'{folder}' is not the sdk folder of an MgGraph installed with PSResourceGet: no install records written.");
                return 0;
            }
            if (!Confirm(folder, "Write PowerShellGet install records (PSGetModuleInfo.xml) for the SDK-named modules")) return 0;
            try { return SdkInstallRecords.Write(folder, record); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // An install for all users is not this user's to change; the profile lines still work.
                WriteWarning($"MgGraph: cannot write the install records below '{folder}' ({e.Message}); Get-InstalledModule will not list the SDK-named modules.");
                return 0;
            }
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
            RemoveRecords(root);
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

        /// <summary>Removes the install records of every installed MgGraph version (Enable may
        /// have run in an older one), so Get-InstalledModule lists no SDK-named module.</summary>
        void RemoveRecords(string root)
        {
            if (!string.Equals(Path.GetFileName(root), "sdk", StringComparison.OrdinalIgnoreCase)) return;
            var versions = Path.GetDirectoryName(Path.GetDirectoryName(root));
            if (versions == null || !Directory.Exists(versions)) return;
            foreach (var version in Directory.GetDirectories(versions))
            {
                var sdk = Path.Combine(version, "sdk");
                if (!Directory.Exists(sdk) || !SdkInstallRecords.Any(sdk)) continue;
                if (!Confirm(sdk, "Remove the PowerShellGet install records of the SDK-named modules")) continue;
                try { SdkInstallRecords.Remove(sdk); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    WriteWarning($"MgGraph: cannot remove the install records below '{sdk}' ({e.Message}).");
                }
            }
        }
    }

    /// <summary>Runs when the authentication module (this assembly) is imported: puts the
    /// SDK-named modules' folder (the parent of the module's folder) first on PSModulePath for
    /// this process, so <c>Import-Module Microsoft.Graph.Users</c> finds MgGraph's copy ahead of
    /// any installed SDK, and hooks the runspace's command look-ups so a cmdlet's module loads
    /// from that folder on first use (<see cref="CommandAutoLoader"/>).</summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        /// <summary>At import.</summary>
        public void OnImport()
        {
            CoreModule.OnCoreImported();
            try { SdkModulePath.Add(MgBuiltinCmdlet.SdkModuleRoot); }
            catch (Exception) { }
            try
            {
                var engine = CommandAutoLoader.CurrentEngine();
                if (engine != null) CommandAutoLoader.Register(engine, MgBuiltinCmdlet.SdkModuleRoot);
            }
            catch (Exception) { }
        }

        /// <summary>At Remove-Module.</summary>
        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            CoreModule.OnCoreRemoved();
            try
            {
                var engine = CommandAutoLoader.CurrentEngine();
                if (engine != null) CommandAutoLoader.Unregister(engine.InvokeCommand);
            }
            catch (Exception) { }
        }
    }
}

namespace Microsoft.Graph.PowerShell.Authentication.Models
{
    /// <summary>A permission of Microsoft's map that grants a command's call, as
    /// Find-MgGraphCommand lists it in <c>Permissions</c>. Written as its name where a list shows
    /// it (<c>{User.Read.All, ...}</c>), as the SDK's class is.</summary>
    public sealed class GraphPermission
    {
        /// <summary>The permission's name (<c>User.Read.All</c>).</summary>
        public string Name { get; set; }
        /// <summary>Delegated or Application.</summary>
        public string PermissionType { get; set; }
        /// <summary>Whether it needs an administrator's consent.</summary>
        public bool IsAdmin { get; set; }
        /// <summary>Whether Microsoft's map marks it least privileged for the call.</summary>
        public bool IsLeastPrivilege { get; set; }
        /// <summary>Its short description.</summary>
        public string Description { get; set; }
        /// <summary>Its full description.</summary>
        public string FullDescription { get; set; }
        /// <summary>The name.</summary>
        public override string ToString() => Name ?? string.Empty;
    }
}
