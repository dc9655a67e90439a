using Microsoft.Graph;
using Microsoft.Graph.Models;
using static SdkFidelity.Checks;

namespace SdkFidelity;

/// <summary>Graph's errors as the SDK surfaces them: ODataError with status, code and message.</summary>
static class Errors
{
    public static async Task MissingUser(GraphServiceClient client)
    {
        var id = Guid.NewGuid().ToString();
        var e = await ExpectODataError(() => client.Users[id].GetAsync(), 404, "Request_ResourceNotFound");
        Expect(e.Error?.Message?.Contains(id) == true, $"message does not name the id: {e.Error?.Message}");
        Expect(e.Error?.InnerError?.AdditionalData.ContainsKey("request-id") == true || e.Error?.InnerError?.RequestId != null,
            "innerError has no request-id");
    }

    public static async Task InvalidFilter(GraphServiceClient client)
    {
        var e = await ExpectODataError(
            () => client.Users.GetAsync(r => r.QueryParameters.Filter = "displayName eq"), 400, "Request_BadRequest");
        Expect(e.Error?.Message?.StartsWith("Invalid filter clause") == true, $"message: {e.Error?.Message}");
    }

    public static async Task UserWithoutPasswordProfile(GraphServiceClient client, Sandbox sandbox)
    {
        var e = await ExpectODataError(() => client.Users.PostAsync(new User
        {
            AccountEnabled = true,
            DisplayName = "No Password",
            MailNickname = "nopassword",
            UserPrincipalName = $"nopassword@{sandbox.Domain}",
        }), 400, "Request_BadRequest");
        Expect(e.Error?.Message?.Contains("passwordProfile") == true, $"message does not name passwordProfile: {e.Error?.Message}");
        var found = await client.Users.GetAsync(r => r.QueryParameters.Filter = $"userPrincipalName eq 'nopassword@{sandbox.Domain}'");
        Expect(found?.Value?.Count == 0, "the rejected user was created");
    }

    public static async Task DuplicateUserPrincipalName(GraphServiceClient client, Sandbox sandbox)
    {
        var e = await ExpectODataError(() => client.Users.PostAsync(new User
        {
            AccountEnabled = true,
            DisplayName = "Duplicate",
            MailNickname = "duplicate-admin",
            UserPrincipalName = $"admin@{sandbox.Domain}",
            PasswordProfile = new PasswordProfile { Password = "xWwvJ]6NMw+bWH-d", ForceChangePasswordNextSignIn = true },
        }), 400, "Request_BadRequest");
        Expect(e.Error?.Message?.Contains("userPrincipalName") == true, $"message does not name userPrincipalName: {e.Error?.Message}");
    }
}
