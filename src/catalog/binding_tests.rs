//! Whole-catalog binding tests (issue 15): every cmdlet's parameters can bind in PowerShell,
//! and the kinds of parameters the SDK has are there and reach the request.

use serde_json::{json, Map, Value};

use super::*;

/// Every command: the hand-written table, every generated v1.0 command and its beta twin.
fn all_commands() -> Vec<&'static Command> {
    let mut out: Vec<&'static Command> = COMMANDS.iter().collect();
    for name in generated::command_names() {
        let module = generated::command_module(name).unwrap_or_default();
        let (beta, _) = generated::beta_twin(name, &module);
        for n in [name.to_string(), beta] {
            if let Some(c) = command(&n) {
                if !out.iter().any(|x| x.name.eq_ignore_ascii_case(c.name)) {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// The names and aliases of a command's parameters that PowerShell would refuse: two
/// parameters or aliases of one name (ignoring case), or one of a common parameter's.
fn binding_conflicts(c: &'static Command) -> Vec<String> {
    let mut conflicts = vec![];
    let mut seen: Vec<(String, String)> = vec![];
    for p in c.params() {
        for name in std::iter::once(p.name.as_str()).chain(p.aliases.iter().copied()) {
            if is_common_parameter(name) {
                conflicts.push(format!(
                    "{}: -{name} is a common parameter or alias",
                    c.name
                ));
            }
            let key = name.to_ascii_lowercase();
            if let Some((_, owner)) = seen.iter().find(|(k, _)| *k == key) {
                conflicts.push(format!(
                    "{}: -{name} of {} clashes with {owner}",
                    c.name, p.name
                ));
            }
            seen.push((key, p.name.clone()));
        }
    }
    conflicts
}

#[test]
fn no_parameter_or_alias_collides_in_any_command() {
    let commands = all_commands();
    assert!(commands.len() > 20_000, "v1.0 and beta: {}", commands.len());
    let conflicts: Vec<String> = commands.iter().flat_map(|c| binding_conflicts(c)).collect();
    assert!(
        conflicts.is_empty(),
        "{} conflicts, e.g. {:?}",
        conflicts.len(),
        &conflicts[..conflicts.len().min(10)]
    );
}

#[test]
fn a_body_property_named_body_keeps_its_name_and_the_whole_body_loses_the_alias() {
    for name in [
        "New-MgUserMessage",
        "New-MgUserEvent",
        "Update-MgUserEvent",
        "New-MgChatMessage",
        "New-MgTeamChannelMessage",
        "New-MgUserTodoListTask",
        "New-MgBetaUserMessage",
    ] {
        let c = command(name).unwrap_or_else(|| panic!("{name}"));
        let body = c.param("Body").unwrap_or_else(|| panic!("{name} -Body"));
        assert_eq!(body.role, Role::BodyProp("body"), "{name}");
        let whole = c.param("BodyParameter").unwrap();
        assert!(whole.aliases.is_empty(), "{name}");
    }
    // Without such a property the whole body keeps its `-Body` alias.
    let c = command("New-MgUser").unwrap();
    assert_eq!(c.param("Body").unwrap().name, "BodyParameter");
}

#[test]
fn common_parameter_names_get_the_parameter_suffix() {
    let c = command("Invoke-MgFvDriveItemWorkbookFunction").unwrap();
    assert!(c.param("Pv").is_none());
    let pv = c.param("PvParameter").unwrap();
    assert_eq!(pv.role, Role::ActionParam("pv"));
    assert_eq!(body_param_name("pv"), "PvParameter");
    assert_eq!(body_param_name("displayName"), "DisplayName");
}

#[test]
fn every_stream_operation_takes_outfile_and_passthru() {
    let mut functions = 0;
    for c in all_commands() {
        let params = c.params();
        for set in c.parameter_sets() {
            if !set.route.returns_stream() {
                continue;
            }
            if set.route.kind == RouteKind::Function {
                functions += 1;
            }
            let in_set = |role: Role| {
                params
                    .iter()
                    .find(|p| p.role == role)
                    .and_then(|p| p.sets.iter().find(|(s, _)| s == &set.name))
                    .map(|(_, mandatory)| *mandatory)
            };
            assert_eq!(in_set(Role::OutFile), Some(true), "{} {}", c.name, set.name);
            assert_eq!(
                in_set(Role::PassThru),
                Some(false),
                "{} {}",
                c.name,
                set.name
            );
        }
    }
    // The usage reports (Get-MgReport*) and their beta twins.
    assert!(functions > 200, "{functions} stream functions");
    let c = command("Get-MgReportOffice365ActiveUserDetail").unwrap();
    assert!(c.param("OutFile").is_some() && c.param("PassThru").is_some());
}

#[test]
fn single_valued_ref_deletes_take_only_the_parent_id() {
    let mut single = 0;
    for c in all_commands() {
        for set in c.parameter_sets() {
            let route = set.route;
            if route.kind != RouteKind::RefDelete || set.via_identity {
                continue;
            }
            let mandatory: Vec<String> = c
                .params()
                .into_iter()
                .filter(|p| p.sets.iter().any(|(s, m)| s == &set.name && *m))
                .map(|p| p.name)
                .collect();
            let placeholders: Vec<String> = route
                .placeholders()
                .iter()
                .map(|p| placeholder_param(p))
                .collect();
            if generated::path_is_collection(route.path) == Some(false) {
                single += 1;
                assert_eq!(mandatory, placeholders, "{} {}", c.name, set.name);
            }
        }
    }
    assert!(single >= 8, "{single} single-valued $ref deletes");
    let c = command("Remove-MgUserManagerByRef").unwrap();
    assert!(c.param("Id").is_none());
    assert!(c.param("UserId").is_some());
    // A collection's $ref delete without the member in the path still names it (-Id → $id).
    let c = command("Remove-MgEducationClassMemberByRef")
        .or_else(|| command("Remove-MgEducationClassMemberEducationUserByRef"));
    if let Some(c) = c {
        if c.routes[0].path.ends_with("/members/$ref") {
            assert!(c.param("Id").is_some());
        }
    }
}

#[test]
fn compatibility_ref_removals_take_the_directory_object_id() {
    for (name, parent) in [
        ("Remove-MgGroupMemberByRef", "GroupId"),
        ("Remove-MgGroupOwnerByRef", "GroupId"),
        ("Remove-MgApplicationOwnerByRef", "ApplicationId"),
        ("Remove-MgServicePrincipalOwnerByRef", "ServicePrincipalId"),
        ("Remove-MgDeviceRegisteredOwnerByRef", "DeviceId"),
        ("Remove-MgDeviceRegisteredUserByRef", "DeviceId"),
        ("Remove-MgDirectoryRoleMemberByRef", "DirectoryRoleId"),
    ] {
        let c = command(name).unwrap_or_else(|| panic!("{name}"));
        for p in [parent, "DirectoryObjectId"] {
            let param = c.param(p).unwrap_or_else(|| panic!("{name} -{p}"));
            assert!(param.sets.iter().all(|(_, m)| *m), "{name} -{p}");
        }
        assert!(c.param("Id").is_none(), "{name}");
        // The SDK's current name for the same call exists too.
        let modern = name.replace("ByRef", "DirectoryObjectByRef");
        let m = command(&modern).unwrap_or_else(|| panic!("{modern}"));
        assert_eq!(m.routes[0].path, c.routes[0].path, "{name}");
        assert_eq!(m.sdk_module, c.sdk_module, "{name}");
    }
}

#[test]
fn no_two_sets_of_a_command_take_the_same_parameters() {
    for c in all_commands() {
        let params = c.params();
        let mut seen: Vec<Vec<(String, bool)>> = vec![];
        for set in c.parameter_sets() {
            let mut signature: Vec<(String, bool)> = params
                .iter()
                .filter_map(|p| {
                    p.sets
                        .iter()
                        .find(|(s, _)| s == &set.name)
                        .map(|(_, m)| (p.name.to_ascii_lowercase(), *m))
                })
                .collect();
            signature.sort();
            assert!(!seen.contains(&signature), "{} {}", c.name, set.name);
            seen.push(signature);
        }
    }
    // New-MgIdentityProvider: one body-only set, as in the SDK (the deprecated
    // POST /identityProviders adds no second one).
    let c = command("New-MgIdentityProvider").unwrap();
    let body_only: Vec<String> = c
        .parameter_sets()
        .into_iter()
        .filter(|s| !s.expanded && !s.via_identity)
        .map(|s| s.name)
        .collect();
    assert_eq!(body_only, ["Create"]);
}

/// The request a command builds from these parameters (the sandbox's endpoint).
fn request(name: &str, set: &str, params: Value) -> crate::engine::operation::Prepared {
    let c = command(name).unwrap_or_else(|| panic!("{name}"));
    let set = c.set(set).unwrap_or_else(|| panic!("{name} {set}"));
    let params: Map<String, Value> = params.as_object().cloned().unwrap();
    crate::engine::operation::prepare(c, &set, &params, "https://graph.example")
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn body_json(p: &crate::engine::operation::Prepared) -> Value {
    serde_json::from_slice(p.request.body_bytes().unwrap_or(b"null")).unwrap()
}

/// Details of the SDK's parameters that its learn.microsoft.com pages show and the metadata
/// alone does not give.
#[test]
fn parameters_as_the_sdk_pages_show_them() {
    // -ApplicationId is also -ObjectId in the Applications modules (path and body alike).
    for name in [
        "Get-MgApplication",
        "Add-MgApplicationPassword",
        "Update-MgApplication",
        "Get-MgBetaApplication",
    ] {
        let c = command(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(
            c.param("ObjectId").map(|p| p.name),
            Some("ApplicationId".into()),
            "{name}"
        );
    }
    let sp = command("Get-MgServicePrincipal").unwrap();
    assert!(sp.param("ServicePrincipalId").unwrap().aliases.is_empty());

    // An entity set's query options follow its own capability annotations, not its entity
    // type's (this CSDL has TopSupported=false, Filterable=false... on `subscribedSku`).
    let sku = command("Get-MgSubscribedSku").unwrap();
    for p in [
        "Top",
        "Skip",
        "Filter",
        "CountVariable",
        "ExpandProperty",
        "Sort",
    ] {
        assert!(sku.param(p).is_some(), "Get-MgSubscribedSku -{p}");
    }
    assert!(command("Get-MgDirectoryRole")
        .unwrap()
        .param("Top")
        .is_some());

    // A reference update takes -OdataType into its body beside -OdataId.
    let p = request(
        "Set-MgUserManagerByRef",
        "SetExpanded",
        json!({"UserId": "u1", "OdataId": "https://graph.example/v1.0/users/m1", "OdataType": "#microsoft.graph.user"}),
    );
    assert_eq!(
        body_json(&p),
        json!({"@odata.id": "https://graph.example/v1.0/users/m1", "@odata.type": "#microsoft.graph.user"})
    );
    let create = command("New-MgGroupOwnerByRef").unwrap();
    assert!(
        create.param("OdataType").is_none(),
        "a reference creation has @odata.id only"
    );
}

#[test]
fn the_new_parameters_reach_the_request() {
    let p = request(
        "New-MgUserMessage",
        "CreateExpanded",
        json!({"UserId": "u1", "Subject": "Hi", "Body": {"contentType": "text", "content": "Hello"}}),
    );
    assert_eq!(
        p.request.url,
        "https://graph.example/v1.0/users/u1/messages"
    );
    assert_eq!(body_json(&p)["body"]["content"], "Hello");
    assert_eq!(body_json(&p)["subject"], "Hi");

    let p = request(
        "Invoke-MgFvDriveItemWorkbookFunction",
        "FvExpanded",
        json!({"DriveId": "d", "DriveItemId": "i", "PvParameter": 1000, "Rate": 0.01}),
    );
    assert_eq!(body_json(&p)["pv"], 1000);

    let p = request(
        "Get-MgReportOffice365ActiveUserDetail",
        "Get1",
        json!({"Period": "D30", "OutFile": "/tmp/report.csv", "PassThru": true}),
    );
    assert_eq!(
        p.request.url,
        "https://graph.example/v1.0/reports/getOffice365ActiveUserDetail(period='D30')"
    );
    assert_eq!(p.out_file.as_deref(), Some("/tmp/report.csv"));
    assert!(p.pass_thru);
    assert_eq!(p.returns, Some(Returns::Stream));

    let p = request(
        "Remove-MgUserManagerByRef",
        "Delete",
        json!({"UserId": "u1"}),
    );
    assert_eq!(p.request.method, reqwest::Method::DELETE);
    assert_eq!(
        p.request.url,
        "https://graph.example/v1.0/users/u1/manager/$ref"
    );

    let p = request(
        "Remove-MgGroupOwnerByRef",
        "Delete",
        json!({"GroupId": "g1", "DirectoryObjectId": "o1"}),
    );
    assert_eq!(p.request.method, reqwest::Method::DELETE);
    assert_eq!(
        p.request.url,
        "https://graph.example/v1.0/groups/g1/owners/o1/$ref"
    );

    let p = request(
        "New-MgIdentityProvider",
        "Create",
        json!({"BodyParameter": {"@odata.type": "#microsoft.graph.socialIdentityProvider", "displayName": "x"}}),
    );
    assert_eq!(
        p.request.url,
        "https://graph.example/v1.0/identity/identityProviders"
    );
}

#[test]
fn custom_query_options_are_parameters_mandatory_where_required() {
    let mut routes = 0;
    for c in all_commands() {
        let params = c.params();
        for set in c.parameter_sets() {
            for cq in set.route.custom_query {
                routes += 1;
                let p = params
                    .iter()
                    .find(|p| p.role == Role::CustomQuery(cq.name))
                    .unwrap_or_else(|| panic!("{}: no parameter for {}", c.name, cq.name));
                assert_eq!(p.name, cq.param_name());
                assert_eq!(p.ty, PsType::String);
                let mandatory = p.sets.iter().find(|(s, _)| s == &set.name).map(|s| s.1);
                assert_eq!(
                    mandatory,
                    Some(cq.required),
                    "{} {} {}",
                    c.name,
                    set.name,
                    p.name
                );
            }
        }
    }
    assert!(routes > 50, "{routes}");
    // The SDK's syntax: Get-MgUserCalendarView -UserId -EndDateTime -StartDateTime (mandatory
    // in every set), Get-MgDriveItemContent [-Format].
    let c = command("Get-MgUserCalendarView").unwrap();
    let params = c.params();
    for name in ["StartDateTime", "EndDateTime"] {
        let p = params.iter().find(|p| p.name == name).unwrap();
        assert!(!p.sets.is_empty());
        assert!(p.sets.iter().all(|(_, m)| *m), "{name} {:?}", p.sets);
    }
    let c = command("Get-MgDriveItemContent").unwrap();
    let format = c.params().into_iter().find(|p| p.name == "Format").unwrap();
    assert!(format.sets.iter().all(|(_, m)| !*m));
}

#[test]
fn custom_query_options_reach_the_query_string() {
    let c = command("Get-MgUserCalendarView").unwrap();
    let set = c
        .parameter_sets()
        .into_iter()
        .find(|s| s.route.path == "/users/{user-id}/calendarView")
        .unwrap();
    let p = request(
        "Get-MgUserCalendarView",
        &set.name,
        json!({
            "UserId": "u1",
            "StartDateTime": "2026-01-01T00:00:00Z",
            "EndDateTime": "2026-01-08T00:00:00Z",
            "Top": 5
        }),
    );
    let url = reqwest::Url::parse(&p.request.url).unwrap();
    assert_eq!(url.path(), "/v1.0/users/u1/calendarView");
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(
        query.contains(&("startDateTime".into(), "2026-01-01T00:00:00Z".into())),
        "{query:?}"
    );
    assert!(
        query.contains(&("endDateTime".into(), "2026-01-08T00:00:00Z".into())),
        "{query:?}"
    );

    let c = command("Get-MgDriveItemContent").unwrap();
    let set = &c.parameter_sets()[0];
    let p = request(
        "Get-MgDriveItemContent",
        &set.name,
        json!({"DriveId": "d", "DriveItemId": "i", "Format": "pdf", "OutFile": "/tmp/x.pdf"}),
    );
    let url = reqwest::Url::parse(&p.request.url).unwrap();
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(query, [("$format".to_string(), "pdf".to_string())]);
}

#[test]
fn planner_updates_and_deletes_take_a_mandatory_if_match_as_in_the_sdk() {
    let mut seen = 0;
    for c in all_commands() {
        let params = c.params();
        let if_match = params.iter().find(|p| p.role == Role::IfMatch);
        for set in c.parameter_sets() {
            let r = set.route;
            let needs = r.is_planner_item()
                && matches!(
                    r.kind,
                    RouteKind::Update | RouteKind::Set | RouteKind::Delete
                );
            let mandatory = if_match
                .and_then(|p| p.sets.iter().find(|(s, _)| s == &set.name))
                .map(|s| s.1);
            if needs {
                seen += 1;
                assert_eq!(mandatory, Some(true), "{} {}", c.name, set.name);
            } else if r.kind == RouteKind::Delete {
                assert_eq!(mandatory, Some(false), "{} {}", c.name, set.name);
            }
        }
    }
    assert!(seen > 20, "{seen}");
    // The SDK's syntax: Update-MgPlannerTask -PlannerTaskId <string> -IfMatch <string>.
    let c = command("Update-MgPlannerTask").unwrap();
    let p = c
        .params()
        .into_iter()
        .find(|p| p.name == "IfMatch")
        .unwrap();
    assert!(
        !p.sets.is_empty() && p.sets.iter().all(|(_, m)| *m),
        "{:?}",
        p.sets
    );
    let c = command("Update-MgUser").unwrap();
    assert!(c.params().iter().all(|p| p.name != "IfMatch"));
}
