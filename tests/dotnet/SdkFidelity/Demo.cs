using Microsoft.Graph;
using Microsoft.Graph.Models;
using static SdkFidelity.Checks;

namespace SdkFidelity;

/// <summary>
/// The default demo tenant's areas, read as an admin script would and deserialized into the
/// SDK's model types: each must be non-empty and plausible.
/// </summary>
static class Demo
{
    public static async Task Organization(GraphServiceClient client, Sandbox sandbox)
    {
        var orgs = (await client.Organization.GetAsync())?.Value ?? [];
        Expect(orgs.Count == 1, $"{orgs.Count} organizations");
        Expect(orgs[0].Id == sandbox.TenantId, $"organization id {orgs[0].Id}, tenant {sandbox.TenantId}");
        Expect(orgs[0].VerifiedDomains?.Any(d => d.Name == sandbox.Domain && d.IsDefault == true) == true,
            $"{sandbox.Domain} is not a default verified domain");
        var domains = (await client.Domains.GetAsync())?.Value ?? [];
        Expect(domains.Any(d => d.Id == sandbox.Domain && d.IsVerified == true), $"domains lacks verified {sandbox.Domain}");
    }

    public static async Task Devices(GraphServiceClient client)
    {
        var devices = (await client.Devices.GetAsync(r => r.QueryParameters.Top = 999))?.Value ?? [];
        Expect(devices.Count > 0, "no devices");
        Expect(devices.All(d => Guid.TryParse(d.DeviceId, out _) && !string.IsNullOrEmpty(d.OperatingSystem)),
            "a device without a deviceId GUID or operatingSystem");
        Expect(devices.Any(d => d.ApproximateLastSignInDateTime < DateTimeOffset.UtcNow.AddDays(-90)),
            "no stale device (approximateLastSignInDateTime older than 90 days)");
    }

    public static async Task ServicePrincipals(GraphServiceClient client)
    {
        var sps = (await client.ServicePrincipals.GetAsync(r => r.QueryParameters.Top = 999))?.Value ?? [];
        Expect(sps.Count > 0, "no servicePrincipals");
        Expect(sps.All(sp => Guid.TryParse(sp.AppId, out _) && !string.IsNullOrEmpty(sp.DisplayName)), "a servicePrincipal without appId or displayName");
        var withSecrets = sps.Where(sp => sp.PasswordCredentials?.Any(c => c.EndDateTime != null && c.KeyId != null) == true).ToList();
        Expect(withSecrets.Count > 0, "no servicePrincipal has passwordCredentials with an endDateTime");
        Expect(withSecrets.SelectMany(sp => sp.PasswordCredentials!).All(c => string.IsNullOrEmpty(c.SecretText)), "a secretText is readable");
    }

    public static async Task SubscribedSkus(GraphServiceClient client)
    {
        var skus = (await client.SubscribedSkus.GetAsync())?.Value ?? [];
        Expect(skus.Count > 0, "no subscribedSkus");
        Expect(skus.Any(s => s.ConsumedUnits > 0), "no SKU with consumedUnits > 0");
        Expect(skus.All(s => !string.IsNullOrEmpty(s.SkuPartNumber) && s.SkuId != null && s.PrepaidUnits?.Enabled >= 0),
            "a SKU without skuPartNumber, skuId or prepaidUnits");
    }

    public static async Task LicenseDetails(GraphServiceClient client)
    {
        var users = (await client.Users.GetAsync(r =>
        {
            r.QueryParameters.Top = 999;
            r.QueryParameters.Select = ["id", "userPrincipalName", "assignedLicenses"];
        }))?.Value ?? [];
        var licensed = users.FirstOrDefault(u => u.AssignedLicenses?.Count > 0);
        Expect(licensed != null, $"none of {users.Count} users has assignedLicenses");
        var details = (await client.Users[licensed!.Id].LicenseDetails.GetAsync())?.Value ?? [];
        Expect(details.Count == licensed.AssignedLicenses!.Count,
            $"{licensed.UserPrincipalName}: {details.Count} licenseDetails for {licensed.AssignedLicenses.Count} assignedLicenses");
        Expect(details.All(d => licensed.AssignedLicenses.Any(a => a.SkuId == d.SkuId) && !string.IsNullOrEmpty(d.SkuPartNumber)),
            "licenseDetails do not match assignedLicenses");
    }

