// JSON text as PowerShell values, as `ConvertFrom-Json -AsHashtable` gives them and the SDK's
// Invoke-MgGraphRequest returns them: objects as case-insensitive Hashtables, arrays as object[].

using System;
using System.Collections;
using System.IO;
using Newtonsoft.Json;

namespace MgGraph.PowerShell
{
    /// <summary>Engine JSON (event payloads, plain outputs) as PowerShell values.</summary>
    public static class JsonValues
    {
        /// <summary>One JSON value (object, array or scalar).</summary>
        /// <remarks>Read with a reader, not <c>JsonConvert.DeserializeObject</c>: Newtonsoft's
        /// serializer resolves its contracts on first use, which a fresh process paid on its
        /// first MgGraph command (measured in the README, "Where the remaining time goes").</remarks>
        /// <exception cref="JsonException">The text is not one JSON value (a second value, or
        /// text that ends inside an object or array).</exception>
        public static object Parse(string text)
        {
            using var reader = new JsonTextReader(new StringReader(text))
            {
                // Dates stay text: the engine's descriptions and envelopes are read as written.
                DateParseHandling = DateParseHandling.None,
                MaxDepth = 128,
            };
            // No value at all (empty text) is null, as JsonConvert.DeserializeObject reads it.
            if (!MgJson.ReadSkippingComments(reader)) return null;
            var value = MgJson.ToValue(reader);
            if (MgJson.ReadSkippingComments(reader)) throw new JsonReaderException($"MgGraph: more than one JSON value (at {reader.Path}).");
            return value;
        }

        /// <summary>A JSON array as object[] (a scalar or object as a one-item array).</summary>
        public static object[] ParseArray(string text)
        {
            var value = Parse(text);
            return value is object[] items ? items : new[] { value };
        }
    }
}
