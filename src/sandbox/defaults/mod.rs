//! What every tenant has from the day it is created, with Graph's documented default values:
//! the organization and its initial domain, the tenant-wide policy singletons
//! (`policies/authorizationPolicy`, ...), `admin/reportSettings`, `deviceManagement`, directory
//! synchronization settings, and the built-in collections (directory role templates and role
//! definitions, PIM role-management policies, permission grant policies, authentication
//! strengths, group setting templates).
//!
//! [`install`] runs when a tenant is made and again after the demo data (`Tenant::fill`): it
//! only adds what is missing (an entity, or a property of one the demo wrote), so the demo's
//! own values win and a second run changes nothing. Nothing here reads the catalog, which keeps
//! start-up off its build; a test checks every object against the metadata (every declared
//! structural property present, so a GET answers a full object as Graph does).

mod roles;

use serde_json::{json, Map, Value};

use super::state::Tenant;
use super::store::{Entity, Nav};

pub use roles::{
    assignment_schedule, directory_role, eligibility_schedule, role_template, schedule_instance,
    ROLE_TEMPLATES,
};

/// When Microsoft created the built-in objects (authentication strengths, ...), as Graph
/// reports them.
const BUILT_IN_DATE: &str = "2021-12-01T00:00:00Z";

/// Adds every missing default to `t` (see the module doc).
pub fn install(t: &mut Tenant) {
    organization(t);
    policies(t);
    admin_and_device_management(t);
    directory(t);
    group_setting_templates(t);
    roles::install(t);
    // Every user's sessions are valid from its creation or last password change.
    t.fill_sessions_valid_from();
    if let Some(apps) = t.store.sets.get_mut("applications") {
        for app in apps.values_mut() {
            on_create("microsoft.graph.application", &mut app.object);
        }
    }
    // Consumed units are the users holding each SKU; states say where licences come from.
    super::licensing::refresh(t);
}

/// The object literal `v` as a map.
fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Adds to `into` the properties of `defaults` it lacks.
fn merge_missing(into: &mut Map<String, Value>, defaults: Map<String, Value>) {
    for (k, v) in defaults {
        into.entry(k).or_insert(v);
    }
}

/// Singleton `name` of the store (created if need be), its defaults merged in.
fn singleton<'t>(
    t: &'t mut Tenant,
    name: &str,
    ty: &str,
    defaults: Map<String, Value>,
) -> &'t mut Entity {
    let e = t
        .store
        .singletons
        .entry(name.to_string())
        .or_insert_with(|| Entity::new(ty, Map::new()));
    merge_missing(&mut e.object, defaults);
    e
}

/// Single-valued containment `nav` of `parent` (created if need be), its defaults merged in.
fn one<'e>(
    parent: &'e mut Entity,
    nav: &str,
    ty: &str,
    defaults: Map<String, Value>,
) -> &'e mut Entity {
    if !matches!(parent.nav.get(nav), Some(Nav::One(_))) {
        parent.nav.insert(
            nav.to_string(),
            Nav::One(Box::new(Entity::new(ty, Map::new()))),
        );
    }
    match parent.nav.get_mut(nav) {
        Some(Nav::One(c)) => {
            merge_missing(&mut c.object, defaults);
            c
        }
        // Just made above: a `One` is there.
        _ => unreachable!("a single-valued containment was just inserted"),
    }
}

/// Adds `object` to the contained collection `nav` of `parent` unless its id is there.
fn contain(parent: &mut Entity, nav: &str, ty: &str, object: Map<String, Value>) {
    let child = Entity::new(ty, object);
    let id = child.id().to_string();
    let many = parent.many_mut(nav);
    if !many.contains_key(&id) {
        many.insert(id, child);
    }
}

/// Adds `object` to entity set `set` unless its id is there; else merges in what it lacks.
fn top(t: &mut Tenant, set: &str, ty: &str, object: Map<String, Value>) {
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    match t.store.sets.get_mut(set).and_then(|s| s.get_mut(&id)) {
        Some(e) => merge_missing(&mut e.object, object),
        None => t.store.insert_top(set, Entity::new(ty, object)),
    }
}

