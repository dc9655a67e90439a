// Drives the MgGraph sandbox with Microsoft's .NET Graph SDK (Microsoft.Graph) and checks that
// the SDK and the sandbox agree. Started by ../run.sh:
//   SdkFidelity --main FILE --throttled FILE --limited FILE [--demo | --demo-if-served]
// where each FILE holds the line `mggraph-sandbox --json` printed: --main a server started with
// --seed-users 250, --throttled one with --fault-429, --limited one with --rate-limit 20 and
// --seed-users 30 (a burst of 30 reads is about half throttled, then served a second later).
// --demo adds the demo tenant's areas;
// --demo-if-served adds them only when the main server's tenant has devices.
// Prints `ok NAME` or `FAIL NAME: why` per check; the exit code is 1 if any failed.
using SdkFidelity;

string? mainFile = null, throttledFile = null, limitedFile = null;
bool? demo = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--main" when i + 1 < args.Length: mainFile = args[++i]; break;
        case "--throttled" when i + 1 < args.Length: throttledFile = args[++i]; break;
        case "--limited" when i + 1 < args.Length: limitedFile = args[++i]; break;
        case "--demo": demo = true; break;
        case "--demo-if-served": demo = null; break;
        default:
            Console.Error.WriteLine($"error: unknown or incomplete argument '{args[i]}'");
            Console.Error.WriteLine("usage: SdkFidelity --main FILE --throttled FILE --limited FILE [--demo | --demo-if-served]");
            return 2;
    }
}
if (mainFile == null || throttledFile == null || limitedFile == null)
{
    Console.Error.WriteLine("usage: SdkFidelity --main FILE --throttled FILE --limited FILE [--demo | --demo-if-served]");
    return 2;
}

var main = Sandbox.Load(mainFile);
var throttled = Sandbox.Load(throttledFile);
var limited = Sandbox.Load(limitedFile);
var client = main.Client();
var checks = new Checks();

await checks.Run("seed.methodsPolicy", () => SeedWorkflow.MethodsPolicy(client));
await checks.Run("seed.tapOnboarding", () => SeedWorkflow.TapOnboarding(client, main));
await checks.Run("paging.usersPageIterator", () => Paging.UsersPageIterator(client, atLeast: 250));
await checks.Run("batch.mixedSteps", () => Batch.MixedSteps(client));
await checks.Run("errors.missingUser", () => Errors.MissingUser(client));
await checks.Run("errors.invalidFilter", () => Errors.InvalidFilter(client));
await checks.Run("errors.userWithoutPasswordProfile", () => Errors.UserWithoutPasswordProfile(client, main));
await checks.Run("errors.duplicateUserPrincipalName", () => Errors.DuplicateUserPrincipalName(client, main));
await checks.Run("throttling.retryHandlerAbsorbs429", () => Throttling.RetryHandlerAbsorbs429(throttled));
await checks.Run("throttling.retryHandlerWaitsOutTheBudget", () => Throttling.RetryHandlerWaitsOutTheBudget(limited, users: 30));
await checks.Run("crud.group", () => Crud.GroupLifecycle(client));
await checks.Run("crud.applicationWithPassword", () => Crud.ApplicationWithPassword(client));
await checks.Run("crud.device", () => Crud.DeviceLifecycle(client));
if (demo == null)
{
    var devices = await client.Devices.GetAsync(r => r.QueryParameters.Top = 1);
    demo = devices?.Value?.Count > 0;
    if (demo == false)
    {
        Console.WriteLine("note: the tenant serves no devices: the demo tenant's checks are skipped");
    }
}
if (demo == true)
{
    await checks.Run("demo.organization", () => Demo.Organization(client, main));
    await checks.Run("demo.devices", () => Demo.Devices(client));
    await checks.Run("demo.servicePrincipals", () => Demo.ServicePrincipals(client));
    await checks.Run("demo.subscribedSkus", () => Demo.SubscribedSkus(client));
    await checks.Run("demo.licenseDetails", () => Demo.LicenseDetails(client));
    await checks.Run("demo.signIns", () => Demo.SignIns(client));
    await checks.Run("demo.directoryAudits", () => Demo.DirectoryAudits(client));
    await checks.Run("demo.directoryRoles", () => Demo.DirectoryRoles(client));
    await checks.Run("demo.conditionalAccessPolicies", () => Demo.ConditionalAccessPolicies(client));
    await checks.Run("demo.managedDevices", () => Demo.ManagedDevices(client));
    await checks.Run("demo.userRegistrationDetails", () => Demo.UserRegistrationDetails(client));
    await checks.Run("demo.bitlockerRecoveryKeys", () => Demo.BitlockerRecoveryKeys(client));
}

Console.WriteLine($"{checks.Passed} passed, {checks.Failed} failed");
return checks.Failed == 0 ? 0 : 1;
