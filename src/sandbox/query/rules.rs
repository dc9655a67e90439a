//! Graph's advanced-query rules for directory objects, as tables
//! (<https://learn.microsoft.com/graph/aad-advanced-queries>): which `$filter` operators and
//! `$orderby` properties work by default, which need the advanced query parameters
//! (`ConsistencyLevel: eventual` and `$count=true`), and which are not supported.
//! Types without a table (everything outside the directory) have no such rules.

use super::filter::{CmpOp, Filter, Literal, Node, Operand, Path, StrFn};
use crate::sandbox::odata::GraphErr;

/// Support for one operator on one property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Works by default.
    D,
    /// Needs the advanced query parameters.
    A,
    /// Not supported.
    X,
}
use Support::{A, D, X};

/// `$filter` support of one property: `eq` (and `ne`/`not`, which always need advanced
/// parameters), `ge`/`le`/`gt`/`lt`, `in`, `startsWith`, `eq null`.
#[derive(Debug, Clone, Copy)]
pub struct FilterRule {
    pub prop: &'static str,
    pub eq: Support,
    pub range: Support,
    pub within: Support,
    pub starts_with: Support,
    pub null: Support,
}

const fn f(
    prop: &'static str,
    eq: Support,
    range: Support,
    within: Support,
    starts_with: Support,
    null: Support,
) -> FilterRule {
    FilterRule {
        prop,
        eq,
        range,
        within,
        starts_with,
        null,
    }
}

/// `endsWith` works (with advanced parameters) only on these.
const ENDS_WITH: &[&str] = &["mail", "otherMails", "userPrincipalName", "proxyAddresses"];

/// More `or` clauses (or `in` values) than this need the advanced parameters.
pub const MAX_OR_CLAUSES: usize = 15;

#[rustfmt::skip]
const USER: &[FilterRule] = &[
    f("accountEnabled", D, A, D, X, X),
    f("ageGroup", D, X, D, X, X),
    f("assignedLicenses", D, X, X, X, X),
    f("assignedPlans", D, X, X, X, X),
    f("businessPhones", D, X, X, X, X),
    f("city", D, D, D, D, A),
    f("companyName", A, A, A, A, A),
    f("consentProvidedForMinor", D, X, D, X, X),
    f("country", D, D, D, D, A),
    f("createdDateTime", D, D, A, X, X),
    f("creationType", D, X, D, X, X),
    f("deletedDateTime", D, D, A, X, X),
    f("department", D, D, D, D, A),
    f("displayName", D, X, D, D, A),
    f("employeeHireDate", A, A, A, X, X),
    f("employeeId", D, A, X, D, A),
    f("employeeType", A, A, A, A, X),
    f("externalUserState", D, X, D, X, X),
    f("givenName", D, D, D, D, A),
    f("id", D, X, D, X, X),
    f("identities", D, X, X, X, X),
    f("imAddresses", D, D, X, D, X),
    f("isResourceAccount", D, X, X, X, X),
    f("jobTitle", D, D, D, X, A),
    f("mail", D, D, D, D, A),
    f("mailNickname", D, D, D, D, A),
    f("mobilePhone", A, A, A, A, A),
    f("officeLocation", A, A, A, A, A),
    f("onPremisesExtensionAttributes", A, A, A, X, X),
    f("onPremisesImmutableId", A, A, A, X, X),
    f("onPremisesLastSyncDateTime", A, A, A, X, X),
    f("onPremisesSamAccountName", A, A, A, A, X),
    f("onPremisesSecurityIdentifier", D, X, D, X, A),
    f("onPremisesSyncEnabled", D, A, D, X, X),
    f("onPremisesUserPrincipalName", D, D, D, D, X),
    f("otherMails", D, D, D, D, X),
    f("passwordPolicies", A, X, X, X, A),
    f("postalCode", A, A, A, A, A),
    f("preferredLanguage", A, A, A, A, A),
    f("proxyAddresses", D, D, X, D, A),
    f("showInAddressList", A, A, A, X, X),
    f("signInActivity", D, D, X, X, X),
    f("state", D, D, D, D, A),
    f("streetAddress", A, A, A, A, A),
    f("surname", D, D, D, D, A),
    f("usageLocation", D, D, D, D, X),
    f("userPrincipalName", D, D, D, D, X),
    f("userType", D, X, D, X, A),
];

