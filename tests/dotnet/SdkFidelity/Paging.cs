using Microsoft.Graph;
using Microsoft.Graph.Models;
using static SdkFidelity.Checks;

namespace SdkFidelity;

/// <summary>Server-driven paging through the SDK's PageIterator, against $count.</summary>
static class Paging
{
    public static async Task UsersPageIterator(GraphServiceClient client, int atLeast)
    {
        const int pageSize = 50;
        var first = await client.Users.GetAsync(r =>
        {
            r.QueryParameters.Top = pageSize;
            r.QueryParameters.Count = true;
            r.QueryParameters.Select = ["id", "userPrincipalName"];
            r.Headers.Add("ConsistencyLevel", "eventual");
        });
        Expect(first?.Value?.Count == pageSize, $"first page has {first?.Value?.Count} users, $top was {pageSize}");
        Expect(first!.OdataNextLink != null, "first page has no @odata.nextLink");
        Expect(first.OdataCount is long n && n >= atLeast, $"@odata.count {first.OdataCount}, expected at least {atLeast}");

        var seen = new Dictionary<string, int>();
        var iterator = PageIterator<User, UserCollectionResponse>.CreatePageIterator(client, first, user =>
        {
            var id = user.Id ?? "(null)";
            seen[id] = seen.GetValueOrDefault(id) + 1;
            return true;
        }, request =>
        {
            request.Headers.Add("ConsistencyLevel", "eventual");
            return request;
        });
        await iterator.IterateAsync();
        Expect(iterator.State == PagingState.Complete, $"iterator state {iterator.State}");
        var repeated = seen.Where(kv => kv.Value != 1).Select(kv => $"{kv.Key} x{kv.Value}").ToList();
        Expect(repeated.Count == 0, $"users seen more than once: {string.Join(", ", repeated.Take(5))}");
        Expect(!seen.ContainsKey("(null)"), "a user without id");
        Expect(seen.Count == first.OdataCount, $"iterated {seen.Count} users, @odata.count says {first.OdataCount}");

        // The /$count segment agrees (advanced query: ConsistencyLevel eventual).
        var count = await client.Users.Count.GetAsync(r => r.Headers.Add("ConsistencyLevel", "eventual"));
        Expect(count == seen.Count, $"users/$count {count}, iterated {seen.Count}");
    }
}
