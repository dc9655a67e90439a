// The SDK's identity types (IUsersIdentity / UsersIdentity, one pair per module, generated
// into each module's assembly): the ids of a path as an object. Scripts and modules written
// for the SDK declare parameters of these types and build them from hashtables; -InputObject
// (a dictionary of ids) takes them through MgIdentityTransformation.

using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;

namespace MgGraph.PowerShell
{
    /// <summary>The base of every generated identity class: its properties are the ids
    /// (strings) the module's paths take.</summary>
    public abstract class MgIdentity
    {
        private static readonly ConcurrentDictionary<Type, Dictionary<string, PropertyInfo>> IdProperties =
            new ConcurrentDictionary<Type, Dictionary<string, PropertyInfo>>();

        /// <summary>The writable string properties of an identity class, by name (any case).</summary>
        internal static Dictionary<string, PropertyInfo> Ids(Type type)
        {
            return IdProperties.GetOrAdd(type, t =>
            {
                var ids = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);
                foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (p.PropertyType == typeof(string) && p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0) ids[p.Name] = p;
                }
                return ids;
            });
        }

        /// <summary>The ids that are set, by name (any case).</summary>
        public Hashtable ToDictionary()
        {
            var ids = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (var p in Ids(GetType()).Values)
            {
                if (p.GetValue(this) is string v) ids[p.Name] = v;
            }
            return ids;
        }

        /// <summary>The ids that are set, as <c>Name=value</c> pairs.</summary>
        public override string ToString()
        {
            var parts = new System.Collections.Generic.List<string>();
            foreach (DictionaryEntry e in ToDictionary()) parts.Add(e.Key + "=" + e.Value);
            parts.Sort(StringComparer.Ordinal);
            return string.Join("; ", parts);
        }
    }

    /// <summary>PowerShell's conversion to an identity type (<c>[IUsersIdentity]@{UserId =
    /// '...'}</c>): from a dictionary or an object, by property name in any case. As the SDK's
    /// identity converters do, names the type does not have are left out.</summary>
    public sealed class MgIdentityConverter : PSTypeConverter
    {
        /// <inheritdoc/>
        public override bool CanConvertFrom(object sourceValue, Type destinationType)
        {
            if (IdentityClass(destinationType) == null) return false;
            var value = sourceValue is PSObject ps ? ps.BaseObject : sourceValue;
            return value is IDictionary || value is PSCustomObject || value is MgIdentity;
        }

        /// <inheritdoc/>
        public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        {
            var cls = IdentityClass(destinationType) ?? throw new InvalidCastException($"MgGraph: {destinationType} is not an identity type.");
            if (sourceValue == null) return null;
            var value = sourceValue is PSObject ps ? ps.BaseObject : sourceValue;
            if (destinationType.IsInstanceOfType(value)) return value;
            var identity = (MgIdentity)Activator.CreateInstance(cls);
            var ids = MgIdentity.Ids(cls);
            // One pass over what was given; names the type does not have are left out.
            if (value is IDictionary d)
            {
                foreach (DictionaryEntry e in d) Set(identity, ids, Convert.ToString(e.Key, CultureInfo.InvariantCulture), e.Value);
            }
            else
            {
                foreach (var p in PSObject.AsPSObject(sourceValue).Properties) Set(identity, ids, p.Name, p.Value);
            }
            return identity;
        }

        private static void Set(MgIdentity identity, Dictionary<string, PropertyInfo> ids, string name, object value)
        {
            if (value is PSObject inner) value = inner.BaseObject;
            if (name != null && value != null && ids.TryGetValue(name, out var p))
                p.SetValue(identity, Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        /// <inheritdoc/>
        public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

        /// <inheritdoc/>
        public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
        {
            throw new InvalidCastException($"MgGraph: an identity converts to no other type ({destinationType}).");
        }

        /// <summary>The identity class of a type: the class itself, or for an interface
        /// (<c>IUsersIdentity</c>) the class named without the leading I beside it.</summary>
        private static Type IdentityClass(Type type)
        {
            if (type == null) return null;
            if (type.IsClass && !type.IsAbstract && typeof(MgIdentity).IsAssignableFrom(type)) return type;
            var cls = MgJson.ClassOfInterface(type);
            return cls != null && typeof(MgIdentity).IsAssignableFrom(cls) ? cls : null;
        }
    }

    /// <summary>On -InputObject: an identity object binds as the dictionary of its ids; any
    /// other value is left for PowerShell to bind (or to pass to the next parameter, as a user
    /// piped to a cmdlet binds its id by property name).</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
    public sealed class MgIdentityTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc/>
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject ps ? ps.BaseObject : inputData;
            return value is MgIdentity identity ? identity.ToDictionary() : inputData;
        }
    }
}
