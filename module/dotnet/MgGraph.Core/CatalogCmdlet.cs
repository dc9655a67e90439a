// The base of every generated cmdlet. A generated class only declares its parameters (bound
// by PowerShell as code); its catalog facts come from the engine; this class turns the bound parameters of each
// pipeline record into one engine call, or pushes them into one streaming call in bulk mode
// (-ThrottleLimit > 1), and writes the call's events on PowerShell's thread.

using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text;

namespace MgGraph.PowerShell
{
    /// <summary>One parameter set of a catalog command: its Graph method and path template,
    /// whether it pages, the ids its path needs (for -InputObject) and the body's date
    /// properties (culture-formatted date strings are rewritten as ISO dates).</summary>
    public sealed class MgParameterSet
    {
        /// <summary>name: the set ("Get", "List", "CreateExpanded"...); method: GET, POST...;
        /// path: "/users/{user-id}"; list: pages; identity: -InputObject's id names;
        /// bodyDates: the body's DateTimeOffset properties.</summary>
        public MgParameterSet(string name, string method, string path, bool list, string[] identity, string[] bodyDates)
        {
            Name = name;
            Method = method;
            Path = path;
            List = list;
            Identity = identity ?? Array.Empty<string>();
            BodyDates = bodyDates ?? Array.Empty<string>();
        }

