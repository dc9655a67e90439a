// Raw requests: Invoke-MgGraphRequest and Invoke-MgGraphBatchRequest. Responses are turned into
// output here, in compiled code: no response (a secretText from addPassword, a token) passes
// through a script variable, where Set-PSDebug -Trace 2 would print it.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;
using MgGraph.PowerShell;

namespace Microsoft.Graph.PowerShell.Authentication.Cmdlets
{
    /// <summary>Invoke-MgGraphRequest: sends any request to Microsoft Graph with the current connection.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MgGraphRequest",
        HelpUri = "https://learn.microsoft.com/powershell/module/microsoft.graph.authentication/invoke-mggraphrequest")]
    [Alias("Invoke-GraphRequest", "Invoke-MgRestMethod")]
    public sealed class InvokeMgGraphRequest : MgBuiltinCmdlet
    {
        /// <summary>The HTTP method.</summary>
        [Parameter(Position = 1)]
        [ValidateSet("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")]
        public string Method { get; set; } = "GET";

        /// <summary>The request URI.</summary>
        [Parameter(Position = 2, Mandatory = true)]
        public Uri Uri { get; set; }

        /// <summary>The body.</summary>
        [Parameter(Position = 3, ValueFromPipeline = true)]
        public object Body { get; set; }

        /// <summary>Extra request headers.</summary>
        [Parameter(Position = 4)]
        public IDictionary Headers { get; set; }

        /// <summary>Writes the response body to this file.</summary>
        [Parameter(Position = 5)]
        public string OutputFilePath { get; set; }

        /// <summary>Names the output file after the URI's last segment.</summary>
        [Parameter]
        public SwitchParameter InferOutputFileName { get; set; }

        /// <summary>Sends this file's bytes as the body.</summary>
        [Parameter(Position = 7)]
        public string InputFilePath { get; set; }

        /// <summary>With -OutputFilePath, also returns the response.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Accepted for compatibility.</summary>
        [Parameter]
        public SwitchParameter SkipHeaderValidation { get; set; }

        /// <summary>The body's content type.</summary>
        [Parameter(Position = 11)]
        public string ContentType { get; set; }

        /// <summary>A variable that receives the response headers.</summary>
        [Parameter(Position = 14)]
        [Alias("RHV")]
        public string ResponseHeadersVariable { get; set; }

        /// <summary>A variable that receives the HTTP status code.</summary>
        [Parameter(Position = 15)]
        public string StatusCodeVariable { get; set; }

        /// <summary>Returns error responses instead of raising an error.</summary>
        [Parameter]
        public SwitchParameter SkipHttpErrorCheck { get; set; }

        /// <summary>Accepted for compatibility.</summary>
        [Parameter(Position = 18)]
        public string UserAgent { get; set; }

        /// <summary>HashTable, PSObject, HttpResponseMessage or Json.</summary>
        [Parameter(Position = 19)]
        [ValidateSet("HashTable", "PSObject", "HttpResponseMessage", "Json")]
        public string OutputType { get; set; } = "HashTable";

        /// <summary>Whether the engine returns a body of this content type as text (as
        /// <c>is_text</c> in src/engine/invoke.rs).</summary>
        private static bool IsText(string contentType)
        {
            var ct = contentType.ToLowerInvariant();
            return ct.Length == 0 || ct.Contains("json") || ct.StartsWith("text/", StringComparison.Ordinal) || ct.Contains("xml") || ct.Contains("javascript");
        }

        private bool Is(string outputType) => string.Equals(OutputType, outputType, StringComparison.OrdinalIgnoreCase);

        /// <summary>One request per pipeline record.</summary>
        protected override void ProcessRecord()
        {
            if (PassThru && string.IsNullOrEmpty(OutputFilePath))
                Fail("-PassThru requires -OutputFilePath.", "PassThruWithoutOutputFile");
            var parameters = new Hashtable { ["Method"] = Method, ["Uri"] = Uri.OriginalString };
            var name = "Body";
            try
            {
                var body = Body is PSObject p && p.BaseObject == null ? null : Body;
                if (body != null) parameters["Body"] = WireValue.Convert(body);
                name = "Headers";
                if (Headers != null) parameters["Headers"] = WireValue.Convert(Headers);
            }
            catch (Exception e) when (!(e is PipelineStoppedException)) { ThrowTerminatingError(WireValue.ValueErrorRecord(e, name)); }
            if (!string.IsNullOrEmpty(ContentType)) parameters["ContentType"] = ContentType;
            if (SkipHttpErrorCheck) parameters["SkipHttpErrorCheck"] = true;
            // Files are the engine's: it checks them (regular files only, Graph's size limits)
            // and streams them in bounded memory, off PowerShell's thread.
            if (!string.IsNullOrEmpty(InputFilePath)) parameters["InputFilePath"] = FileSystemPath("InputFilePath", InputFilePath);
            if (!string.IsNullOrEmpty(OutputFilePath))
            {
                parameters["OutputFilePath"] = FileSystemPath("OutputFilePath", OutputFilePath);
                if (InferOutputFileName) parameters["InferOutputFileName"] = true;
            }
            var responses = new List<string>();
            InvokeEngine("Invoke-MgGraphRequest", parameters, null, responses);
            foreach (var text in responses) Write((IDictionary)JsonValues.Parse(text));
        }

        /// <summary>One response envelope as output and variables (the engine wrote any
        /// -OutputFilePath).</summary>
        private void Write(IDictionary envelope)
        {
            if (!string.IsNullOrEmpty(StatusCodeVariable))
                SessionState.PSVariable.Set(StatusCodeVariable, System.Convert.ToInt32(envelope["status"], CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(ResponseHeadersVariable))
            {
                var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
                if (envelope["headers"] is object[] pairs)
                {
                    foreach (var item in pairs)
                    {
                        if (!(item is object[] pair) || pair.Length < 2) continue;
                        var key = System.Convert.ToString(pair[0], CultureInfo.InvariantCulture);
                        var value = System.Convert.ToString(pair[1], CultureInfo.InvariantCulture);
                        if (headers.TryGetValue(key, out var old))
                        {
                            var grown = new string[old.Length + 1];
                            old.CopyTo(grown, 0);
                            grown[old.Length] = value;
                            headers[key] = grown;
                        }
                        else headers[key] = new[] { value };
                    }
                }
                SessionState.PSVariable.Set(ResponseHeadersVariable, headers);
            }
            var base64 = envelope["bodyBase64"] as string;
            if (envelope["outputFile"] is string written)
            {
                if (!PassThru) return;
                // -PassThru asks for the response as well: read back from the file.
                var type = System.Convert.ToString(envelope["contentType"], CultureInfo.InvariantCulture) ?? "";
                if (IsText(type)) envelope["body"] = File.ReadAllText(written, Encoding.UTF8);
                else envelope["bodyBase64"] = base64 = System.Convert.ToBase64String(File.ReadAllBytes(written));
            }
            if (Is("HttpResponseMessage")) { WriteObject(ResponseMessages.FromEnvelope(envelope)); return; }
            if (base64 != null) { WriteObject(System.Convert.FromBase64String(base64), false); return; }
            var body = envelope["body"] == null ? null : System.Convert.ToString(envelope["body"], CultureInfo.InvariantCulture);
            if (string.IsNullOrEmpty(body)) return;
            var contentType = System.Convert.ToString(envelope["contentType"], CultureInfo.InvariantCulture) ?? "";
            var isJson = contentType.IndexOf("json", StringComparison.OrdinalIgnoreCase) >= 0 ||
                (contentType.Length == 0 && Regex.IsMatch(body, @"^\s*[\{\[]"));
            if (Is("Json") || !isJson) { WriteObject(body); return; }
            if (Is("PSObject"))
            {
                foreach (var item in FromJson(body, false)) WriteObject(item);
                return;
            }
            foreach (var item in FromJson(body, true)) WriteObject(ToHashtables(item), false);
        }

        /// <summary>JSON text through ConvertFrom-Json (the values and types the SDK's users
        /// get), called as a command: the text is never a script variable.</summary>
        private static Collection<PSObject> FromJson(string text, bool hashtable)
        {
            using (var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                ps.AddCommand("Microsoft.PowerShell.Utility\\ConvertFrom-Json").AddParameter("InputObject", text);
                if (hashtable) ps.AddParameter("AsHashtable").AddParameter("NoEnumerate");
                var result = ps.Invoke();
                if (ps.HadErrors && ps.Streams.Error.Count > 0) throw new RuntimeException(ps.Streams.Error[0].Exception.Message, ps.Streams.Error[0].Exception);
                return result;
            }
        }
    }

    /// <summary>Invoke-MgGraphBatchRequest: sends many requests as JSON batches.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "MgGraphBatchRequest", HelpUri = "https://learn.microsoft.com/graph/json-batching")]
    public sealed class InvokeMgGraphBatchRequest : MgBuiltinCmdlet
    {
        private readonly List<object> _all = new List<object>();

        /// <summary>The requests to send.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        public object[] Requests { get; set; }

        /// <summary>v1.0 or beta.</summary>
        [Parameter(Position = 1)]
        [ValidateSet("v1.0", "beta")]
        public string ApiVersion { get; set; } = "v1.0";

        /// <summary>Collects the requests.</summary>
        protected override void ProcessRecord()
        {
            try
            {
                foreach (var r in Requests ?? Array.Empty<object>()) _all.Add(WireValue.Convert(r));
            }
            catch (Exception e) when (!(e is PipelineStoppedException)) { ThrowTerminatingError(WireValue.ValueErrorRecord(e, "Requests")); }
        }

        /// <summary>Sends them and writes the answers in order.</summary>
        protected override void EndProcessing()
        {
            var answers = new List<object>();
            InvokeEngine("Invoke-MgGraphBatchRequest", new Hashtable { ["Requests"] = _all.ToArray(), ["ApiVersion"] = ApiVersion }, null, null, answers);
            foreach (var a in answers)
            {
                var h = ToHashtables(a) as IDictionary;
                WriteObject(CustomObject(null,
                    ("Id", h?["id"]),
                    ("Status", System.Convert.ToInt32(h?["status"], CultureInfo.InvariantCulture)),
                    ("Headers", h?["headers"]),
                    ("Body", h?["body"])));
            }
        }
    }
}