#[rustfmt::skip]
const GROUP: &[FilterRule] = &[
    f("assignedLicenses", D, X, X, X, X),
    f("classification", D, D, D, D, X),
    f("description", D, D, X, D, X),
    f("displayName", D, D, D, D, A),
    f("expirationDateTime", D, D, D, X, X),
    f("groupTypes", D, X, X, X, X),
    f("hasMembersWithLicenseErrors", D, X, X, X, X),
    f("id", D, X, D, X, X),
    f("isAssignableToRole", D, X, X, X, X),
    f("mail", D, D, D, D, A),
    f("mailEnabled", D, D, D, X, X),
    f("mailNickname", D, D, D, D, A),
    f("membershipRule", D, D, X, D, X),
    f("membershipRuleProcessingState", D, D, D, D, X),
    f("onPremisesSyncEnabled", D, D, D, X, X),
    f("proxyAddresses", D, D, X, D, A),
    f("renewedDateTime", D, D, D, X, X),
    // `resourceProvisioningOptions/Any(x:x eq 'Team')`: how the docs list the teams.
    f("resourceProvisioningOptions", D, X, X, X, X),
    f("securityEnabled", D, X, D, X, X),
    f("securityIdentifier", D, X, X, D, X),
    f("visibility", D, D, D, X, X),
];

/// `$orderby` support: `(type, property, support)`; properties not listed cannot be sorted.
#[rustfmt::skip]
const ORDER_BY: &[(&str, &str, Support)] = &[
    ("administrativeUnit", "createdDateTime", A), ("administrativeUnit", "deletedDateTime", A),
    ("administrativeUnit", "displayName", A),
    ("application", "createdDateTime", A), ("application", "deletedDateTime", A),
    ("application", "displayName", A),
    ("orgContact", "createdDateTime", A), ("orgContact", "displayName", A),
    ("device", "approximateLastSignInDateTime", A), ("device", "createdDateTime", A),
    ("device", "deletedDateTime", A), ("device", "displayName", A),
    ("group", "deletedDateTime", A), ("group", "displayName", D),
    ("servicePrincipal", "createdDateTime", A), ("servicePrincipal", "deletedDateTime", A),
    ("servicePrincipal", "displayName", A),
    ("user", "createdDateTime", A), ("user", "deletedDateTime", A),
    ("user", "displayName", D), ("user", "userPrincipalName", D),
];

/// The directory rules of a type, if it is a directory object Graph indexes this way.
/// `directoryObject` (a members list) takes the rules of users and groups.
/// The other directory objects: the properties their docs list as filterable by default.
#[rustfmt::skip]
const OTHER_DIRECTORY: &[FilterRule] = &[
    f("id", D, X, D, X, X),
    f("displayName", D, X, D, D, A),
    f("appId", D, X, D, X, X),
    f("uniqueName", D, X, D, X, X),
    f("identifierUris", D, X, X, X, X),
    f("servicePrincipalNames", D, X, X, X, X),
    f("servicePrincipalType", D, X, D, X, X),
    f("publisherDomain", D, X, D, D, X),
    f("signInAudience", D, X, D, X, X),
    f("tags", D, X, X, X, X),
    f("accountEnabled", D, X, D, X, X),
    f("deviceId", D, X, D, X, X),
    f("operatingSystem", D, X, D, D, X),
    f("operatingSystemVersion", D, D, D, D, X),
    f("trustType", D, X, D, X, X),
    f("isCompliant", D, X, D, X, X),
    f("isManaged", D, X, D, X, X),
    f("approximateLastSignInDateTime", D, D, A, X, X),
    f("createdDateTime", D, D, A, X, X),
    f("mail", D, X, D, D, A),
    f("mailNickname", D, X, D, D, X),
    f("visibility", D, X, D, X, X),
];

pub fn directory(ty: &str) -> Option<&'static [&'static [FilterRule]]> {
    match ty.trim_start_matches("microsoft.graph.") {
        "user" => Some(&[USER]),
        "group" => Some(&[GROUP]),
        "directoryObject" => Some(&[USER, GROUP]),
        "application" | "servicePrincipal" | "device" | "orgContact" | "administrativeUnit" => {
            Some(&[OTHER_DIRECTORY])
        }
        _ => None,
    }
}

/// Whether the request carries the advanced query parameters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Advanced {
    pub eventual: bool,
    pub count: bool,
}

impl Advanced {
    pub fn on(self) -> bool {
        self.eventual && self.count
    }
}

fn needs_advanced(op: &str) -> GraphErr {
    GraphErr::unsupported_query(format!(
        "Operator '{op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
    ))
}

fn unsupported(prop: &str, resource: &str) -> GraphErr {
    GraphErr::unsupported_query(format!(
        "Unsupported or invalid query filter clause specified for property '{prop}' of resource '{resource}'."
    ))
}

fn path_of(o: &Operand) -> Option<&Path> {
    match o {
        Operand::Path(p) | Operand::Count(p) => Some(p),
        Operand::Lit(_) => None,
    }
}