/// `organization` and the initial domain. Values: organization-get and domain-get
/// (learn.microsoft.com/graph/api/organization-get, /domain-get); new tenants have Intune as
/// their mobile device management authority.
fn organization(t: &mut Tenant) {
    let domain = t.domain.clone();
    top(
        t,
        "organization",
        "microsoft.graph.organization",
        obj(json!({
            "id": t.id,
            "deletedDateTime": null,
            "displayName": t.display_name,
            "tenantType": "AAD",
            "countryLetterCode": "US",
            "country": null,
            "city": null,
            "state": null,
            "street": null,
            "postalCode": null,
            "preferredLanguage": "en",
            "defaultUsageLocation": null,
            "businessPhones": [],
            "technicalNotificationMails": [format!("admin@{domain}")],
            "securityComplianceNotificationMails": [],
            "securityComplianceNotificationPhones": [],
            "marketingNotificationEmails": [],
            "createdDateTime": super::state::timestamp(t.policy_modified),
            "onPremisesSyncEnabled": null,
            "onPremisesLastSyncDateTime": null,
            "mobileDeviceManagementAuthority": "intune",
            "partnerTenantType": null,
            "privacyProfile": null,
            "verifiedDomains": [{
                "name": domain, "type": "Managed", "isDefault": true, "isInitial": true,
                "capabilities": "Email, OfficeCommunicationsOnline"
            }],
            "assignedPlans": [],
            "provisionedPlans": [],
        })),
    );
    top(
        t,
        "domains",
        "microsoft.graph.domain",
        obj(json!({
            "id": domain, "authenticationType": "Managed", "availabilityStatus": null,
            "isAdminManaged": true, "isDefault": true, "isInitial": true, "isRoot": true,
            "isVerified": true, "manufacturer": null, "model": null,
            "supportedServices": ["Email", "OfficeCommunicationsOnline"],
            "passwordValidityPeriodInDays": 2147483647, "passwordNotificationWindowInDays": 14,
            "state": null,
        })),
    );
}

/// Who may join or register devices, and who becomes local administrator: everyone.
fn all_devices_membership() -> Value {
    json!({"@odata.type": "#microsoft.graph.allDeviceRegistrationMembership"})
}

/// A cross-tenant B2B setting allowing or blocking all users and all applications.
fn b2b_setting(access: &str) -> Value {
    json!({
        "usersAndGroups": {"accessType": access, "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": access, "targets": [{"target": "AllApplications", "targetType": "application"}]},
    })
}

