//! The command table. One entry per cmdlet; everything else is derived.

use super::{Api, Command, Example, Method, Route, RouteKind, Special};

const USERS: &str = "Microsoft.Graph.Users";
const GROUPS: &str = "Microsoft.Graph.Groups";
const APPLICATIONS: &str = "Microsoft.Graph.Applications";
const DIRECTORY: &str = "Microsoft.Graph.Identity.DirectoryManagement";
const SIGNINS: &str = "Microsoft.Graph.Identity.SignIns";
const BETA_SIGNINS: &str = "Microsoft.Graph.Beta.Identity.SignIns";
const BETA_DIRECTORY: &str = "Microsoft.Graph.Beta.Identity.DirectoryManagement";
const BETA_SETTINGS: &str = "/settings";
const BETA_SETTING: &str = "/settings/{directorySetting-id}";

const fn route(kind: RouteKind, method: Method, path: &'static str) -> Route {
    Route {
        kind,
        method,
        path,
        body: None,
        variant: None,
        action: &[],
        returns: None,
        query: None,
        consistency_level: false,
        custom_query: &[],
        pageable: false,
        body_schema: None,
        response_schema: None,
    }
}

const fn with_body(
    kind: RouteKind,
    method: Method,
    path: &'static str,
    body: &'static str,
) -> Route {
    Route {
        body: Some(body),
        ..route(kind, method, path)
    }
}

const TAP_PATH: &str = "/users/{user-id}/authentication/temporaryAccessPassMethods";
const TAP_ITEM: &str =
    "/users/{user-id}/authentication/temporaryAccessPassMethods/{temporaryAccessPassAuthenticationMethod-id}";
const CONFIG_ITEM: &str = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{authenticationMethodConfiguration-id}";

/// Commands implemented by hand in the module (authentication, raw requests, sandbox), which
/// the manifest exports next to the generated ones.
pub static BUILTIN_COMMANDS: &[&str] = &[
    "Add-MgEnvironment",
    "Connect-MgGraph",
    "Disconnect-MgGraph",
    "Find-MgGraphCommand",
    "Find-MgGraphPermission",
    "Get-MgContext",
    "Get-MgEnvironment",
    "Get-MgProfile",
    "Get-MgRequestContext",
    "Invoke-MgGraphBatchRequest",
    "Invoke-MgGraphRequest",
    "Register-MgSandboxPasskey",
    "Remove-MgEnvironment",
    "Select-MgProfile",
    "Set-MgEnvironment",
    "Set-MgRequestContext",
];

/// Engine commands the module calls for itself (not cmdlets): what a model's classes are. (What
/// a command's parameter sets are is asked directly: `mggraph_command_describe`.)
pub static INTERNAL_COMMANDS: &[&str] = &["MgGraph.DescribeModels"];