/// Checks `filter` on a collection of `ty` against the directory tables; `resource` names
/// the type in errors (`User`). Walks the node list, not the tree: no recursion.
pub fn check_filter(
    filter: &Filter,
    ty: &str,
    resource: &str,
    adv: Advanced,
) -> Result<(), GraphErr> {
    let Some(tables) = directory(ty) else {
        return Ok(());
    };
    let rule = |prop: &str| -> Option<&FilterRule> {
        tables
            .iter()
            .flat_map(|t| t.iter())
            .find(|r| r.prop.eq_ignore_ascii_case(prop))
    };
    let require = |s: Support, op: &str, prop: &str| -> Result<(), GraphErr> {
        match s {
            D => Ok(()),
            A if adv.on() => Ok(()),
            A => Err(needs_advanced(op)),
            X => Err(unsupported(prop, resource)),
        }
    };
    for node in &filter.nodes {
        let (path, op, support_of): (Option<&Path>, &str, fn(&FilterRule) -> Support) = match node {
            Node::And(_) | Node::Lambda(..) => continue,
            // Type tests on directory objects are advanced queries
            // (<https://learn.microsoft.com/graph/aad-advanced-queries>).
            Node::IsOf { .. } => {
                require(A, "isof", "")?;
                continue;
            }
            Node::Has(p, _) => (Some(p), "has", |r| r.eq),
            Node::Or(terms) => {
                if terms.len() > MAX_OR_CLAUSES && !adv.on() {
                    return Err(too_many_clauses(terms.len()));
                }
                continue;
            }
            Node::Not(_) => {
                require(A, "not", "")?;
                continue;
            }
            Node::In(left, values) => {
                if values.len() > MAX_OR_CLAUSES && !adv.on() {
                    return Err(too_many_clauses(values.len()));
                }
                (path_of(left), "in", |r| r.within)
            }
            Node::Str(StrFn::StartsWith, t, _) => (path_of(t), "startsWith", |r| r.starts_with),
            Node::Str(StrFn::EndsWith, t, _) => {
                let Some(p) = path_of(t) else { continue };
                if ENDS_WITH
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(&p.root_prop))
                {
                    require(A, "endsWith", &p.root_prop)?;
                } else {
                    return Err(unsupported(&p.root_prop, resource));
                }
                continue;
            }
            Node::Str(StrFn::Contains, t, _) => {
                let prop = path_of(t).map(|p| p.root_prop.as_str()).unwrap_or("");
                return Err(unsupported(prop, resource));
            }
            Node::Cmp(left, op, right) => {
                if let Operand::Count(_) = left {
                    require(A, "$count", "")?;
                    continue;
                }
                let null = matches!(right, Operand::Lit(Literal::Null));
                match (op, null) {
                    (CmpOp::Ne, _) => {
                        require(A, "ne", "")?;
                        (path_of(left), "ne", |r| r.eq)
                    }
                    (CmpOp::Eq, true) => (path_of(left), "eq", |r| r.null),
                    (CmpOp::Eq, false) => (path_of(left), "eq", |r| r.eq),
                    (CmpOp::Gt, _) => (path_of(left), "gt", |r| r.range),
                    (CmpOp::Ge, _) => (path_of(left), "ge", |r| r.range),
                    (CmpOp::Lt, _) => (path_of(left), "lt", |r| r.range),
                    (CmpOp::Le, _) => (path_of(left), "le", |r| r.range),
                }
            }
        };
        let Some(path) = path else { continue };
        if path.nav {
            // Navigation properties filter only through `/$count`.
            return Err(unsupported(&path.root_prop, resource));
        }
        if path.root_prop.is_empty() {
            continue;
        }
        match rule(&path.root_prop) {
            Some(r) => require(support_of(r), op, &path.root_prop)?,
            None => return Err(unsupported(&path.root_prop, resource)),
        }
    }
    Ok(())
}

fn too_many_clauses(n: usize) -> GraphErr {
    GraphErr::unsupported_query(format!(
        "Too many child clauses specified in search filter expression containing 'OR' operators: {n}. Max allowed: {MAX_OR_CLAUSES}."
    ))
}

/// Checks `$orderby` on `prop` of a collection of `ty`, with or without a `$filter`.
pub fn check_order_by(
    ty: &str,
    prop: &str,
    with_filter: bool,
    resource: &str,
    adv: Advanced,
) -> Result<(), GraphErr> {
    let short = ty.trim_start_matches("microsoft.graph.");
    if directory(ty).is_none() {
        return Ok(());
    }
    let support = ORDER_BY
        .iter()
        .find(|(t, p, _)| {
            (*t == short || short == "directoryObject") && p.eq_ignore_ascii_case(prop)
        })
        .map(|(_, _, s)| *s)
        .unwrap_or(X);
    if with_filter && !adv.on() {
        return Err(GraphErr::unsupported_query(
            "Sorting not supported for current query.",
        ));
    }
    match support {
        D => Ok(()),
        A if adv.on() => Ok(()),
        A => Err(GraphErr::unsupported_query(format!(
            "Sorting not supported for '{prop}'. Try adding $count=true query parameter and ConsistencyLevel:eventual header."
        ))),
        X => Err(GraphErr::unsupported_query(format!(
            "Sorting by property '{prop}' of resource '{resource}' is not supported."
        ))),
    }
}
