using System.Net;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions.Serialization;
using static SdkFidelity.Checks;

namespace SdkFidelity;

/// <summary>JSON batching through BatchRequestContentCollection (split into $batch requests of 20 steps).</summary>
static class Batch
{
    public static async Task MixedSteps(GraphServiceClient client)
    {
        var users = (await client.Users.GetAsync(r => r.QueryParameters.Top = 22))?.Value ?? [];
        Expect(users.Count == 22, $"setup: {users.Count} users");

        var batch = new BatchRequestContentCollection(client);
        var userSteps = new Dictionary<string, string>();
        foreach (var u in users)
        {
            userSteps[await batch.AddBatchRequestStepAsync(client.Users[u.Id].ToGetRequestInformation())] = u.Id!;
        }
        var policyStep = await batch.AddBatchRequestStepAsync(client.Policies.AuthenticationMethodsPolicy.ToGetRequestInformation());
        var missingStep = await batch.AddBatchRequestStepAsync(client.Users[Guid.NewGuid().ToString()].ToGetRequestInformation());
        var createStep = await batch.AddBatchRequestStepAsync(client.Groups.ToPostRequestInformation(new Group
        {
            DisplayName = "Created in a batch",
            MailEnabled = false,
            MailNickname = "batch-created",
            SecurityEnabled = true,
        }));

        var response = await client.Batch.PostAsync(batch);
        var statuses = await response.GetResponsesStatusCodesAsync();
        Expect(statuses.Count == users.Count + 3, $"{statuses.Count} step responses for {users.Count + 3} steps");
        foreach (var (step, id) in userSteps)
        {
            Expect(statuses[step] == HttpStatusCode.OK, $"GET users/{id}: {statuses[step]}");
            var user = await response.GetResponseByIdAsync<User>(step);
            Expect(user?.Id == id, $"step {step} returned user {user?.Id}, expected {id}");
        }
        Expect(statuses[policyStep] == HttpStatusCode.OK, $"GET authenticationMethodsPolicy: {statuses[policyStep]}");
        var policy = await response.GetResponseByIdAsync<AuthenticationMethodsPolicy>(policyStep);
        Expect(policy?.AuthenticationMethodConfigurations?.OfType<TemporaryAccessPassAuthenticationMethodConfiguration>().Any() == true,
            "policy step: no TemporaryAccessPass configuration");
        Expect(statuses[missingStep] == HttpStatusCode.NotFound, $"GET of a missing user: {statuses[missingStep]}");
        // Typed, a failed step is the SDK's ServiceException with the step's status; its body is
        // Graph's error.
        try
        {
            await response.GetResponseByIdAsync<User>(missingStep);
            throw new CheckFailed("the missing user's step deserialized as a user");
        }
        catch (ServiceException e)
        {
            Expect(e.ResponseStatusCode == 404, $"the failed step's ServiceException has status {e.ResponseStatusCode}");
        }
        using var raw = await response.GetResponseByIdAsync(missingStep);
        var error = await KiotaJsonSerializer.DeserializeAsync(await raw.Content.ReadAsStringAsync(), ODataError.CreateFromDiscriminatorValue);
        Expect(error?.Error?.Code == "Request_ResourceNotFound", $"the failed step's error code {error?.Error?.Code}");
        Expect(statuses[createStep] == HttpStatusCode.Created, $"POST groups: {statuses[createStep]}");
        var group = await response.GetResponseByIdAsync<Group>(createStep);
        Expect(group?.Id != null && group.DisplayName == "Created in a batch", $"created group {group?.Id} {group?.DisplayName}");
        var stored = await client.Groups[group!.Id].GetAsync();
        Expect(stored?.MailNickname == "batch-created", $"the batch-created group reads back as {stored?.MailNickname}");
        await client.Groups[group.Id].DeleteAsync();
    }
}
