// PowerShell's conversion to a model type ([MicrosoftGraphUser]@{...}, a -BodyParameter typed
// IMicrosoftGraphUser given a hashtable): every generated class and interface names this
// converter in its [TypeConverter] attribute. As the SDK's type converters do, it takes a
// dictionary, a PSObject or JSON text; keys match declared properties by PascalCase or JSON
// name in any case, values are converted to the property's type as the SDK converts them
// ('false' is a boolean false, '5' a number, a byte[] a base64 string), nested dictionaries
// become nested models, and keys the model does not declare go to AdditionalProperties.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace MgGraph.PowerShell
{
    /// <summary>Converts hashtables, PSObjects, model objects and JSON text into model objects.</summary>
    public sealed class MgModelConverter : PSTypeConverter
    {
        /// <inheritdoc/>
        public override bool CanConvertFrom(object sourceValue, Type destinationType)
        {
            return MgJson.ModelClass(destinationType) != null && IsSource(sourceValue);
        }

        /// <inheritdoc/>
        public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        {
            return Convert(sourceValue, destinationType);
        }

        /// <inheritdoc/>
        public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

        /// <inheritdoc/>
        public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        {
            throw new InvalidCastException($"MgGraph: a model converts to no other type ({destinationType}).");
        }

        /// <summary>Whether the converter takes a value: any but null. A dictionary, a PSObject,
        /// a model or JSON object text converts; anything else fails in <see cref="Convert"/>
        /// with a message that says what it is.</summary>
        private static bool IsSource(object value)
        {
            if (value is PSObject ps)
            {
                if (ps.BaseObject is PSCustomObject) return true;
                value = ps.BaseObject;
            }
            // Any text, list or scalar too: the conversion then fails saying what the value is
            // (a JSON array, lines of a file, a number) instead of PowerShell's bare "cannot convert".
            return value != null;
        }

        /// <summary>A value as an object of a model type (a model class, or an interface: its
        /// class). Null stays null; an object of the type is returned as it is.</summary>
        /// <exception cref="ArgumentException">The value cannot be converted: the message names
        /// the path to the offending value (nesting deeper than <see cref="MgJson.MaxDepth"/>, a
        /// value holding itself, a value of the wrong kind).</exception>
        public static object Convert(object value, Type modelType)
        {
            var cls = MgJson.ModelClass(modelType) ?? throw new ArgumentException($"MgGraph: {modelType} is not a model type.", nameof(modelType));
            var raw = value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) ? wrapped.BaseObject : value;
            if (raw is string blank && blank.Trim().Length == 0)
                throw new ArgumentException($"Cannot convert to {cls.Name}: the text is empty; a {cls.Name} is made from a hashtable, an object or JSON object text.");
            var context = new Context();
            try
            {
                return context.Model(value, cls, "", 0);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Cannot convert to {cls.Name}: {e.Message}", e);
            }
        }

        /// <summary>A value as an object of the model class <typeparamref name="T"/>: what the
        /// SDK's generated factories (<c>DeserializeFromDictionary</c>, <c>DeserializeFromPSObject</c>,
        /// <c>FromJsonString</c>) of each model class return. Null stays null.</summary>
        /// <exception cref="ArgumentException">As <see cref="Convert"/>.</exception>
        public static T ToModel<T>(object content) where T : class => (T)Convert(content, typeof(T));

        private sealed class Context
        {
            private readonly HashSet<object> _path = new HashSet<object>(ReferenceEqualityComparer.Instance);

            public object Model(object value, Type cls, string path, int depth)
            {
                if (value is PSObject wrapper && !(wrapper.BaseObject is PSCustomObject)) value = wrapper.BaseObject;
                if (value == null) return null;
                if (cls.IsInstanceOfType(value)) return value;
                if (value is string text)
                {
                    value = ParseObject(text, path);
                    if (value == null) return null;
                }
                if (value is JObject jo) value = MgJson.ToValue(jo);
                if (depth >= MgJson.MaxDepth) throw new ArgumentException($"the value is nested deeper than {MgJson.MaxDepth} levels at {MgJson.PathText(path)}.");
                if (!_path.Add(value)) throw new ArgumentException($"the value at {MgJson.PathText(path)} is a reference to one of its own containers (a circular reference).");
                try
                {
                    var result = (MgModel)Activator.CreateInstance(cls);
                    var info = ModelInfo.Of(cls);
                    foreach (var (key, v) in Entries(value, path))
                    {
                        if (key == null) continue;
                        if (string.Equals(key, "AdditionalProperties", StringComparison.OrdinalIgnoreCase) && Unwrap(v) is IDictionary extra)
                        {
                            foreach (DictionaryEntry e in extra)
                            {
                                var k = System.Convert.ToString(e.Key, CultureInfo.InvariantCulture);
                                if (k != null) result.AdditionalProperties[k] = Unwrap(e.Value);
                            }
                            continue;
                        }
                        if (info.ByName.TryGetValue(key, out var slot))
                        {
                            var property = slot.Property;
                            var segment = MgJson.Segment(path, key);
                            var converted = Value(v, property.PropertyType, segment, depth + 1);
                            property.SetValue(result, converted);
                            // A key given as null is sent as null: the script clears the property.
                            if (converted == null && Unwrap(v) == null) result.SendAsNull(slot.Json);
                        }
                        else if (Unwrap(v) is { } kept)
                        {
                            // A null for a key the model does not declare is dropped, as the
                            // SDK's CopyFrom does: Graph answers 400 to a property its type
                            // does not have, even a null one.
                            result.AdditionalProperties[key] = kept;
                        }
                    }
                    return result;
                }
                finally
                {
                    _path.Remove(value);
                }
            }

            /// <summary>The (key, value) pairs of a dictionary, a PSObject or another model.</summary>
            private static IEnumerable<(string, object)> Entries(object value, string path)
            {
                switch (value)
                {
                    case IDictionary dict:
                        foreach (DictionaryEntry e in dict) yield return (System.Convert.ToString(e.Key, CultureInfo.InvariantCulture), e.Value);
                        break;
                    case IMgModel model:
                        foreach (var (p, json) in ModelInfo.Of(value.GetType()).Declared)
                        {
                            var v = p.GetValue(value);
                            if (v != null || (model is MgModel m && m.SentAsNull(json))) yield return (json, v);
                        }
                        if (model.AdditionalProperties != null)
                            foreach (var e in model.AdditionalProperties) yield return (e.Key, e.Value);
                        break;
                    case PSObject ps:
                        foreach (var p in ps.Properties)
                        {
                            if (p is PSNoteProperty || p is PSProperty) yield return (p.Name, p.Value);
                        }
                        break;
                    case IList list:
                        var lines = list.Count > 0 && list.Cast<object>().All(i => Unwrap(i) is string);
                        throw new ArgumentException($"the value at {MgJson.PathText(path)} is a list of {list.Count} items, not a dictionary or an object" +
                            (lines ? " (the lines of a file? Get-Content -Raw reads it as one text)." : "."));
                    default:
                        if (IsScalar(value))
                            throw new ArgumentException($"the value at {MgJson.PathText(path)} is a {value.GetType()}, not a dictionary or an object.");
                        // An object of another .NET class (a PowerShell class, a module's own
                        // type such as Microsoft.Entra's AlternativeSecurityId): its public
                        // properties, as PowerShell lists them.
                        foreach (var p in PSObject.AsPSObject(value).Properties)
                        {
                            if (!(p is PSProperty || p is PSNoteProperty) || !p.IsGettable) continue;
                            object v;
                            try { v = p.Value; }
                            catch (GetValueException) { continue; }
                            yield return (p.Name, v);
                        }
                        break;
                }
            }

            /// <summary>A value with no properties to read: a number, a flag, a date, an id.</summary>
            private static bool IsScalar(object value)
            {
                var t = value.GetType();
                return t.IsPrimitive || t.IsEnum || value is string || value is decimal || value is DateTime ||
                    value is DateTimeOffset || value is TimeSpan || value is Guid || value is Uri;
            }

            private static object ParseObject(string text, string path)
            {
                var trimmed = text.Trim();
                if (trimmed.Length == 0) return null;
                if (!trimmed.StartsWith("{", StringComparison.Ordinal))
                    throw new ArgumentException(trimmed.StartsWith("[", StringComparison.Ordinal)
                        ? $"the text at {MgJson.PathText(path)} is a JSON array, not a JSON object ('{{...}}')."
                        : $"the value at {MgJson.PathText(path)} is a string, not a dictionary, an object or JSON object text.");
                try
                {
                    using var reader = new JsonTextReader(new StringReader(trimmed)) { DateParseHandling = DateParseHandling.None, MaxDepth = 128 };
                    return MgJson.ToValue(JToken.ReadFrom(reader));
                }
                catch (JsonException e)
                {
                    throw new ArgumentException($"the text at {MgJson.PathText(path)} is not JSON: {e.Message} Nothing was sent.");
                }
            }

            private static object Unwrap(object value)
            {
                // A pipeline that wrote nothing (`$x = ... | Select-Object -ExpandProperty Id`
                // matching nothing) leaves AutomationNull, which stands for no value: null.
                if (ReferenceEquals(value, System.Management.Automation.Internal.AutomationNull.Value)) return null;
                return value is PSObject ps && !(ps.BaseObject is PSCustomObject) ? ps.BaseObject : value;
            }

            /// <summary>A value as a property's type.</summary>
            private object Value(object value, Type type, string path, int depth)
            {
                value = Unwrap(value);
                if (value == null) return null;
                if (type == typeof(object)) return value is JToken t ? MgJson.ToValue(t) : value;
                if (MgJson.IsModelClass(type)) return Model(value, type, path, depth);
                if (type == typeof(byte[])) return Bytes(value, path);
                if (type.IsArray)
                {
                    var element = type.GetElementType();
                    var items = new List<object>();
                    if (value is IEnumerable list && !(value is string) && !(value is IDictionary) && !(value is byte[] && element == typeof(string)))
                    {
                        int i = 0;
                        foreach (var item in list)
                        {
                            items.Add(Value(item, element, path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", depth));
                            i++;
                        }
                    }
                    else
                    {
                        items.Add(Value(value, element, path, depth));
                    }
                    var array = Array.CreateInstance(element, items.Count);
                    for (int i = 0; i < items.Count; i++) array.SetValue(items[i], i);
                    return array;
                }
                if (type.IsInstanceOfType(value)) return value;
                var target = Nullable.GetUnderlyingType(type) ?? type;
                try
                {
                    if (target == typeof(string)) return Text(value, path);
                    if (target == typeof(bool)) return Boolean(value, path);
                    if (target == typeof(DateTime)) return Date(value, path);
                    if (target == typeof(int) || target == typeof(long) || target == typeof(double))
                    {
                        if (value is string s) return System.Convert.ChangeType(s.Trim(), target, CultureInfo.InvariantCulture);
                        if (value is IConvertible && !(value is DateTime) && !(value is char))
                            return System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
                        throw new ArgumentException($"the value at {MgJson.PathText(path)} is a {value.GetType()}, not a number.");
                    }
                    return LanguagePrimitives.ConvertTo(value, type, CultureInfo.InvariantCulture);
                }
                catch (Exception e) when (e is FormatException || e is OverflowException || e is InvalidCastException || e is PSInvalidCastException)
                {
                    throw new ArgumentException($"the value at {MgJson.PathText(path)} ('{value}') cannot be converted to {Describe(target)}: {e.Message}");
                }
            }

            private static string Describe(Type t)
            {
                if (t == typeof(bool)) return "a boolean";
                if (t == typeof(int) || t == typeof(long)) return "an integer";
                if (t == typeof(double)) return "a number";
                if (t == typeof(DateTime)) return "a date";
                if (t == typeof(string)) return "a string";
                return t.Name;
            }

            private static string Text(object value, string path)
            {
                switch (value)
                {
                    case string s: return s;
                    case byte[] bytes: return System.Convert.ToBase64String(bytes);
                    case DateTime d: return MgJson.UtcString(d);
                    case DateTimeOffset o: return MgJson.UtcString(o.UtcDateTime);
                    case bool b: return b ? "true" : "false";
                    case Guid g: return g.ToString();
                    case Uri u: return u.OriginalString;
                    case Enum e: return e.ToString();
                    case TimeSpan span: return System.Xml.XmlConvert.ToString(span);
                    case IConvertible c: return c.ToString(CultureInfo.InvariantCulture);
                }
                throw new ArgumentException($"the value at {MgJson.PathText(path)} is a {value.GetType()}, not a string.");
            }

            /// <summary>An Edm.Binary value: bytes as they are, base64 (or base64url) text
            /// decoded, a list of numbers 0-255 as bytes.</summary>
            private static byte[] Bytes(object value, string path)
            {
                switch (value)
                {
                    case byte[] bytes: return bytes;
                    case string s:
                        return MgJson.FromBase64(s) ?? throw new ArgumentException(
                            $"the value at {MgJson.PathText(path)} is text that is not base64; pass the bytes (a byte[]) or their base64 text.");
                    case IEnumerable list when !(value is IDictionary):
                        {
                            var items = new List<byte>();
                            foreach (var item in list)
                            {
                                var n = Unwrap(item);
                                if (n is IConvertible c && !(n is string) && !(n is DateTime) && !(n is bool))
                                {
                                    try { items.Add(System.Convert.ToByte(c, CultureInfo.InvariantCulture)); continue; }
                                    catch (OverflowException) { }
                                }
                                throw new ArgumentException($"the value at {MgJson.PathText(path)} is a list with '{n}' in it, not bytes (numbers 0-255).");
                            }
                            return items.ToArray();
                        }
                }
                throw new ArgumentException($"the value at {MgJson.PathText(path)} is a {value.GetType()}, not bytes (a byte[] or base64 text).");
            }

            private static bool Boolean(object value, string path)
            {
                switch (value)
                {
                    case bool b: return b;
                    case SwitchParameter sw: return sw.IsPresent;
                    case string s:
                        // As the SDK converts: 'true' and 'false' in any case (PowerShell's own
                        // rule, any non-empty string is true, would turn 'false' into true).
                        if (bool.TryParse(s.Trim(), out var parsed)) return parsed;
                        throw new ArgumentException($"the value at {MgJson.PathText(path)} ('{s}') is not a boolean ('true' or 'false').");
                    case IConvertible c when !(value is DateTime) && !(value is char):
                        return System.Convert.ToBoolean(c, CultureInfo.InvariantCulture);
                }
                throw new ArgumentException($"the value at {MgJson.PathText(path)} is a {value.GetType()}, not a boolean.");
            }

            private static DateTime Date(object value, string path)
            {
                switch (value)
                {
                    case DateTime d: return d;
                    case DateTimeOffset o: return o.UtcDateTime;
                    case string s:
                        // The culture's format first (as (Get-Date).ToString() writes it: 05.12.2026 in
                        // de-DE is the 5th of December, which the invariant culture reads as May),
                        // then the invariant culture; ISO 8601 parses in both. Dates without a zone
                        // are local, as typed.
                        const DateTimeStyles styles = DateTimeStyles.AssumeLocal | DateTimeStyles.AdjustToUniversal;
                        if (DateTime.TryParse(s, CultureInfo.CurrentCulture, styles, out var d1)) return d1;
                        if (DateTime.TryParse(s, CultureInfo.InvariantCulture, styles, out var d2)) return d2;
                        throw new ArgumentException($"the value at {MgJson.PathText(path)} ('{s}') is not a date.");
                }
                throw new ArgumentException($"the value at {MgJson.PathText(path)} is a {value.GetType()}, not a date.");
            }
        }
    }
}
