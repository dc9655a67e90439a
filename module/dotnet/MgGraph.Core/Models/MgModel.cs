// The base of every compiled model class (MgGraph.Models.dll, MgGraph.Models.Beta.dll): the
// AdditionalProperties dictionary every Graph model carries. Each generated class derives from
// this one or from its Graph base type's class; each generated interface from IMgModel.

using System;
using System.Collections.Generic;
using Newtonsoft.Json;

namespace MgGraph.PowerShell
{
    /// <summary>What every model interface (<c>IMicrosoftGraphUser</c>, ...) has.</summary>
    public interface IMgModel
    {
        /// <summary>The JSON members the model does not declare (as the SDK's
        /// <c>AdditionalProperties</c>): read from responses, written back into bodies.</summary>
        IDictionary<string, object> AdditionalProperties { get; }
    }

    /// <summary>The base class of every model class.</summary>
    public abstract class MgModel : IMgModel
    {
        private IDictionary<string, object> _additional = new Dictionary<string, object>();
        private HashSet<string> _sentAsNull;

        /// <summary>Every JSON member the model does not declare; starts empty (never null), as
        /// the SDK's does.</summary>
        [JsonExtensionData]
        public IDictionary<string, object> AdditionalProperties
        {
            get => _additional;
            set => _additional = value ?? new Dictionary<string, object>();
        }

        /// <summary>Whether the declared property of JSON name <paramref name="json"/> was given
        /// as null on purpose (a body's <c>@{ officeLocation = $null }</c>) and is written as
        /// <c>null</c> while it stays null, where an unset property is left out: how a script
        /// clears a property, as the SDK sends it since msgraph-sdk-powershell#3008.</summary>
        internal bool SentAsNull(string json) => _sentAsNull != null && _sentAsNull.Contains(json);

        /// <summary>Marks a declared property as given null on purpose (see <see cref="SentAsNull"/>).</summary>
        internal void SendAsNull(string json) => (_sentAsNull ??= new HashSet<string>(StringComparer.Ordinal)).Add(json);

        /// <summary>A new, empty model of <paramref name="cls"/> (a model class). A class of the
        /// generated model assemblies is made without running its constructors: they only chain
        /// to this class's (the generator writes no constructors or initializers), and those
        /// assemblies are not ReadyToRun, so each class's constructor was JIT-compiled on its
        /// first object (measured: about 1 ms of a first Graph application's 2.7 ms read, ten
        /// classes). Other classes are constructed as usual.</summary>
        internal static MgModel Create(Type cls)
        {
            if (!ModelInfo.Of(cls).Generated) return (MgModel)Activator.CreateInstance(cls);
            var model = (MgModel)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(cls);
            model._additional = new Dictionary<string, object>();
            return model;
        }

        /// <summary>The object as JSON, as the SDK's models write it (<see cref="MgJson.Serialize"/>).</summary>
        public string ToJsonString() => MgJson.Serialize(this);
    }
}
