//! The Microsoft Graph PowerShell SDK's module identity: the release MgGraph's SDK-named modules
//! stand for and each module's GUID, so that modules and scripts which pin the SDK by name,
//! version and GUID (`RequiredModules = @{ ModuleName = 'Microsoft.Graph.Users'; GUID = ...;
//! ModuleVersion = '2.27.0' }`, `#Requires -Modules`, `Import-Module -MinimumVersion`) load
//! MgGraph's modules. MgGraph's own version (`crate::VERSION`) stays its own; only the
//! SDK-named manifests carry [`SDK_VERSION`] and [`guid`].
//!
//! # Where the GUIDs come from
//!
//! A GUID is [`Origin::Published`] when it was read from the SDK's own published manifests:
//!
//! * the module manifests msgraph-sdk-powershell keeps in its repository,
//!   `src/<Module>/v1.0/Microsoft.Graph.<Module>.psd1` and
//!   `src/<Module>/beta/Microsoft.Graph.Beta.<Module>.psd1` (the signed manifests of the
//!   releases, 2.1.0-2.9.0; `GUID = '...'`);
//! * the SDK's module tests that pin them (`It 'Should lock GUID'`, e.g.
//!   `Microsoft.Graph.Users`, `.Sites`, `.Reports`, `.Applications`, `.Identity.SignIns`,
//!   `.Authentication`);
//! * the manifests of the PowerShell Gallery packages (`Microsoft.Graph.Users.Functions`
//!   2.28.0/2.29.0, `Microsoft.Graph.BackupRestore` 2.23.0-2.28.0,
//!   `Microsoft.Graph.Beta.BackupRestore` 2.25.0/2.29.0, `Microsoft.Graph.Users` 2.0.0-preview2);
//! * published modules that pin them and therefore import only with them (the `RequiredModules`
//!   of GraphEssentials 0.0.53 for 2.25.0; `#Requires -Module @{ ...; Guid = ... }` scripts);
//!   each agrees with the SDK sources where both exist;
//! * the meta-modules' hand-maintained manifests, `src/Graph/v1.0/Microsoft.Graph.psd1` and
//!   `src/Graph/beta/Microsoft.Graph.Beta.psd1`.
//!
//! The SDK has kept each module's GUID since msgraph-sdk-powershell PR #1358 (2022, closing
//! #1140, "different GUIDs for each release"): the build reuses the existing manifest's GUID, so
//! a GUID read from any 2.x release is the one 2.35.0 ships.
//!
//! The `Module Guid:` headers of the reference documentation (MicrosoftDocs/
//! microsoftgraph-docs-powershell module pages) are *not* the published GUIDs: those pages are
//! rendered from a documentation build whose manifests get fresh GUIDs (the docs say
//! `b1f2ead6-...` for `Microsoft.Graph.Users`, the gallery package is `71150504-...`). They are
//! not used.
//!
//! Every row is published today: the last 44 (most `Microsoft.Graph.Beta.*` modules and twelve
//! v1.0 ones such as `.Education`, `.Notes`, `.Search`) were read from the signed manifests above
//! as the repository held them at the 2.1.0, 2.4.0, 2.5.0 and 2.9.0 releases (`GUID = '...'`
//! under `src/<Module>/beta/` and `src/<Module>/v1.0/`); the same manifests give the rows read
//! earlier from other sources (`Microsoft.Graph.Beta.Users`, `83531713-...`), so they are the
//! same series.
//!
//! A module whose published manifest was not read has an [`Origin::Derived`] GUID: a name-based
//! UUID (version 5, URL namespace, `https://www.powershellgallery.com/packages/<Module>`), stable
//! and unique, so its manifest is valid, but a script pinning that module by the SDK's GUID
//! does not load it until the row is replaced by the published one (read `GUID = '...'` from
//! the manifest paths above). [`is_published`] tells them apart.
//!
//! # Which release
//!
//! [`SDK_VERSION`] is 2.35.0, the release that followed the reference material the catalog is
//! checked against (the cmdlet names of the SDK's module pages dated 2026-01-30; 2.34.0 shipped
//! in December 2025, 2.35.0 on 2026-01-31, with the same names). Modules built on the SDK pin
//! minimum versions (`2.8.0`, `2.27.0`; Microsoft's Zero Trust Assessment `2.35.0` for
//! `Microsoft.Graph.Authentication` and `Microsoft.Graph.Beta.Teams`), and 2.34.0 failed the
//! newest of them.
//!
//! # Refreshing
//!
//! When the catalog's metadata and the reference name list move to a newer SDK release, move
//! [`SDK_VERSION`] to that release. The GUIDs do not move with releases; a module the SDK adds
//! needs a row (the test `every_generated_module_has_a_guid` fails until it has one), read from
//! its published manifest, or derived until then.

