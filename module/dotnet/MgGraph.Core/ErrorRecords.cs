// Error records from the engine's error descriptions, with the SDK's exception types, and the
// HttpResponseMessage of a raw request's response envelope.

using System;
using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;

namespace Microsoft.Graph.PowerShell.Authentication.Helpers
{
    /// <summary>The SDK's exception for an unsuccessful Invoke-MgGraphRequest: an
    /// HttpRequestException (so <c>catch [System.Net.Http.HttpRequestException]</c> catches it,
    /// with StatusCode set) carrying the response.</summary>
    public class HttpResponseException : HttpRequestException
    {
        /// <summary>message: the error text; response: the HTTP response.</summary>
        public HttpResponseException(string message, HttpResponseMessage response)
            : base(message, null, response?.StatusCode)
        {
            Response = response;
        }

        /// <summary>The HTTP response.</summary>
        public HttpResponseMessage Response { get; }
    }
}

namespace Microsoft.Graph.PowerShell.Runtime
{
    /// <summary>The SDK's exception for a failed response that carries no Graph error (no
    /// <c>error.code</c>: a gateway's HTML page, an empty 5xx). Scripts written for the SDK
    /// name it in <c>catch [Microsoft.Graph.PowerShell.Runtime.RestException]</c>, which
    /// PowerShell cannot even evaluate unless the type exists. Graph's own errors raise a plain
    /// <see cref="Exception"/>, as in the SDK.</summary>
    public class RestException : Exception
    {
        /// <summary>message: the error text; statusCode: the HTTP status; code: Graph's error
        /// code, if any; requestId: the response's request-id header, if any.</summary>
        public RestException(string message, HttpStatusCode statusCode, string code, string requestId)
            : base(message)
        {
            StatusCode = statusCode;
            Code = code;
            RequestId = requestId;
        }

        /// <summary>The HTTP status of the response.</summary>
        public HttpStatusCode StatusCode { get; }

        /// <summary>The error code (<c>UnknownError</c> when the body named none).</summary>
        public string Code { get; }

        /// <summary>The response's <c>request-id</c> header, for a support case.</summary>
        public string RequestId { get; }

        /// <summary>What to do about it (the ErrorRecord's recommended action); empty here.</summary>
        public string Action { get; set; } = string.Empty;
    }
}

namespace Microsoft.Graph.Beta.PowerShell.Runtime
{
    /// <summary>The beta modules' name for <see cref="Microsoft.Graph.PowerShell.Runtime.RestException"/>
    /// (each SDK module carries its own runtime; MgGraph raises the v1.0 one, which a
    /// <c>catch</c> of either name needs to resolve).</summary>
    public class RestException : Microsoft.Graph.PowerShell.Runtime.RestException
    {
        /// <summary>As the v1.0 type.</summary>
        public RestException(string message, HttpStatusCode statusCode, string code, string requestId)
            : base(message, statusCode, code, requestId) { }
    }
}

namespace Microsoft.Graph.PowerShell.Authentication
{
    /// <summary>Where a sign-in is kept (the SDK's <c>-ContextScope</c>): the process only, or
    /// the user's token cache.</summary>
    public enum ContextScope
    {
        /// <summary>This process only.</summary>
        Process,
        /// <summary>The current user's token cache, across processes.</summary>
        CurrentUser,
    }
}

namespace MgGraph.PowerShell
{
    using Microsoft.Graph.PowerShell.Authentication.Helpers;

