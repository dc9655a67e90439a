// The base of the hand-written commands (Connect-MgGraph, Invoke-MgGraphRequest, ...): their
// way to the engine, ShouldProcess that stops when it cannot be answered, file-system paths.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;

namespace MgGraph.PowerShell
{
    /// <summary>The base of the authentication module's hand-written cmdlets.</summary>
    public abstract class MgBuiltinCmdlet : PSCmdlet
    {
        /// <summary>Whether a parameter was bound.</summary>
        protected bool IsBound(string name) => MyInvocation.BoundParameters.ContainsKey(name);

        /// <summary>Whether -Verbose/-Debug (bound), else the caller's preference variable, asks
        /// for the stream.</summary>
        protected bool Wants(string parameter, string preference)
        {
            if (MyInvocation.BoundParameters.TryGetValue(parameter, out var v)) return v is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(v);
            var value = GetVariableValue(preference);
            if (value is PSObject p) value = p.BaseObject;
            var text = Convert.ToString(value, CultureInfo.InvariantCulture);
            return !string.IsNullOrEmpty(text) && text != "SilentlyContinue" && text != "Ignore";
        }

        /// <summary>Runs the command's engine call to completion, writing its events to this
        /// cmdlet's streams. modelId: the catalog model of its output; responses collects
        /// response envelopes; capture collects output instead of writing it.</summary>
        protected void InvokeEngine(string name, IDictionary parameters, string modelId = null, List<string> responses = null, IList capture = null)
        {
            Engine.InvokeBuiltin(name, parameters, this, modelId, responses, capture,
                Wants("Verbose", "VerbosePreference"), Wants("Debug", "DebugPreference"));
        }

        /// <summary>ShouldProcess that ends the command when the confirmation cannot be answered
        /// (a host with no UI, -NonInteractive, a job): the exception never lets it go on.</summary>
        protected bool Confirm(string target, string action)
        {
            try { return ShouldProcess(target, action); }
            catch (PipelineStoppedException) { throw; }
            catch (Exception e)
            {
                var inner = e;
                while (inner is MethodInvocationException && inner.InnerException != null) inner = inner.InnerException;
                ThrowTerminatingError(new ErrorRecord(inner, "ConfirmationNotAnswered", ErrorCategory.OperationStopped, target));
                return false;
            }
        }

        /// <summary>The terminating error of an argument problem.</summary>
        protected void Fail(string message, string errorId, object target = null)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target));
        }

        /// <summary>A PowerShell path as a file-system path; a path of another provider
        /// (env:NAME, function:NAME, HKLM:\...) ends the command naming the parameter.</summary>
        protected string FileSystemPath(string parameter, string path)
        {
            string resolved = null;
            ProviderInfo provider = null;
            try { resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _); }
            catch (Exception e) when (!(e is PipelineStoppedException))
            {
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

        /// <summary>The base value of a possibly wrapped object.</summary>
        internal static object Unwrap(object value) => value is PSObject p && !(p.BaseObject is PSCustomObject) ? p.BaseObject : value;

        /// <summary>JSON-parsed dictionaries as the SDK returns them: case-insensitive
        /// Hashtables, lists as object[].</summary>
        internal static object ToHashtables(object value)
        {
            value = Unwrap(value);
            if (value is IDictionary d)
            {
                var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (DictionaryEntry e in d) table[e.Key] = ToHashtables(e.Value);
                return table;
            }
            if (value is IList list && !(value is string))
            {
                var items = new object[list.Count];
                for (int i = 0; i < items.Length; i++) items[i] = ToHashtables(list[i]);
                return items;
            }
            return value;
        }

        /// <summary>A PSCustomObject with these properties (in order) and, when given, a type name.</summary>
        internal static PSObject CustomObject(string typeName, params (string Name, object Value)[] properties)
        {
            var obj = new PSObject();
            if (typeName != null) obj.TypeNames.Insert(0, typeName);
            foreach (var (name, value) in properties) obj.Properties.Add(new PSNoteProperty(name, value));
            return obj;
        }

        /// <summary>The folder of the SDK-named modules: the parent of the authentication
        /// module's folder (this assembly is in its bin/).</summary>
        internal static string SdkModuleRoot
        {
            get
            {
                var dir = Path.GetDirectoryName(typeof(MgBuiltinCmdlet).Assembly.Location);
                if (string.Equals(Path.GetFileName(dir), "bin", StringComparison.OrdinalIgnoreCase)) dir = Path.GetDirectoryName(dir);
                return Path.GetDirectoryName(dir);
            }
        }
    }
}
