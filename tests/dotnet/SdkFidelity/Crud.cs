using Microsoft.Graph;
using Microsoft.Graph.Applications.Item.AddPassword;
using Microsoft.Graph.Applications.Item.RemovePassword;
using Microsoft.Graph.Models;
using static SdkFidelity.Checks;

namespace SdkFidelity;

/// <summary>Create, read, update and delete through the SDK's typed request builders.</summary>
static class Crud
{
    public static async Task GroupLifecycle(GraphServiceClient client)
    {
        var created = await client.Groups.PostAsync(new Group
        {
            DisplayName = "SDK fidelity group",
            Description = "before",
            MailEnabled = false,
            MailNickname = "sdk-fidelity-group",
            SecurityEnabled = true,
        });
        Expect(created?.Id != null && created.CreatedDateTime != null, $"created group {created?.Id} at {created?.CreatedDateTime}");
        Expect(created!.SecurityIdentifier?.StartsWith("S-1-12-1-") == true, $"securityIdentifier {created.SecurityIdentifier}");
        await client.Groups[created.Id].PatchAsync(new Group { Description = "after" });
        var read = await client.Groups[created.Id].GetAsync();
        Expect(read?.Description == "after" && read.DisplayName == created.DisplayName,
            $"after PATCH: description {read?.Description}, displayName {read?.DisplayName}");
        var listed = await client.Groups.GetAsync(r => r.QueryParameters.Filter = "mailNickname eq 'sdk-fidelity-group'");
        Expect(listed?.Value?.SingleOrDefault()?.Id == created.Id, $"$filter on mailNickname found {listed?.Value?.Count}");
        await client.Groups[created.Id].DeleteAsync();
        await ExpectODataError(() => client.Groups[created.Id].GetAsync(), 404, "Request_ResourceNotFound");
    }

    public static async Task ApplicationWithPassword(GraphServiceClient client)
    {
        var app = await client.Applications.PostAsync(new Application
        {
            DisplayName = "SDK fidelity app",
            SignInAudience = "AzureADMyOrg",
        });
        Expect(app?.Id != null && Guid.TryParse(app.AppId, out _), $"created application {app?.Id} appId {app?.AppId}");
        var end = DateTimeOffset.UtcNow.AddDays(30);
        var secret = await client.Applications[app!.Id].AddPassword.PostAsync(new AddPasswordPostRequestBody
        {
            PasswordCredential = new PasswordCredential { DisplayName = "rotation", EndDateTime = end },
        });
        Expect(secret?.KeyId != null && !string.IsNullOrEmpty(secret.SecretText), "addPassword returned no keyId or secretText");
        Expect(secret!.EndDateTime is { } e && Math.Abs((e - end).TotalMinutes) < 1, $"endDateTime {secret.EndDateTime}, asked {end}");
        Expect(secret.Hint != null && secret.SecretText!.StartsWith(secret.Hint), $"hint {secret.Hint} is not the secret's start");

        await client.Applications[app.Id].PatchAsync(new Application { Notes = "patched" });
        var read = await client.Applications[app.Id].GetAsync();
        Expect(read?.Notes == "patched", $"notes after PATCH {read?.Notes}");
        var cred = read!.PasswordCredentials?.SingleOrDefault();
        Expect(cred?.KeyId == secret.KeyId && cred?.DisplayName == "rotation", $"passwordCredentials after addPassword: {read.PasswordCredentials?.Count}");
        Expect(string.IsNullOrEmpty(cred!.SecretText), "secretText is returned on a read (Graph returns it only from addPassword)");

        await client.Applications[app.Id].RemovePassword.PostAsync(new RemovePasswordPostRequestBody { KeyId = secret.KeyId });
        read = await client.Applications[app.Id].GetAsync();
        Expect(read?.PasswordCredentials?.Count == 0, $"{read?.PasswordCredentials?.Count} passwordCredentials after removePassword");

        await client.Applications[app.Id].DeleteAsync();
        await ExpectODataError(() => client.Applications[app.Id].GetAsync(), 404, "Request_ResourceNotFound");
    }

    public static async Task DeviceLifecycle(GraphServiceClient client)
    {
        // Graph registers devices for signed-in users only: an app's POST /devices is refused
        // (Microsoft's permission map: no application permission), so the app works on a
        // device the tenant already has.
        await ExpectODataError(() => client.Devices.PostAsync(new Device
        {
            AccountEnabled = true,
            DisplayName = "SDK-FIDELITY-PC",
            DeviceId = Guid.NewGuid().ToString(),
            OperatingSystem = "Windows",
            OperatingSystemVersion = "10.0.26100.1",
            AlternativeSecurityIds = [new AlternativeSecurityId { Type = 2, Key = System.Text.Encoding.ASCII.GetBytes("base64Y3YxN2E1MWM=") }],
        }), 403, "Authorization_RequestDenied");
        var existing = (await client.Devices.GetAsync(r => r.QueryParameters.Top = 1))?.Value?.FirstOrDefault();
        Expect(existing?.Id != null && existing.DeviceId != null, "the tenant has a device");
        await client.Devices[existing!.Id].PatchAsync(new Device { AccountEnabled = false });
        var read = await client.Devices[existing.Id].GetAsync();
        Expect(read?.AccountEnabled == false && read.OperatingSystem == existing.OperatingSystem,
            $"after PATCH: accountEnabled {read?.AccountEnabled}, operatingSystem {read?.OperatingSystem}");
        var listed = await client.Devices.GetAsync(r => r.QueryParameters.Filter = $"deviceId eq '{existing.DeviceId}'");
        Expect(listed?.Value?.SingleOrDefault()?.Id == existing.Id, $"$filter on deviceId found {listed?.Value?.Count}");
        await client.Devices[existing.Id].DeleteAsync();
        await ExpectODataError(() => client.Devices[existing.Id].GetAsync(), 404, "Request_ResourceNotFound");
    }
}