/// Every generated Graph cmdlet.
pub static COMMANDS: &[Command] = &[
    Command {
        name: "Get-MgUser",
        sdk_module: USERS,
        api: Api::V1,
        synopsis: "Gets a user by id or user principal name, or lists users.",
        description: "Calls GET /users/{user-id} or GET /users. List sets page with -All (streaming) and take OData query options.",
        routes: &[
            route(RouteKind::List, Method::Get, "/users"),
            route(RouteKind::Get, Method::Get, "/users/{user-id}"),
        ],
        output: Some("user"),
        advanced_query: true,
        special: Special::None,
        examples: &[
            Example {
                code: "Get-MgUser -UserId testuser@contoso.onmicrosoft.com",
                remarks: "Gets one user by user principal name.",
            },
            Example {
                code: "Get-MgUser -All -Filter \"startswith(displayName,'A')\" -Property Id,DisplayName",
                remarks: "Streams every matching user, page after page.",
            },
        ],
    },
    Command {
        name: "New-MgUser",
        sdk_module: USERS,
        api: Api::V1,
        synopsis: "Creates a user.",
        description: "Calls POST /users.",
        routes: &[with_body(RouteKind::Create, Method::Post, "/users", "user")],
        output: Some("user"),
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "New-MgUser -DisplayName 'Test User' -MailNickname testuser -UserPrincipalName testuser@contoso.onmicrosoft.com -AccountEnabled -PasswordProfile @{ Password = 'xWwvJ]6NMw+bWH-d'; ForceChangePasswordNextSignIn = $true }",
            remarks: "Creates an enabled user who must change the password at first sign-in.",
        }],
    },
    Command {
        name: "Update-MgUser",
        sdk_module: USERS,
        api: Api::V1,
        synopsis: "Updates a user's properties.",
        description: "Calls PATCH /users/{user-id}.",
        routes: &[with_body(RouteKind::Update, Method::Patch, "/users/{user-id}", "user")],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Update-MgUser -UserId testuser@contoso.onmicrosoft.com -JobTitle 'Engineer'",
            remarks: "Sets the job title.",
        }],
    },
    Command {
        name: "Remove-MgUser",
        sdk_module: USERS,
        api: Api::V1,
        synopsis: "Deletes a user.",
        description: "Calls DELETE /users/{user-id}.",
        routes: &[route(RouteKind::Delete, Method::Delete, "/users/{user-id}")],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Remove-MgUser -UserId testuser@contoso.onmicrosoft.com -Confirm:$false",
            remarks: "Deletes the user without asking.",
        }],
    },
    Command {
        name: "New-MgGroup",
        sdk_module: GROUPS,
        api: Api::V1,
        synopsis: "Creates a group.",
        description: "Calls POST /groups.",
        routes: &[with_body(RouteKind::Create, Method::Post, "/groups", "group")],
        output: Some("group"),
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "New-MgGroup -DisplayName 'TAP users' -MailEnabled:$false -MailNickname tapusers -SecurityEnabled",
            remarks: "Creates a security group.",
        }],
    },
    Command {
        name: "Get-MgGroup",
        sdk_module: GROUPS,
        api: Api::V1,
        synopsis: "Gets a group, or lists groups.",
        description: "Calls GET /groups/{group-id} or GET /groups.",
        routes: &[
            route(RouteKind::List, Method::Get, "/groups"),
            route(RouteKind::Get, Method::Get, "/groups/{group-id}"),
        ],
        output: Some("group"),
        advanced_query: true,
        special: Special::None,
        examples: &[Example {
            code: "Get-MgGroup -Filter \"displayName eq 'TAP users'\"",
            remarks: "Finds a group by name.",
        }],
    },
    Command {
        name: "Get-MgGroupMember",
        sdk_module: GROUPS,
        api: Api::V1,
        synopsis: "Lists a group's direct members.",
        description: "Calls GET /groups/{group-id}/members. Members are directory objects; their type and details are in AdditionalProperties.",
        routes: &[route(RouteKind::List, Method::Get, "/groups/{group-id}/members")],
        output: Some("directoryObject"),
        advanced_query: true,
        special: Special::None,
        examples: &[Example {
            code: "Get-MgGroupMember -GroupId $group.Id -All | ForEach-Object { $_.AdditionalProperties['userPrincipalName'] }",
            remarks: "Lists the user principal names of every member.",
        }],
    },
    Command {
        name: "New-MgGroupMember",
        sdk_module: GROUPS,
        api: Api::V1,
        synopsis: "Adds a member to a group.",
        description: "Calls POST /groups/{group-id}/members/$ref.",
        routes: &[with_body(
            RouteKind::Create,
            Method::Post,
            "/groups/{group-id}/members/$ref",
            "referenceCreate",
        )],
        output: None,
        advanced_query: false,
        special: Special::DirectoryObjectRef,
        examples: &[Example {
            code: "New-MgGroupMember -GroupId $group.Id -DirectoryObjectId $user.Id",
            remarks: "Adds a user to a group.",
        }],
    },
    Command {
        // The SDK's older (and widely scripted) name for Remove-MgGroupMemberDirectoryObjectByRef.
        name: "Remove-MgGroupMemberByRef",
        sdk_module: GROUPS,
        api: Api::V1,
        synopsis: "Removes a member from a group.",
        description: "Calls DELETE /groups/{group-id}/members/{directoryObject-id}/$ref.",
        routes: &[route(
            RouteKind::RefDelete,
            Method::Delete,
            "/groups/{group-id}/members/{directoryObject-id}/$ref",
        )],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Remove-MgGroupMemberByRef -GroupId $group.Id -DirectoryObjectId $user.Id",
            remarks: "Removes a user from a group (the user is not deleted).",
        }],
    },
    Command {
        // The SDK's older (and widely scripted) name for Remove-MgGroupOwnerDirectoryObjectByRef, kept for compatibility as
        // Remove-MgGroupMemberByRef is.
        name: "Remove-MgGroupOwnerByRef",
        sdk_module: GROUPS,
        api: Api::V1,
        synopsis: "Removes an owner from a group.",
        description: "Calls DELETE /groups/{group-id}/owners/{directoryObject-id}/$ref.",
        routes: &[route(
            RouteKind::RefDelete,
            Method::Delete,
            "/groups/{group-id}/owners/{directoryObject-id}/$ref",
        )],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Remove-MgGroupOwnerByRef -GroupId $group.Id -DirectoryObjectId $user.Id",
            remarks: "Removes a user from the group's owners (the user is not deleted).",
        }],
    },
    Command {
        // The SDK's older (and widely scripted) name for Remove-MgApplicationOwnerDirectoryObjectByRef, kept for compatibility as
        // Remove-MgGroupMemberByRef is.
        name: "Remove-MgApplicationOwnerByRef",
        sdk_module: APPLICATIONS,
        api: Api::V1,
        synopsis: "Removes an owner from an application.",
        description: "Calls DELETE /applications/{application-id}/owners/{directoryObject-id}/$ref.",
        routes: &[route(
            RouteKind::RefDelete,
            Method::Delete,
            "/applications/{application-id}/owners/{directoryObject-id}/$ref",
        )],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Remove-MgApplicationOwnerByRef -ApplicationId $app.Id -DirectoryObjectId $user.Id",
            remarks: "Removes a user from the application's owners.",
        }],
    },
    Command {
        // The SDK's older (and widely scripted) name for Remove-MgServicePrincipalOwnerDirectoryObjectByRef, kept for compatibility as
        // Remove-MgGroupMemberByRef is.
        name: "Remove-MgServicePrincipalOwnerByRef",
        sdk_module: APPLICATIONS,
        api: Api::V1,
        synopsis: "Removes an owner from a service principal.",
        description: "Calls DELETE /servicePrincipals/{servicePrincipal-id}/owners/{directoryObject-id}/$ref.",
        routes: &[route(
            RouteKind::RefDelete,
            Method::Delete,
            "/servicePrincipals/{servicePrincipal-id}/owners/{directoryObject-id}/$ref",
        )],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Remove-MgServicePrincipalOwnerByRef -ServicePrincipalId $sp.Id -DirectoryObjectId $user.Id",
            remarks: "Removes a user from the service principal's owners.",
        }],
    },
    Command {
        // The SDK's older (and widely scripted) name for Remove-MgDeviceRegisteredOwnerDirectoryObjectByRef, kept for compatibility as
        // Remove-MgGroupMemberByRef is.
        name: "Remove-MgDeviceRegisteredOwnerByRef",
        sdk_module: DIRECTORY,
        api: Api::V1,
        synopsis: "Removes a registered owner from a device.",
        description: "Calls DELETE /devices/{device-id}/registeredOwners/{directoryObject-id}/$ref.",
        routes: &[route(
            RouteKind::RefDelete,
            Method::Delete,
            "/devices/{device-id}/registeredOwners/{directoryObject-id}/$ref",
        )],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Remove-MgDeviceRegisteredOwnerByRef -DeviceId $device.Id -DirectoryObjectId $user.Id",
            remarks: "Removes a user from the device's registered owners.",
        }],
    },
    Command {
        // The SDK's older (and widely scripted) name for Remove-MgDeviceRegisteredUserDirectoryObjectByRef, kept for compatibility as
        // Remove-MgGroupMemberByRef is.
        name: "Remove-MgDeviceRegisteredUserByRef",
        sdk_module: DIRECTORY,
        api: Api::V1,
        synopsis: "Removes a registered user from a device.",
        description: "Calls DELETE /devices/{device-id}/registeredUsers/{directoryObject-id}/$ref.",
        routes: &[route(
            RouteKind::RefDelete,
            Method::Delete,
            "/devices/{device-id}/registeredUsers/{directoryObject-id}/$ref",
        )],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Remove-MgDeviceRegisteredUserByRef -DeviceId $device.Id -DirectoryObjectId $user.Id",
            remarks: "Removes a user from the device's registered users.",
        }],
    },
    Command {
        // The SDK's older (and widely scripted) name for Remove-MgDirectoryRoleMemberDirectoryObjectByRef, kept for compatibility as
        // Remove-MgGroupMemberByRef is.
        name: "Remove-MgDirectoryRoleMemberByRef",
        sdk_module: DIRECTORY,
        api: Api::V1,
        synopsis: "Removes a member from a directory role.",
        description: "Calls DELETE /directoryRoles/{directoryRole-id}/members/{directoryObject-id}/$ref.",
        routes: &[route(
            RouteKind::RefDelete,
            Method::Delete,
            "/directoryRoles/{directoryRole-id}/members/{directoryObject-id}/$ref",
        )],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Remove-MgDirectoryRoleMemberByRef -DirectoryRoleId $role.Id -DirectoryObjectId $user.Id",
            remarks: "Removes a user from the directory role.",
        }],
    },
    Command {
        name: "Get-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration",
        sdk_module: SIGNINS,
        api: Api::V1,
        synopsis: "Gets one authentication method configuration of the tenant's policy.",
        description: "Calls GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}. Type-specific settings are in AdditionalProperties.",
        routes: &[route(RouteKind::Get, Method::Get, CONFIG_ITEM)],
        output: Some("authenticationMethodConfiguration"),
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Get-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId TemporaryAccessPass",
            remarks: "Reads the Temporary Access Pass policy.",
        }],
    },
    Command {
        name: "Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration",
        sdk_module: SIGNINS,
        api: Api::V1,
        synopsis: "Updates one authentication method configuration of the tenant's policy.",
        description: "Calls PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}. The body must carry @odata.type.",
        routes: &[with_body(
            RouteKind::Update,
            Method::Patch,
            CONFIG_ITEM,
            "authenticationMethodConfiguration",
        )],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration -AuthenticationMethodConfigurationId TemporaryAccessPass -BodyParameter @{ '@odata.type' = '#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration'; state = 'enabled'; includeTargets = @(@{ id = $group.Id; targetType = 'group'; isRegistrationRequired = $false }) }",
            remarks: "Enables Temporary Access Pass for one group only.",
        }],
    },
    Command {
        name: "New-MgUserAuthenticationTemporaryAccessPassMethod",
        sdk_module: SIGNINS,
        api: Api::V1,
        synopsis: "Creates a Temporary Access Pass for a user.",
        description: "Calls POST /users/{user-id}/authentication/temporaryAccessPassMethods. The pass value is returned only here. A new pass replaces the user's existing one.",
        routes: &[with_body(
            RouteKind::Create,
            Method::Post,
            TAP_PATH,
            "temporaryAccessPassAuthenticationMethod",
        )],
        output: Some("temporaryAccessPassAuthenticationMethod"),
        advanced_query: false,
        special: Special::None,
        examples: &[
            Example {
                code: "$properties = @{ isUsableOnce = $true; startDateTime = (Get-Date).ToString() }\nNew-MgUserAuthenticationTemporaryAccessPassMethod -UserId testuser@contoso.onmicrosoft.com -BodyParameter ($properties | ConvertTo-Json)",
                remarks: "Issues a one-time pass starting now, from a JSON body.",
            },
            Example {
                code: "New-MgUserAuthenticationTemporaryAccessPassMethod -UserId $user.Id -LifetimeInMinutes 120",
                remarks: "Issues a reusable two-hour pass (when the policy allows it).",
            },
        ],
    },
    Command {
        name: "Get-MgUserAuthenticationTemporaryAccessPassMethod",
        sdk_module: SIGNINS,
        api: Api::V1,
        synopsis: "Gets a user's Temporary Access Pass (without its value).",
        description: "Calls GET /users/{user-id}/authentication/temporaryAccessPassMethods[/{id}].",
        routes: &[
            route(RouteKind::List, Method::Get, TAP_PATH),
            route(RouteKind::Get, Method::Get, TAP_ITEM),
        ],
        output: Some("temporaryAccessPassAuthenticationMethod"),
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Get-MgUserAuthenticationTemporaryAccessPassMethod -UserId testuser@contoso.onmicrosoft.com",
            remarks: "Shows whether the user's pass is usable, and why.",
        }],
    },
    Command {
        name: "Remove-MgUserAuthenticationTemporaryAccessPassMethod",
        sdk_module: SIGNINS,
        api: Api::V1,
        synopsis: "Deletes a user's Temporary Access Pass.",
        description: "Calls DELETE /users/{user-id}/authentication/temporaryAccessPassMethods/{id}.",
        routes: &[route(RouteKind::Delete, Method::Delete, TAP_ITEM)],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Get-MgUserAuthenticationTemporaryAccessPassMethod -UserId $user.Id | ForEach-Object { Remove-MgUserAuthenticationTemporaryAccessPassMethod -UserId $user.Id -TemporaryAccessPassAuthenticationMethodId $_.Id }",
            remarks: "Revokes the user's pass.",
        }],
    },
    Command {
        name: "Get-MgUserAuthenticationMethod",
        sdk_module: SIGNINS,
        api: Api::V1,
        synopsis: "Lists a user's authentication methods.",
        description: "Calls GET /users/{user-id}/authentication/methods. Items are base-type objects: the method type (@odata.type) and its details are in AdditionalProperties.",
        routes: &[
            route(RouteKind::List, Method::Get, "/users/{user-id}/authentication/methods"),
            route(
                RouteKind::Get,
                Method::Get,
                "/users/{user-id}/authentication/methods/{authenticationMethod-id}",
            ),
        ],
        output: Some("authenticationMethod"),
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Get-MgUserAuthenticationMethod -UserId testuser@contoso.onmicrosoft.com | ForEach-Object { $_.AdditionalProperties['@odata.type'] }",
            remarks: "Prints the type of each registered method.",
        }],
    },
    Command {
        name: "Get-MgUserAuthenticationFido2Method",
        sdk_module: SIGNINS,
        api: Api::V1,
        synopsis: "Lists or gets a user's passkeys (FIDO2 methods).",
        description: "Calls GET /users/{user-id}/authentication/fido2Methods[/{id}].",
        routes: &[
            route(RouteKind::List, Method::Get, "/users/{user-id}/authentication/fido2Methods"),
            route(
                RouteKind::Get,
                Method::Get,
                "/users/{user-id}/authentication/fido2Methods/{fido2AuthenticationMethod-id}",
            ),
        ],
        output: Some("fido2AuthenticationMethod"),
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Get-MgUserAuthenticationFido2Method -UserId testuser@contoso.onmicrosoft.com",
            remarks: "Lists the user's passkeys.",
        }],
    },
    Command {
        name: "Remove-MgUserAuthenticationFido2Method",
        sdk_module: SIGNINS,
        api: Api::V1,
        synopsis: "Deletes one of a user's passkeys.",
        description: "Calls DELETE /users/{user-id}/authentication/fido2Methods/{id}.",
        routes: &[route(
            RouteKind::Delete,
            Method::Delete,
            "/users/{user-id}/authentication/fido2Methods/{fido2AuthenticationMethod-id}",
        )],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Remove-MgUserAuthenticationFido2Method -UserId $user.Id -Fido2AuthenticationMethodId $key.Id",
            remarks: "Removes a passkey.",
        }],
    },
    // Beta's directory settings (directorysetting resource; v1.0 has them as groupSettings,
    // whose model they share here). ScubaGear and Maester read them.
    Command {
        name: "Get-MgBetaDirectorySetting",
        sdk_module: BETA_DIRECTORY,
        api: Api::Beta,
        synopsis: "Gets a directory setting by id, or lists the tenant's directory settings (beta).",
        description: "Calls GET /beta/settings/{directorySetting-id} or GET /beta/settings.",
        routes: &[
            route(RouteKind::List, Method::Get, BETA_SETTINGS),
            route(RouteKind::Get, Method::Get, BETA_SETTING),
        ],
        output: Some("microsoft.graph.groupSetting"),
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "(Get-MgBetaDirectorySetting | Where-Object DisplayName -eq 'Group.Unified').Values",
            remarks: "Shows the tenant-wide Microsoft 365 group settings.",
        }],
    },
    Command {
        name: "New-MgBetaDirectorySetting",
        sdk_module: BETA_DIRECTORY,
        api: Api::Beta,
        synopsis: "Creates a directory setting from a template (beta).",
        description: "Calls POST /beta/settings.",
        routes: &[with_body(
            RouteKind::Create,
            Method::Post,
            BETA_SETTINGS,
            "microsoft.graph.groupSetting",
        )],
        output: Some("microsoft.graph.groupSetting"),
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "New-MgBetaDirectorySetting -TemplateId 62375ab9-6b52-47ed-826b-58e47e0e304b -Values @(@{ Name = 'EnableGroupCreation'; Value = 'false' })",
            remarks: "Stops users from creating Microsoft 365 groups.",
        }],
    },
    Command {
        name: "Update-MgBetaDirectorySetting",
        sdk_module: BETA_DIRECTORY,
        api: Api::Beta,
        synopsis: "Updates a directory setting (beta).",
        description: "Calls PATCH /beta/settings/{directorySetting-id}.",
        routes: &[with_body(
            RouteKind::Update,
            Method::Patch,
            BETA_SETTING,
            "microsoft.graph.groupSetting",
        )],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Update-MgBetaDirectorySetting -DirectorySettingId $setting.Id -Values @(@{ Name = 'EnableGroupCreation'; Value = 'true' })",
            remarks: "Lets users create Microsoft 365 groups again.",
        }],
    },
    Command {
        name: "Remove-MgBetaDirectorySetting",
        sdk_module: BETA_DIRECTORY,
        api: Api::Beta,
        synopsis: "Deletes a directory setting (beta).",
        description: "Calls DELETE /beta/settings/{directorySetting-id}.",
        routes: &[route(RouteKind::Delete, Method::Delete, BETA_SETTING)],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Remove-MgBetaDirectorySetting -DirectorySettingId $setting.Id",
            remarks: "Returns the tenant to the template's defaults.",
        }],
    },
    Command {
        name: "Get-MgBetaDirectorySettingTemplate",
        sdk_module: BETA_DIRECTORY,
        api: Api::Beta,
        synopsis: "Gets a directory setting template by id, or lists them (beta).",
        description: "Calls GET /beta/directorySettingTemplates/{directorySettingTemplate-id} or GET /beta/directorySettingTemplates.",
        routes: &[
            route(RouteKind::List, Method::Get, "/directorySettingTemplates"),
            route(
                RouteKind::Get,
                Method::Get,
                "/directorySettingTemplates/{directorySettingTemplate-id}",
            ),
        ],
        output: Some("microsoft.graph.groupSettingTemplate"),
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Get-MgBetaDirectorySettingTemplate | Select-Object Id, DisplayName",
            remarks: "Lists the templates a directory setting is made from.",
        }],
    },
    Command {
        name: "Get-MgBetaUserAuthenticationRequirement",
        sdk_module: BETA_SIGNINS,
        api: Api::Beta,
        synopsis: "Gets a user's per-user MFA state (beta).",
        description: "Calls GET /beta/users/{user-id}/authentication/requirements.",
        routes: &[route(
            RouteKind::Get,
            Method::Get,
            "/users/{user-id}/authentication/requirements",
        )],
        output: Some("strongAuthenticationRequirements"),
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "(Get-MgBetaUserAuthenticationRequirement -UserId testuser@contoso.onmicrosoft.com).PerUserMfaState",
            remarks: "Prints disabled, enabled or enforced.",
        }],
    },
    Command {
        name: "Update-MgBetaUserAuthenticationRequirement",
        sdk_module: BETA_SIGNINS,
        api: Api::Beta,
        synopsis: "Sets a user's per-user MFA state (beta).",
        description: "Calls PATCH /beta/users/{user-id}/authentication/requirements.",
        routes: &[with_body(
            RouteKind::Update,
            Method::Patch,
            "/users/{user-id}/authentication/requirements",
            "strongAuthenticationRequirements",
        )],
        output: None,
        advanced_query: false,
        special: Special::None,
        examples: &[Example {
            code: "Update-MgBetaUserAuthenticationRequirement -UserId testuser@contoso.onmicrosoft.com -PerUserMfaState enabled",
            remarks: "Enables per-user MFA.",
        }],
    },
];
