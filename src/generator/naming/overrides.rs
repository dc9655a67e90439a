//! Shipped names that the rules do not produce (`sdk-naming-notes.md` §10). Each row says why
//! it exists; keep this table small: a rule that explains several names belongs in
//! [`super::directives`] instead.

/// (module, tweaked operationId, generated cmdlet, shipped cmdlet, why).
const OVERRIDES: &[(&str, &str, &str, &str, &str)] = &[
    // Two `At` placeholders (§0 step 3) in one noun; the restoring directive rewrites only the
    // last, yet the SDK ships these fully restored while the `ByRef` sibling stays garbled
    // (sdk-naming-notes.md §10). No rule found explains the difference.
    (
        "Microsoft.Graph.Identity.SignIns",
        "identity.authenticationEventsFlowAsOnGraphAPretributeCollectionExternalUsersSelfServiceSignUp_ListGraphAPretribute",
        "Get-MgIdentityAuthenticationEventFlowAsOnGraphAPretributeCollectionExternalUserSelfServiceSignUpAttribute",
        "Get-MgIdentityAuthenticationEventFlowAsOnAttributeCollectionExternalUserSelfServiceSignUpAttribute",
        "two At placeholders, shipped fully restored",
    ),
    (
        "Microsoft.Graph.Identity.SignIns",
        "identity.authenticationEventsFlow_GetOnGraphAPretributeCollectionAsOnGraphAPretributeCollectionExternalUsersSelfServiceSignUp",
        "Get-MgIdentityAuthenticationEventFlowOnGraphAPretributeCollectionAsOnAttributeCollectionExternalUserSelfServiceSignUp",
        "Get-MgIdentityAuthenticationEventFlowOnAttributeCollectionAsOnAttributeCollectionExternalUserSelfServiceSignUp",
        "two At placeholders, shipped fully restored",
    ),
    (
        "Microsoft.Graph.Identity.SignIns",
        "identity.b2xUserFlow.userGraphAPretributeAssignment_GetUserGraphAPretribute",
        "Get-MgIdentityB2XUserFlowUserGraphApretributeAssignmentUserAttribute",
        "Get-MgIdentityB2XUserFlowUserAttributeAssignmentUserAttribute",
        "two At placeholders, shipped fully restored",
    ),
];

/// The shipped name for an operation whose generated name is known to differ.
pub fn apply(module: &str, operation_id: &str, generated: &str) -> Option<String> {
    OVERRIDES
        .iter()
        .find(|(m, id, g, _, _)| *m == module && *id == operation_id && *g == generated)
        .map(|(_, _, _, shipped, _)| shipped.to_string())
}
