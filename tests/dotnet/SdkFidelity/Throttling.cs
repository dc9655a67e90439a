using Microsoft.Graph;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using static SdkFidelity.Checks;

namespace SdkFidelity;

/// <summary>
/// Random 429s (a server started with --fault-429) are absorbed by the SDK's RetryHandler, which
/// waits the Retry-After the sandbox sends and retries with a Retry-Attempt header.
/// </summary>
static class Throttling
{
    public static async Task RetryHandlerAbsorbs429(Sandbox sandbox)
    {
        var observer = new ThrottleObserver();
        var client = sandbox.Client(observer);
        var before = (await sandbox.StatsAsync()).GetProperty("throttled").GetInt64();
        const int requests = 40;
        for (var top = 1; top <= requests; top++)
        {
            // Each request has its own URL, so each gets its own fault draws; MaxRetry 10 (the
            // SDK's most) makes a request that fails 11 times in a row at p=0.3 vanishingly rare.
            var page = await client.Users.GetAsync(r =>
            {
                r.QueryParameters.Top = top;
                r.Options.Add(new RetryHandlerOption { MaxRetry = 10 });
            });
            Expect(page?.Value?.Count > 0, $"$top={top}: empty page");
        }
        var after = (await sandbox.StatsAsync()).GetProperty("throttled").GetInt64();
        Expect(observer.Throttled > 0, $"no 429 reached the client in {requests} requests (is the server started with --fault-429?)");
        Expect(after - before == observer.Throttled,
            $"the server counted {after - before} throttled responses, the client saw {observer.Throttled}");
        Expect(observer.WithoutRetryAfter == 0, $"{observer.WithoutRetryAfter} 429 responses without a Retry-After in seconds");
        Expect(observer.RetryAttempts == observer.Throttled,
            $"{observer.RetryAttempts} retried requests (Retry-Attempt header) for {observer.Throttled} 429s");
    }
}