    /// <summary>ErrorRecords from the engine's error descriptions.</summary>
    public static class ErrorRecords
    {
        /// <summary>An ErrorRecord from the engine's description <c>{message, errorId, category, serviceError,
        /// target?, input?, activity?, recommendedAction?, response?}</c>.</summary>
        public static ErrorRecord FromDescription(IDictionary description, object targetObject)
        {
            var category = ErrorCategory.NotSpecified;
            Enum.TryParse(Convert.ToString(description["category"]), out category);
            var message = Convert.ToString(description["message"]);
            var target = targetObject;
            HttpResponseMessage response = null;
            Exception exception;
            if (description["response"] is IDictionary envelope)
            {
                // Invoke-MgGraphRequest: the SDK's HttpResponseException with the response; the
                // HTTP dump goes to ErrorDetails, the request is the target.
                response = ResponseMessages.FromEnvelope(envelope);
                target ??= response.RequestMessage;
                exception = new HttpResponseException(
                    $"Response status code does not indicate success: {response.StatusCode} ({response.ReasonPhrase}).", response);
            }
            // Input refused before anything was sent: the SDK raises ArgumentException for these.
            else if (category == ErrorCategory.InvalidArgument) exception = new ArgumentException(message);
            // A failed response with no Graph error in its body: the SDK's RestException.
            else if (description["status"] != null && description["serviceError"] is bool service && !service)
                exception = new Microsoft.Graph.PowerShell.Runtime.RestException(message,
                    (HttpStatusCode)Convert.ToInt32(description["status"], System.Globalization.CultureInfo.InvariantCulture),
                    Convert.ToString(description["code"]), description["requestId"] as string);
            else exception = new Exception(message);
            if (target == null && description["target"] is IDictionary fields)
            {
                var obj = new PSObject();
                foreach (DictionaryEntry e in fields) obj.Properties.Add(new PSNoteProperty(Convert.ToString(e.Key), e.Value));
                // In bulk mode, which pipeline input (0-based) failed.
                if (description["input"] != null)
                    obj.Properties.Add(new PSNoteProperty("PipelineIndex", Convert.ToInt32(description["input"], System.Globalization.CultureInfo.InvariantCulture)));
                target = obj;
            }
            var record = new ErrorRecord(exception, Convert.ToString(description["errorId"]), category, target);
            var activity = Convert.ToString(description["activity"]);
            if (!string.IsNullOrEmpty(activity)) record.CategoryInfo.Activity = activity;
            var recommended = Convert.ToString(description["recommendedAction"]);
            // Every failed response carries ErrorDetails, as the SDK's cmdlets write it (its
            // generated onDefault sets the message there too), so `$_.ErrorDetails.Message` works.
            if (!string.IsNullOrEmpty(recommended) || response != null || description["status"] != null)
            {
                record.ErrorDetails = new ErrorDetails(message);
                if (!string.IsNullOrEmpty(recommended)) record.ErrorDetails.RecommendedAction = recommended;
            }
            return record;
        }
    }

    /// <summary>Real HttpResponseMessages from the engine's response envelopes.</summary>
    public static class ResponseMessages
    {
        /// <summary>A response from <c>{status, method, uri, version, headers: [[name, value]..],
        /// body | bodyBase64}</c>.</summary>
        public static HttpResponseMessage FromEnvelope(IDictionary envelope)
        {
            var response = new HttpResponseMessage((HttpStatusCode)Convert.ToInt32(envelope["status"], System.Globalization.CultureInfo.InvariantCulture));
            response.RequestMessage = new HttpRequestMessage(new HttpMethod(Convert.ToString(envelope["method"])), new Uri(Convert.ToString(envelope["uri"])));
            var version = Regex.Match(Convert.ToString(envelope["version"]) ?? "", @"HTTP/(\d)\.?(\d)?");
            if (version.Success)
                response.Version = new Version(int.Parse(version.Groups[1].Value), version.Groups[2].Success ? int.Parse(version.Groups[2].Value) : 0);
            var content = envelope["bodyBase64"] is string b64
                ? new ByteArrayContent(Convert.FromBase64String(b64))
                : new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(Convert.ToString(envelope["body"]) ?? ""));
            if (envelope["headers"] is object[] headers)
            {
                foreach (var h in headers)
                {
                    if (!(h is object[] pair) || pair.Length < 2) continue;
                    var name = Convert.ToString(pair[0]);
                    var value = Convert.ToString(pair[1]);
                    if (!response.Headers.TryAddWithoutValidation(name, value)) content.Headers.TryAddWithoutValidation(name, value);
                }
            }
            response.Content = content;
            return response;
        }
    }
}
