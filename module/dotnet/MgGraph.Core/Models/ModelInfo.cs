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

        /// <summary>Declared properties by PascalCase name and by JSON name, ignoring case.</summary>
        public readonly Dictionary<string, PropertyInfo> ByName = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Declared properties by JSON name (exact) with what the reader needs.</summary>
        public readonly Dictionary<string, Slot> ByJson = new Dictionary<string, Slot>(StringComparer.Ordinal);

        private ModelInfo(Type type)
        {
            var chain = new List<Type>();
            for (var t = type; t != null && t != typeof(object); t = t.BaseType) chain.Insert(0, t);
            var declared = new List<(PropertyInfo, string)>();
            foreach (var t in chain)
            {
                foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                {
                    if (p.GetIndexParameters().Length > 0 || !p.CanRead || !p.CanWrite) continue;
                    var json = p.GetCustomAttribute<JsonPropertyAttribute>();
                    if (json?.PropertyName == null) continue;
                    declared.Add((p, json.PropertyName));
                    ByName[p.Name] = p;
                    ByName[json.PropertyName] = p;
                    ByJson[json.PropertyName] = new Slot(p);
                }
            }
            Declared = declared.ToArray();
        }

        public static ModelInfo Of(Type type) => Cache.GetOrAdd(type, t => new ModelInfo(t));

        /// <summary>A declared property (by JSON name, any case), for the reader.</summary>
        public bool TryGet(string json, out Slot slot)
        {
            if (ByJson.TryGetValue(json, out slot)) return true;
            if (ByName.TryGetValue(json, out var p))
            {
                slot = ByJson[p.GetCustomAttribute<JsonPropertyAttribute>().PropertyName];
                return true;
            }
            return false;
        }
    }

    /// <summary>What a property holds, as the reader reads it.</summary>
    internal enum SlotKind { String, Bool, Int, Long, Double, DateTime, StringArray, Model, ModelArray, Object, Other }

    internal sealed class Slot
    {
        public readonly PropertyInfo Property;
        public readonly SlotKind Kind;
        /// <summary>The model class (Model) or its element class (ModelArray).</summary>
        public readonly Type ModelClass;
        /// <summary>The auto-property's backing field, which the reader writes: the first model
        /// of a class then compiles none of its setters (the model assemblies are not
        /// ReadyToRun; a Graph application sets thirty or more). Null where the property has
        /// no compiler-made field of its type (the setter is called then).</summary>
        private readonly FieldInfo _field;

        public Slot(PropertyInfo p)
        {
            Property = p;
            _field = p.DeclaringType?.GetField("<" + p.Name + ">k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic);
            if (_field != null && _field.FieldType != p.PropertyType) _field = null;
            var t = p.PropertyType;
            if (t == typeof(string)) Kind = SlotKind.String;
            else if (t == typeof(bool?) || t == typeof(bool)) Kind = SlotKind.Bool;
            else if (t == typeof(int?) || t == typeof(int)) Kind = SlotKind.Int;
            else if (t == typeof(long?) || t == typeof(long)) Kind = SlotKind.Long;
            else if (t == typeof(double?) || t == typeof(double)) Kind = SlotKind.Double;
            else if (t == typeof(DateTime?) || t == typeof(DateTime)) Kind = SlotKind.DateTime;
            else if (t == typeof(string[])) Kind = SlotKind.StringArray;
            else if (t == typeof(object)) Kind = SlotKind.Object;
            else if (MgJson.IsModelClass(t)) { Kind = SlotKind.Model; ModelClass = t; }
            else if (t.IsArray && MgJson.IsModelClass(t.GetElementType())) { Kind = SlotKind.ModelArray; ModelClass = t.GetElementType(); }
            else Kind = SlotKind.Other;
        }

        /// <summary>Sets the property of <paramref name="model"/> to <paramref name="value"/>
        /// (already of the property's type).</summary>
        public void Set(object model, object value)
        {
            if (_field != null) _field.SetValue(model, value);
            else Property.SetValue(model, value);
        }
    }
}
