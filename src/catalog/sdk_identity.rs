//! The Microsoft Graph PowerShell SDK's module identity: the release MgGraph's SDK-named modules
//! stand for and each module's GUID, so that modules and scripts which pin the SDK by name,
//! version and GUID (`RequiredModules = @{ ModuleName = 'Microsoft.Graph.Users'; GUID = ...;
//! ModuleVersion = '2.27.0' }`, `#Requires -Modules`, `Import-Module -MinimumVersion`) load
//! MgGraph's modules. MgGraph's own version (`crate::VERSION`) stays its own; only the
//! SDK-named manifests carry [`SDK_VERSION`] and [`guid`].
//!
//! # Where the data comes from
//!
//! * Every `Microsoft.Graph.*` and `Microsoft.Graph.Beta.*` service module, and
//!   `Microsoft.Graph.Authentication`: the `Module Guid:` header of the module's landing page in
//!   the SDK's published reference documentation, `MicrosoftDocs/microsoftgraph-docs-powershell`,
//!   `microsoftgraph/graph-powershell-{1.0,beta}/<Module>/<Module>.md`, at commit `0007010`
//!   (pages dated 2026-01-30). PlatyPS writes that header from the imported module's manifest,
//!   so it is the GUID of the module the pages document. It is the same snapshot the reference
//!   name list (`../shared/reference/sdk-cmdlets.tsv`) and the naming tests use.
//!   `Microsoft.Graph.Beta.CloudCommunications` was read at that repository's commit `00c1a08`
//!   (its page is not stored at `0007010`). The SDK has locked its GUIDs since
//!   msgraph-sdk-powershell PR #1358 (2022, closing #1140: "different GUIDs for each release");
//!   the Authentication GUID below is the one #1140 reports as fixed since 1.x.
//! * The meta-modules `Microsoft.Graph` and `Microsoft.Graph.Beta`: their hand-maintained
//!   manifests in msgraph-sdk-powershell, `src/Graph/v1.0/Microsoft.Graph.psd1` and
//!   `src/Graph/beta/Microsoft.Graph.Beta.psd1`.
//!
//! Module documentation generated inside a local SDK build (`src/<Module>/<v>/docs/*.md` in the
//! SDK repository and its forks) shows other GUIDs: a local build without the published
//! manifest gets a fresh one. Those are not the published identity and are not used here.
//!
//! # Which release
//!
//! [`SDK_VERSION`] is 2.34.0: the release current when the reference documentation above was
//! published (2.34.0 shipped in December 2025 and was still current in January 2026; 2.35
//! followed), i.e. the release whose cmdlet names, modules and GUIDs the catalog is checked
//! against. It satisfies the minimum versions real scripts pin (`2.25.0`, `2.27.0`, `2.x`).
//!
//! # Refreshing
//!
//! When the catalog's metadata and the reference name list move to a newer SDK release, move
//! [`SDK_VERSION`] to that release and re-read the landing pages of the same documentation
//! commit: the GUIDs are locked and should not change, but a module the SDK adds (a new
//! `Microsoft.Graph.*` service module) needs its row here; the test
//! `every_generated_module_has_a_guid` fails until it has one.

/// The SDK release the SDK-named modules stand for (their `ModuleVersion`).
pub const SDK_VERSION: &str = "2.34.0";

