//! Members and guests: departments, managers, licences, sign-in activity and the
//! authentication methods they registered.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::directory::Sku;
use super::{contain, obj, one, overlay_entity, secs, ticks, Draw, Size};
use crate::sandbox::state::{security_identifier, Fido2, Tenant, User};

const FIRST: &[&str] = &[
    "Aaliyah",
    "Aarav",
    "Adrian",
    "Aisha",
    "Alejandro",
    "Amelia",
    "Andre",
    "Anika",
    "Ben",
    "Bianca",
    "Carlos",
    "Chen",
    "Chloe",
    "Daniel",
    "Diego",
    "Elena",
    "Emeka",
    "Emma",
    "Farah",
    "Felix",
    "Grace",
    "Hana",
    "Hiro",
    "Ingrid",
    "Isaac",
    "Jamal",
    "Jana",
    "Jonas",
    "Julia",
    "Kai",
    "Kenji",
    "Laura",
    "Leila",
    "Liam",
    "Lucia",
    "Maya",
    "Mateo",
    "Mei",
    "Nadia",
    "Noah",
    "Olivia",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Sam",
    "Sara",
    "Sofia",
    "Tariq",
    "Thomas",
    "Uma",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
];

const LAST: &[&str] = &[
    "Adams", "Ahmed", "Becker", "Bianchi", "Brown", "Chen", "Costa", "Dubois", "Eriksson",
    "Fischer", "Garcia", "Gupta", "Hansen", "Ito", "Jansen", "Johnson", "Kim", "Kowalski",
    "Larsen", "Lopez", "Martin", "Meyer", "Moreau", "Nakamura", "Novak", "Okafor", "Olsen",
    "Patel", "Perez", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith", "Tanaka", "Taylor",
    "Nguyen", "Walker", "Weber", "Williams", "Yamamoto", "Young", "Zhang",
];

/// Departments with their job titles (the first is the head's).
pub const DEPARTMENTS: &[(&str, &[&str])] = &[
    (
        "Sales",
        &[
            "Director of Sales",
            "Account Executive",
            "Sales Representative",
            "Sales Operations Analyst",
        ],
    ),
    (
        "Marketing",
        &[
            "Director of Marketing",
            "Marketing Manager",
            "Content Strategist",
            "Marketing Assistant",
        ],
    ),
    (
        "Engineering",
        &[
            "VP of Engineering",
            "Software Engineer",
            "Senior Software Engineer",
            "QA Engineer",
            "Engineering Manager",
        ],
    ),
    (
        "Finance",
        &[
            "Chief Financial Officer",
            "Accountant",
            "Financial Analyst",
            "Payroll Specialist",
        ],
    ),
    (
        "Human Resources",
        &["HR Director", "HR Generalist", "Recruiter"],
    ),
    (
        "IT",
        &[
            "IT Director",
            "Systems Administrator",
            "Helpdesk Technician",
            "Security Engineer",
        ],
    ),
    (
        "Legal",
        &["General Counsel", "Paralegal", "Compliance Officer"],
    ),
    (
        "Operations",
        &[
            "COO",
            "Operations Manager",
            "Logistics Coordinator",
            "Facilities Manager",
        ],
    ),
    (
        "Customer Support",
        &[
            "Support Manager",
            "Support Engineer",
            "Customer Success Manager",
        ],
    ),
];

/// Offices: (officeLocation, city, state, country, usageLocation, phone prefix).
const OFFICES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "Redmond HQ",
        "Redmond",
        "WA",
        "United States",
        "US",
        "+1 425 555 ",
    ),
    (
        "New York",
        "New York",
        "NY",
        "United States",
        "US",
        "+1 212 555 ",
    ),
    (
        "London",
        "London",
        "",
        "United Kingdom",
        "GB",
        "+44 20 7946 ",
    ),
    ("Berlin", "Berlin", "", "Germany", "DE", "+49 30 5555 "),
    ("Paris", "Paris", "", "France", "FR", "+33 1 5555 "),
    ("Tokyo", "Tokyo", "", "Japan", "JP", "+81 3 5555 "),
    ("Sydney", "Sydney", "NSW", "Australia", "AU", "+61 2 5550 "),
];

