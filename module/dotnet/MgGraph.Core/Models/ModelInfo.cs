// What the model runtime needs to know of a model class, found by reflection once per class:
// its declared properties (by PascalCase name and by JSON name, both case-insensitive) and,
// for the reader, what each holds.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Reflection;
using Newtonsoft.Json;

namespace MgGraph.PowerShell
{
    internal sealed class ModelInfo
    {
        private static readonly ConcurrentDictionary<Type, ModelInfo> Cache = new ConcurrentDictionary<Type, ModelInfo>();

        /// <summary>Declared properties in declaration order (base types first), with their JSON names.</summary>
        public readonly (PropertyInfo Property, string Json)[] Declared;

        /// <summary>Whether the class comes from a generated model assembly (MgGraph.Models,
        /// MgGraph.Models.Beta), whose classes have no constructors or field initializers of
        /// their own (see <see cref="MgModel.Create"/>).</summary>
        public readonly bool Generated;

        /// <summary>Declared properties by JSON name (exact) with what the reader needs: the
        /// reader's fast path, as Graph writes the names.</summary>
        public readonly Dictionary<string, Slot> ByJson = new Dictionary<string, Slot>(StringComparer.Ordinal);

        /// <summary>The same slots by PascalCase name and by JSON name, ignoring case.</summary>
        public readonly Dictionary<string, Slot> ByName = new Dictionary<string, Slot>(StringComparer.OrdinalIgnoreCase);

        // Built on a class's first object, so kept to one pass over the declared properties:
        // attributes are read only where the generator wrote one (a JSON name that is not the
        // property's name with its first letter lowered), and what a slot holds is worked out on
        // its first value. Measured on the first Graph application read: 2.3-3.5 ms before, most
        // of it reading sixty attributes and loading every nested model class up front.
        private ModelInfo(Type type)
        {
            // By the display name, which the runtime keeps (GetName() parses it each time).
            var assembly = type.Assembly.FullName ?? "";
            Generated = type.Assembly != typeof(MgModel).Assembly
                && (assembly.StartsWith("MgGraph.Models,", StringComparison.Ordinal) || assembly.StartsWith("MgGraph.Models.Beta,", StringComparison.Ordinal));
            var chain = new List<Type>();
            for (var t = type; t != null && t != typeof(object) && t != typeof(MgModel); t = t.BaseType) chain.Insert(0, t);
            var declared = new List<(PropertyInfo, string)>();
            foreach (var t in chain)
            {
                // An indexer is the property [DefaultMember] names (C# writes it for one), found
                // without GetIndexParameters: that reads the property's signature, which loads
                // its type, so every nested model class was loaded for the first object of a
                // class (measured on a first user: 4.5 ms of a 136-property model's table).
                // The generator writes no indexers.
                var indexer = Generated ? null : t.GetCustomAttribute<DefaultMemberAttribute>(false)?.MemberName;
                foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                {
                    // Aliases (UserId => Id) are read-only; the SDK's wire names are on the rest.
                    if (!p.CanRead || !p.CanWrite || p.Name == indexer) continue;
                    var json = JsonName(p);
                    declared.Add((p, json));
                    var slot = new Slot(p, json);
                    ByJson[json] = slot;
                    ByName[p.Name] = slot;
                    ByName[json] = slot;
                }
            }
            Declared = declared.ToArray();
        }

        /// <summary>A property's JSON name: its <c>[JsonProperty]</c> name where the generator
        /// wrote one, else its name with the first letter lowered (<c>DisplayName</c> →
        /// <c>displayName</c>).</summary>
        internal static string JsonName(PropertyInfo p)
        {
            if (p.IsDefined(typeof(JsonPropertyAttribute), false))
            {
                var named = p.GetCustomAttribute<JsonPropertyAttribute>()?.PropertyName;
                if (named != null) return named;
            }
            var name = p.Name;
            return char.ToLowerInvariant(name[0]) + name.Substring(1);
        }

        public static ModelInfo Of(Type type) => Cache.GetOrAdd(type, t => new ModelInfo(t));

        private static readonly ConcurrentDictionary<Type, Dictionary<string, FieldInfo>> Fields = new ConcurrentDictionary<Type, Dictionary<string, FieldInfo>>();

        /// <summary>The compiler-made backing fields a class declares, by property name, listed
        /// in one pass: looking each up by name went over the class's fields again per property.</summary>
        internal static Dictionary<string, FieldInfo> BackingFields(Type declaring) => Fields.GetOrAdd(declaring, t =>
        {
            var byProperty = new Dictionary<string, FieldInfo>(StringComparer.Ordinal);
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                var name = f.Name;
                if (name.Length > 17 && name[0] == '<' && name.EndsWith(">k__BackingField", StringComparison.Ordinal))
                    byProperty[name.Substring(1, name.Length - 17)] = f;
            }
            return byProperty;
        });