        /// <summary>The set's name.</summary>
        public string Name { get; }
        /// <summary>The Graph method.</summary>
        public string Method { get; }
        /// <summary>The Graph path template.</summary>
        public string Path { get; }
        /// <summary>Whether the set pages (-All, -Top, -PageSize).</summary>
        public bool List { get; }
        /// <summary>The ids -InputObject supplies.</summary>
        public string[] Identity { get; }
        /// <summary>The body's date properties.</summary>
        public string[] BodyDates { get; }
        /// <summary>Whether the set writes (anything but GET): asks ShouldProcess first.</summary>
        public bool Mutates => !string.Equals(Method, "GET", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A catalog command as its generated cmdlet runs it.</summary>
    public sealed class MgCommandInfo
    {
        private readonly Dictionary<string, MgParameterSet> _sets;

        private static readonly ConcurrentDictionary<Type, MgCommandInfo> ByCmdlet = new ConcurrentDictionary<Type, MgCommandInfo>();

        /// <summary>name: the catalog command ("Get-MgUser"); output: the model class its output
        /// is read into (null: plain JSON values); sets: its parameter sets; pathParameters: the
        /// parameters that name files (-InFile, -OutFile), resolved to file-system paths.</summary>
        public MgCommandInfo(string name, Type output, MgParameterSet[] sets, string[] pathParameters)
        {
            Name = name;
            Output = output;
            _sets = new Dictionary<string, MgParameterSet>(StringComparer.OrdinalIgnoreCase);
            foreach (var s in sets ?? Array.Empty<MgParameterSet>()) _sets[s.Name] = s;
            PathParameters = pathParameters ?? Array.Empty<string>();
        }

        /// <summary>The catalog command's name.</summary>
        public string Name { get; }
        /// <summary>The output model class; <c>typeof(int)</c> for a result the SDK types Int32;
        /// null for other plain JSON values.</summary>
        public Type Output { get; }
        /// <summary>File-path parameters.</summary>
        public string[] PathParameters { get; }

        /// <summary>A set by name (null when unknown).</summary>
        public MgParameterSet Set(string name) => name != null && _sets.TryGetValue(name, out var s) ? s : null;

        /// <summary>The facts of a generated cmdlet class, asked of the engine's catalog
        /// (<c>mggraph_command_describe</c>) once per class and process: the classes declare only
        /// their parameters, which keeps the assemblies a third smaller.</summary>
        /// <exception cref="InvalidOperationException">The class is no catalog cmdlet.</exception>
        public static MgCommandInfo For(Type cmdlet) => ByCmdlet.GetOrAdd(cmdlet, Describe);

        private static MgCommandInfo Describe(Type cmdlet)
        {
            var attribute = (CmdletAttribute)Attribute.GetCustomAttribute(cmdlet, typeof(CmdletAttribute))
                ?? throw new InvalidOperationException($"MgGraph: {cmdlet.FullName} has no [Cmdlet] attribute.");
            var name = attribute.VerbName + "-" + attribute.NounName;
            if (!(Engine.DescribeCommand(name) is IDictionary d))
                throw new InvalidOperationException($"MgGraph: the engine does not describe '{name}'.");
            var sets = new List<MgParameterSet>();
            if (d["sets"] is IDictionary setMap)
            {
                foreach (DictionaryEntry e in setMap)
                {
                    if (!(e.Value is IDictionary s)) continue;
                    sets.Add(new MgParameterSet((string)e.Key, s["method"] as string, s["path"] as string,
                        s["list"] is bool list && list, Strings(s["identity"]), Strings(s["bodyDates"])));
                }
            }
            var paths = Strings(d["pathParams"]);
            var outputClass = d["outputClass"] as string;
            // A result the SDK types Int32 (a $count, an Edm.Int32 function) is written as one:
            // JSON numbers are read as Int64 otherwise.
            var output = !string.IsNullOrEmpty(outputClass)
                ? Engine.FindType(outputClass) ?? throw new InvalidOperationException($"MgGraph: the class {outputClass} of '{name}' is not loaded.")
                : d["outputType"] as string == "System.Int32" ? typeof(int) : null;
            return new MgCommandInfo(d["name"] as string ?? name, output, sets.ToArray(), paths);
        }

        private static string[] Strings(object value)
        {
            if (!(value is object[] items)) return Array.Empty<string>();
            var list = new List<string>(items.Length);
            foreach (var i in items) if (i is string s) list.Add(s);
            return list.ToArray();
        }
    }

    /// <summary>The base of every generated Graph cmdlet.</summary>
    public abstract class MgCatalogCmdlet : PSCmdlet, IDisposable
    {
        // The SDK's runtime parameters, which every generated SDK cmdlet has (AutoRest's,
        // DontShow there as here): declared once here, as they are the same everywhere.

        /// <summary>-Break: waits for a .NET debugger to attach, then breaks into it.</summary>
        [Parameter(DontShow = true, HelpMessage = "Waits for a .NET debugger to attach to this process before the call.")]
        public SwitchParameter Break;

        /// <summary>-HttpPipelineAppend: refused with an error naming it (see PipelineSteps.cs).</summary>
        [Parameter(DontShow = true, HelpMessage = "HTTP pipeline steps to run after the SDK's own (not supported: MgGraph sends requests from its native engine).")]
        [ValidateNotNull]
        public Microsoft.Graph.PowerShell.Runtime.SendAsyncStep[] HttpPipelineAppend;

        /// <summary>-HttpPipelinePrepend: refused with an error naming it.</summary>
        [Parameter(DontShow = true, HelpMessage = "HTTP pipeline steps to run before the SDK's own (not supported: MgGraph sends requests from its native engine).")]
        [ValidateNotNull]
        public Microsoft.Graph.PowerShell.Runtime.SendAsyncStep[] HttpPipelinePrepend;

        /// <summary>-Proxy: the call's requests go through this proxy server.</summary>
        [Parameter(DontShow = true, HelpMessage = "The URI of a proxy server for this call's requests (http:// or https://).")]
        [ValidateNotNull]
        public Uri Proxy;

        /// <summary>-ProxyCredential: sent to the proxy as Basic credentials.</summary>
        [Parameter(DontShow = true, HelpMessage = "Credentials for the proxy server (sent as Basic credentials).")]
        [ValidateNotNull]
        [Credential]
        public PSCredential ProxyCredential;

        /// <summary>-ProxyUseDefaultCredentials: accepted; the engine cannot present a Windows
        /// logon's credentials (NTLM, Kerberos) to a proxy, which the verbose stream says.</summary>
        [Parameter(DontShow = true, HelpMessage = "Presents this logon's default credentials to the proxy (the engine cannot: the proxy is used without them).")]
        public SwitchParameter ProxyUseDefaultCredentials;

        private MgCommandInfo _info;

        /// <summary>The command's catalog facts (see <see cref="MgCommandInfo.For"/>).</summary>
        protected MgCommandInfo Info => _info ?? (_info = MgCommandInfo.For(GetType()));

        private static readonly HashSet<string> NotSent = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
            "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
            "UseTransaction", "ThrottleLimit", "Break", "HttpPipelineAppend", "HttpPipelinePrepend", "Proxy",
            "ProxyCredential", "ProxyUseDefaultCredentials",
        };

        private string _engineName;
        private string _flags;
        private EngineCall _bulk;
        private volatile EngineCall _current;
        private volatile bool _stopping;

        /// <summary>begin: the command as the engine runs it; in bulk mode, the streaming call.</summary>
        protected override void BeginProcessing()
        {
            _engineName = Profiles.Resolve(Info.Name);
            var bound = MyInvocation.BoundParameters;
            int throttle;
            if (bound.TryGetValue("ThrottleLimit", out var t) && t != null) throttle = System.Convert.ToInt32(Unwrap(t), CultureInfo.InvariantCulture);
            else throttle = Profiles.DefaultThrottleLimit;
            var verbose = Wants("Verbose", "VerbosePreference");
            var debug = Wants("Debug", "DebugPreference");
            RuntimeParameters(bound);
            var proxy = ProxyJson();
            _flags = (proxy == null ? "" : ",\"proxy\":" + proxy) + ",\"verbose\":" + (verbose ? "true" : "false") + ",\"debug\":" + (debug ? "true" : "false") + "}";
            if (throttle > 1)
            {
                _bulk = Engine.Start("{\"command\":" + WireValue.Quote(_engineName) + ",\"streamInput\":true,\"throttleLimit\":"
                    + throttle.ToString(CultureInfo.InvariantCulture) + _flags);
            }
        }

        /// <summary>-Break, -HttpPipelineAppend/-Prepend and -ProxyUseDefaultCredentials, before
        /// anything is sent.</summary>
        private void RuntimeParameters(Dictionary<string, object> bound)
        {
            foreach (var name in new[] { "HttpPipelineAppend", "HttpPipelinePrepend" })
            {
                if (!bound.ContainsKey(name)) continue;
                ThrowTerminatingError(new ErrorRecord(
                    new PSNotSupportedException($"-{name}: MgGraph sends requests from its native engine, which has no .NET HTTP pipeline to add steps to. Nothing was sent. For extra request headers use -Headers; for other requests, Invoke-MgGraphRequest."),
                    "HttpPipelineStepsNotSupported", ErrorCategory.NotImplemented, name));
            }
            if (ProxyUseDefaultCredentials.IsPresent && ProxyCredential == null)
                WriteVerbose("-ProxyUseDefaultCredentials: MgGraph's engine cannot present this logon's Windows credentials (NTLM, Kerberos) to a proxy; the proxy is used without credentials. Give -ProxyCredential for a proxy that asks for Basic credentials.");
            if (Break.IsPresent) WaitForDebugger();
        }

        /// <summary>-Break, as the SDK's cmdlets do it: waits until a .NET debugger is attached
        /// (saying so every five seconds), then breaks into it. Ctrl+C ends the wait, and the
        /// command, with nothing sent.</summary>
        private void WaitForDebugger()
        {
            var pid = Environment.ProcessId;
            for (int tick = 0; !System.Diagnostics.Debugger.IsAttached; tick++)
            {
                if (_stopping) throw new PipelineStoppedException();
                if (tick % 50 == 0) WriteWarning($"-Break: waiting for a .NET debugger to attach to process {pid} (Ctrl+C to stop).");
                System.Threading.Thread.Sleep(100);
            }
            System.Diagnostics.Debugger.Break();
        }

        /// <summary>The call's proxy for the engine (<c>{"uri":..,"userName":..,"password":..}</c>),
        /// or null when -Proxy is not given. The password goes only to the engine, which sends
        /// it only to that proxy.</summary>
        private string ProxyJson()
        {
            if (Proxy == null) return null;
            var proxy = new StringBuilder("{\"uri\":").Append(WireValue.Quote(Proxy.OriginalString));
            if (ProxyCredential != null)
            {
                var credential = ProxyCredential.GetNetworkCredential();
                var user = string.IsNullOrEmpty(credential.Domain) ? credential.UserName : credential.Domain + "\\" + credential.UserName;
                proxy.Append(",\"userName\":").Append(WireValue.Quote(user)).Append(",\"password\":").Append(WireValue.Quote(credential.Password));
            }
            return proxy.Append('}').ToString();
        }

        /// <summary>Whether -Verbose/-Debug (or the caller's preference variable) asks for the stream.</summary>
        private bool Wants(string parameter, string preference)
        {
            if (MyInvocation.BoundParameters.TryGetValue(parameter, out var v)) return v is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(v);
            var value = GetVariableValue(preference);
            if (value is PSObject p) value = p.BaseObject;
            var text = System.Convert.ToString(value, CultureInfo.InvariantCulture);
            return !string.IsNullOrEmpty(text) && text != "SilentlyContinue" && text != "Ignore";
        }

        /// <summary>process: one pipeline record.</summary>
        protected override void ProcessRecord()
        {
            var setName = ParameterSetName;
            var set = Info.Set(setName);
            if (set != null && set.Mutates)
            {
                // A confirmation that cannot be answered (no host UI, -NonInteractive) throws:
                // the exception ends the command here, before anything is sent.
                var target = $"Call remote '{set.Method} {set.Path}' operation";
                if (!ShouldProcess(target, _engineName + "_" + setName)) return;
            }
            var bound = MyInvocation.BoundParameters;
            foreach (var name in Info.PathParameters)
            {
                // -OutFile and -InFile are PowerShell paths; the engine needs file-system ones.
                if (bound.TryGetValue(name, out var p) && p != null)
                    bound[name] = FileSystemPath(name, System.Convert.ToString(Unwrap(p), CultureInfo.InvariantCulture));
            }
            string parameters;
            string current = null;
            try { parameters = ParamsJson(bound, set, ref current); }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(WireValue.ValueErrorRecord(e, current));
                return;
            }
            var setJson = WireValue.Quote(setName);
            if (_bulk != null)
            {
                _bulk.Push("{\"set\":" + setJson + ",\"params\":" + parameters + "}");
                // Stream whatever is already done, without waiting.
                _bulk.Pump(this, Info.Output, null, null, true);
                return;
            }
            using (var call = Engine.Start("{\"command\":" + WireValue.Quote(_engineName) + ",\"set\":" + setJson + ",\"params\":" + parameters + _flags))
            {
                _current = call;
                try { call.Pump(this, Info.Output, null, null, false); }
                finally { _current = null; }
            }
        }