/// The SDK release the SDK-named modules stand for (their `ModuleVersion`).
pub const SDK_VERSION: &str = "2.35.0";

/// Where a GUID comes from (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The SDK's published module GUID.
    Published,
    /// A name-based GUID standing in until the published one is read.
    Derived,
}
use Origin::Published;

/// The modules' GUIDs, sorted by module name.
#[rustfmt::skip]
static GUIDS: &[(&str, &str, Origin)] = &[
    ("Microsoft.Graph",                                       "fceec1eb-c2e8-4b2b-a120-0fab3f0d7b47", Published),
    ("Microsoft.Graph.Applications",                          "467f54f2-44a8-4993-8e75-b96c3e443098", Published),
    ("Microsoft.Graph.Authentication",                        "883916f2-9184-46ee-b1f8-b6a2fb784cee", Published),
    ("Microsoft.Graph.BackupRestore",                         "a891fdeb-65dd-4a27-b9e2-a4b617ad6d2e", Published),
    ("Microsoft.Graph.Beta",                                  "27260379-8df6-41d8-a3ca-067cb8f3ae5d", Published),
    ("Microsoft.Graph.Beta.Applications",                     "fae868a9-cfb4-4875-82ce-3954ba828375", Published),
    ("Microsoft.Graph.Beta.BackupRestore",                    "69b0b44f-d549-438a-a070-1e473c1823db", Published),
    ("Microsoft.Graph.Beta.Bookings",                         "6590187a-86e9-40ce-9e6c-7ed5e88a7979", Published),
    ("Microsoft.Graph.Beta.Calendar",                         "eda98b12-4552-4447-ba9b-8f51cdc715df", Published),
    ("Microsoft.Graph.Beta.ChangeNotifications",              "1265385f-29cb-43a3-849c-cd49dcc7f783", Published),
    ("Microsoft.Graph.Beta.CloudCommunications",              "f07aeb05-f355-4116-a587-f725d4797aa2", Published),
    ("Microsoft.Graph.Beta.Compliance",                       "c9a78269-1b8d-4e3e-aa56-9acda0555753", Published),
    ("Microsoft.Graph.Beta.CrossDeviceExperiences",           "292e8ddf-b97f-4c33-908c-16f3d732c771", Published),
    ("Microsoft.Graph.Beta.DeviceManagement",                 "e28788e6-ed86-49a3-9355-6f0045bd3647", Published),
    ("Microsoft.Graph.Beta.DeviceManagement.Administration",  "f8226707-c93a-43bd-9b8e-a76900f762bd", Published),
    ("Microsoft.Graph.Beta.DeviceManagement.Enrollment",      "f1430cdd-e7c8-4cb3-af1c-4267717fc906", Published),
    ("Microsoft.Graph.Beta.DeviceManagement.Functions",       "a629509a-ebee-475b-aa2d-5201c47a425c", Published),
    ("Microsoft.Graph.Beta.Devices.CloudPrint",               "e8ca1faa-96b4-465b-a704-854b64e58526", Published),
    ("Microsoft.Graph.Beta.Devices.CorporateManagement",      "ebbf4df4-1be0-458b-a73c-6204060e5c3e", Published),
    ("Microsoft.Graph.Beta.Devices.ServiceAnnouncement",      "22317fb0-f305-44b0-a696-5806cf8041fb", Published),
    ("Microsoft.Graph.Beta.DirectoryObjects",                 "04e6b0d9-0f86-4cf4-8442-53b5ae59b27a", Published),
    ("Microsoft.Graph.Beta.Education",                        "b6135e28-227c-4153-b124-1de938936ef7", Published),
    ("Microsoft.Graph.Beta.Files",                            "d6278476-f9b5-4d1e-909c-110aff851952", Published),
    ("Microsoft.Graph.Beta.Groups",                           "f649f9ce-177f-4d86-80c3-5bcb120aa9cc", Published),
    ("Microsoft.Graph.Beta.Identity.DirectoryManagement",     "ddc572b3-dfd0-4f8b-9f70-bd50b8298164", Published),
    ("Microsoft.Graph.Beta.Identity.Governance",              "8e808470-ff01-4270-a111-2339cdce072c", Published),
    ("Microsoft.Graph.Beta.Identity.Partner",                 "1525dc26-296e-4bdc-93d0-76c21a870001", Published),
    ("Microsoft.Graph.Beta.Identity.SignIns",                 "45b83c44-a0bb-4061-8393-a4fa6ec7af48", Published),
    ("Microsoft.Graph.Beta.Mail",                             "2f8e5786-cf46-4a5f-9e57-f2b6d9d9ab6f", Published),
    ("Microsoft.Graph.Beta.Notes",                            "dfba33b1-0baf-47e5-9deb-4f381cdd48e7", Published),
    ("Microsoft.Graph.Beta.People",                           "10ea63e0-7df8-4603-94f3-15b70dc5495f", Published),
    ("Microsoft.Graph.Beta.PersonalContacts",                 "44387617-1017-4a69-bd37-7def067fd7cd", Published),
    ("Microsoft.Graph.Beta.Planner",                          "847f19b7-09d1-41e3-8ece-42850194b241", Published),
    ("Microsoft.Graph.Beta.Reports",                          "51fa7a02-1099-4183-b155-e14ffb788a3c", Published),
    ("Microsoft.Graph.Beta.SchemaExtensions",                 "6625a98f-7661-41b4-83a6-94cff49180fb", Published),
    ("Microsoft.Graph.Beta.Search",                           "218d60fa-638d-404f-b7f0-592c63bac4bb", Published),
    ("Microsoft.Graph.Beta.Security",                         "987c645b-9ff9-4398-8963-19739c27f5c3", Published),
    ("Microsoft.Graph.Beta.Sites",                            "7587c600-0c13-4efa-bc56-869a6245ef96", Published),
    ("Microsoft.Graph.Beta.Teams",                            "e264919d-7ae2-4a89-ba8b-524bd93ddc08", Published),
    ("Microsoft.Graph.Beta.Users",                            "83531713-d218-476b-a4f0-53a357475dfb", Published),
    ("Microsoft.Graph.Beta.Users.Actions",                    "1f5a9e1d-7b62-410d-8541-b56b33a7d63a", Published),
    ("Microsoft.Graph.Beta.Users.Functions",                  "83409d1d-810b-4b22-9cae-40d2614f4ba5", Published),
    ("Microsoft.Graph.Bookings",                              "3933ee00-59a9-4541-92dc-cd99621de956", Published),
    ("Microsoft.Graph.Calendar",                              "bf2ee476-ae5b-4a53-9fa8-943f3a49bf93", Published),
    ("Microsoft.Graph.ChangeNotifications",                   "531019c5-a24f-4b88-9bf0-7e656a836aee", Published),
    ("Microsoft.Graph.CloudCommunications",                   "2c67fc60-8c99-463f-9b0c-8a70e4623246", Published),
    ("Microsoft.Graph.Compliance",                            "7478368f-6e69-4d5a-a06d-07ae47a87ec4", Published),
    ("Microsoft.Graph.CrossDeviceExperiences",                "75b297a1-ea4a-42b4-8a11-eb7999e23bae", Published),
    ("Microsoft.Graph.DeviceManagement",                      "4131557d-8635-4903-9cfd-d59ddef4a597", Published),
    ("Microsoft.Graph.DeviceManagement.Administration",       "32b02ba6-c992-4ded-a37e-71bbf8274995", Published),
    ("Microsoft.Graph.DeviceManagement.Enrollment",           "cb05f22d-85cd-4b42-b99c-b713e0b9fbd3", Published),
    ("Microsoft.Graph.DeviceManagement.Functions",            "a4ee7646-1105-456f-ae3b-1ce5d0e246ef", Published),
    ("Microsoft.Graph.Devices.CloudPrint",                    "1920dbbe-772a-4def-84b5-f89857768fe5", Published),
    ("Microsoft.Graph.Devices.CorporateManagement",           "39dbb3bc-1a84-424a-9efe-683be70a1810", Published),
    ("Microsoft.Graph.Devices.ServiceAnnouncement",           "a4787a14-44bc-45c7-910b-13749e92ed7a", Published),
    ("Microsoft.Graph.DirectoryObjects",                      "1eb03725-fa8a-4169-b3d5-d04fafd9ac50", Published),
    ("Microsoft.Graph.Education",                             "c413b855-1538-4f43-80a9-cb453e059e8a", Published),
    ("Microsoft.Graph.Files",                                 "45ddab16-496a-4ef0-ac17-dbf0f93494d3", Published),
    ("Microsoft.Graph.Groups",                                "50bc9e18-e281-4208-8913-c9e1bef6083d", Published),
    ("Microsoft.Graph.Identity.DirectoryManagement",          "c767240d-585c-42cb-bb2f-6e76e6d639d4", Published),
    ("Microsoft.Graph.Identity.Governance",                   "530fc574-049c-42cc-810e-8835853204b7", Published),
    ("Microsoft.Graph.Identity.Partner",                      "05459198-f597-434f-a0df-684aa9e24f69", Published),
    ("Microsoft.Graph.Identity.SignIns",                      "60f889fa-f873-43ad-b7d3-b7fc1273a44f", Published),
    ("Microsoft.Graph.Mail",                                  "6e4d36b5-7ff2-454b-8572-674b3ab0362b", Published),
    ("Microsoft.Graph.Notes",                                 "21a6a116-6d91-49d3-a034-45218f5b5e72", Published),
    ("Microsoft.Graph.People",                                "c084d1b1-7ed4-45c3-a9b8-9b531f789082", Published),
    ("Microsoft.Graph.PersonalContacts",                      "a53e24d0-43dd-43ec-950e-7ac40ea986fc", Published),
    ("Microsoft.Graph.Planner",                               "580b1826-770a-4cde-8389-8d058d508b17", Published),
    ("Microsoft.Graph.Reports",                               "0bfc88b7-a8ad-471a-8c86-5f0aa3c84217", Published),
    ("Microsoft.Graph.SchemaExtensions",                      "fd6bc590-0f4b-4644-baf0-a816bf40616e", Published),
    ("Microsoft.Graph.Search",                                "23722595-b623-452f-bafa-f436a7dbbff9", Published),
    ("Microsoft.Graph.Security",                              "06b0769e-2c63-4d60-9fb4-9ca0ec87e0d7", Published),
    ("Microsoft.Graph.Sites",                                 "7ae8c25b-f1dd-466d-a022-b5489f919c70", Published),
    ("Microsoft.Graph.Teams",                                 "f8619bb2-8640-4d8d-baf5-0829db98fbe2", Published),
    ("Microsoft.Graph.Users",                                 "71150504-37a3-48c6-82c7-7a00a12168db", Published),
    ("Microsoft.Graph.Users.Actions",                         "86213a25-bec4-4d70-8793-58670c62686f", Published),
    ("Microsoft.Graph.Users.Functions",                       "f70ed487-0599-49d9-8341-505163fa40dc", Published),
];