        /// <summary>A declared property (by JSON name, any case), for the reader.</summary>
        public bool TryGet(string json, out Slot slot)
        {
            return ByJson.TryGetValue(json, out slot) || ByName.TryGetValue(json, out slot);
        }
    }

    /// <summary>What a property holds, as the reader reads it.</summary>
    internal enum SlotKind { String, Bool, Int, Long, Double, DateTime, StringArray, Bytes, Model, ModelArray, Enum, Object, Other, Unresolved }

    internal sealed class Slot
    {
        public readonly PropertyInfo Property;
        /// <summary>The property's JSON name.</summary>
        public readonly string Json;
        private SlotKind _kind;
        private Type _modelClass;
        /// <summary>The auto-property's backing field, which the reader writes: the first model
        /// of a class then compiles none of its setters (the model assemblies are not
        /// ReadyToRun; a Graph application sets thirty or more). Null where the property has
        /// no compiler-made field of its type (the setter is called then).</summary>
        private FieldInfo _field;
        // Worked out on first use: reading a property's type loads that class, and most of a
        // model's nested classes never appear in a given response.
        private volatile bool _resolved;

        public Slot(PropertyInfo p, string json)
        {
            Property = p;
            Json = json;
        }

        /// <summary>What the property holds.</summary>
        public SlotKind Kind
        {
            get { Resolve(); return _kind; }
        }

        /// <summary>Whether <see cref="Kind"/> has been worked out.</summary>
        public bool Resolved => _resolved;

        /// <summary>What the reader needs before it reads the value: <see cref="Kind"/>, or
        /// <see cref="SlotKind.Unresolved"/> for a property not yet resolved whose type is a
        /// class or an array of classes (a nested model, nearly always). Such a value is read
        /// as a token first, and a null needs no type: reading a property's type loads its
        /// class, and a first Graph application has twelve null nested models (measured:
        /// 1.3-1.9 ms of its first read went to resolving types; an empty array still loads
        /// its element class).</summary>
        public SlotKind ReadKind
        {
            get
            {
                if (_resolved) return _kind;
                if (_classTyped == 0) _classTyped = IsClassTyped(Property) ? 1 : 2;
                return _classTyped == 1 ? SlotKind.Unresolved : Kind;
            }
        }

        // 0: not read yet; 1: a class or an array of classes; 2: anything else.
        private int _classTyped;

        /// <summary>Whether a property's type is a class (ELEMENT_TYPE_CLASS) or a
        /// single-dimensional array of one, from its getter's signature blob (ECMA-335
        /// §II.23.2.1 MethodDefSig: calling convention, generic parameter count if generic,
        /// parameter count, return type), which names the type without loading it. False when
        /// the blob cannot be read (the property is then resolved as before).</summary>
        internal static bool IsClassTyped(PropertyInfo p)
        {
            try
            {
                var getter = p.GetMethod;
                if (getter == null) return false;
                var sig = p.Module.ResolveSignature(getter.MetadataToken);
                int i = 0;
                var convention = sig[i++];
                if ((convention & 0x10) != 0) SkipCompressed(sig, ref i);
                SkipCompressed(sig, ref i);
                // Custom modifiers (CMOD_REQD 0x1F, CMOD_OPT 0x20), each with a type token.
                while (sig[i] == 0x1F || sig[i] == 0x20) { i++; SkipCompressed(sig, ref i); }
                const byte Class = 0x12, SzArray = 0x1D;
                return sig[i] == Class || (sig[i] == SzArray && sig[i + 1] == Class);
            }
            catch (Exception) { return false; }
        }

        /// <summary>Steps over a compressed unsigned integer (ECMA-335 §II.23.2).</summary>
        private static void SkipCompressed(byte[] sig, ref int i)
        {
            var b = sig[i];
            i += (b & 0x80) == 0 ? 1 : (b & 0xC0) == 0x80 ? 2 : 4;
        }

        /// <summary>The model class (Model), its element class (ModelArray) or the enum type
        /// (Enum).</summary>
        public Type ModelClass
        {
            get { Resolve(); return _modelClass; }
        }

        private void Resolve()
        {
            if (_resolved) return;
            var p = Property;
            FieldInfo field = null;
            if (p.DeclaringType != null) ModelInfo.BackingFields(p.DeclaringType).TryGetValue(p.Name, out field);
            if (field != null && field.FieldType != p.PropertyType) field = null;
            SlotKind kind;
            Type modelClass = null;
            var t = p.PropertyType;
            if (t == typeof(string)) kind = SlotKind.String;
            else if (t == typeof(bool?) || t == typeof(bool)) kind = SlotKind.Bool;
            else if (t == typeof(int?) || t == typeof(int)) kind = SlotKind.Int;
            else if (t == typeof(long?) || t == typeof(long)) kind = SlotKind.Long;
            else if (t == typeof(double?) || t == typeof(double)) kind = SlotKind.Double;
            else if (t == typeof(DateTime?) || t == typeof(DateTime)) kind = SlotKind.DateTime;
            else if (t == typeof(string[])) kind = SlotKind.StringArray;
            else if (t == typeof(byte[])) kind = SlotKind.Bytes;
            else if (t == typeof(object)) kind = SlotKind.Object;
            else if (MgJson.IsModelClass(t)) { kind = SlotKind.Model; modelClass = t; }
            else if (t.IsArray && MgJson.IsModelClass(t.GetElementType())) { kind = SlotKind.ModelArray; modelClass = t.GetElementType(); }
            else if ((Nullable.GetUnderlyingType(t) ?? t).IsEnum) { kind = SlotKind.Enum; modelClass = Nullable.GetUnderlyingType(t) ?? t; }
            else kind = SlotKind.Other;
            // Racing threads compute the same values; the flag is set after them.
            _field = field;
            _kind = kind;
            _modelClass = modelClass;
            _resolved = true;
        }

        /// <summary>Sets the property of <paramref name="model"/> to <paramref name="value"/>
        /// (already of the property's type).</summary>
        public void Set(object model, object value)
        {
            Resolve();
            if (_field != null) _field.SetValue(model, value);
            else Property.SetValue(model, value);
        }
    }
}