/// The SDK's module GUIDs, sorted by module name.
#[rustfmt::skip]
static GUIDS: &[(&str, &str)] = &[
    ("Microsoft.Graph", "fceec1eb-c2e8-4b2b-a120-0fab3f0d7b47"),
    ("Microsoft.Graph.Applications", "73fc21f3-97be-4638-a2da-c6f9db81f6bb"),
    ("Microsoft.Graph.Authentication", "883916f2-9184-46ee-b1f8-b6a2fb784cee"),
    ("Microsoft.Graph.BackupRestore", "2e6d97e5-4a31-4282-805d-0a5823311980"),
    ("Microsoft.Graph.Beta", "27260379-8df6-41d8-a3ca-067cb8f3ae5d"),
    ("Microsoft.Graph.Beta.Applications", "aaff4e38-ce3d-459a-ac9b-627c8c98222a"),
    ("Microsoft.Graph.Beta.BackupRestore", "ca5f5434-35c4-4316-bbbd-42e52f3e8fab"),
    ("Microsoft.Graph.Beta.Bookings", "2de97ee1-ad41-4f96-8023-39b29309c812"),
    ("Microsoft.Graph.Beta.Calendar", "aca4e31a-6c5a-496e-9710-cf403712123c"),
    ("Microsoft.Graph.Beta.ChangeNotifications", "86480071-2d2f-4530-973f-7aa6cfe6792f"),
    ("Microsoft.Graph.Beta.CloudCommunications", "9549f219-2b6a-49dd-80e1-b28eeaf8df7a"),
    ("Microsoft.Graph.Beta.Compliance", "19b93f13-1fa6-4468-b966-23281e22a131"),
    ("Microsoft.Graph.Beta.CrossDeviceExperiences", "f27c66ab-8e7b-4fbb-815d-3dc82e1b137a"),
    ("Microsoft.Graph.Beta.DeviceManagement", "c9b52647-63e2-4433-bf6a-d4ff4194b0f2"),
    ("Microsoft.Graph.Beta.DeviceManagement.Administration", "4d3f2f30-6d8a-4d19-9780-625e3cb31c42"),
    ("Microsoft.Graph.Beta.DeviceManagement.Enrollment", "6f8c76bb-8fee-4ed8-a3a3-21a8352b6439"),
    ("Microsoft.Graph.Beta.DeviceManagement.Functions", "775b62c0-066f-4f02-86f1-afbdc4aa9351"),
    ("Microsoft.Graph.Beta.Devices.CloudPrint", "3d51f2c3-4f20-4926-8535-afe41a56399c"),
    ("Microsoft.Graph.Beta.Devices.CorporateManagement", "814fc004-4814-4dfb-9d45-8df6ac1ce7a4"),
    ("Microsoft.Graph.Beta.Devices.ServiceAnnouncement", "747114ed-0861-40ac-9ab0-9220496f6222"),
    ("Microsoft.Graph.Beta.DirectoryObjects", "17ea0e2f-230c-4706-924f-bef4331ea812"),
    ("Microsoft.Graph.Beta.Education", "ca7f60d7-01a8-4839-9da8-0e2506a354a3"),
    ("Microsoft.Graph.Beta.Files", "c79822ba-9f08-4b3d-b588-098d72064efd"),
    ("Microsoft.Graph.Beta.Groups", "75dec80b-0bb8-4c34-b4cf-11a2c19112fb"),
    ("Microsoft.Graph.Beta.Identity.DirectoryManagement", "2315effa-a71c-41b5-87bc-13aac9984ce4"),
    ("Microsoft.Graph.Beta.Identity.Governance", "d86c8bc3-31d9-4f6c-8e59-d868670a9940"),
    ("Microsoft.Graph.Beta.Identity.Partner", "5a1e1a65-b800-4942-b46f-283f30276e5a"),
    ("Microsoft.Graph.Beta.Identity.SignIns", "0bbaaa1f-e16f-494f-a2c2-c1ae1b0bd694"),
    ("Microsoft.Graph.Beta.Mail", "6cfa07cc-0b7d-4770-8ad1-8bf02c880478"),
    ("Microsoft.Graph.Beta.Notes", "69497339-7f83-42f5-aa5c-ed619d0c68cb"),
    ("Microsoft.Graph.Beta.People", "fd5dfc7e-5b5c-4eb5-a2c6-f31d617f973c"),
    ("Microsoft.Graph.Beta.PersonalContacts", "cc3cc28d-6d87-45b3-a885-faa00edc8cec"),
    ("Microsoft.Graph.Beta.Planner", "9001a773-420b-44dc-8314-7e248aa34f75"),
    ("Microsoft.Graph.Beta.Reports", "2471cb56-8653-469a-aa46-3d5ac9849071"),
    ("Microsoft.Graph.Beta.SchemaExtensions", "0504b410-3d53-425c-be94-8de129f3ffd8"),
    ("Microsoft.Graph.Beta.Search", "cd63a6f3-9da7-4c31-86d0-0291cb5b2624"),
    ("Microsoft.Graph.Beta.Security", "e23d2514-4380-48df-aafe-aed6a83ee08e"),
    ("Microsoft.Graph.Beta.Sites", "cffda1c6-4347-49d3-9d1e-a150f5cb5f52"),
    ("Microsoft.Graph.Beta.Teams", "7d2f98ed-92c0-42e0-85bd-367463b2277b"),
    ("Microsoft.Graph.Beta.Users", "8baf1357-2c1a-457d-a3ef-be9775cc7cca"),
    ("Microsoft.Graph.Beta.Users.Actions", "09a93b9e-f1ec-4c0d-be59-5e2039d578d9"),
    ("Microsoft.Graph.Beta.Users.Functions", "06fa1247-a938-470e-af35-68bad4f1af5f"),
    ("Microsoft.Graph.Bookings", "fc995060-3a5a-43f5-8cb1-39b6bc5d9806"),
    ("Microsoft.Graph.Calendar", "3d4dcc24-236a-4515-8022-d27e63a8629c"),
    ("Microsoft.Graph.ChangeNotifications", "47f44f0a-0b89-49fc-917f-d508eb003f08"),
    ("Microsoft.Graph.CloudCommunications", "ca30ac28-4370-4292-bc04-924ad3d3a9bf"),
    ("Microsoft.Graph.Compliance", "732b2e1d-789f-461d-a49b-f40251f2cb36"),
    ("Microsoft.Graph.CrossDeviceExperiences", "db782954-b71d-42a2-b4c5-1c375b4c2b95"),
    ("Microsoft.Graph.DeviceManagement", "78926163-9cd0-4fda-ab54-c6b13920eb52"),
    ("Microsoft.Graph.DeviceManagement.Administration", "2fabc664-4081-4191-95a6-d45ed9188374"),
    ("Microsoft.Graph.DeviceManagement.Enrollment", "a4a1f2c0-a0af-4999-a260-bc073e92bbf4"),
    ("Microsoft.Graph.DeviceManagement.Functions", "179f6677-89f6-4e02-a1fb-56bfbb3711f8"),
    ("Microsoft.Graph.Devices.CloudPrint", "327be0d1-766e-493e-89fc-9ed2278d1437"),
    ("Microsoft.Graph.Devices.CorporateManagement", "4188dc4e-8242-42a0-b93b-332937be77a8"),
    ("Microsoft.Graph.Devices.ServiceAnnouncement", "b832d27d-c891-49e0-abde-6a4e3c0a638a"),
    ("Microsoft.Graph.DirectoryObjects", "81bbbd87-9b2d-410b-950f-466b25fe30d3"),
    ("Microsoft.Graph.Education", "1c2b2698-cad8-4734-be1c-6223b80b312a"),
    ("Microsoft.Graph.Files", "3f4987ea-5b11-407c-9d34-d49de5daf90a"),
    ("Microsoft.Graph.Groups", "ed7681b3-6de4-4268-a4d6-d328bd9a9c3c"),
    ("Microsoft.Graph.Identity.DirectoryManagement", "0f39d32f-a73a-4df2-98b5-4ce913077413"),
    ("Microsoft.Graph.Identity.Governance", "eefeb5e6-af7f-4857-8f65-9850f144384c"),
    ("Microsoft.Graph.Identity.Partner", "aa7ebca0-4688-41ab-b9c5-a0c7171cd46c"),
    ("Microsoft.Graph.Identity.SignIns", "11405e8a-6438-4f08-92f0-c736578e56cb"),
    ("Microsoft.Graph.Mail", "75919cf3-fe18-4c03-a9dc-d6da5e0eac8c"),
    ("Microsoft.Graph.Notes", "5a6b9856-f7b7-4c03-a39e-53134dd07eed"),
    ("Microsoft.Graph.People", "b706f1d7-55fe-4a65-a412-583b4bfeb620"),
    ("Microsoft.Graph.PersonalContacts", "05c74609-8ea0-46ba-a878-06104f335cc2"),
    ("Microsoft.Graph.Planner", "e00f930a-a43c-4e10-bb54-b518b4aec44b"),
    ("Microsoft.Graph.Reports", "085a3ca0-3daf-48b9-9575-8d6decffe021"),
    ("Microsoft.Graph.SchemaExtensions", "4647a8f4-5369-4023-b1ac-879cf68f3e71"),
    ("Microsoft.Graph.Search", "187cc830-cd57-4408-9a3b-e25d934db6a6"),
    ("Microsoft.Graph.Security", "6551fbf3-3793-48c4-8d85-1f11eeb55909"),
    ("Microsoft.Graph.Sites", "cf792465-472f-4cea-be32-87246aadfa4e"),
    ("Microsoft.Graph.Teams", "4b1d5a3e-639a-4f12-87b2-96d874e74d7c"),
    ("Microsoft.Graph.Users", "b1f2ead6-e263-4639-95fe-9d6267ace41c"),
    ("Microsoft.Graph.Users.Actions", "0626f512-7c53-44e8-b0c2-95f806f08b2b"),
    ("Microsoft.Graph.Users.Functions", "0b7b3d3d-a8c7-4345-9a3b-23318d114210"),
];