const GUEST_ORGS: &[(&str, &str)] = &[
    ("Fabrikam", "fabrikam.com"),
    ("Northwind Traders", "northwindtraders.com"),
    ("Tailspin Toys", "tailspintoys.com"),
    ("Woodgrove Bank", "woodgrovebank.com"),
    ("Litware", "litware.com"),
];

/// The ids of the authentication-method kinds Graph gives fixed ids (phone and email).
const MOBILE_PHONE_METHOD_ID: &str = "3179e48a-750b-4051-897c-87b9720928f7";
const OFFICE_PHONE_METHOD_ID: &str = "e37fc753-ff3b-4958-9484-eaa9425c82bc";
const EMAIL_METHOD_ID: &str = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f";

/// A person of the demo tenant, as the later steps need them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub upn: String,
    pub name: String,
    pub department: Option<&'static str>,
    pub title: String,
    pub guest: bool,
    pub enabled: bool,
    /// Index into `OFFICES`.
    pub office: usize,
    /// `methodsRegistered` of the registration report (Graph's names).
    pub methods: Vec<&'static str>,
    pub preferred: &'static str,
    pub licensed: bool,
}

/// Everyone of the demo tenant: the built-in users first, then members, then guests.
#[derive(Debug, Default)]
pub struct People {
    pub all: Vec<Person>,
    pub admin: String,
}

impl People {
    pub fn members(&self) -> impl Iterator<Item = &Person> {
        self.all.iter().filter(|p| !p.guest)
    }

    pub fn guests(&self) -> impl Iterator<Item = &Person> {
        self.all.iter().filter(|p| p.guest)
    }

    pub fn in_department(&self, dept: &str) -> impl Iterator<Item = &Person> + '_ {
        let dept = dept.to_string();
        self.all
            .iter()
            .filter(move |p| p.department == Some(dept.as_str()))
    }
}

