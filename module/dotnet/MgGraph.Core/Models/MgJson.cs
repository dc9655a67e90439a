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
            // Declared date properties are read as dates (ReadAsDateTime); anything else stays the
            // text it was, as the SDK keeps it: `AdditionalProperties['createdDateTime']` is a
            // string there.
            DateParseHandling = DateParseHandling.None,
            MaxDepth = 128,
        };

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
            if (!typeof(IMgModel).IsAssignableFrom(type)) return null;
            var cls = ClassOfInterface(type);
            return IsModelClass(cls) ? cls : null;
        }

        /// <summary>The class an SDK-style interface names (<c>IMicrosoftGraphUser</c> →
        /// <c>MicrosoftGraphUser</c>, <c>IUsersIdentity</c> → <c>UsersIdentity</c>): the type
        /// of that name beside it, in its namespace and assembly, when it implements it; else
        /// null.</summary>
        internal static Type ClassOfInterface(Type type)
        {
            if (type == null || !type.IsInterface || !type.Name.StartsWith("I", StringComparison.Ordinal)) return null;
            var name = (type.Namespace == null ? "" : type.Namespace + ".") + type.Name.Substring(1);
            var cls = type.Assembly.GetType(name, false);
            return cls != null && type.IsAssignableFrom(cls) ? cls : null;
        }

        /// <summary>A JSON array text (one engine output event) as a typed array of
        /// <paramref name="modelClass"/> (a model class or interface; a single object is read as a
        /// one-item array). JSON members the model does not declare go to AdditionalProperties;
        /// there and in untyped properties, objects become case-insensitive Hashtables and arrays
        /// object[] (as the SDK's dictionaries hold them); an expanded navigation property is read
        /// into its declared class. <paramref name="nested"/> is the engine's hint that such values occur;
        /// they are converted either way (the reader meets them as it goes).</summary>
        /// <remarks>Read with a reader of its own, not Newtonsoft's serializer: the serializer
        /// builds a contract (reflection and emitted accessors for every property) the first time
        /// it meets each class, 5-20 ms a model; this reader needs only the property table.</remarks>
        /// <exception cref="ArgumentException">modelClass is not a model type.</exception>
        /// <exception cref="JsonException">The text is not JSON of that shape.</exception>
        public static Array DeserializeArray(string json, Type modelClass, bool nested)
        {
            var cls = ModelClass(modelClass) ?? throw new ArgumentException($"MgGraph: {modelClass} is not a model type.", nameof(modelClass));
            using var reader = NewReader(json);
            if (!reader.Read()) return Array.CreateInstance(cls, 0);
            if (reader.TokenType == JsonToken.StartObject)
            {
                var one = Array.CreateInstance(cls, 1);
                one.SetValue(ReadModel(reader, cls), 0);
                return one;
            }
            if (reader.TokenType == JsonToken.Null) return Array.CreateInstance(cls, 0);
            if (reader.TokenType != JsonToken.StartArray) throw Unexpected(reader, "an array of objects");
            var items = new List<object>();
            while (reader.Read() && reader.TokenType != JsonToken.EndArray)
            {
                if (reader.TokenType == JsonToken.Null) items.Add(null);
                else if (reader.TokenType == JsonToken.StartObject) items.Add(ReadModel(reader, cls));
                else throw Unexpected(reader, "an object");
            }
            var result = Array.CreateInstance(cls, items.Count);
            for (int i = 0; i < items.Count; i++) result.SetValue(items[i], i);
            return result;
        }

        /// <summary>One JSON object (the reader on its StartObject) as a model of <paramref name="cls"/>.</summary>
        public static object ReadModel(JsonReader reader, Type cls)
        {
            var model = MgModel.Create(cls);
            var info = ModelInfo.Of(cls);
            while (reader.Read())
            {
                if (reader.TokenType == JsonToken.EndObject) return model;
                if (reader.TokenType != JsonToken.PropertyName) throw Unexpected(reader, "a member name");
                var name = (string)reader.Value;
                if (info.TryGet(name, out var slot))
                {
                    var value = ReadSlot(reader, slot);
                    // The model is new (GetUninitializedObject, no initializers for a generated
                    // class), so a null needs no write: writing it would resolve the property,
                    // whose type would load. A resolved slot is written as always (a repeated
                    // key's null replaces the value before it).
                    if (value != null || slot.Resolved || !info.Generated) slot.Set(model, value);
                }
                else
                {
                    if (!reader.Read()) throw Unexpected(reader, "a value");
                    var value = ToValue(reader);
                    // As the SDK fills AdditionalProperties: a null member is left out.
                    if (value != null) model.AdditionalProperties[name] = value;
                }
            }
            throw Unexpected(reader, "the end of an object");
        }

        private static JsonTextReader NewReader(string json)
        {
            return new JsonTextReader(new StringReader(json))
            {
                DateParseHandling = Settings.DateParseHandling,
                DateTimeZoneHandling = Settings.DateTimeZoneHandling,
                MaxDepth = Settings.MaxDepth,
                CloseInput = true,
            };
        }

        private static JsonSerializationException Unexpected(JsonReader reader, string wanted)
        {
            var at = reader as IJsonLineInfo;
            return new JsonSerializationException($"MgGraph: expected {wanted} at {reader.Path} but found {reader.TokenType}" +
                (at != null && at.HasLineInfo() ? $" (line {at.LineNumber}, position {at.LinePosition})." : "."));
        }

        /// <summary>The next value (after a member name) as a property's type.</summary>
        private static object ReadSlot(JsonReader reader, Slot slot)
        {
            switch (slot.ReadKind)
            {
                case SlotKind.String: return reader.ReadAsString();
                case SlotKind.Bool: return reader.ReadAsBoolean();
                case SlotKind.Int: return reader.ReadAsInt32();
                case SlotKind.Double: return reader.ReadAsDouble();
                case SlotKind.DateTime:
                    {
                        var d = reader.ReadAsDateTime();
                        return d.HasValue && d.Value.Kind != DateTimeKind.Utc ? d.Value.ToUniversalTime() : d;
                    }
            }
            if (!reader.Read()) throw Unexpected(reader, "a value");
            if (reader.TokenType == JsonToken.Null || reader.TokenType == JsonToken.Undefined) return null;
            switch (slot.Kind)
            {
                case SlotKind.Long:
                    return Convert.ToInt64(reader.Value, CultureInfo.InvariantCulture);
                case SlotKind.StringArray:
                    {
                        if (reader.TokenType != JsonToken.StartArray) throw Unexpected(reader, "an array");
                        var list = new List<string>();
                        while (true)
                        {
                            var s = reader.ReadAsString();
                            if (reader.TokenType == JsonToken.EndArray) break;
                            list.Add(s);
                        }
                        return list.ToArray();
                    }
                case SlotKind.Bytes:
                    // Edm.Binary: base64 text (Graph writes the standard alphabet; OData's
                    // base64url is read too).
                    if (reader.TokenType != JsonToken.String) throw Unexpected(reader, "base64 text");
                    return FromBase64((string)reader.Value) ?? throw Unexpected(reader, "base64 text");
                case SlotKind.Model:
                    if (reader.TokenType != JsonToken.StartObject) throw Unexpected(reader, "an object");
                    return ReadModel(reader, slot.ModelClass);
                case SlotKind.ModelArray:
                    {
                        if (reader.TokenType != JsonToken.StartArray) throw Unexpected(reader, "an array");
                        var list = new List<object>();
                        while (reader.Read() && reader.TokenType != JsonToken.EndArray)
                        {
                            if (reader.TokenType == JsonToken.Null) list.Add(null);
                            else if (reader.TokenType == JsonToken.StartObject) list.Add(ReadModel(reader, slot.ModelClass));
                            else throw Unexpected(reader, "an object");
                        }
                        var array = Array.CreateInstance(slot.ModelClass, list.Count);
                        for (int i = 0; i < list.Count; i++) array.SetValue(list[i], i);
                        return array;
                    }
                case SlotKind.Enum:
                    // By name or number, as Newtonsoft's serializer reads an enum, without its
                    // contracts (their first use cost a fresh process's first command 10-20 ms).
                    if (reader.TokenType == JsonToken.String) return Enum.Parse(slot.ModelClass, (string)reader.Value, true);
                    if (reader.TokenType == JsonToken.Integer) return Enum.ToObject(slot.ModelClass, reader.Value);
                    throw Unexpected(reader, "an enum name or number");
                case SlotKind.Object:
                    // An untyped value (Edm.Untyped): dictionaries and lists.
                    return ToValue(reader);
                default:
                    return JToken.ReadFrom(reader).ToObject(slot.Property.PropertyType, JsonSerializer.Create(Settings));
            }
        }

        /// <summary>The bytes of base64 or base64url text (RFC 4648 §4, §5; padding optional);
        /// null when the text is neither.</summary>
        internal static byte[] FromBase64(string text)
        {
            if (text == null) return null;
            var s = text.Trim().Replace('-', '+').Replace('_', '/');
            switch (s.Length % 4)
            {
                case 2: s += "=="; break;
                case 3: s += "="; break;
            }
            var buffer = new byte[s.Length / 4 * 3 + 3];
            return System.Convert.TryFromBase64String(s, buffer, out var n) ? buffer.AsSpan(0, n).ToArray() : null;
        }

        /// <summary>The value the reader is on (read to its end) as a PowerShell value: objects as
        /// case-insensitive Hashtables, arrays as object[], scalars as themselves.</summary>
        public static object ToValue(JsonReader reader)
        {
            switch (reader.TokenType)
            {
                case JsonToken.StartObject:
                    {
                        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                        while (true)
                        {
                            // Text that ends inside an object is refused, not read as a part.
                            if (!ReadSkippingComments(reader)) throw Unexpected(reader, "the end of an object");
                            if (reader.TokenType == JsonToken.EndObject) return table;
                            if (reader.TokenType != JsonToken.PropertyName) throw Unexpected(reader, "a member name");
                            var name = (string)reader.Value;
                            if (!ReadSkippingComments(reader)) throw Unexpected(reader, "a value");
                            table[name] = ToValue(reader);
                        }
                    }
                case JsonToken.StartArray:
                    {
                        var list = new List<object>();
                        while (true)
                        {
                            if (!ReadSkippingComments(reader)) throw Unexpected(reader, "the end of an array");
                            if (reader.TokenType == JsonToken.EndArray) return list.ToArray();
                            list.Add(ToValue(reader));
                        }
                    }
                case JsonToken.Null:
                case JsonToken.Undefined:
                    return null;
                default:
                    return reader.Value;
            }
        }

        /// <summary>The reader's next token that is not a comment; false at the end of the text.</summary>
        internal static bool ReadSkippingComments(JsonReader reader)
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonToken.Comment) return true;
            }
            return false;
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
                        if (v == null)
                        {
                            if (model is MgModel m && m.SentAsNull(json)) o[json] = JValue.CreateNull();
                            continue;
                        }
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
                        // An object carrying AdditionalProperties, as a model does: merged, as
                        // a model's are.
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