/// The policy singletons below `/policies`. Each value is the documented default of a new
/// tenant (the `-get` page of each resource on learn.microsoft.com/graph/api).
fn policies(t: &mut Tenant) {
    // Security defaults are on in a new tenant and must be off where Conditional Access
    // policies exist (the demo tenant has some).
    let has_ca = t
        .store
        .singletons
        .get("identity")
        .and_then(|i| match i.nav.get("conditionalAccess") {
            Some(Nav::One(ca)) => ca.many("policies").map(|p| !p.is_empty()),
            _ => None,
        })
        .unwrap_or(false);
    let policies = singleton(
        t,
        "policies",
        "microsoft.graph.policyRoot",
        obj(json!({"id": "policies"})),
    );
    // authorizationpolicy-get.
    one(
        policies,
        "authorizationPolicy",
        "microsoft.graph.authorizationPolicy",
        obj(json!({
            "id": "authorizationPolicy",
            "deletedDateTime": null,
            "displayName": "Authorization Policy",
            "description": "Used to manage authorization related settings across the company.",
            "allowInvitesFrom": "everyone",
            "allowedToSignUpEmailBasedSubscriptions": true,
            "allowedToUseSSPR": true,
            "allowEmailVerifiedUsersToJoinOrganization": false,
            "allowUserConsentForRiskyApps": null,
            "blockMsolPowerShell": false,
            // The "User" role template: guests have the same access as members until changed.
            "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3",
            "defaultUserRolePermissions": {
                "allowedToCreateApps": true,
                "allowedToCreateSecurityGroups": true,
                "allowedToCreateTenants": true,
                "allowedToReadBitlockerKeysForOwnedDevice": true,
                "allowedToReadOtherUsers": true,
                "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"],
            },
        })),
    );
    // adminconsentrequestpolicy-get: the admin consent workflow is off until configured.
    one(
        policies,
        "adminConsentRequestPolicy",
        "microsoft.graph.adminConsentRequestPolicy",
        obj(json!({
            "id": "adminConsentRequestPolicy",
            "isEnabled": false,
            "notifyReviewers": false,
            "remindersEnabled": false,
            "requestDurationInDays": 30,
            "reviewers": [],
            "version": 0,
        })),
    );
    // deviceregistrationpolicy-get.
    one(
        policies,
        "deviceRegistrationPolicy",
        "microsoft.graph.deviceRegistrationPolicy",
        obj(json!({
            "id": "deviceRegistrationPolicy",
            "displayName": "Device Registration Policy",
            "description": "Tenant-wide policy that manages initial provisioning controls using quota restrictions, additional authentication and authorization checks",
            "userDeviceQuota": 50,
            "multiFactorAuthConfiguration": "notRequired",
            "azureADRegistration": {"isAdminConfigurable": false, "allowedToRegister": all_devices_membership()},
            "azureADJoin": {
                "isAdminConfigurable": true,
                "allowedToJoin": all_devices_membership(),
                "localAdmins": {"enableGlobalAdmins": true, "registeringUsers": all_devices_membership()},
            },
            "localAdminPassword": {"isEnabled": false},
        })),
    );
    // crosstenantaccesspolicy-get and crosstenantaccesspolicyconfigurationdefault-get: the
    // service default allows B2B collaboration both ways and blocks B2B direct connect.
    let cross = one(
        policies,
        "crossTenantAccessPolicy",
        "microsoft.graph.crossTenantAccessPolicy",
        obj(json!({
            "id": "crossTenantAccessPolicy",
            "deletedDateTime": null,
            "displayName": "CrossTenantAccessPolicy",
            "description": null,
            "allowedCloudEndpoints": [],
        })),
    );
    one(
        cross,
        "default",
        "microsoft.graph.crossTenantAccessPolicyConfigurationDefault",
        obj(json!({
            "id": "default",
            "isServiceDefault": true,
            "inboundTrust": {"isMfaAccepted": false, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false},
            "automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false},
            "b2bCollaborationInbound": b2b_setting("allowed"),
            "b2bCollaborationOutbound": b2b_setting("allowed"),
            "b2bDirectConnectInbound": b2b_setting("blocked"),
            "b2bDirectConnectOutbound": b2b_setting("blocked"),
            "tenantRestrictions": {
                "devices": null,
                "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
                "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]},
            },
            "invitationRedemptionIdentityProviderConfiguration": {
                "primaryIdentityProviderPrecedenceOrder": ["externalFederation", "azureActiveDirectory", "socialIdentityProviders"],
                "fallbackIdentityProvider": "defaultConfiguredIdp",
            },
            "appServiceConnectInbound": null,
            "m365CollaborationInbound": null,
            "m365CollaborationOutbound": null,
        })),
    );
    cross.many_mut("partners");
    // tenantappmanagementpolicy-get: the default policy, not enforced.
    one(
        policies,
        "defaultAppManagementPolicy",
        "microsoft.graph.tenantAppManagementPolicy",
        obj(json!({
            "id": "00000000-0000-0000-0000-000000000000",
            "deletedDateTime": null,
            "displayName": "Default app management tenant policy",
            "description": "Default tenant policy that enforces app management restrictions on applications and service principals. To apply policy to targeted resources, create a new policy under appManagementPolicies collection.",
            "isEnabled": false,
            "applicationRestrictions": {"passwordCredentials": [], "keyCredentials": [], "identifierUris": null},
            "servicePrincipalRestrictions": {"passwordCredentials": [], "keyCredentials": []},
        })),
    );
    // identitysecuritydefaultsenforcementpolicy-get.
    let security_defaults = one(
        policies,
        "identitySecurityDefaultsEnforcementPolicy",
        "microsoft.graph.identitySecurityDefaultsEnforcementPolicy",
        obj(json!({
            "id": "00000000-0000-0000-0000-000000000005",
            "deletedDateTime": null,
            "displayName": "Security Defaults",
            "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft. When enabled, these recommendations will be automatically enforced in your organization. Administrators and users will be better protected from common identity related attacks.",
            "isEnabled": !has_ca,
        })),
    );
    if has_ca {
        // Graph refuses Conditional Access policies while security defaults are on, so a
        // tenant that has some has them off.
        security_defaults
            .object
            .insert("isEnabled".into(), json!(false));
    }
    // authenticationflowspolicy-get: guest self-service sign-up is off in a new tenant.
    one(
        policies,
        "authenticationFlowsPolicy",
        "microsoft.graph.authenticationFlowsPolicy",
        obj(json!({
            "id": "authenticationFlowsPolicy",
            "displayName": "Authentication flows policy",
            "description": "Authentication flows policy allows modification of settings related to authentication flows in AAD tenant, such as self-service sign up configuration.",
            "selfServiceSignUp": {"isEnabled": false},
        })),
    );
    permission_grant_policies(policies);
    authentication_strengths(policies);
}

