// User values on the way to JSON. Bodies, headers and options are the user's and may be
// anything: a hashtable holding itself, nesting a thousand deep, a script block. The walker
// keeps a depth limit, an identity set of the containers on its path and a budget of
// containers, and refuses values no API takes; each refusal is an ArgumentException that
// ValueErrorRecord words with the parameter and the path (`-BodyParameter: the value at .self
// is a reference to one of its own containers ...`).

using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace MgGraph.PowerShell
{
    /// <summary>Makes user values JSON-ready and writes them as JSON.</summary>
    public static class WireValue
    {
        /// <summary>Deepest nesting walked (Graph bodies are far shallower; 4 MB at most).</summary>
        public const int MaxDepth = 64;
        /// <summary>Most dictionaries, lists and objects one value may hold.</summary>
        public const int MaxContainers = 10000;

        private const string KindKey = "MgGraph.ValueError";
        private const string TypeKey = "MgGraph.ValueType";
        private const string PathKey = "MgGraph.ValuePath";

        /// <summary>A value JSON-ready: switches as booleans, dates as UTC ISO strings, URIs as
        /// strings, dictionaries and objects (by their properties) as ordered maps, with the
        /// string values of <paramref name="dateKeys"/> parsed as dates; lists as object[].</summary>
        /// <exception cref="ArgumentException">The value cannot be sent (see ValueErrorRecord).</exception>
        public static object Convert(object value, string[] dateKeys = null)
        {
            return new Walker(dateKeys).Walk(value, 0);
        }

        /// <summary>The terminating error for a value <see cref="Convert"/> refused: names the
        /// parameter and the path to the offending value. Other errors pass through unchanged.</summary>
        public static ErrorRecord ValueErrorRecord(object error, string parameter)
        {
            var record = error as ErrorRecord;
            var exception = record?.Exception ?? error as Exception;
            while (exception is MethodInvocationException || exception is ParameterBindingException || exception is TargetInvocationException)
            {
                if (exception.InnerException == null) break;
                exception = exception.InnerException;
            }
            if (exception == null || !exception.Data.Contains(KindKey))
                return record ?? new ErrorRecord(exception ?? new ArgumentException(System.Convert.ToString(error)), "InvalidValue", ErrorCategory.InvalidArgument, null);
            var path = string.Join("", (List<string>)exception.Data[PathKey]);
            var at = path.Length > 0 ? "the value at " + path : "the value";
            var kind = (string)exception.Data[KindKey];
            string message;
            switch (kind)
            {
                case "CircularReference": message = $"{at} is a reference to one of its own containers (a circular reference), which JSON cannot represent."; break;
                case "NestedTooDeep": message = $"the value is nested deeper than {MaxDepth} levels at {path}."; break;
                case "ValueTooLarge": message = $"the value holds more than {MaxContainers} dictionaries, lists and objects (stopped at {(path.Length > 0 ? path : "the top")})."; break;
                case "SecureString": message = $"{at} is a SecureString, which cannot be sent in a request body."; break;
                default: message = $"{at} is a {exception.Data[TypeKey]}, which cannot be sent as JSON."; break;
            }
            return new ErrorRecord(new ArgumentException($"-{parameter}: {message}"), kind, ErrorCategory.InvalidArgument, null);
        }

        private static ArgumentException ValueError(string kind, object value)
        {
            var what = value?.GetType().FullName ?? "";
            var e = new ArgumentException($"MgGraph: {kind} ({what})");
            e.Data[KindKey] = kind;
            e.Data[TypeKey] = what;
            e.Data[PathKey] = new List<string>();
            return e;
        }

        private static void AddPathSegment(Exception e, object segment)
        {
            if (!(e.Data[PathKey] is List<string> path)) return;
            string text;
            if (segment is int i) text = $"[{i}]";
            else
            {
                var s = System.Convert.ToString(segment, CultureInfo.InvariantCulture) ?? "";
                text = Regex.IsMatch(s, "^[A-Za-z_][A-Za-z0-9_]*$") ? "." + s : "['" + s.Replace("'", "''") + "']";
            }
            path.Insert(0, text);
        }

        /// <summary>A date as Graph wants it: UTC ISO 8601. Dates without a zone are local, as typed.</summary>
        public static string UtcString(object value)
        {
            if (value is DateTimeOffset o) return o.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
            var date = (DateTime)value;
            if (date.Kind != DateTimeKind.Utc) date = date.ToUniversalTime();
            return date.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
        }

        /// <summary>A date string in the current culture's format (as (Get-Date).ToString() writes
        /// it), or ISO 8601, as UTC ISO 8601; other strings unchanged, for Graph to judge.</summary>
        public static string CultureDate(string text)
        {
            var styles = DateTimeStyles.AssumeLocal | DateTimeStyles.AllowWhiteSpaces;
            foreach (var culture in new[] { CultureInfo.CurrentCulture, CultureInfo.InvariantCulture })
            {
                if (DateTime.TryParse(text, culture, styles, out var parsed)) return UtcString(parsed);
            }
            return text;
        }

        /// <summary>-BodyParameter as the engine takes it. In JSON text, the values of the body's
        /// date properties written in the culture's format are rewritten as ISO dates in place:
        /// the text is not parsed here, so JSON that does not parse reaches the engine untouched
        /// and it can say exactly where it broke.</summary>
        public static object BodyValue(object value, string[] dateKeys)
        {
            if (value is PSObject pso && !(pso.BaseObject is PSCustomObject)) value = pso.BaseObject;
            if (value is string s)
            {
                if (dateKeys == null || dateKeys.Length == 0) return s;
                var names = string.Join("|", Array.ConvertAll(dateKeys, Regex.Escape));
                var pattern = "(\"(?i:" + names + ")\"\\s*:\\s*\")((?:[^\"\\\\]|\\\\.)*)(\")";
                return new JsonText(Regex.Replace(s, pattern, m =>
                    m.Groups[1].Value + CultureDate(m.Groups[2].Value.Replace("\\/", "/")) + m.Groups[3].Value));
            }
            return Convert(value, dateKeys);
        }

        /// <summary>JSON text as a value: written as it is (a -BodyParameter string).</summary>
        public sealed class JsonText
        {
            internal JsonText(string text) { Text = text; }
            internal string Text { get; }
        }

        /// <summary>JSON of a JSON-ready value (what <see cref="Convert"/> returns, or request
        /// envelopes of dictionaries, lists, strings and value types). Other objects are made
        /// ready first, by the same walker.</summary>
        /// <remarks>Written with a StringBuilder, not Newtonsoft's JsonTextWriter: the writer's
        /// first use (its state tables, built by reflection over its enums) cost a fresh
        /// process's first command about 10 ms; the text is the same as that writer's
        /// (RFC 8259, its default escaping and number formats).</remarks>
        public static string ToJson(object value)
        {
            var sb = new StringBuilder();
            Write(sb, value, 0);
            return sb.ToString();
        }

        /// <summary>JSON of a string (quoted and escaped; null as the empty string, as
        /// Newtonsoft.Json's JsonConvert.ToString gives it).</summary>
        public static string Quote(string text) => AppendString(new StringBuilder((text?.Length ?? 0) + 2), text ?? "").ToString();

        private const int MaxJsonDepth = 80;

        /// <summary>A JSON string (RFC 8259 section 7): quotation mark, reverse solidus and the
        /// control characters escaped, and U+0085, U+2028 and U+2029 too (they end a line in
        /// JavaScript), as Newtonsoft.Json escapes by default.</summary>
        private static StringBuilder AppendString(StringBuilder sb, string text)
        {
            sb.Append('"');
            int start = 0;
            for (int i = 0; i < text.Length; i++)
            {
                var c = text[i];
                string escape;
                switch (c)
                {
                    case '"': escape = "\\\""; break;
                    case '\\': escape = "\\\\"; break;
                    case '\n': escape = "\\n"; break;
                    case '\r': escape = "\\r"; break;
                    case '\t': escape = "\\t"; break;
                    case '\b': escape = "\\b"; break;
                    case '\f': escape = "\\f"; break;
                    default:
                        if (c >= ' ' && c != '\u0085' && c != '\u2028' && c != '\u2029') continue;
                        escape = "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture);
                        break;
                }
                sb.Append(text, start, i - start).Append(escape);
                start = i + 1;
            }
            return sb.Append(text, start, text.Length - start).Append('"');
        }

        /// <summary>A floating-point number as Newtonsoft.Json writes one: round-trip digits,
        /// and ".0" after a whole number, so that it reads back as a double.</summary>
        private static string FloatText(string digits)
        {
            return digits.IndexOf('.') >= 0 || digits.IndexOf('E') >= 0 || digits.IndexOf('e') >= 0 ? digits : digits + ".0";
        }

        private static void Write(StringBuilder w, object value, int depth)
        {
            if (value is PSObject pso && !(pso.BaseObject is PSCustomObject)) value = pso.BaseObject;
            var inv = CultureInfo.InvariantCulture;
            switch (value)
            {
                case null: w.Append("null"); return;
                case JsonText t: w.Append(t.Text); return;
                case string s: AppendString(w, s); return;
                case bool b: w.Append(b ? "true" : "false"); return;
                case SwitchParameter sw: w.Append(sw.IsPresent ? "true" : "false"); return;
                case IDictionary d:
                    {
                        if (depth >= MaxJsonDepth) throw new ArgumentException($"MgGraph: a request is nested deeper than {MaxJsonDepth} levels.");
                        w.Append('{');
                        var first = true;
                        foreach (DictionaryEntry e in d)
                        {
                            if (!first) w.Append(',');
                            first = false;
                            AppendString(w, System.Convert.ToString(e.Key, inv) ?? "").Append(':');
                            Write(w, e.Value, depth + 1);
                        }
                        w.Append('}');
                        return;
                    }
                case IList l:
                    {
                        if (depth >= MaxJsonDepth) throw new ArgumentException($"MgGraph: a request is nested deeper than {MaxJsonDepth} levels.");
                        w.Append('[');
                        var first = true;
                        foreach (var item in l)
                        {
                            if (!first) w.Append(',');
                            first = false;
                            Write(w, item, depth + 1);
                        }
                        w.Append(']');
                        return;
                    }
                case double dbl: w.Append(double.IsFinite(dbl) ? FloatText(dbl.ToString("R", inv)) : Quote(dbl.ToString(inv))); return;
                case float f: w.Append(float.IsFinite(f) ? FloatText(f.ToString("R", inv)) : Quote(((double)f).ToString(inv))); return;
                case decimal m: w.Append(FloatText(m.ToString(inv))); return;
                case Enum en: w.Append(System.Convert.ToInt64(en, inv).ToString(inv)); return;
                case DateTime _:
                case DateTimeOffset _:
                    AppendString(w, UtcString(value)); return;
                case char ch: AppendString(w, ch.ToString()); return;
                case Guid g: AppendString(w, g.ToString("D")); return;
                case TimeSpan ts: AppendString(w, ts.ToString("c", inv)); return;
                case IntPtr _:
                case UIntPtr _:
                    break;
                case ValueType _ when value.GetType().IsPrimitive:
                    // The integers (byte to ulong): their invariant digits.
                    w.Append(((IFormattable)value).ToString(null, inv)); return;
            }
            // Any other object: by its properties, through the bounded walker (once: what it
            // returns is a dictionary, or it throws).
            var wire = Convert(value);
            if (wire is IDictionary || wire is IList) { Write(w, wire, depth + 1); return; }
            throw new ArgumentException($"MgGraph: a value of type {value.GetType().FullName} cannot be written as JSON.");
        }

        /// <summary>One walk's state: the containers on the path and the budget.</summary>
        private sealed class Walker
        {
            private readonly HashSet<object> _seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
            private readonly string[] _dateKeys;
            private int _containers;

            internal Walker(string[] dateKeys) { _dateKeys = dateKeys ?? Array.Empty<string>(); }

            private bool IsDateKey(string key)
            {
                foreach (var k in _dateKeys) if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase)) return true;
                return false;
            }

            internal object Walk(object value, int depth)
            {
                PSObject wrapper = null;
                if (value is PSObject pso)
                {
                    if (pso.BaseObject is PSCustomObject) wrapper = pso;
                    else value = pso.BaseObject;
                }
                if (value == null) return null;
                if (wrapper == null)
                {
                    switch (value)
                    {
                        case string s: return s;
                        case SwitchParameter sw: return sw.IsPresent;
                        case DateTime _:
                        case DateTimeOffset _:
                            return UtcString(value);
                        case IntPtr _:
                        case UIntPtr _:
                            throw ValueError("ValueNotJson", value);
                        case JsonText t: return t;
                    }
                    if (value is ValueType)
                    {
                        var t = value.GetType();
                        if (t.IsPrimitive || t.IsEnum || value is decimal || value is Guid || value is TimeSpan) return value;
                    }
                    else if (!(value is IDictionary) && !(value is IEnumerable))
                    {
                        if (value is Uri u) return u.OriginalString;
                        if (value is SecureString) throw ValueError("SecureString", value);
                        if (NotJson(value)) throw ValueError("ValueNotJson", value);
                    }
                }
                // A container: dictionary, list or object.
                if (depth >= MaxDepth) throw ValueError("NestedTooDeep", value);
                var identity = (object)wrapper ?? value;
                if (!_seen.Add(identity)) throw ValueError("CircularReference", value);
                if (++_containers > MaxContainers) throw ValueError("ValueTooLarge", value);
                object segment = null;
                object result;
                try
                {
                    if (wrapper == null && MgJson.IsModel(value))
                    {
                        // A model object, as the SDK writes it: declared properties by their JSON
                        // names, nulls left out, AdditionalProperties merged; walked like any
                        // value, so what a script put in AdditionalProperties is bounded too.
                        var map = new OrderedDictionary();
                        foreach (var (property, jsonName) in ModelInfo.Of(value.GetType()).Declared)
                        {
                            segment = jsonName;
                            var v = property.GetValue(value);
                            if (v == null)
                            {
                                // Unless a body gave it as null on purpose (MgModel.SentAsNull).
                                if (value is MgModel given && given.SentAsNull(jsonName)) map[jsonName] = null;
                                continue;
                            }
                            map[jsonName] = Walk(v, depth + 1);
                        }
                        // A declared property wins over an additional one of the same name, as in
                        // MgJson.Serialize.
                        if (value is MgModel model)
                        {
                            foreach (var e in model.AdditionalProperties)
                            {
                                if (map.Contains(e.Key)) continue;
                                segment = e.Key;
                                map[e.Key] = Walk(e.Value, depth + 1);
                            }
                        }
                        result = map;
                    }
                    else if (wrapper == null && value is IDictionary dict)
                    {
                        var map = new OrderedDictionary();
                        foreach (DictionaryEntry e in dict)
                        {
                            var key = System.Convert.ToString(e.Key, CultureInfo.InvariantCulture);
                            segment = key;
                            map[key] = e.Value is string sv && IsDateKey(key) ? CultureDate(sv) : Walk(e.Value, depth + 1);
                        }
                        result = map;
                    }
                    else if (wrapper == null && value is IEnumerable list)
                    {
                        var items = new List<object>();
                        int index = -1;
                        foreach (var item in list)
                        {
                            segment = ++index;
                            items.Add(Walk(item, depth + 1));
                        }
                        result = items.ToArray();
                    }
                    else
                    {
                        var map = new OrderedDictionary();
                        var obj = wrapper ?? PSObject.AsPSObject(value);
                        foreach (var p in obj.Properties)
                        {
                            if (p.MemberType != PSMemberTypes.NoteProperty && p.MemberType != PSMemberTypes.Property) continue;
                            segment = p.Name;
                            object v;
                            try { v = p.Value; }
                            catch (Exception) { continue; }
                            if (p.Name == "AdditionalProperties" && (v is IDictionary extra || (v is PSObject ep && ep.BaseObject is IDictionary)))
                            {
                                foreach (DictionaryEntry e in (IDictionary)(v is PSObject ep2 ? ep2.BaseObject : v))
                                {
                                    var key = System.Convert.ToString(e.Key, CultureInfo.InvariantCulture);
                                    segment = key;
                                    map[key] = Walk(e.Value, depth + 1);
                                }
                                continue;
                            }
                            // A note property given as null is sent as null, as a hashtable's key
                            // is; another object's unset members are left out.
                            if (v == null && p.MemberType != PSMemberTypes.NoteProperty) continue;
                            map[p.Name] = v is string sv && IsDateKey(p.Name) ? CultureDate(sv) : Walk(v, depth + 1);
                        }
                        result = map;
                    }
                }
                catch (ArgumentException e) when (e.Data.Contains(KindKey))
                {
                    AddPathSegment(e, segment);
                    throw;
                }
                // Off the path: the same container may appear again beside it (shared, not circular).
                _seen.Remove(identity);
                return result;
            }

            /// <summary>Objects whose properties lead into the engine's or the process's
            /// internals: walking them never ends, and no API takes them.</summary>
            private static bool NotJson(object value)
            {
                return value is ScriptBlock || value is Delegate || value is Runspace || value is RunspacePool ||
                       value is System.Management.Automation.PowerShell || value is SessionState || value is EngineIntrinsics ||
                       value is CommandInfo || value is MemberInfo || value is Assembly || value is Module ||
                       value is Pointer || value is System.Runtime.InteropServices.SafeHandle ||
                       value is System.Threading.Tasks.Task || value is System.Threading.WaitHandle || value is System.Threading.Thread ||
                       value is Stream || value is AppDomain || value.GetType().IsCOMObject ||
                       value.GetType().FullName == "System.Management.Automation.Internal.InternalCommand" ||
                       value is Cmdlet;
            }
        }
    }
}
