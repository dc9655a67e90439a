using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace SdkFidelity;

/// <summary>
/// One running sandbox server, from the line <c>mggraph-sandbox --json</c> prints: its base URL,
/// tenant and the automation app's client credentials.
/// </summary>
sealed class Sandbox
{
    public required Uri BaseUrl { get; init; }
    public required string TenantId { get; init; }
    public required string ClientId { get; init; }
    public required string ClientSecret { get; init; }
    public required string Domain { get; init; }

    /// <summary>Reads the connection line the server wrote to <paramref name="path"/>.</summary>
    public static Sandbox Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadLines(path).First());
        var root = doc.RootElement;
        string Field(string name) =>
            root.TryGetProperty(name, out var v) && v.GetString() is { Length: > 0 } s
                ? s
                : throw new InvalidDataException($"{path}: the sandbox's --json line has no '{name}'");
        return new Sandbox
        {
            BaseUrl = new Uri(Field("baseUrl")),
            TenantId = Field("tenantId"),
            ClientId = Field("clientId"),
            ClientSecret = Field("clientSecret"),
            Domain = Field("domain"),
        };
    }

    /// <summary>
    /// A GraphServiceClient on the sandbox's /v1.0, with the SDK's default middleware (retry,
    /// redirect, ...) and, innermost, <paramref name="observer"/> if given, which sees every raw
    /// response the server sends (retries included).
    /// </summary>
    public GraphServiceClient Client(DelegatingHandler? observer = null)
    {
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        if (observer != null)
        {
            handlers.Add(observer);
        }
        var http = GraphClientFactory.Create(handlers);
        var auth = new BaseBearerTokenAuthenticationProvider(new SandboxTokenProvider(this));
        return new GraphServiceClient(http, auth, new Uri(BaseUrl, "/v1.0").ToString());
    }

    /// <summary>The server's own counters (GET /_sandbox/stats, no authentication).</summary>
    public async Task<JsonElement> StatsAsync()
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(BaseUrl, "/_sandbox/stats"));
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>An access token by client credentials from the sandbox's token endpoint.</summary>
    public async Task<string> TokenAsync(CancellationToken cancel)
    {
        using var http = new HttpClient();
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
            ["scope"] = "https://graph.microsoft.com/.default",
        });
        var endpoint = new Uri(BaseUrl, $"/{TenantId}/oauth2/v2.0/token");
        using var response = await http.PostAsync(endpoint, form, cancel);
        var body = await response.Content.ReadAsStringAsync(cancel);
        if (!response.IsSuccessStatusCode)
        {
            // The body is an AAD error (no secret in it); the request is not echoed.
            throw new InvalidOperationException($"token endpoint answered {(int)response.StatusCode}: {body}");
        }
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("access_token").GetString()
            ?? throw new InvalidDataException("token response without access_token");
    }

    /// <summary>
    /// Azure.Identity's credentials refuse an http authority, so the SDK gets its token from this
    /// small provider instead; it is cached for the run (the sandbox's tokens last an hour).
    /// </summary>
    sealed class SandboxTokenProvider(Sandbox sandbox) : IAccessTokenProvider
    {
        readonly SemaphoreSlim gate = new(1, 1);
        string? token;

        public AllowedHostsValidator AllowedHostsValidator { get; } = new([sandbox.BaseUrl.Host]);

        public async Task<string> GetAuthorizationTokenAsync(
            Uri uri,
            Dictionary<string, object>? additionalAuthenticationContext = null,
            CancellationToken cancellationToken = default)
        {
            // Tokens go only to the sandbox's own origin (the validator compares hosts, not ports).
            if (!AllowedHostsValidator.IsUrlHostValid(uri) || uri.Authority != sandbox.BaseUrl.Authority)
            {
                return string.Empty;
            }
            await gate.WaitAsync(cancellationToken);
            try
            {
                return token ??= await sandbox.TokenAsync(cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }
    }
}

/// <summary>
/// Sits below the SDK's RetryHandler: counts the 429 responses the server sends (and those
/// without a Retry-After in seconds) and the retried requests (with a Retry-Attempt header).
/// </summary>
sealed class ThrottleObserver : DelegatingHandler
{
    int throttled;
    int withoutRetryAfter;
    int retryAttempts;
    public int Throttled => throttled;
    public int WithoutRetryAfter => withoutRetryAfter;
    public int RetryAttempts => retryAttempts;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Contains("Retry-Attempt"))
        {
            Interlocked.Increment(ref retryAttempts);
        }
        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode == 429)
        {
            Interlocked.Increment(ref throttled);
            if (response.Headers.RetryAfter is not RetryConditionHeaderValue { Delta: not null })
            {
                Interlocked.Increment(ref withoutRetryAfter);
            }
        }
        return response;
    }
}
