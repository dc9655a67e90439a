namespace SdkFidelity;

/// <summary>A check's expectation that did not hold.</summary>
sealed class CheckFailed(string message) : Exception(message);

/// <summary>Runs named checks, prints <c>ok NAME</c> or <c>FAIL NAME: why</c>, and counts failures.</summary>
sealed class Checks
{
    public int Passed { get; private set; }
    public int Failed { get; private set; }

    public async Task Run(string name, Func<Task> check)
    {
        try
        {
            await check();
            Passed++;
            Console.WriteLine($"ok {name}");
        }
        catch (Exception e)
        {
            Failed++;
            Console.WriteLine($"FAIL {name}: {Describe(e)}");
        }
    }

    static string Describe(Exception e) => e switch
    {
        CheckFailed f => f.Message,
        Microsoft.Graph.Models.ODataErrors.ODataError o =>
            $"ODataError {o.ResponseStatusCode} {o.Error?.Code}: {o.Error?.Message}",
        _ => e.ToString(),
    };

    /// <summary>Fails the running check with <paramref name="why"/> unless <paramref name="condition"/>.</summary>
    public static void Expect(bool condition, string why)
    {
        if (!condition)
        {
            throw new CheckFailed(why);
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/>, which must fail with <paramref name="status"/> and Graph's error
    /// <paramref name="code"/> (any code when null).
    /// </summary>
    public static async Task<Microsoft.Graph.Models.ODataErrors.ODataError> ExpectODataError(
        Func<Task> call, int status, string? code)
    {
        try
        {
            await call();
        }
        catch (Microsoft.Graph.Models.ODataErrors.ODataError e)
        {
            Expect(e.ResponseStatusCode == status, $"expected status {status}, got {e.ResponseStatusCode} ({e.Error?.Code}: {e.Error?.Message})");
            Expect(code == null || e.Error?.Code == code, $"expected error code {code}, got {e.Error?.Code} ({e.Error?.Message})");
            return e;
        }
        throw new CheckFailed($"expected {status} {code}, the call succeeded");
    }
}
