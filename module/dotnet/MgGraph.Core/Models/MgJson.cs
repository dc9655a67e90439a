// Model objects and JSON: pages of Graph objects read straight into arrays of the compiled model
// classes by Newtonsoft.Json (which PowerShell ships), so no per-object script runs; and model
// objects written as the SDK writes them (nulls left out, AdditionalProperties merged).

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace MgGraph.PowerShell
{
    /// <summary>JSON reading and writing of model objects.</summary>
    public static class MgJson
    {
        /// <summary>How deep <see cref="Serialize"/> and the model conversions go before they
        /// refuse a value (Graph's deepest models are far shallower).</summary>
        public const int MaxDepth = 64;

        /// <summary>The settings pages are read with.</summary>
        public static JsonSerializerSettings Settings { get; } = new JsonSerializerSettings
        {
            // Graph JSON has no $id/$ref metadata; never let such keys drive deserialization.
            MetadataPropertyHandling = MetadataPropertyHandling.Ignore,
            DateTimeZoneHandling = DateTimeZoneHandling.Utc,
            DateParseHandling = DateParseHandling.DateTime,
            MaxDepth = 128,
        };

        private static readonly JsonSerializer Serializer = JsonSerializer.Create(Settings);

        /// <summary>Is this value a model object (class instance, possibly wrapped in a PSObject)?</summary>
        public static bool IsModel(object value)
        {
            if (value is PSObject ps) value = ps.BaseObject;
            return value is IMgModel;
        }

        /// <summary>Is this type a (concrete) model class?</summary>
        public static bool IsModelClass(Type type)
        {
            return type != null && type.IsClass && !type.IsAbstract && typeof(MgModel).IsAssignableFrom(type);
        }

        /// <summary>The model class of a model type: the class itself, or for an interface
        /// (<c>IMicrosoftGraphUser</c>) the class named without the leading I in the same
        /// namespace and assembly; null for any other type.</summary>
        public static Type ModelClass(Type type)
        {
            if (type == null) return null;
            if (IsModelClass(type)) return type;
            if (!type.IsInterface || !typeof(IMgModel).IsAssignableFrom(type) || !type.Name.StartsWith("I", StringComparison.Ordinal)) return null;
            var name = (type.Namespace == null ? "" : type.Namespace + ".") + type.Name.Substring(1);
            var cls = type.Assembly.GetType(name, false);
            return IsModelClass(cls) && type.IsAssignableFrom(cls) ? cls : null;
        }

        /// <summary>A JSON array text (one engine output event) as a typed array of
        /// <paramref name="modelClass"/> (a model class or interface; a single object is read as a
        /// one-item array). <paramref name="nested"/>: replace the JSON tokens left in
        /// AdditionalProperties and untyped properties (at every level) by PowerShell values —
        /// objects as case-insensitive Hashtables, arrays as object[] — and expanded navigation
        /// properties by objects with Id and AdditionalProperties, as the SDK shows them.</summary>
        /// <exception cref="ArgumentException">modelClass is not a model type.</exception>
        /// <exception cref="JsonException">The text is not JSON of that shape.</exception>
        public static Array DeserializeArray(string json, Type modelClass, bool nested)
        {
            var cls = ModelClass(modelClass) ?? throw new ArgumentException($"MgGraph: {modelClass} is not a model type.", nameof(modelClass));
            Array items;
            using (var reader = new JsonTextReader(new StringReader(json)))
            {
                reader.DateParseHandling = Settings.DateParseHandling;
                reader.DateTimeZoneHandling = Settings.DateTimeZoneHandling;
                reader.MaxDepth = Settings.MaxDepth;
                if (!reader.Read()) return Array.CreateInstance(cls, 0);
                if (reader.TokenType == JsonToken.StartObject)
                {
                    items = Array.CreateInstance(cls, 1);
                    items.SetValue(Serializer.Deserialize(reader, cls), 0);
                }
                else
                {
                    items = (Array)Serializer.Deserialize(reader, cls.MakeArrayType()) ?? Array.CreateInstance(cls, 0);
                }
            }
            if (nested)
            {
                foreach (var item in items) ConvertNested(item, 0);
            }
            return items;
        }

        /// <summary>Replaces JSON tokens in a model's untyped properties and AdditionalProperties
        /// (and in its nested models') by PowerShell values.</summary>
        private static void ConvertNested(object model, int depth)
        {
            if (model == null || depth > MaxDepth) return;
            var info = ModelInfo.Of(model.GetType());
            foreach (var p in info.Untyped)
            {
                var v = p.GetValue(model);
                switch (v)
                {
                    case JObject o:
                        p.SetValue(model, ExpandedEntity(o));
                        break;
                    case JArray a:
                        {
                            var list = new object[a.Count];
                            for (int i = 0; i < list.Length; i++) list[i] = a[i] is JObject e ? ExpandedEntity(e) : ToValue(a[i]);
                            p.SetValue(model, list);
                            break;
                        }
                    case JToken t:
                        p.SetValue(model, ToValue(t));
                        break;
                }
            }
            foreach (var p in info.Nested)
            {
                var v = p.GetValue(model);
                if (v is Array list) foreach (var x in list) ConvertNested(x, depth + 1);
                else ConvertNested(v, depth + 1);
            }
            if (model is IMgModel m && m.AdditionalProperties is IDictionary<string, object> additional && additional.Count > 0)
            {
                List<string> keys = null;
                foreach (var e in additional)
                {
                    if (e.Value is JToken) (keys ??= new List<string>()).Add(e.Key);
                }
                if (keys != null) foreach (var k in keys) additional[k] = ToValue((JToken)additional[k]);
            }
        }

        /// <summary>An expanded navigation property (<c>manager</c>, <c>memberOf</c>) as the SDK
        /// shows one: Id as a property, the rest in AdditionalProperties
        /// (<c>$u.Manager.AdditionalProperties['displayName']</c>).</summary>
        private static PSObject ExpandedEntity(JObject token)
        {
            var rest = (Hashtable)ToValue(token);
            var id = rest["id"];
            rest.Remove("id");
            var result = new PSObject();
            result.Properties.Add(new PSNoteProperty("Id", id));
            result.Properties.Add(new PSNoteProperty("AdditionalProperties", rest));
            return result;
        }

        /// <summary>A JSON token as a PowerShell value: objects as case-insensitive Hashtables,
        /// arrays as object[], scalars as themselves.</summary>
        public static object ToValue(JToken token)
        {
            switch (token)
            {
                case null: return null;
                case JObject o:
                    {
                        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                        foreach (var p in o.Properties()) table[p.Name] = ToValue(p.Value);
                        return table;
                    }
                case JArray a:
                    {
                        var items = new object[a.Count];
                        for (int i = 0; i < items.Length; i++) items[i] = ToValue(a[i]);
                        return items;
                    }
                case JValue v:
                    return v.Value;
                default:
                    return token.ToString();
            }
        }

        /// <summary>A model object (or any value holding models) as JSON text, as the SDK writes
        /// it: declared properties by their JSON names with nulls left out, AdditionalProperties
        /// merged in (a declared property wins over an additional one of the same name; explicit
        /// nulls in AdditionalProperties and dictionaries are kept), dates as UTC ISO 8601, byte
        /// arrays as base64.</summary>
        /// <exception cref="ArgumentException">The value nests deeper than <see cref="MaxDepth"/>,
        /// holds itself, or holds something that cannot be JSON; the message names the path.</exception>
        public static string Serialize(object model)
        {
            var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
            var token = ToToken(model, 0, seen, "");
            return token.ToString(Formatting.None);
        }

        /// <summary>A date as Graph wants it: UTC ISO 8601 (dates without a zone are local).</summary>
        public static string UtcString(DateTime date)
        {
            if (date.Kind != DateTimeKind.Utc) date = date.ToUniversalTime();
            return date.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
        }

        internal static string PathText(string path) => path.Length == 0 ? "the top" : path;

        internal static string Segment(string path, string key)
        {
            var simple = key.Length > 0 && (char.IsLetter(key[0]) || key[0] == '_');
            foreach (var c in key) simple &= char.IsLetterOrDigit(c) || c == '_';
            return simple ? path + "." + key : path + "['" + key.Replace("'", "''") + "']";
        }

        private static JToken ToToken(object value, int depth, HashSet<object> seen, string path)
        {
            if (value is PSObject ps && !(ps.BaseObject is PSCustomObject)) value = ps.BaseObject;
            switch (value)
            {
                case null: return JValue.CreateNull();
                case string s: return new JValue(s);
                case bool b: return new JValue(b);
                case SwitchParameter sw: return new JValue(sw.IsPresent);
                case DateTime d: return new JValue(UtcString(d));
                case DateTimeOffset o: return new JValue(o.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
                case byte[] bytes: return new JValue(Convert.ToBase64String(bytes));
                case Guid g: return new JValue(g.ToString());
                case TimeSpan span: return new JValue(System.Xml.XmlConvert.ToString(span));
                case Uri uri: return new JValue(uri.OriginalString);
                case char c: return new JValue(c.ToString());
                case Enum e: return new JValue(e.ToString());
                case JToken t: return t.DeepClone();
            }
            if (value is IntPtr || value is UIntPtr) throw new ArgumentException($"MgGraph: the value at {PathText(path)} is a {value.GetType()}, which cannot be sent as JSON.");
            if (value.GetType().IsPrimitive || value is decimal) return new JValue(value);
            if (depth >= MaxDepth) throw new ArgumentException($"MgGraph: the value is nested deeper than {MaxDepth} levels at {PathText(path)}.");
            if (!seen.Add(value)) throw new ArgumentException($"MgGraph: the value at {PathText(path)} is a reference to one of its own containers (a circular reference), which JSON cannot represent.");
            try
            {
                if (value is IMgModel model)
                {
                    var o = new JObject();
                    foreach (var (p, json) in ModelInfo.Of(value.GetType()).Declared)
                    {
                        var v = p.GetValue(value);
                        if (v == null) continue;
                        o[json] = ToToken(v, depth + 1, seen, Segment(path, json));
                    }
                    if (model.AdditionalProperties != null)
                    {
                        foreach (var e in model.AdditionalProperties)
                        {
                            if (e.Key == null || o.ContainsKey(e.Key)) continue;
                            o[e.Key] = ToToken(e.Value, depth + 1, seen, Segment(path, e.Key));
                        }
                    }
                    return o;
                }
                if (value is IDictionary dict)
                {
                    var o = new JObject();
                    foreach (DictionaryEntry e in dict)
                    {
                        var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture);
                        o[key] = ToToken(e.Value, depth + 1, seen, Segment(path, key));
                    }
                    return o;
                }
                if (value is PSObject custom)
                {
                    var o = new JObject();
                    IDictionary extra = null;
                    foreach (var p in custom.Properties)
                    {
                        if (!(p is PSNoteProperty) && !(p is PSProperty)) continue;
                        // An expanded navigation property (Id, AdditionalProperties): merged, as
                        // a model's AdditionalProperties are.
                        if (p.Name == "AdditionalProperties" && p.Value is IDictionary d) { extra = d; continue; }
                        o[p.Name] = ToToken(p.Value, depth + 1, seen, Segment(path, p.Name));
                    }
                    if (extra != null)
                    {
                        foreach (DictionaryEntry e in extra)
                        {
                            var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture);
                            if (key == null || o.ContainsKey(key)) continue;
                            o[key] = ToToken(e.Value, depth + 1, seen, Segment(path, key));
                        }
                    }
                    return o;
                }
                if (value is IEnumerable list)
                {
                    var a = new JArray();
                    int i = 0;
                    foreach (var item in list) a.Add(ToToken(item, depth + 1, seen, path + "[" + (i++).ToString(CultureInfo.InvariantCulture) + "]"));
                    return a;
                }
                if (value is ScriptBlock || value is Delegate || value is System.Security.SecureString || value is System.Reflection.MemberInfo ||
                    value is System.Runtime.InteropServices.SafeHandle || value is Stream)
                    throw new ArgumentException($"MgGraph: the value at {PathText(path)} is a {value.GetType()}, which cannot be sent as JSON.");
                // Any other object: by its public properties, as ConvertTo-Json writes it.
                var obj = new JObject();
                foreach (var p in PSObject.AsPSObject(value).Properties)
                {
                    if (!(p is PSProperty) && !(p is PSNoteProperty)) continue;
                    object v;
                    try { v = p.Value; }
                    catch (GetValueException) { continue; }
                    obj[p.Name] = ToToken(v, depth + 1, seen, Segment(path, p.Name));
                }
                return obj;
            }
            finally
            {
                seen.Remove(value);
            }
        }
    }
}
