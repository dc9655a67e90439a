// What the model runtime needs to know of a model class, found by reflection once per class:
// its declared properties (by PascalCase name and by JSON name, both case-insensitive), the
// untyped ones (expanded navigation properties) and the nested-model ones.

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

        /// <summary>Untyped (<c>object</c>) properties.</summary>
        public readonly PropertyInfo[] Untyped;

        /// <summary>Properties holding a nested model or an array of them.</summary>
        public readonly PropertyInfo[] Nested;

        private ModelInfo(Type type)
        {
            var chain = new List<Type>();
            for (var t = type; t != null && t != typeof(object); t = t.BaseType) chain.Insert(0, t);
            var declared = new List<(PropertyInfo, string)>();
            var untyped = new List<PropertyInfo>();
            var nested = new List<PropertyInfo>();
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
                    if (p.PropertyType == typeof(object)) untyped.Add(p);
                    else if (MgJson.IsModelClass(p.PropertyType) || (p.PropertyType.IsArray && MgJson.IsModelClass(p.PropertyType.GetElementType())))
                        nested.Add(p);
                }
            }
            Declared = declared.ToArray();
            Untyped = untyped.ToArray();
            Nested = nested.ToArray();
        }

        public static ModelInfo Of(Type type) => Cache.GetOrAdd(type, t => new ModelInfo(t));
    }
}
