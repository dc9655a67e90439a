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
//! a GUID read from any 2.x release is the one 2.34.0 ships.
//!
//! The `Module Guid:` headers of the reference documentation (MicrosoftDocs/
//! microsoftgraph-docs-powershell module pages) are *not* the published GUIDs: those pages are
//! rendered from a documentation build whose manifests get fresh GUIDs (the docs say
//! `b1f2ead6-...` for `Microsoft.Graph.Users`, the gallery package is `71150504-...`). They are
//! not used.
//!
//! A module whose published manifest was not read has an [`Origin::Derived`] GUID: a name-based
//! UUID (version 5, URL namespace, `https://www.powershellgallery.com/packages/<Module>`), stable
//! and unique, so its manifest is valid, but a script pinning that module by the SDK's GUID
//! does not load it until the row is replaced by the published one (read `GUID = '...'` from
//! the manifest paths above). [`is_published`] tells them apart.
//!
//! # Which release
//!
//! [`SDK_VERSION`] is 2.34.0: the release current when the reference material the catalog is
//! checked against was taken (the cmdlet names of the SDK's module pages dated 2026-01-30;
//! 2.34.0 shipped in December 2025, 2.35.0 on 2026-01-31). It satisfies the minimum versions
//! real scripts pin (`2.25.0`, `2.27.0`, `2.x`).
//!
//! # Refreshing
//!
//! When the catalog's metadata and the reference name list move to a newer SDK release, move
//! [`SDK_VERSION`] to that release. The GUIDs do not move with releases; a module the SDK adds
//! needs a row (the test `every_generated_module_has_a_guid` fails until it has one), read from
//! its published manifest, or derived until then.

/// The SDK release the SDK-named modules stand for (their `ModuleVersion`).
pub const SDK_VERSION: &str = "2.34.0";

/// Where a GUID comes from (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The SDK's published module GUID.
    Published,
    /// A name-based GUID standing in until the published one is read.
    Derived,
}
use Origin::{Derived, Published};

