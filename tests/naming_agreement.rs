//! Agreement of the generated cmdlet names with the SDK's (issue 9 item 2): every operation
//! the conversion exposes for the v1.0 CSDL is named, and the names are compared with the rows
//! of `sdk-cmdlets.tsv` for the v1.0 modules that file lists in full. Prints the agreement per
//! module and overall and every miss; fails below 98 %.
//!
//! Recall: TSV names generated in the right module, over TSV names in those modules. Excluded:
//! Microsoft.Graph.Authentication (hand-written, not generated), and rows the TSV marks as not
//! on the 2026-01 module pages (older or newer releases, e.g. SDK example files).
#![cfg(feature = "codegen")]

use mggraph::generator::csdl::Schema;
use mggraph::generator::{naming, paths};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The v1.0 modules the TSV lists in full (its header), Authentication excepted.
const COMPLETE: &[&str] = &[
    "Microsoft.Graph.Users",
    "Microsoft.Graph.Users.Actions",
    "Microsoft.Graph.Users.Functions",
    "Microsoft.Graph.Groups",
    "Microsoft.Graph.Applications",
    "Microsoft.Graph.Identity.SignIns",
    "Microsoft.Graph.Identity.DirectoryManagement",
    "Microsoft.Graph.Reports",
    "Microsoft.Graph.Mail",
    "Microsoft.Graph.Calendar",
];

fn reference(name: &str) -> String {
    let path = format!("{}/../shared/reference/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn generated_names_agree_with_the_sdk() {
    let schema = Schema::parse(&reference("graph-metadata/v1.0.csdl.xml")).expect("CSDL parses");
    let ops = paths::operations(&schema).expect("operations");
    let named = naming::name_all(&ops);

    // Generated: cmdlet → modules (case-insensitive names, as PowerShell resolves them).
    let mut generated: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut spelled: HashMap<String, String> = HashMap::new();
    for n in named.iter().flatten() {
        generated
            .entry(n.cmdlet.to_ascii_lowercase())
            .or_default()
            .insert(n.module.clone());
        spelled
            .entry(n.cmdlet.to_ascii_lowercase())
            .or_insert_with(|| n.cmdlet.clone());
    }

    let tsv = reference("sdk-cmdlets.tsv");
    let mut per_module: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses: Vec<String> = Vec::new();
    let mut case_only = Vec::new();
    for line in tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("cmdlet\t"))
    {
        let f: Vec<&str> = line.split('\t').collect();
        let (cmdlet, module, api) = (f[0], f[1], f.get(2).copied().unwrap_or(""));
        if api != "v1.0"
            || !COMPLETE.contains(&module)
            || line.contains("not on the 2026-01")
            || line.contains("docs module page lists")
        {
            continue;
        }
        let entry = per_module
            .entry(
                COMPLETE
                    .iter()
                    .find(|m| **m == module)
                    .copied()
                    .unwrap_or(""),
            )
            .or_default();
        entry.1 += 1;
        let key = cmdlet.to_ascii_lowercase();
        match generated.get(&key) {
            Some(mods) if mods.contains(module) => {
                entry.0 += 1;
                if spelled[&key] != cmdlet {
                    case_only.push(format!("{cmdlet} (generated {})", spelled[&key]));
                }
            }
            Some(mods) => misses.push(format!("{module}\t{cmdlet}\tgenerated in {mods:?}")),
            None => misses.push(format!("{module}\t{cmdlet}\tnot generated")),
        }
    }
    let (mut hit, mut all) = (0, 0);
    println!("name agreement with sdk-cmdlets.tsv (v1.0 modules listed in full):");
    for (module, (h, n)) in &per_module {
        println!(
            "  {module:<45} {h:>4}/{n:<4} {:6.2} %",
            100.0 * *h as f64 / (*n).max(1) as f64
        );
        hit += h;
        all += n;
    }
    let pct = 100.0 * hit as f64 / all.max(1) as f64;
    println!("  {:<45} {hit:>4}/{all:<4} {pct:6.2} %", "overall");
    println!(
        "operations: {}, cmdlet names generated: {}",
        ops.len(),
        generated.len()
    );
    println!(
        "case differences only ({}): {}",
        case_only.len(),
        case_only.join(", ")
    );
    println!("misses ({}):", misses.len());
    for m in &misses {
        println!("  {m}");
    }
    assert!(all > 1000, "too few TSV rows in scope: {all}");
    assert!(
        pct >= 98.0,
        "agreement {pct:.2} % is below 98 % ({} misses)",
        misses.len()
    );
}

