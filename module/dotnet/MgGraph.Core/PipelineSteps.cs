// The types of the SDK's runtime parameters -HttpPipelineAppend and -HttpPipelinePrepend
// (AutoRest's Microsoft.Graph.PowerShell.Runtime namespace), so that scripts naming them bind.
// MgGraph sends requests from its native engine: no .NET HTTP pipeline exists to run such a
// step, and a cmdlet given one stops with an error naming the parameter (MgCatalogCmdlet).

using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.Graph.PowerShell.Runtime
{
    /// <summary>What a pipeline step is told about the call (the SDK's event listener).</summary>
    public interface IEventListener
    {
        /// <summary>Cancelled when the call is.</summary>
        CancellationToken Token { get; }
    }

    /// <summary>The rest of an HTTP pipeline, as a step sees it.</summary>
    public interface ISendAsync
    {
        /// <summary>Sends the request through the remaining steps.</summary>
        Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, IEventListener callback);
    }

    /// <summary>One step of an SDK cmdlet's HTTP pipeline: it may change the request, call
    /// <paramref name="next"/>, and change the response.</summary>
    public delegate Task<HttpResponseMessage> SendAsyncStep(HttpRequestMessage request, IEventListener callback, ISendAsync next);
}