    public static async Task SignIns(GraphServiceClient client)
    {
        var signIns = (await client.AuditLogs.SignIns.GetAsync(r => r.QueryParameters.Top = 50))?.Value ?? [];
        Expect(signIns.Count > 0, "no signIns");
        Expect(signIns.All(s => s.CreatedDateTime != null && !string.IsNullOrEmpty(s.UserPrincipalName) && s.Status != null),
            "a sign-in without createdDateTime, userPrincipalName or status");
    }

    public static async Task DirectoryAudits(GraphServiceClient client)
    {
        var audits = (await client.AuditLogs.DirectoryAudits.GetAsync(r => r.QueryParameters.Top = 50))?.Value ?? [];
        Expect(audits.Count > 0, "no directoryAudits");
        Expect(audits.All(a => a.ActivityDateTime != null && !string.IsNullOrEmpty(a.ActivityDisplayName) && a.InitiatedBy != null),
            "a directory audit without activityDateTime, activityDisplayName or initiatedBy");
    }

    public static async Task DirectoryRoles(GraphServiceClient client)
    {
        var roles = (await client.DirectoryRoles.GetAsync())?.Value ?? [];
        var admin = roles.FirstOrDefault(r => r.DisplayName == "Global Administrator");
        Expect(admin != null, $"no Global Administrator among {roles.Count} directoryRoles");
        Expect(admin!.RoleTemplateId == "62e90394-69f5-4237-9190-012177145e10", $"Global Administrator roleTemplateId {admin.RoleTemplateId}");
        var members = (await client.DirectoryRoles[admin.Id].Members.GetAsync())?.Value ?? [];
        Expect(members.OfType<User>().Any(), $"Global Administrator has {members.Count} members, no user");
    }

    public static async Task ConditionalAccessPolicies(GraphServiceClient client)
    {
        var policies = (await client.Identity.ConditionalAccess.Policies.GetAsync())?.Value ?? [];
        Expect(policies.Count > 0, "no conditionalAccess policies");
        Expect(policies.All(p => p.State != null && !string.IsNullOrEmpty(p.DisplayName) && p.Conditions != null),
            "a policy without state, displayName or conditions");
    }

    public static async Task ManagedDevices(GraphServiceClient client)
    {
        var devices = (await client.DeviceManagement.ManagedDevices.GetAsync())?.Value ?? [];
        Expect(devices.Count > 0, "no managedDevices");
        Expect(devices.All(d => !string.IsNullOrEmpty(d.DeviceName) && d.ComplianceState != null && d.LastSyncDateTime != null),
            "a managed device without deviceName, complianceState or lastSyncDateTime");
    }

    public static async Task UserRegistrationDetails(GraphServiceClient client)
    {
        var details = (await client.Reports.AuthenticationMethods.UserRegistrationDetails.GetAsync())?.Value ?? [];
        Expect(details.Count > 0, "no userRegistrationDetails");
        Expect(details.All(d => !string.IsNullOrEmpty(d.UserPrincipalName) && d.MethodsRegistered != null),
            "a registration detail without userPrincipalName or methodsRegistered");
        Expect(details.Any(d => d.IsMfaRegistered == true) && details.Any(d => d.IsMfaRegistered == false),
            "isMfaRegistered is not varied");
    }

    public static async Task BitlockerRecoveryKeys(GraphServiceClient client)
    {
        var keys = (await client.InformationProtection.Bitlocker.RecoveryKeys.GetAsync())?.Value ?? [];
        Expect(keys.Count > 0, "no bitlocker recoveryKeys");
        Expect(keys.All(k => Guid.TryParse(k.DeviceId, out _) && k.CreatedDateTime != null), "a recovery key without deviceId or createdDateTime");
    }
}
