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

    /// <summary>
    /// A burst beyond the per-app budget (a server started with --rate-limit) is throttled with a
    /// computed Retry-After; the SDK's RetryHandler, with its default of 3 retries, waits and
    /// gets every answer (retrying at once would find the budget still spent).
    /// </summary>
    public static async Task RetryHandlerWaitsOutTheBudget(Sandbox sandbox, int users)
    {
        var observer = new ThrottleObserver();
        var client = sandbox.Client(observer);
        var ids = ((await client.Users.GetAsync(r => r.QueryParameters.Top = users))?.Value ?? [])
            .Select(u => u.Id!).ToList();
        Expect(ids.Count == users, $"setup: {ids.Count} users");
        var before = (await sandbox.StatsAsync()).GetProperty("throttled").GetInt64();
        var read = await Task.WhenAll(ids.Select(id => client.Users[id].GetAsync()));
        var after = (await sandbox.StatsAsync()).GetProperty("throttled").GetInt64();
        var wrong = ids.Where((id, i) => read[i]?.Id != id).ToList();
        Expect(wrong.Count == 0, $"{wrong.Count} of {ids.Count} users read back wrong");
        Expect(observer.Throttled > 0, $"no 429 in a burst of {ids.Count} (is the server started with --rate-limit?)");
        Expect(after - before == observer.Throttled,
            $"the server counted {after - before} throttled responses, the client saw {observer.Throttled}");
        Expect(observer.WithoutRetryAfter == 0, $"{observer.WithoutRetryAfter} 429 responses without a Retry-After in seconds");
        Expect(observer.RetryAttempts == observer.Throttled,
            $"{observer.RetryAttempts} retried requests (Retry-Attempt header) for {observer.Throttled} 429s");
    }
}