/// Names of modules the TSV does not list in full, from the SDK's module directives (issue 15,
/// "Names in every module"): each is the name the SDK ships (module manifests and pages), and
/// the raw name the directive replaces is gone.
#[test]
fn module_directives_name_the_other_modules() {
    let schema = Schema::parse(&reference("graph-metadata/v1.0.csdl.xml")).expect("CSDL parses");
    let ops = paths::operations(&schema).expect("operations");
    let named = naming::name_all(&ops);
    let generated: HashMap<String, BTreeSet<String>> =
        named.iter().flatten().fold(HashMap::new(), |mut map, n| {
            map.entry(n.cmdlet.clone())
                .or_default()
                .insert(n.module.clone());
            map
        });
    let shipped = [
        // Identity.Governance: (.*)(IdentityGovernance)(EntitlementManagement)(.*) -> $1$3$4.
        (
            "Get-MgEntitlementManagementAccessPackage",
            "Microsoft.Graph.Identity.Governance",
        ),
        (
            "New-MgEntitlementManagementAssignmentRequest",
            "Microsoft.Graph.Identity.Governance",
        ),
        // Devices.ServiceAnnouncement: drop Admin.
        (
            "Get-MgServiceAnnouncementHealthOverview",
            "Microsoft.Graph.Devices.ServiceAnnouncement",
        ),
        (
            "Get-MgServiceAnnouncementMessage",
            "Microsoft.Graph.Devices.ServiceAnnouncement",
        ),
        // Bookings: /solutions/ nouns drop Solution; BackupRestore keeps it.
        ("Get-MgBookingBusiness", "Microsoft.Graph.Bookings"),
        ("Get-MgBookingCurrency", "Microsoft.Graph.Bookings"),
        (
            "Get-MgSolutionBackupRestore",
            "Microsoft.Graph.BackupRestore",
        ),
        // replyAll / createReplyAll keep their All.
        ("Invoke-MgReplyAllUserMessage", "Microsoft.Graph.Mail"),
        ("New-MgUserMessageReplyAll", "Microsoft.Graph.Mail"),
        ("Invoke-MgReplyUserMessage", "Microsoft.Graph.Mail"),
        // Files and Sites: a user's, group's or site's single `drive`.
        ("Get-MgGroupDefaultDrive", "Microsoft.Graph.Files"),
        ("Get-MgUserDefaultDrive", "Microsoft.Graph.Files"),
        ("Get-MgSiteDefaultDrive", "Microsoft.Graph.Sites"),
        // Calendar: a user's default calendar and its events.
        ("Get-MgUserDefaultCalendar", "Microsoft.Graph.Calendar"),
        ("Get-MgUserDefaultCalendarEvent", "Microsoft.Graph.Calendar"),
        ("New-MgUserDefaultCalendarEvent", "Microsoft.Graph.Calendar"),
        // Teams: `allChannels` apart from `channels`.
        ("Get-MgAllTeamChannel", "Microsoft.Graph.Teams"),
        ("Get-MgAllTeamMessage", "Microsoft.Graph.Teams"),
        // Sites: a site's lists, subsites and every site.
        ("Get-MgSubSite", "Microsoft.Graph.Sites"),
        ("Get-MgAllSite", "Microsoft.Graph.Sites"),
        // Reports: the Intune report functions.
        (
            "Get-MgReportManagedDeviceEnrollmentTopFailures",
            "Microsoft.Graph.Reports",
        ),
    ];
    let mut wrong = vec![];
    for (cmdlet, module) in shipped {
        match generated.get(cmdlet) {
            Some(mods) if mods.contains(module) => {}
            other => wrong.push(format!("{cmdlet} in {module}: generated in {other:?}")),
        }
    }
    // Which operations a renamed command keeps: the `List` of Get-MgTeamChannel is
    // `/teams/{team-id}/channels`, Get-MgSiteList lists a site's lists, and the lifecycle
    // workflows container is no set of Get-MgIdentityGovernanceLifecycleWorkflow.
    let paths_of = |cmdlet: &str| -> Vec<String> {
        ops.iter()
            .zip(named.iter())
            .filter(|(o, n)| o.method == "GET" && n.iter().any(|x| x.cmdlet == cmdlet))
            .map(|(o, _)| o.path.clone())
            .collect()
    };
    for (cmdlet, path, present) in [
        ("Get-MgTeamChannel", "/teams/{team-id}/channels", true),
        ("Get-MgTeamChannel", "/teams/{team-id}/allChannels", false),
        ("Get-MgSiteList", "/sites/{site-id}/lists", true),
        ("Get-MgSite", "/sites/{site-id}/lists", false),
        ("Get-MgUserCalendar", "/users/{user-id}/calendars", true),
        ("Get-MgUserCalendar", "/users/{user-id}/calendar", false),
        (
            "Get-MgIdentityGovernanceLifecycleWorkflow",
            "/identityGovernance/lifecycleWorkflows/workflows",
            true,
        ),
        (
            "Get-MgIdentityGovernanceLifecycleWorkflow",
            "/identityGovernance/lifecycleWorkflows",
            false,
        ),
    ] {
        if paths_of(cmdlet).iter().any(|p| p == path) != present {
            wrong.push(format!(
                "{cmdlet} {} GET {path}",
                if present { "lacks" } else { "has" }
            ));
        }
    }
    for raw in [
        "Get-MgIdentityGovernanceEntitlementManagementAccessPackage",
        "Get-MgAdminServiceAnnouncementHealthOverview",
        "Get-MgSolutionBookingBusiness",
    ] {
        if generated.contains_key(raw) {
            wrong.push(format!("{raw} is still generated"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
