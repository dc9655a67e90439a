using Microsoft.Graph;
using Microsoft.Graph.Models;
using static SdkFidelity.Checks;

namespace SdkFidelity;

/// <summary>
/// The seed workflow (../shared/seed): enable Temporary Access Pass for one group only, then
/// issue a pass to a member, read it back, list the user's methods and delete the pass.
/// </summary>
static class SeedWorkflow
{
    public static async Task MethodsPolicy(GraphServiceClient client)
    {
        var policy = await client.Policies.AuthenticationMethodsPolicy.GetAsync();
        Expect(policy?.Id == "authenticationMethodsPolicy", $"policy id {policy?.Id}");
        var configs = policy!.AuthenticationMethodConfigurations ?? [];
        var tap = configs.OfType<TemporaryAccessPassAuthenticationMethodConfiguration>().SingleOrDefault();
        Expect(tap != null,
            $"no TemporaryAccessPassAuthenticationMethodConfiguration among {string.Join(", ", configs.Select(c => c.GetType().Name + ":" + c.Id))}");
        Expect(tap!.Id == "TemporaryAccessPass", $"TAP configuration id {tap.Id}");
        Expect(tap.DefaultLifetimeInMinutes is > 0 && tap.MinimumLifetimeInMinutes <= tap.DefaultLifetimeInMinutes
               && tap.DefaultLifetimeInMinutes <= tap.MaximumLifetimeInMinutes,
            $"TAP lifetimes min {tap.MinimumLifetimeInMinutes} default {tap.DefaultLifetimeInMinutes} max {tap.MaximumLifetimeInMinutes}");
        Expect(configs.OfType<Fido2AuthenticationMethodConfiguration>().Any(), "no Fido2AuthenticationMethodConfiguration");
        var single = await client.Policies.AuthenticationMethodsPolicy.AuthenticationMethodConfigurations["TemporaryAccessPass"].GetAsync();
        Expect(single is TemporaryAccessPassAuthenticationMethodConfiguration, $"configuration by id is {single?.GetType().Name}");
    }

    public static async Task TapOnboarding(GraphServiceClient client, Sandbox sandbox)
    {
        var upn = $"seed000001@{sandbox.Domain}";
        var user = await client.Users[upn].GetAsync();
        Expect(user?.Id != null && user.UserPrincipalName == upn, $"user by UPN: {user?.UserPrincipalName}");
        var found = await client.Users.GetAsync(r => r.QueryParameters.Filter = $"userPrincipalName eq '{upn}'");
        Expect(found?.Value?.Count == 1 && found.Value[0].Id == user!.Id, $"$filter on userPrincipalName found {found?.Value?.Count}");

        var configs = client.Policies.AuthenticationMethodsPolicy.AuthenticationMethodConfigurations;
        var before = (TemporaryAccessPassAuthenticationMethodConfiguration)(await configs["TemporaryAccessPass"].GetAsync())!;
        var group = await client.Groups.PostAsync(new Group
        {
            DisplayName = "TAP pilot (SDK fidelity)",
            MailEnabled = false,
            MailNickname = "tap-pilot-sdk",
            SecurityEnabled = true,
        });
        try
        {
            // TAP for this group only.
            await configs["TemporaryAccessPass"].PatchAsync(new TemporaryAccessPassAuthenticationMethodConfiguration
            {
                State = AuthenticationMethodState.Enabled,
                IncludeTargets = [new AuthenticationMethodTarget { Id = group!.Id, TargetType = AuthenticationMethodTargetType.Group }],
            });
            var after = (TemporaryAccessPassAuthenticationMethodConfiguration)(await configs["TemporaryAccessPass"].GetAsync())!;
            Expect(after.State == AuthenticationMethodState.Enabled, $"policy state after PATCH {after.State}");
            Expect(after.IncludeTargets?.Count == 1 && after.IncludeTargets[0].Id == group.Id,
                $"includeTargets after PATCH: {string.Join(",", after.IncludeTargets?.Select(t => t.Id) ?? [])}");

            var taps = client.Users[user!.Id].Authentication.TemporaryAccessPassMethods;
            // A new body per request: the SDK's backing store sends only what changed since an
            // object was last serialized.
            static TemporaryAccessPassAuthenticationMethod Request() =>
                new() { IsUsableOnce = true, StartDateTime = DateTimeOffset.UtcNow, LifetimeInMinutes = 60 };
            // Not yet a member: the policy does not cover the user.
            await ExpectODataError(() => taps.PostAsync(Request()), 400, "badRequest");

            await client.Groups[group.Id].Members.Ref.PostAsync(new ReferenceCreate
            {
                OdataId = $"{sandbox.BaseUrl.ToString().TrimEnd('/')}/v1.0/directoryObjects/{user.Id}",
            });
            var created = await taps.PostAsync(Request());
            Expect(created?.Id != null, "created TAP has no id");
            Expect(!string.IsNullOrEmpty(created!.TemporaryAccessPass), "the pass is not returned at creation");
            Expect(created.IsUsableOnce == true && created.LifetimeInMinutes == 60, $"isUsableOnce {created.IsUsableOnce} lifetime {created.LifetimeInMinutes}");
            Expect(created.IsUsable == true && created.MethodUsabilityReason == "EnabledByPolicy",
                $"isUsable {created.IsUsable} reason {created.MethodUsabilityReason}");
            Expect(created.CreatedDateTime is { } c && Math.Abs((DateTimeOffset.UtcNow - c).TotalMinutes) < 10, $"createdDateTime {created.CreatedDateTime}");

            var read = await taps[created.Id].GetAsync();
            Expect(read?.Id == created.Id, $"read back id {read?.Id}");
            Expect(string.IsNullOrEmpty(read!.TemporaryAccessPass), "the pass is returned on a read (Graph returns it only at creation)");
            Expect(read.StartDateTime == created.StartDateTime, $"startDateTime {read.StartDateTime} vs {created.StartDateTime}");

            var methods = (await client.Users[user.Id].Authentication.Methods.GetAsync())?.Value ?? [];
            var kinds = string.Join(", ", methods.Select(m => m.GetType().Name));
            Expect(methods.OfType<PasswordAuthenticationMethod>().Any(), $"no password method among {kinds}");
            Expect(methods.OfType<TemporaryAccessPassAuthenticationMethod>().Any(m => m.Id == created.Id), $"the TAP is not among {kinds}");
            var listed = (await taps.GetAsync())?.Value ?? [];
            Expect(listed.Count == 1 && listed[0].Id == created.Id, $"temporaryAccessPassMethods lists {listed.Count}");

            await taps[created.Id].DeleteAsync();
            var remaining = (await client.Users[user.Id].Authentication.Methods.GetAsync())?.Value ?? [];
            Expect(!remaining.OfType<TemporaryAccessPassAuthenticationMethod>().Any(), "the TAP is still listed after DELETE");
            await ExpectODataError(() => taps[created.Id].GetAsync(), 404, null);
        }
        finally
        {
            await configs["TemporaryAccessPass"].PatchAsync(new TemporaryAccessPassAuthenticationMethodConfiguration
            {
                State = before.State,
                IncludeTargets = before.IncludeTargets,
            });
            await client.Groups[group!.Id].DeleteAsync();
        }
    }
}