/// The SDK's GUID of a module (`Microsoft.Graph.Users`, `Microsoft.Graph.Beta.Users`,
/// `Microsoft.Graph`, ...), ignoring case; `None` for a name the SDK does not publish.
pub fn guid(module: &str) -> Option<&'static str> {
    GUIDS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(module))
        .map(|(_, g)| *g)
}

/// Every module the table knows, with its GUID.
pub fn modules() -> &'static [(&'static str, &'static str)] {
    GUIDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_module_has_a_guid() {
        let mut missing = vec![];
        for module in crate::catalog::modules::sdk_modules().keys() {
            if guid(module).is_none() {
                missing.push(module.clone());
            }
        }
        for m in [
            "Microsoft.Graph",
            "Microsoft.Graph.Beta",
            "Microsoft.Graph.Authentication",
        ] {
            if guid(m).is_none() {
                missing.push(m.to_string());
            }
        }
        assert!(
            missing.is_empty(),
            "modules without the SDK's GUID: {missing:?}"
        );
    }

    #[test]
    fn guids_are_well_formed_unique_and_sorted() {
        let mut seen = std::collections::HashSet::new();
        for (name, g) in GUIDS {
            assert!(name.starts_with("Microsoft.Graph"), "{name}");
            let parts: Vec<&str> = g.split('-').collect();
            let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
            assert_eq!(lens, [8, 4, 4, 4, 12], "{name}: {g}");
            assert!(
                g.chars()
                    .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
                "{name}: {g}"
            );
            assert!(seen.insert(*g), "{name}: duplicate GUID {g}");
        }
        assert!(GUIDS.windows(2).all(|w| w[0].0 < w[1].0), "sorted by name");
    }

    #[test]
    fn known_identities() {
        assert_eq!(
            guid("Microsoft.Graph.Authentication"),
            Some("883916f2-9184-46ee-b1f8-b6a2fb784cee")
        );
        assert_eq!(
            guid("microsoft.graph.users"),
            Some("b1f2ead6-e263-4639-95fe-9d6267ace41c")
        );
        assert_eq!(
            guid("Microsoft.Graph"),
            Some("fceec1eb-c2e8-4b2b-a120-0fab3f0d7b47")
        );
        assert_eq!(guid("Microsoft.Graph.NoSuchModule"), None);
        let v: Vec<u32> = SDK_VERSION.split('.').map(|p| p.parse().unwrap()).collect();
        assert_eq!(v.len(), 3);
        assert!(
            v[0] == 2 && v[1] >= 27,
            "satisfies the 2.25/2.27 pins scripts use"
        );
    }
}