/// The built-in permission grant policies (permissiongrantpolicy-list): each includes one
/// condition set; ids are fixed so a tenant's are the same every run.
fn permission_grant_policies(policies: &mut Entity) {
    let any = |ty: &str, classification: &str, verified: bool| {
        json!({
            "permissionType": ty, "permissionClassification": classification,
            "permissions": ["all"], "resourceApplication": "any",
            "clientApplicationIds": ["all"], "clientApplicationTenantIds": ["all"],
            "clientApplicationPublisherIds": ["all"],
            "clientApplicationsFromVerifiedPublisherOnly": verified,
        })
    };
    let built_in: [(&str, &str, &str, &str, Value); 7] = [
        ("microsoft-all-application-permissions", "All application permissions, for any client app",
         "Includes all application permissions (app roles), for all APIs, for any client application.",
         "2c2ba2ba-2d1c-4a8e-9dbc-0c4c1b2d1a01", any("application", "all", false)),
        ("microsoft-all-application-permissions-verified", "All application permissions, for any client app from a verified publisher",
         "Includes all application permissions (app roles), for all APIs, for client applications from verified publishers.",
         "2c2ba2ba-2d1c-4a8e-9dbc-0c4c1b2d1a02", any("application", "all", true)),
        ("microsoft-application-admin", "Application Administrator",
         "Permissions consentable by Application Administrators.",
         "2c2ba2ba-2d1c-4a8e-9dbc-0c4c1b2d1a03", any("delegated", "all", false)),
        ("microsoft-company-admin", "All permissions",
         "All delegated and application permissions, for any client app, for any API.",
         "2c2ba2ba-2d1c-4a8e-9dbc-0c4c1b2d1a04", any("delegated", "all", false)),
        ("microsoft-user-default-legacy", "Default (legacy) policy for user consent",
         "All delegated permissions that do not require admin consent, for any client application.",
         "2c2ba2ba-2d1c-4a8e-9dbc-0c4c1b2d1a05", any("delegated", "all", false)),
        ("microsoft-user-default-low", "All low risk permissions that are consentable by member type users by default",
         "Includes delegated permissions classified as low, for client apps from verified publishers or registered in this organization.",
         "2c2ba2ba-2d1c-4a8e-9dbc-0c4c1b2d1a06", any("delegated", "low", true)),
        ("microsoft-user-default-recommended", "Microsoft recommended default policy for user consent",
         "Permissions consentable by users by default, as Microsoft recommends them.",
         "2c2ba2ba-2d1c-4a8e-9dbc-0c4c1b2d1a07", any("delegated", "low", true)),
    ];
    for (id, name, description, set_id, condition) in built_in {
        if policies
            .many("permissionGrantPolicies")
            .is_some_and(|m| m.contains_key(id))
        {
            continue;
        }
        let mut policy = Entity::new(
            "microsoft.graph.permissionGrantPolicy",
            obj(json!({
                "id": id, "deletedDateTime": null, "displayName": name, "description": description,
            })),
        );
        let mut set = obj(condition);
        set.insert("id".into(), json!(set_id));
        contain(
            &mut policy,
            "includes",
            "microsoft.graph.permissionGrantConditionSet",
            set,
        );
        policy.many_mut("excludes");
        policies
            .many_mut("permissionGrantPolicies")
            .insert(id.to_string(), policy);
    }
}