/// The GUID of a module (`Microsoft.Graph.Users`, `Microsoft.Graph.Beta.Users`,
/// `Microsoft.Graph`, ...), ignoring case: the SDK's published one where known, else a derived
/// one ([`is_published`]); `None` for a name the SDK does not publish.
pub fn guid(module: &str) -> Option<&'static str> {
    row(module).map(|(_, g, _)| *g)
}

/// Whether [`guid`] is the SDK's published GUID of the module.
pub fn is_published(module: &str) -> bool {
    row(module).is_some_and(|(_, _, o)| *o == Published)
}

fn row(module: &str) -> Option<&'static (&'static str, &'static str, Origin)> {
    GUIDS
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(module))
}

/// Every module the table knows, with its GUID and where that comes from.
pub fn modules() -> &'static [(&'static str, &'static str, Origin)] {
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
        assert!(missing.is_empty(), "modules without a GUID: {missing:?}");
    }

    #[test]
    fn guids_are_well_formed_unique_and_sorted() {
        let mut seen = std::collections::HashSet::new();
        for (name, g, _) in GUIDS {
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
    fn derived_guids_are_name_based_version_5() {
        for (name, g, origin) in GUIDS {
            // Version nibble 5 and the RFC 4122 variant for derived rows.
            let version = g.as_bytes()[14];
            let variant = g.as_bytes()[19];
            if *origin == Origin::Derived {
                assert_eq!(version, b'5', "{name}: {g}");
                assert!(matches!(variant, b'8' | b'9' | b'a' | b'b'), "{name}: {g}");
            }
        }
    }

    #[test]
    fn known_identities() {
        let published = |m: &str, g: &str| {
            assert_eq!(guid(m), Some(g), "{m}");
            assert!(is_published(m), "{m}");
        };
        // Hand-written, the same since 1.x (#1140).
        published(
            "Microsoft.Graph.Authentication",
            "883916f2-9184-46ee-b1f8-b6a2fb784cee",
        );
        // The signed manifest, the SDK's lock test and the gallery package agree.
        published(
            "microsoft.graph.users",
            "71150504-37a3-48c6-82c7-7a00a12168db",
        );
        published(
            "Microsoft.Graph.Groups",
            "50bc9e18-e281-4208-8913-c9e1bef6083d",
        );
        published("Microsoft.Graph", "fceec1eb-c2e8-4b2b-a120-0fab3f0d7b47");
        published(
            "Microsoft.Graph.Beta",
            "27260379-8df6-41d8-a3ca-067cb8f3ae5d",
        );
        // Read from the SDK's signed beta and v1.0 manifests (2.1.0-2.9.0).
        published(
            "Microsoft.Graph.Beta.Applications",
            "fae868a9-cfb4-4875-82ce-3954ba828375",
        );
        published(
            "Microsoft.Graph.Beta.Identity.SignIns",
            "45b83c44-a0bb-4061-8393-a4fa6ec7af48",
        );
        published(
            "Microsoft.Graph.Search",
            "23722595-b623-452f-bafa-f436a7dbbff9",
        );
        assert_eq!(guid("Microsoft.Graph.NoSuchModule"), None);
        assert!(!is_published("Microsoft.Graph.NoSuchModule"));
        // The v1.0 modules scripts pin most are published ones.
        for m in [
            "Applications",
            "Calendar",
            "DeviceManagement",
            "Files",
            "Groups",
            "Identity.DirectoryManagement",
            "Identity.Governance",
            "Identity.SignIns",
            "Mail",
            "Reports",
            "Security",
            "Sites",
            "Teams",
            "Users",
            "Users.Actions",
            "Users.Functions",
        ] {
            assert!(is_published(&format!("Microsoft.Graph.{m}")), "{m}");
        }
        let v: Vec<u32> = SDK_VERSION.split('.').map(|p| p.parse().unwrap()).collect();
        assert_eq!(v.len(), 3);
        assert!(
            v[0] == 2 && v[1] >= 27,
            "satisfies the 2.25/2.27 pins scripts use"
        );
    }
}