/// The modules' GUIDs, sorted by module name.
#[rustfmt::skip]
static GUIDS: &[(&str, &str, Origin)] = &[
    ("Microsoft.Graph",                                       "fceec1eb-c2e8-4b2b-a120-0fab3f0d7b47", Published),
    ("Microsoft.Graph.Applications",                          "467f54f2-44a8-4993-8e75-b96c3e443098", Published),
    ("Microsoft.Graph.Authentication",                        "883916f2-9184-46ee-b1f8-b6a2fb784cee", Published),
    ("Microsoft.Graph.BackupRestore",                         "a891fdeb-65dd-4a27-b9e2-a4b617ad6d2e", Published),
    ("Microsoft.Graph.Beta",                                  "27260379-8df6-41d8-a3ca-067cb8f3ae5d", Published),
    ("Microsoft.Graph.Beta.Applications",                     "b648b84d-8b51-5ec6-a74e-10956512a651", Derived),
    ("Microsoft.Graph.Beta.BackupRestore",                    "69b0b44f-d549-438a-a070-1e473c1823db", Published),
    ("Microsoft.Graph.Beta.Bookings",                         "beba1b08-52ec-5cc0-8d7d-8e381d3e625f", Derived),
    ("Microsoft.Graph.Beta.Calendar",                         "ce9db245-1043-5d03-b8b5-f41421cd113f", Derived),
    ("Microsoft.Graph.Beta.ChangeNotifications",              "616821db-a535-5910-b99c-f3d9c7ad07df", Derived),
    ("Microsoft.Graph.Beta.CloudCommunications",              "13f3517e-860b-57f4-b255-501ec2ea4a9a", Derived),
    ("Microsoft.Graph.Beta.Compliance",                       "973c5e2a-a959-5d05-a752-498c7e61556c", Derived),
    ("Microsoft.Graph.Beta.CrossDeviceExperiences",           "0fbb299f-dac4-5b5f-b577-0b61594f8a4e", Derived),
    ("Microsoft.Graph.Beta.DeviceManagement",                 "e85578df-0c9a-52f0-838a-f993d310f96c", Derived),
    ("Microsoft.Graph.Beta.DeviceManagement.Administration",  "55c0de7c-e627-5768-bc37-eef1b29ba026", Derived),
    ("Microsoft.Graph.Beta.DeviceManagement.Enrollment",      "f98e3916-a223-5031-9030-34405224f761", Derived),
    ("Microsoft.Graph.Beta.DeviceManagement.Functions",       "d77e7b96-d8ff-573c-9a0c-bad7c86a2845", Derived),
    ("Microsoft.Graph.Beta.Devices.CloudPrint",               "830ba0e8-e5af-50d8-b706-ed0885a5c469", Derived),
    ("Microsoft.Graph.Beta.Devices.CorporateManagement",      "9608db57-d7e0-5310-a3f9-99b3c9f8ca86", Derived),
    ("Microsoft.Graph.Beta.Devices.ServiceAnnouncement",      "0534f9e1-2883-5cd4-93f0-62ff2eb8b530", Derived),
    ("Microsoft.Graph.Beta.DirectoryObjects",                 "769b3f08-7ea7-57ab-b9ff-001ced864c53", Derived),
    ("Microsoft.Graph.Beta.Education",                        "9b7aec2e-a625-5173-829b-7c02ee367ed1", Derived),
    ("Microsoft.Graph.Beta.Files",                            "cfc82abf-d7d7-521b-b44a-8cb5fd9b9346", Derived),
    ("Microsoft.Graph.Beta.Groups",                           "f649f9ce-177f-4d86-80c3-5bcb120aa9cc", Published),
    ("Microsoft.Graph.Beta.Identity.DirectoryManagement",     "97f00dac-25c4-5446-bbdb-a0827088fc21", Derived),
    ("Microsoft.Graph.Beta.Identity.Governance",              "e844ac73-a405-5d64-994e-5ebda667095e", Derived),
    ("Microsoft.Graph.Beta.Identity.Partner",                 "2b303eee-c32e-5375-b1a4-15a2d376de2c", Derived),
    ("Microsoft.Graph.Beta.Identity.SignIns",                 "dc4798a4-13c0-57c4-a594-fef672635445", Derived),
    ("Microsoft.Graph.Beta.Mail",                             "bd99bfa2-12d8-54cb-b135-a22f2f1f75cf", Derived),
    ("Microsoft.Graph.Beta.Notes",                            "ae2c69bf-0742-5bbe-8c5c-b451fb42f6d9", Derived),
    ("Microsoft.Graph.Beta.People",                           "8169cf97-99a8-5169-8d14-ee80e4a372ad", Derived),
    ("Microsoft.Graph.Beta.PersonalContacts",                 "6f89b4d2-a227-5271-a2de-456a52b31dd0", Derived),
    ("Microsoft.Graph.Beta.Planner",                          "8d8f31d2-e52b-5548-9f60-4414b9f8a052", Derived),
    ("Microsoft.Graph.Beta.Reports",                          "51fa7a02-1099-4183-b155-e14ffb788a3c", Published),
    ("Microsoft.Graph.Beta.SchemaExtensions",                 "f3cb7062-c3e0-5fe5-b71a-1ae35afeeeb8", Derived),
    ("Microsoft.Graph.Beta.Search",                           "5e01bd75-dd15-5c46-acc7-2f0dd0dc6159", Derived),
    ("Microsoft.Graph.Beta.Security",                         "987c645b-9ff9-4398-8963-19739c27f5c3", Published),
    ("Microsoft.Graph.Beta.Sites",                            "8f6776c2-f296-56f7-bdfe-0963021655fd", Derived),
    ("Microsoft.Graph.Beta.Teams",                            "aaddc3b0-c6dc-52ab-8291-3e13fd828842", Derived),
    ("Microsoft.Graph.Beta.Users",                            "83531713-d218-476b-a4f0-53a357475dfb", Published),
    ("Microsoft.Graph.Beta.Users.Actions",                    "44624e0d-c72e-5e7a-8e2e-2ff2514ea725", Derived),
    ("Microsoft.Graph.Beta.Users.Functions",                  "a173924d-6714-5d4f-8a7a-fe69596a342f", Derived),
    ("Microsoft.Graph.Bookings",                              "3933ee00-59a9-4541-92dc-cd99621de956", Published),
    ("Microsoft.Graph.Calendar",                              "bf2ee476-ae5b-4a53-9fa8-943f3a49bf93", Published),
    ("Microsoft.Graph.ChangeNotifications",                   "531019c5-a24f-4b88-9bf0-7e656a836aee", Published),
    ("Microsoft.Graph.CloudCommunications",                   "2c67fc60-8c99-463f-9b0c-8a70e4623246", Published),
    ("Microsoft.Graph.Compliance",                            "7478368f-6e69-4d5a-a06d-07ae47a87ec4", Published),
    ("Microsoft.Graph.CrossDeviceExperiences",                "7c846e21-1470-506a-a7f8-ce15600b24d6", Derived),
    ("Microsoft.Graph.DeviceManagement",                      "4131557d-8635-4903-9cfd-d59ddef4a597", Published),
    ("Microsoft.Graph.DeviceManagement.Administration",       "e92d8c72-34ed-55aa-ae22-5f22852cc15d", Derived),
    ("Microsoft.Graph.DeviceManagement.Enrollment",           "cb05f22d-85cd-4b42-b99c-b713e0b9fbd3", Published),
    ("Microsoft.Graph.DeviceManagement.Functions",            "9b5d1399-3175-5a02-94ad-d691a3211b04", Derived),
    ("Microsoft.Graph.Devices.CloudPrint",                    "dd2b8607-a00f-502c-8fb0-15c92ffd9482", Derived),
    ("Microsoft.Graph.Devices.CorporateManagement",           "70964362-7ad9-5b79-8f15-cc8ee2ac6776", Derived),
    ("Microsoft.Graph.Devices.ServiceAnnouncement",           "127dfc96-317b-5393-bf06-ac164291440d", Derived),
    ("Microsoft.Graph.DirectoryObjects",                      "1eb03725-fa8a-4169-b3d5-d04fafd9ac50", Published),
    ("Microsoft.Graph.Education",                             "67ba03c1-5038-51de-a108-d10b25c4a20e", Derived),
    ("Microsoft.Graph.Files",                                 "45ddab16-496a-4ef0-ac17-dbf0f93494d3", Published),
    ("Microsoft.Graph.Groups",                                "50bc9e18-e281-4208-8913-c9e1bef6083d", Published),
    ("Microsoft.Graph.Identity.DirectoryManagement",          "c767240d-585c-42cb-bb2f-6e76e6d639d4", Published),
    ("Microsoft.Graph.Identity.Governance",                   "530fc574-049c-42cc-810e-8835853204b7", Published),
    ("Microsoft.Graph.Identity.Partner",                      "29571458-faaf-5c9a-bd2d-aa03d43a8e7f", Derived),
    ("Microsoft.Graph.Identity.SignIns",                      "60f889fa-f873-43ad-b7d3-b7fc1273a44f", Published),
    ("Microsoft.Graph.Mail",                                  "6e4d36b5-7ff2-454b-8572-674b3ab0362b", Published),
    ("Microsoft.Graph.Notes",                                 "daf9198a-32bd-5869-b025-743ba4df1936", Derived),
    ("Microsoft.Graph.People",                                "4424dc82-cc9f-5e72-841a-5583da16e31e", Derived),
    ("Microsoft.Graph.PersonalContacts",                      "a53e24d0-43dd-43ec-950e-7ac40ea986fc", Published),
    ("Microsoft.Graph.Planner",                               "580b1826-770a-4cde-8389-8d058d508b17", Published),
    ("Microsoft.Graph.Reports",                               "0bfc88b7-a8ad-471a-8c86-5f0aa3c84217", Published),
    ("Microsoft.Graph.SchemaExtensions",                      "d28e2e75-db93-56c7-a82b-33a3dc0832db", Derived),
    ("Microsoft.Graph.Search",                                "6d764f2e-55e1-5838-a581-b182d4d7fc21", Derived),
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
            if *origin == Derived {
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