/// The three built-in authentication strengths (authenticationstrengthpolicy-list), with the
/// method combinations each allows.
fn authentication_strengths(policies: &mut Entity) {
    let strengths: [(&str, &str, &str, &[&str]); 3] = [
        (
            "00000000-0000-0000-0000-000000000002",
            "Multifactor authentication",
            "Combinations of methods that satisfy strong authentication, such as a password + SMS",
            &[
                "windowsHelloForBusiness",
                "fido2",
                "x509CertificateMultiFactor",
                "deviceBasedPush",
                "temporaryAccessPassOneTime",
                "temporaryAccessPassMultiUse",
                "password,microsoftAuthenticatorPush",
                "password,softwareOath",
                "password,hardwareOath",
                "password,sms",
                "password,voice",
                "federatedMultiFactor",
                "microsoftAuthenticatorPush,federatedSingleFactor",
                "softwareOath,federatedSingleFactor",
                "hardwareOath,federatedSingleFactor",
                "sms,federatedSingleFactor",
                "voice,federatedSingleFactor",
            ],
        ),
        (
            "00000000-0000-0000-0000-000000000003",
            "Passwordless MFA",
            "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator",
            &[
                "windowsHelloForBusiness",
                "fido2",
                "x509CertificateMultiFactor",
                "deviceBasedPush",
            ],
        ),
        (
            "00000000-0000-0000-0000-000000000004",
            "Phishing-resistant MFA",
            "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key",
            &["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"],
        ),
    ];
    for (id, name, description, combos) in strengths {
        contain(
            policies,
            "authenticationStrengthPolicies",
            "microsoft.graph.authenticationStrengthPolicy",
            obj(json!({
                "id": id, "displayName": name, "description": description,
                "policyType": "builtIn", "requirementsSatisfied": "mfa",
                "allowedCombinations": combos,
                "createdDateTime": BUILT_IN_DATE, "modifiedDateTime": BUILT_IN_DATE,
            })),
        );
    }
}

/// `admin/reportSettings` (adminreportsettings-get: names in reports are concealed by default
/// since 2021) and `deviceManagement` (intune-devices-devicemanagement-get).
fn admin_and_device_management(t: &mut Tenant) {
    let admin = singleton(t, "admin", "microsoft.graph.admin", Map::new());
    one(
        admin,
        "reportSettings",
        "microsoft.graph.adminReportSettings",
        obj(json!({"id": "reportSettings", "displayConcealedNames": true})),
    );
    let intune_account = derived_id(&t.id, "intuneAccountId");
    singleton(
        t,
        "deviceManagement",
        "microsoft.graph.deviceManagement",
        obj(json!({
            "id": "deviceManagement",
            "intuneAccountId": intune_account,
            "subscriptionState": "active",
            "settings": {"deviceComplianceCheckinThresholdDays": 30, "isScheduledActionEnabled": true, "secureByDefault": false},
            "intuneBrand": {
                "displayName": null, "contactITName": null, "contactITPhoneNumber": null,
                "contactITEmailAddress": null, "contactITNotes": null, "privacyUrl": null,
                "onlineSupportSiteUrl": null, "onlineSupportSiteName": null, "themeColor": null,
                "showLogo": false, "lightBackgroundLogo": null, "darkBackgroundLogo": null,
                "showNameNextToLogo": false, "showDisplayNameNextToLogo": false,
            },
            "deviceProtectionOverview": null,
            "windowsMalwareOverview": null,
            "userExperienceAnalyticsSettings": {"configurationManagerDataConnectorConfigured": false},
        })),
    );
}

