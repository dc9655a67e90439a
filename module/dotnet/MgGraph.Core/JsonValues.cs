// JSON text as PowerShell values, as `ConvertFrom-Json -AsHashtable` gives them and the SDK's
// Invoke-MgGraphRequest returns them: objects as case-insensitive Hashtables, arrays as object[].

using System;
using System.Collections;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace MgGraph.PowerShell
{
    /// <summary>Engine JSON (event payloads, plain outputs) as PowerShell values.</summary>
    public static class JsonValues
    {
        private static readonly JsonSerializerSettings Settings = new JsonSerializerSettings
        {
            // Graph JSON has no $id/$ref metadata; never let such keys drive reading.
            MetadataPropertyHandling = MetadataPropertyHandling.Ignore,
            // Dates stay text: the engine's descriptions and envelopes are read as written.
            DateParseHandling = DateParseHandling.None,
            MaxDepth = 128,
        };

        /// <summary>One JSON value (object, array or scalar).</summary>
        /// <exception cref="JsonException">The text is not JSON.</exception>
        public static object Parse(string text)
        {
            var token = JsonConvert.DeserializeObject<JToken>(text, Settings);
            return FromToken(token);
        }

        /// <summary>A JSON array as object[] (a scalar or object as a one-item array).</summary>
        public static object[] ParseArray(string text)
        {
            var value = Parse(text);
            return value is object[] items ? items : new[] { value };
        }

        /// <summary>A token as a PowerShell value. Iterative in effect: Newtonsoft's MaxDepth
        /// bounds the nesting of what was parsed.</summary>
        public static object FromToken(JToken token)
        {
            switch (token)
            {
                case null: return null;
                case JObject o:
                    {
                        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                        foreach (var p in o.Properties()) table[p.Name] = FromToken(p.Value);
                        return table;
                    }
                case JArray a:
                    {
                        var items = new object[a.Count];
                        for (int i = 0; i < items.Length; i++) items[i] = FromToken(a[i]);
                        return items;
                    }
                case JValue v:
                    return v.Value;
                default:
                    return token.ToString();
            }
        }
    }
}