        /// <summary>end: in bulk mode, waits for every pushed input.</summary>
        protected override void EndProcessing()
        {
            var bulk = _bulk;
            if (bulk == null) return;
            try
            {
                bulk.FinishInput();
                _current = bulk;
                bulk.Pump(this, Info.Output, null, null, false);
            }
            finally
            {
                _current = null;
                _bulk = null;
                bulk.Dispose();
            }
        }

        /// <summary>Ctrl+C: cancels the call in flight (the waiting pump ends at once).</summary>
        protected override void StopProcessing()
        {
            _stopping = true;
            _current?.Cancel();
            _bulk?.Cancel();
        }

        /// <summary>Runs even when the pipeline is stopped: cancels in-flight bulk work.</summary>
        public void Dispose()
        {
            var bulk = _bulk;
            _bulk = null;
            bulk?.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>A file parameter's PowerShell path as a file-system path; a path of another
        /// provider (env:NAME, function:NAME, HKLM:\...) ends the command naming the parameter.</summary>
        private string FileSystemPath(string parameter, string path)
        {
            string resolved = null;
            ProviderInfo provider = null;
            try { resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _); }
            catch (Exception e) when (!(e is PipelineStoppedException))
            {
                // An unknown drive (nosuch:\x) or a malformed path: still the parameter's error.
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"-{parameter}: '{path}' is not a file-system path ({e.Message}); give a file path.", e),
                    "NotAFileSystemPath", ErrorCategory.InvalidArgument, path));
            }
            if (provider == null || !string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"-{parameter}: '{path}' is not a file-system path (its provider is {provider?.Name ?? "unknown"}); give a file path."),
                    "NotAFileSystemPath", ErrorCategory.InvalidArgument, path));
            }
            return resolved;
        }

        private static object Unwrap(object value) => value is PSObject p && !(p.BaseObject is PSCustomObject) ? p.BaseObject : value;

        /// <summary>The bound parameters of one record as the engine's JSON object. Strings,
        /// numbers and switches (nearly every call) are written directly; other values go
        /// through the bounded walker.</summary>
        private static string ParamsJson(Dictionary<string, object> bound, MgParameterSet set, ref string current)
        {
            var json = new StringBuilder("{");
            foreach (var entry in bound)
            {
                var name = entry.Key;
                if (NotSent.Contains(name)) continue;
                current = name;
                var value = Unwrap(entry.Value);
                string text;
                if (value is string s && name != "BodyParameter") text = WireValue.Quote(s);
                else if (value is SwitchParameter sw) text = sw.IsPresent ? "true" : "false";
                else if (value is bool b) text = b ? "true" : "false";
                else if (value is int i) text = i.ToString(CultureInfo.InvariantCulture);
                else if (value is string[] list)
                {
                    var items = new string[list.Length];
                    for (int k = 0; k < items.Length; k++) items[k] = WireValue.Quote(list[k]);
                    text = "[" + string.Join(",", items) + "]";
                }
                else
                {
                    object wire;
                    switch (name)
                    {
                        case "InputObject":
                            {
                                // Only the ids of the path travel: the rest of the object is not needed.
                                var identity = new Dictionary<string, object>();
                                foreach (var id in set?.Identity ?? Array.Empty<string>())
                                {
                                    object v = null;
                                    if (value is IDictionary d) v = d.Contains(id) ? d[id] : null;
                                    else
                                    {
                                        var prop = PSObject.AsPSObject(value).Properties[id];
                                        if (prop != null) v = prop.Value;
                                    }
                                    if (v != null) identity[id] = System.Convert.ToString(Unwrap(v), CultureInfo.InvariantCulture);
                                }
                                wire = identity;
                                break;
                            }
                        case "BodyParameter": wire = WireValue.BodyValue(value, set?.BodyDates); break;
                        case "AdditionalProperties": wire = WireValue.Convert(value, set?.BodyDates); break;
                        default: wire = WireValue.Convert(value); break;
                    }
                    text = WireValue.ToJson(wire);
                }
                if (json.Length > 1) json.Append(',');
                json.Append(WireValue.Quote(name)).Append(':').Append(text);
            }
            return json.Append('}').ToString();
        }
    }

    /// <summary>Process-wide settings the hand-written commands set (AppDomain data, shared by
    /// every runspace): the profile of Select-MgProfile and the default -ThrottleLimit.</summary>
    public static class Profiles
    {
        /// <summary>The command the engine runs for a cmdlet: with Select-MgProfile -Name beta, a
        /// v1.0-named cmdlet runs its beta twin (SDK v1 behaviour).</summary>
        public static string Resolve(string name)
        {
            if (!Equals(AppDomain.CurrentDomain.GetData("MgGraph.Profile"), "beta")) return name;
            var dash = name.IndexOf("-Mg", StringComparison.Ordinal);
            if (dash < 0 || name.Substring(dash + 3).StartsWith("Beta", StringComparison.Ordinal)) return name;
            return name.Substring(0, dash) + "-MgBeta" + name.Substring(dash + 3);
        }

        /// <summary>The session-wide default of -ThrottleLimit (Set-MgRequestContext).</summary>
        public static int DefaultThrottleLimit
        {
            get
            {
                var d = AppDomain.CurrentDomain.GetData("MgGraph.ThrottleLimit");
                return d == null ? 1 : System.Convert.ToInt32(d, CultureInfo.InvariantCulture);
            }
        }
    }
}