/// `directory/onPremisesSynchronization` (onpremisesdirectorysynchronization-get): one entry
/// keyed by the tenant id; password hash sync follows whether the organization syncs.
fn directory(t: &mut Tenant) {
    let synced = t
        .store
        .sets
        .get("organization")
        .and_then(|s| s.get(&t.id))
        .and_then(|o| o.object.get("onPremisesSyncEnabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let id = t.id.clone();
    let directory = singleton(
        t,
        "directory",
        "microsoft.graph.directory",
        obj(json!({"id": "directory"})),
    );
    contain(
        directory,
        "onPremisesSynchronization",
        "microsoft.graph.onPremisesDirectorySynchronization",
        obj(json!({
            "id": id,
            "configuration": {
                "accidentalDeletionPrevention": {"synchronizationPreventionType": "enabledForCount", "alertThreshold": 500},
            },
            "features": {
                "allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled": false,
                "blockCloudObjectTakeoverThroughHardMatchEnabled": false,
                "blockSoftMatchEnabled": false,
                "bypassDirSyncOverridesEnabled": false,
                "cloudPasswordPolicyForPasswordSyncedUsersEnabled": false,
                "concurrentCredentialUpdateEnabled": false,
                "concurrentOrgIdProvisioningEnabled": true,
                "deviceWritebackEnabled": false,
                "directoryExtensionsEnabled": false,
                "fopeConflictResolutionEnabled": false,
                "groupWriteBackEnabled": false,
                "passwordSyncEnabled": synced,
                "passwordWritebackEnabled": false,
                "quarantineUponProxyAddressesConflictEnabled": true,
                "quarantineUponUpnConflictEnabled": true,
                "softMatchOnUpnEnabled": true,
                "synchronizeUpnForManagedUsersEnabled": true,
                "unifiedGroupWritebackEnabled": true,
                "userForcePasswordChangeOnLogonEnabled": false,
                "userWritebackEnabled": false,
            },
        })),
    );
}

/// The built-in group setting templates (groupsettingtemplate-list): `Group.Unified` and the
/// others every tenant lists, with their settings' names, types and defaults.
fn group_setting_templates(t: &mut Tenant) {
    type Setting = (&'static str, &'static str, &'static str, &'static str);
    let templates: [(&str, &str, &str, &[Setting]); 8] = [
        ("62375ab9-6b52-47ed-826b-58e47e0e304b", "Group.Unified",
         "Setting templates define the different settings that can be used for the associated ObjectSettings. This template defines settings that can be used for Unified Groups.",
         &[
            ("CustomBlockedWordsList", "System.String", "", "A comma-delimited list of blocked words for Unified Group displayName and mailNickName."),
            ("EnableMSStandardBlockedWords", "System.Boolean", "False", "A flag indicating whether or not to enable the Microsoft Standard list of blocked words for Unified Group displayName and mailNickName."),
            ("ClassificationDescriptions", "System.String", "", "A comma-delimited list of structured strings describing the classification values in the ClassificationList."),
            ("DefaultClassification", "System.String", "", "The classification value to be used by default for Unified Group creation."),
            ("PrefixSuffixNamingRequirement", "System.String", "", "A structured string describing how a Unified Group displayName and mailNickname should be structured."),
            ("AllowGuestsToBeGroupOwner", "System.Boolean", "False", "Flag indicating if guests are allowed to be owner in any Unified Group."),
            ("AllowGuestsToAccessGroups", "System.Boolean", "True", "Flag indicating if guests are allowed to access any Unified Group resources."),
            ("GuestUsageGuidelinesUrl", "System.String", "", "A link to the Group Usage Guidelines for guests."),
            ("GroupCreationAllowedGroupId", "System.Guid", "", "Guid of the security group that is always allowed to create Unified Groups."),
            ("AllowToAddGuests", "System.Boolean", "True", "Flag indicating if guests are allowed in any Unified Group."),
            ("UsageGuidelinesUrl", "System.String", "", "A link to the Group Usage Guidelines."),
            ("ClassificationList", "System.String", "", "A comma-delimited list of valid classification values that can be applied to Unified Groups."),
            ("EnableGroupCreation", "System.Boolean", "True", "Flag indicating if group creation feature is on."),
            ("NewUnifiedGroupWritebackDefault", "System.Boolean", "True", "Flag indicating if Unified Groups are written back to on-premises by default."),
         ]),
        ("08d542b9-071f-4e16-94b0-74abb372e3d9", "Group.Unified.Guest",
         "Settings for a specific Unified Group",
         &[("AllowToAddGuests", "System.Boolean", "True", "Flag indicating if guests are allowed in a specific Unified Group.")]),
        ("4bc7f740-180e-4586-adb6-38b2e9024e6b", "Application",
         "Settings for managing tenant-wide application behavior.",
         &[("EnableAccessCheckForPrivilegedApplicationUpdates", "System.Boolean", "False", "Setting to enable or disable the access check for privileged application updates.")]),
        ("5cf42378-d67d-4f36-ba46-e8b86229381d", "Password Rule Settings",
         "Settings for managing tenant-wide password rule settings.",
         &[
            ("BannedPasswordCheckOnPremisesMode", "System.String", "Audit", "How should we enforce password policy check in on-premises system."),
            ("EnableBannedPasswordCheckOnPremises", "System.Boolean", "True", "Flag indicating if the banned password check is turned on or not for on-premises system."),
            ("EnableBannedPasswordCheck", "System.Boolean", "True", "Flag indicating if the banned password check for tenant specific banned password list is turned on or not."),
            ("LockoutDurationInSeconds", "System.Int32", "60", "The duration in seconds of the initial lockout period."),
            ("LockoutThreshold", "System.Int32", "10", "The number of failed login attempts before the first lockout period begins."),
            ("BannedPasswordList", "System.String", "", "A tab-delimited banned password list."),
         ]),
        ("80661d51-be2f-4d46-9713-98a2fcaec5bc", "Prohibited Names Settings",
         "Settings for managing tenant-wide prohibited names for application display names.",
         &[
            ("CustomBlockedSubStringsList", "System.String", "", "A comma delimited list of substring reserved words to block for application display names."),
            ("CustomBlockedWholeWordsList", "System.String", "", "A comma delimited list of reserved words to block for application display names."),
         ]),
        ("898f1161-d651-43d1-805c-3b0b388a9fc2", "Custom Policy Settings",
         "Settings for a custom policy.",
         &[("CustomConditionalAccessPolicyUrl", "System.String", "", "Custom conditional access policy url.")]),
        ("aad3907d-1d1a-448b-b3ef-7bf7f63db63b", "Prohibited Names Restricted Settings",
         "Settings for managing tenant-wide prohibited names restricted settings.",
         &[
            ("CustomAllowedSubStringsList", "System.String", "", "A comma delimited list of substring reserved words to allow for application display names."),
            ("CustomAllowedWholeWordsList", "System.String", "", "A comma delimited list of whole reserved words to allow for application display names."),
            ("DoNotValidateAgainstTrademark", "System.Boolean", "False", "A flag to indicate whether or not display name validation against trademark data is required."),
         ]),
        ("dffd5d46-495d-40a9-8e21-954ff55e198a", "Consent Policy Settings",
         "Settings for managing tenant-wide consent policy.",
         &[
            ("EnableGroupSpecificConsent", "System.Boolean", "False", "Enable Group Specific Consent"),
            ("BlockUserConsentForRiskyApps", "System.Boolean", "True", "Block user consent for risky apps"),
            ("EnableAdminConsentRequests", "System.Boolean", "False", "Enable admin consent requests"),
            ("ConstrainGroupSpecificConsentToMembersOfGroupId", "System.Guid", "", "Constrain Group Specific Consent to Members of Group Id"),
         ]),
    ];
    for (id, name, description, settings) in templates {
        let values: Vec<Value> = settings
            .iter()
            .map(|(n, ty, default, d)| {
                json!({"name": n, "type": ty, "defaultValue": default, "description": d})
            })
            .collect();
        top(
            t,
            "groupSettingTemplates",
            "microsoft.graph.groupSettingTemplate",
            obj(json!({
                "id": id, "deletedDateTime": null, "displayName": name,
                "description": description, "values": values,
            })),
        );
    }
}

/// Fills in what Graph sets on a new object of type `ty` that the request left out: an
/// application's complex values (application-post-applications: `web`, `api`, `spa`,
/// `publicClient`, `info`, ...), a user's empty licences and extension attributes
/// (user-post-users). Values the request gave are kept.
pub fn on_create(ty: &str, object: &mut Map<String, Value>) {
    let defaults = match ty {
        "microsoft.graph.application" => json!({
            "api": {
                "acceptMappedClaims": null, "knownClientApplications": [],
                "requestedAccessTokenVersion": null, "oauth2PermissionScopes": [],
                "preAuthorizedApplications": [],
            },
            "web": {
                "homePageUrl": null, "logoutUrl": null, "redirectUris": [],
                "implicitGrantSettings": {"enableAccessTokenIssuance": false, "enableIdTokenIssuance": false},
                "redirectUriSettings": [],
            },
            "spa": {"redirectUris": []},
            "publicClient": {"redirectUris": []},
            "info": {
                "logoUrl": null, "marketingUrl": null, "privacyStatementUrl": null,
                "supportUrl": null, "termsOfServiceUrl": null,
            },
            "parentalControlSettings": {"countriesBlockedForMinors": [], "legalAgeGroupRule": "Allow"},
            "verifiedPublisher": {"displayName": null, "verifiedPublisherId": null, "addedDateTime": null},
            "requiredResourceAccess": [],
            "appRoles": [],
            "identifierUris": [],
            "tags": [],
            "addIns": [],
            "keyCredentials": [],
            "passwordCredentials": [],
            "optionalClaims": null,
            "groupMembershipClaims": null,
            "isDeviceOnlyAuthSupported": null,
            "isFallbackPublicClient": null,
            "notes": null,
            "description": null,
            "defaultRedirectUri": null,
            "tokenEncryptionKeyId": null,
            "serviceManagementReference": null,
            "samlMetadataUrl": null,
            "disabledByMicrosoftStatus": null,
            "applicationTemplateId": null,
            "certification": null,
            "requestSignatureVerification": null,
            "servicePrincipalLockConfiguration": null,
            "nativeAuthenticationApisEnabled": null,
            "uniqueName": null,
        }),
        "microsoft.graph.user" => {
            let attributes: Map<String, Value> = (1..=15)
                .map(|i| (format!("extensionAttribute{i}"), Value::Null))
                .collect();
            json!({
                "assignedLicenses": [],
                "assignedPlans": [],
                "onPremisesExtensionAttributes": attributes,
            })
        }
        // domain-post-domains: a new domain is managed, unverified, and neither the default
        // nor the initial one until it is verified.
        "microsoft.graph.domain" => json!({
            "authenticationType": "Managed", "availabilityStatus": null, "isAdminManaged": true,
            "isDefault": false, "isInitial": false, "isRoot": true, "isVerified": false,
            "supportedServices": [], "passwordValidityPeriodInDays": null,
            "passwordNotificationWindowInDays": null, "state": null,
        }),
        // entitlementmanagement-post-catalogs: a catalog made by an admin is user-managed and
        // published.
        "microsoft.graph.accessPackageCatalog" => json!({
            "catalogType": "userManaged", "state": "published", "isExternallyVisible": true,
        }),
        // user-post-events: Outlook's defaults for what the request leaves out (the organizer,
        // responses and time zones are the mailbox's: graph::calendar).
        "microsoft.graph.event" => json!({
            "isAllDay": false, "isCancelled": false, "isDraft": false, "isOnlineMeeting": false,
            "isReminderOn": true, "reminderMinutesBeforeStart": 15, "responseRequested": true,
            "showAs": "busy", "importance": "normal", "sensitivity": "normal",
            "hasAttachments": false, "allowNewTimeProposals": true, "hideAttendees": false,
            "location": {"displayName": "", "locationType": "default", "uniqueIdType": "unknown"},
            "locations": [], "attendees": [], "categories": [], "recurrence": null,
        }),
        // authenticationstrengthroot-post-policies: what an admin makes is a custom strength.
        "microsoft.graph.authenticationStrengthPolicy" => json!({"policyType": "custom"}),
        _ => return,
    };
    merge_missing(object, obj(defaults));
}

/// A GUID derived from the tenant id and `what`: the same tenant gets the same one each run.
pub fn derived_id(tenant_id: &str, what: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{tenant_id}/{what}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests;