fn ascii_nick(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

pub fn people(tenant: &mut Tenant, d: &mut Draw, size: Size, skus: &[Sku]) -> People {
    let domain = tenant.domain.clone();
    let mut people = People {
        admin: tenant.admin_id.clone(),
        ..People::default()
    };
    let mut taken: HashSet<String> = tenant
        .users
        .values()
        .map(|u| u.upn().to_ascii_lowercase())
        .collect();
    // The built-in users join the demo as IT and Sales staff.
    let builtin: Vec<(String, String, String)> = tenant
        .users
        .values()
        .map(|u| {
            let s = |k: &str| {
                u.object
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            (u.id().to_string(), s("userPrincipalName"), s("displayName"))
        })
        .collect();
    for (i, (id, upn, name)) in builtin.into_iter().enumerate() {
        let department = if i == 0 { "IT" } else { "Sales" };
        if let Some(u) = tenant.users.get_mut(&id) {
            u.object.insert("department".into(), json!(department));
            u.object
                .insert("officeLocation".into(), json!(OFFICES[0].0));
            u.object.insert("usageLocation".into(), json!("US"));
            u.object.insert("companyName".into(), json!("Contoso"));
        }
        people.all.push(Person {
            id,
            upn,
            name,
            department: Some(department),
            title: String::new(),
            guest: false,
            enabled: true,
            office: 0,
            methods: vec![],
            preferred: "none",
            licensed: false,
        });
    }
    let mut next_name = {
        let mut n = 0usize;
        move |d: &mut Draw, taken: &mut HashSet<String>, suffix: &str| loop {
            n += 1;
            let first = *d.pick(FIRST);
            let last = *d.pick(LAST);
            let nick = format!("{}.{}", ascii_nick(first), ascii_nick(last));
            let key = format!("{nick}{suffix}");
            if taken.insert(key.clone()) || n > 100_000 {
                return (first, last, nick);
            }
        }
    };
    // Members: department heads first (they become the managers), then their staff.
    for i in 0..size.members {
        let (dept, titles) = DEPARTMENTS[i % DEPARTMENTS.len()];
        let head = i < DEPARTMENTS.len();
        let title = if head {
            titles[0]
        } else {
            *d.pick(&titles[1..])
        };
        let (first, last, nick) = next_name(d, &mut taken, &format!("@{domain}"));
        let upn = format!("{nick}@{domain}");
        let office = if head {
            0
        } else {
            d.int(0, OFFICES.len() as i64) as usize
        };
        let enabled = head || !d.chance(0.07);
        let id = d.id();
        let created = d.ago(20, 1500);
        let (_, city, state, country, usage, phone) = OFFICES[office];
        let mut o = obj(json!({
            "id": id,
            "displayName": format!("{first} {last}"),
            "givenName": first,
            "surname": last,
            "userPrincipalName": upn,
            "mail": upn,
            "mailNickname": nick,
            "jobTitle": title,
            "department": dept,
            "companyName": "Contoso",
            "employeeId": d.digits(6),
            "officeLocation": OFFICES[office].0,
            "city": city,
            "state": if state.is_empty() { Value::Null } else { json!(state) },
            "country": country,
            "usageLocation": usage,
            "preferredLanguage": "en-US",
            "businessPhones": [format!("{phone}{}", d.digits(4))],
            "mobilePhone": format!("{phone}{}", d.digits(4)),
            "accountEnabled": enabled,
            "userType": "Member",
            "createdDateTime": secs(created),
            "creationType": null,
            "employeeHireDate": secs(created),
            "lastPasswordChangeDateTime": secs(d.ago(1, 400)),
            "passwordPolicies": if d.chance(0.1) { json!("DisablePasswordExpiration") } else { Value::Null },
            "securityIdentifier": security_identifier(&id).unwrap_or_default(),
            "proxyAddresses": [format!("SMTP:{upn}")],
            "otherMails": [],
            "imAddresses": [upn],
        }));
        if d.chance(0.3) {
            // Synchronised from on-premises Active Directory.
            o.insert("onPremisesSyncEnabled".into(), json!(true));
            o.insert(
                "onPremisesSamAccountName".into(),
                json!(nick.replace('.', "")),
            );
            o.insert("onPremisesDomainName".into(), json!("corp.contoso.com"));
            o.insert("onPremisesLastSyncDateTime".into(), secs(d.ago(0, 1)));
            o.insert(
                "onPremisesImmutableId".into(),
                json!(format!("{}==", d.digits(22))),
            );
        }
        o.insert(
            "signInActivity".into(),
            sign_in_activity(d, created, enabled),
        );
        let methods = add_methods(tenant, d, &id, &o, phone);
        let preferred = if methods.contains(&"microsoftAuthenticatorPush") {
            "push"
        } else if methods.contains(&"mobilePhone") {
            "sms"
        } else {
            "none"
        };
        let licensed = enabled && d.chance(0.9);
        push_user(tenant, o, created);
        people.all.push(Person {
            id,
            upn,
            name: format!("{first} {last}"),
            department: Some(dept),
            title: title.to_string(),
            guest: false,
            enabled,
            office,
            methods,
            preferred,
            licensed,
        });
    }
    for i in 0..size.guests {
        let (org, org_domain) = GUEST_ORGS[i % GUEST_ORGS.len()];
        let (first, last, nick) = next_name(d, &mut taken, org_domain);
        let mail = format!("{nick}@{org_domain}");
        let upn = format!("{}#EXT#@{domain}", mail.replace('@', "_"));
        let id = d.id();
        let created = d.ago(5, 900);
        let accepted = d.chance(0.8);
        let mut o = obj(json!({
            "id": id,
            "displayName": format!("{first} {last} ({org})"),
            "givenName": first,
            "surname": last,
            "userPrincipalName": upn,
            "mail": mail,
            "mailNickname": format!("{}_{}#EXT#", nick, org_domain),
            "companyName": org,
            "accountEnabled": !d.chance(0.05),
            "userType": "Guest",
            "creationType": "Invitation",
            "externalUserState": if accepted { "Accepted" } else { "PendingAcceptance" },
            "externalUserStateChangeDateTime": secs(created),
            "createdDateTime": secs(created),
            "securityIdentifier": security_identifier(&id).unwrap_or_default(),
            "businessPhones": [],
            "proxyAddresses": [format!("SMTP:{mail}")],
            "otherMails": [mail],
            "identities": [{"signInType": "userPrincipalName", "issuer": tenant.domain, "issuerAssignedId": upn}],
        }));
        let activity = if accepted {
            sign_in_activity(d, created, true)
        } else {
            Value::Null
        };
        o.insert("signInActivity".into(), activity);
        let enabled = o["accountEnabled"].as_bool().unwrap_or(true);
        push_user(tenant, o, created);
        people.all.push(Person {
            id,
            upn,
            name: format!("{first} {last} ({org})"),
            department: None,
            title: String::new(),
            guest: true,
            enabled,
            office: 0,
            methods: vec![],
            preferred: "none",
            licensed: false,
        });
    }
    managers(tenant, &people);
    licences(tenant, d, &mut people, skus);
    people
}

fn push_user(
    tenant: &mut Tenant,
    object: serde_json::Map<String, Value>,
    created: chrono::DateTime<chrono::Utc>,
) {
    let mut object = object;
    crate::sandbox::state::upn_identity(&mut object, &tenant.domain);
    let id = object["id"].as_str().unwrap_or_default().to_string();
    let upn = object["userPrincipalName"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    tenant.upn_index.insert(upn, id.clone());
    tenant.users.insert(
        id,
        User {
            object,
            password: String::new(),
            roles: vec![],
            tap: None,
            fido2: vec![],
            per_user_mfa: "disabled".into(),
            created,
        },
    );
}

/// `signInActivity`: most people signed in this week, some long ago, a few never.
fn sign_in_activity(d: &mut Draw, created: chrono::DateTime<chrono::Utc>, enabled: bool) -> Value {
    let created_days = (d.now - created).num_days().max(1);
    let roll = d.int(0, 100);
    let age = match roll {
        0..=4 => {
            return json!({"lastSignInDateTime": null, "lastSignInRequestId": null,
            "lastNonInteractiveSignInDateTime": null, "lastNonInteractiveSignInRequestId": null,
            "lastSuccessfulSignInDateTime": null, "lastSuccessfulSignInRequestId": null})
        }
        5..=59 => d.int(0, 7),
        60..=79 => d.int(7, 30),
        80..=89 => d.int(30, 90),
        _ => d.int(90, 400),
    };
    let age = if enabled { age } else { age.max(60) }.min(created_days);
    let last = d.days_ago(age);
    let non_interactive = d.days_ago((age - 1).max(0));
    json!({
        "lastSignInDateTime": secs(last),
        "lastSignInRequestId": d.id(),
        "lastNonInteractiveSignInDateTime": secs(non_interactive),
        "lastNonInteractiveSignInRequestId": d.id(),
        "lastSuccessfulSignInDateTime": secs(last),
        "lastSuccessfulSignInRequestId": d.id(),
    })
}

/// Registers a member's authentication methods below `users/{id}/authentication`; returns
/// the registration report's names for them.
fn add_methods(
    tenant: &mut Tenant,
    d: &mut Draw,
    id: &str,
    user: &serde_json::Map<String, Value>,
    phone: &str,
) -> Vec<&'static str> {
    let mut names = vec![];
    let none = d.chance(0.12);
    let authenticator = !none && d.chance(0.75);
    let mobile = !none && d.chance(0.6);
    let office = !none && d.chance(0.1);
    let email = !none && d.chance(0.2);
    let oath = !none && d.chance(0.05);
    let hello = !none && d.chance(0.25);
    let fido2 = !none && d.chance(0.06);
    let mobile_number = user
        .get("mobilePhone")
        .and_then(Value::as_str)
        .unwrap_or(phone)
        .to_string();
    let mut kinds: Vec<(&str, &str, serde_json::Map<String, Value>)> = vec![];
    if authenticator {
        names.push("microsoftAuthenticatorPush");
        let device = d
            .pick(&[
                "iPhone 15",
                "iPhone 13",
                "Pixel 8",
                "Galaxy S24",
                "iPhone 16 Pro",
            ])
            .to_string();
        kinds.push(("microsoftAuthenticatorMethods", "microsoft.graph.microsoftAuthenticatorAuthenticationMethod", obj(json!({
            "id": d.id(), "displayName": device, "deviceTag": "SoftwareTokenActivated",
            "phoneAppVersion": format!("6.8.{}", d.int(1, 30)), "createdDateTime": ticks(d.ago(10, 700)),
        }))));
    }
    if mobile {
        names.push("mobilePhone");
        kinds.push((
            "phoneMethods",
            "microsoft.graph.phoneAuthenticationMethod",
            obj(json!({
                "id": MOBILE_PHONE_METHOD_ID, "phoneNumber": mobile_number, "phoneType": "mobile",
                "smsSignInState": "notAllowedByPolicy",
            })),
        ));
    }
    if office {
        names.push("officePhone");
        kinds.push(("phoneMethods", "microsoft.graph.phoneAuthenticationMethod", obj(json!({
            "id": OFFICE_PHONE_METHOD_ID, "phoneNumber": format!("{phone}{}", d.digits(4)), "phoneType": "office",
            "smsSignInState": "notSupported",
        }))));
    }
    if email {
        names.push("email");
        let nick = user
            .get("mailNickname")
            .and_then(Value::as_str)
            .unwrap_or("user");
        kinds.push((
            "emailMethods",
            "microsoft.graph.emailAuthenticationMethod",
            obj(json!({
                "id": EMAIL_METHOD_ID, "emailAddress": format!("{nick}@outlook.com"),
            })),
        ));
    }
    if oath {
        names.push("softwareOneTimePasscode");
        kinds.push((
            "softwareOathMethods",
            "microsoft.graph.softwareOathAuthenticationMethod",
            obj(json!({
                "id": d.id(), "secretKey": null,
            })),
        ));
    }
    if hello {
        names.push("windowsHelloForBusiness");
        kinds.push((
            "windowsHelloForBusinessMethods",
            "microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
            obj(json!({
                "id": d.id(), "displayName": format!("CONTOSO-LT-{}", d.digits(4)),
                "createdDateTime": ticks(d.ago(10, 700)), "keyStrength": "normal",
            })),
        ));
    }
    let entity = overlay_entity(tenant, "users", "microsoft.graph.user", id);
    let auth = one(entity, "authentication", "microsoft.graph.authentication");
    for (nav, ty, o) in kinds {
        contain(auth, nav, ty, o);
    }
    if fido2 {
        names.push("passKeyDeviceBound");
        let created = d.ago(10, 500);
        let key_id = d.id();
        if let Some(u) = tenant.users.get_mut(id) {
            u.fido2.push(Fido2 {
                id: key_id,
                display_name: "YubiKey 5 NFC".into(),
                created,
                aa_guid: "cb69481e-8ff7-4039-93ec-0a2729a154a8".into(),
                model: "YubiKey 5 Series".into(),
            });
        }
    }
    names
}

/// Each department's staff report to its head; the heads report to the COO's peer, the
/// first head (a small, believable chain).
fn managers(tenant: &mut Tenant, people: &People) {
    let mut links: Vec<(String, String)> = vec![];
    let heads: Vec<&Person> = DEPARTMENTS
        .iter()
        .filter_map(|(dept, titles)| people.in_department(dept).find(|p| p.title == titles[0]))
        .collect();
    let top = heads
        .iter()
        .find(|h| h.department == Some("Operations"))
        .map(|h| h.id.clone());
    for h in &heads {
        if let Some(top) = &top {
            if *top != h.id {
                links.push((h.id.clone(), top.clone()));
            }
        }
    }
    for p in people.members() {
        if p.title.is_empty() || heads.iter().any(|h| h.id == p.id) {
            continue;
        }
        if let Some(h) = heads.iter().find(|h| h.department == p.department) {
            links.push((p.id.clone(), h.id.clone()));
        }
    }
    for (report, manager) in links {
        *overlay_entity(tenant, "users", "microsoft.graph.user", &report).refs_mut("manager") =
            vec![manager.clone()];
        overlay_entity(tenant, "users", "microsoft.graph.user", &manager)
            .refs_mut("directReports")
            .push(report);
    }
}

/// Licences: E3 for most licensed members, E5 for IT and the heads, Power BI for some;
/// `assignedLicenses`, `licenseDetails` and the SKUs' consumed units agree.
fn licences(tenant: &mut Tenant, d: &mut Draw, people: &mut People, skus: &[Sku]) {
    let find = |part: &str| skus.iter().find(|s| s.part_number == part);
    let (Some(e3), Some(e5), Some(pbi)) =
        (find("SPE_E3"), find("SPE_E5"), find("POWER_BI_STANDARD"))
    else {
        return;
    };
    let mut consumed: std::collections::HashMap<String, i64> = Default::default();
    for p in people.all.iter_mut() {
        if p.guest {
            continue;
        }
        if p.title.is_empty() {
            // The built-in users: E5, so admin scripts see a fully licensed administrator.
            p.licensed = true;
        }
        if !p.licensed {
            continue;
        }
        let premium = p.title.is_empty()
            || p.department == Some("IT")
            || p.title.starts_with("Director")
            || p.title.starts_with("Chief")
            || p.title.starts_with("VP");
        let mut assigned = vec![if premium { e5 } else { e3 }];
        if d.chance(0.3) {
            assigned.push(pbi);
        }
        let licenses: Vec<Value> = assigned
            .iter()
            .map(|s| json!({"skuId": s.sku_id, "disabledPlans": []}))
            .collect();
        let plans: Vec<Value> = assigned
            .iter()
            .flat_map(|s| s.plans.iter().map(|(pid, _, service)| {
                json!({"assignedDateTime": "2024-01-15T00:00:00Z", "capabilityStatus": "Enabled", "service": service, "servicePlanId": pid})
            }))
            .collect();
        if let Some(u) = tenant.users.get_mut(&p.id) {
            u.object
                .insert("assignedLicenses".into(), Value::Array(licenses));
            u.object.insert("assignedPlans".into(), Value::Array(plans));
        }
        let entity = overlay_entity(tenant, "users", "microsoft.graph.user", &p.id);
        for s in &assigned {
            *consumed.entry(s.sku_id.clone()).or_default() += 1;
            let plans: Vec<Value> = s
                .plans
                .iter()
                .map(|(pid, name, _)| json!({"servicePlanId": pid, "servicePlanName": name, "provisioningStatus": "Success", "appliesTo": "User"}))
                .collect();
            contain(
                entity,
                "licenseDetails",
                "microsoft.graph.licenseDetails",
                obj(json!({
                    "id": format!("{}{}", &p.id[..8], s.sku_id),
                    "skuId": s.sku_id,
                    "skuPartNumber": s.part_number,
                    "servicePlans": plans,
                })),
            );
        }
    }
    if let Some(set) = tenant.store.sets.get_mut("subscribedSkus") {
        for e in set.values_mut() {
            let sku = e
                .object
                .get("skuId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let n = consumed.get(&sku).copied().unwrap_or(0);
            let base = e
                .object
                .get("consumedUnits")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            e.object.insert("consumedUnits".into(), json!(base + n));
        }
    }
}
