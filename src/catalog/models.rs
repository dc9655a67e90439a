//! Output and body models: the SDK's type names and PascalCase properties.
//!
//! The module turns each model into a real .NET type at run time (fields named as below), so
//! objects carry the SDK's type names and format views select on them. Properties that a
//! response has and the declared model lacks land in `AdditionalProperties`, exactly as the
//! SDK projects polymorphic results onto their declared base type.

/// The type of one property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    String,
    Int,
    /// A 64-bit integer (`Edm.Int64`).
    Long,
    /// A floating-point number (`Edm.Double`, `Edm.Single`, `Edm.Decimal`).
    Double,
    /// Bytes (`Edm.Binary`): base64 text on the wire, `byte[]` in PowerShell, as the SDK's
    /// models type them (a key credential's `Key`, an attachment's `ContentBytes`).
    Binary,
    Bool,
    DateTime,
    StringList,
    /// A nested model (by id).
    Model(&'static str),
    /// A list of nested models (by id).
    ModelList(&'static str),
    /// Any JSON value (kept as a dictionary or list).
    Any,
    /// One of the .NET enum of this name in the model's namespace (`AuthenticationType`); on
    /// the wire, the member's name.
    Enum(&'static str),
}

/// One declared property.
#[derive(Debug, Clone, Copy)]
pub struct Prop {
    /// The name on the wire (camelCase).
    pub json: &'static str,
    pub ty: PropType,
}

/// The .NET namespace a model's type lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    V1,
    Beta,
    Authentication,
}

impl Namespace {
    pub fn name(self) -> &'static str {
        match self {
            Namespace::V1 => "Microsoft.Graph.PowerShell.Models",
            Namespace::Beta => "Microsoft.Graph.Beta.PowerShell.Models",
            Namespace::Authentication => "Microsoft.Graph.PowerShell.Authentication",
        }
    }
}

/// A model (an output type or a request body type).
#[derive(Debug)]
pub struct Model {
    pub id: &'static str,
    pub namespace: Namespace,
    pub class: &'static str,
    pub props: &'static [Prop],
    /// Default table columns; empty means "the primitive properties in declared order".
    pub table: &'static [&'static str],
    /// Whether the type carries an `AdditionalProperties` dictionary (every Graph model does).
    pub additional_properties: bool,
}

impl Model {
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.namespace.name(), self.class)
    }

    /// The interface name the SDK documents as the output type.
    pub fn interface_name(&self) -> String {
        if self.namespace == Namespace::Authentication {
            return self.full_name();
        }
        format!("{}.I{}", self.namespace.name(), self.class)
    }

    pub fn prop(&self, json: &str) -> Option<&Prop> {
        self.props
            .iter()
            .find(|p| p.json.eq_ignore_ascii_case(json) || pascal_eq(p.json, json))
    }

    /// The default table columns.
    pub fn columns(&self) -> Vec<String> {
        if !self.table.is_empty() {
            return self.table.iter().map(|s| s.to_string()).collect();
        }
        self.props
            .iter()
            .filter(|p| {
                matches!(
                    p.ty,
                    PropType::String
                        | PropType::Enum(_)
                        | PropType::Int
                        | PropType::Bool
                        | PropType::DateTime
                )
            })
            .map(|p| pascal(p.json))
            .collect()
    }
}

/// `pascal(json) == name`, without allocating (this runs for members of every listed object).
fn pascal_eq(json: &str, name: &str) -> bool {
    pascal_chars(json).eq(name.chars())
}

/// PascalCase of a wire name: `isUsableOnce` → `IsUsableOnce`, `@odata.id` → `OdataId`.
pub fn pascal(json: &str) -> String {
    pascal_chars(json).collect()
}

/// The characters of [`pascal`]: separators dropped, the letter after each one (and the
/// first) upper-cased.
fn pascal_chars(json: &str) -> impl Iterator<Item = char> + '_ {
    let mut upper = true;
    json.chars()
        .filter_map(move |ch| {
            if matches!(ch, '@' | '.' | '-' | '_') {
                upper = true;
                return None;
            }
            Some((ch, std::mem::replace(&mut upper, false)))
        })
        .flat_map(|(ch, up)| {
            up.then(|| ch.to_uppercase())
                .into_iter()
                .flatten()
                .chain((!up).then_some(ch))
        })
}

macro_rules! props {
    ($($json:literal : $ty:ident $(($arg:literal))?),* $(,)?) => {
        &[$(Prop { json: $json, ty: PropType::$ty $(($arg))? }),*]
    };
}

/// Every model the catalog refers to.
pub static MODELS: &[Model] = &[
    Model {
        id: "user",
        namespace: Namespace::V1,
        class: "MicrosoftGraphUser",
        props: props![
            "id": String, "aboutMe": String, "accountEnabled": Bool, "ageGroup": String,
            "businessPhones": StringList, "city": String, "companyName": String,
            "country": String, "createdDateTime": DateTime, "creationType": String,
            "deletedDateTime": DateTime, "department": String, "displayName": String,
            "employeeHireDate": DateTime, "employeeId": String, "employeeType": String,
            "externalUserState": String, "givenName": String, "identities": Any,
            "imAddresses": StringList, "jobTitle": String, "lastPasswordChangeDateTime": DateTime,
            "mail": String, "mailNickname": String, "mobilePhone": String,
            "officeLocation": String, "onPremisesImmutableId": String,
            "onPremisesSyncEnabled": Bool, "otherMails": StringList, "passwordPolicies": String,
            "passwordProfile": Model("passwordProfile"), "postalCode": String,
            "preferredLanguage": String, "proxyAddresses": StringList,
            "securityIdentifier": String, "showInAddressList": Bool,
            "signInSessionsValidFromDateTime": DateTime, "state": String,
            "streetAddress": String, "surname": String, "usageLocation": String,
            "userPrincipalName": String, "userType": String,
        ],
        table: &["Id", "DisplayName", "Mail", "UserPrincipalName", "UserType"],
        additional_properties: true,
    },
    Model {
        id: "passwordProfile",
        namespace: Namespace::V1,
        class: "MicrosoftGraphPasswordProfile",
        props: props![
            "forceChangePasswordNextSignIn": Bool,
            "forceChangePasswordNextSignInWithMfa": Bool,
            "password": String,
        ],
        table: &[],
        additional_properties: true,
    },
    Model {
        id: "group",
        namespace: Namespace::V1,
        class: "MicrosoftGraphGroup",
        props: props![
            "id": String, "accessType": String, "classification": String,
            "createdDateTime": DateTime, "deletedDateTime": DateTime, "description": String,
            "displayName": String, "expirationDateTime": DateTime, "groupTypes": StringList,
            "isAssignableToRole": Bool, "mail": String, "mailEnabled": Bool,
            "mailNickname": String, "membershipRule": String,
            "membershipRuleProcessingState": String, "onPremisesSyncEnabled": Bool,
            "proxyAddresses": StringList, "renewedDateTime": DateTime, "securityEnabled": Bool,
            "securityIdentifier": String, "visibility": String,
        ],
        table: &[
            "Id",
            "DisplayName",
            "Description",
            "GroupTypes",
            "AccessType",
        ],
        additional_properties: true,
    },
    Model {
        id: "directoryObject",
        namespace: Namespace::V1,
        class: "MicrosoftGraphDirectoryObject",
        props: props!["id": String, "deletedDateTime": DateTime],
        table: &["Id", "DeletedDateTime"],
        additional_properties: true,
    },
    Model {
        id: "referenceCreate",
        namespace: Namespace::V1,
        class: "ReferenceCreate",
        props: props!["@odata.id": String],
        table: &[],
        additional_properties: true,
    },
    Model {
        id: "authenticationMethod",
        namespace: Namespace::V1,
        class: "MicrosoftGraphAuthenticationMethod",
        props: props!["id": String],
        table: &[],
        additional_properties: true,
    },
    Model {
        id: "temporaryAccessPassAuthenticationMethod",
        namespace: Namespace::V1,
        class: "MicrosoftGraphTemporaryAccessPassAuthenticationMethod",
        props: props![
            "id": String, "createdDateTime": DateTime, "isUsable": Bool, "isUsableOnce": Bool,
            "lifetimeInMinutes": Int, "methodUsabilityReason": String,
            "startDateTime": DateTime, "temporaryAccessPass": String,
        ],
        table: &[],
        additional_properties: true,
    },
    Model {
        id: "fido2AuthenticationMethod",
        namespace: Namespace::V1,
        class: "MicrosoftGraphFido2AuthenticationMethod",
        props: props![
            "id": String, "aaGuid": String, "attestationCertificates": StringList,
            "attestationLevel": String, "createdDateTime": DateTime, "displayName": String,
            "model": String,
        ],
        table: &[],
        additional_properties: true,
    },
    Model {
        id: "authenticationMethodConfiguration",
        namespace: Namespace::V1,
        class: "MicrosoftGraphAuthenticationMethodConfiguration",
        props: props![
            "id": String, "excludeTargets": ModelList("excludeTarget"), "state": String,
        ],
        table: &[],
        additional_properties: true,
    },
    Model {
        id: "excludeTarget",
        namespace: Namespace::V1,
        class: "MicrosoftGraphExcludeTarget",
        props: props!["id": String, "targetType": String],
        table: &[],
        additional_properties: true,
    },
    Model {
        id: "strongAuthenticationRequirements",
        namespace: Namespace::Beta,
        class: "MicrosoftGraphStrongAuthenticationRequirements",
        props: props!["perUserMfaState": String],
        table: &[],
        additional_properties: true,
    },
    Model {
        id: "authContext",
        namespace: Namespace::Authentication,
        class: "AuthContext",
        props: props![
            "clientId": String, "tenantId": String, "scopes": StringList,
            "authType": Enum("AuthenticationType"),
            "tokenCredentialType": Enum("TokenCredentialType"), "certificateThumbprint": String,
            "certificateSubjectName": String, "sendCertificateChain": Bool, "account": String,
            "appName": String, "contextScope": Enum("ContextScope"), "pSHostVersion": String,
            "managedIdentityId": String, "environment": String,
        ],
        table: &["AppName", "AuthType", "TenantId", "Account", "Scopes"],
        additional_properties: false,
    },
    Model {
        id: "graphEnvironment",
        namespace: Namespace::Authentication,
        class: "GraphEnvironment",
        props: props![
            "name": String, "azureADEndpoint": String, "graphEndpoint": String, "type": String,
        ],
        table: &["Name", "AzureADEndpoint", "GraphEndpoint", "Type"],
        additional_properties: false,
    },
    Model {
        id: "requestContext",
        namespace: Namespace::Authentication,
        class: "GraphRequestContext",
        props: props![
            "maxRetry": Int, "retryDelay": Int, "retriesTimeLimit": Int, "clientTimeout": Int,
            "throttleLimit": Int,
        ],
        table: &[],
        additional_properties: false,
    },
];

/// Looks a model up by id.
/// A model by id: the hand-written ones (short ids such as `user`), then the generated ones
/// (qualified names such as `microsoft.graph.user`).
///
/// A hand-written model of a Graph type that the metadata also declares (`user`) stands for
/// the generated one (`microsoft.graph.user`), so the seed cmdlets' objects carry every
/// property Graph returns (`SignInActivity`, `AssignedLicenses`, ...); the hand-written
/// table then only lends its table columns and aliases to the format and type data.
pub fn model(id: &str) -> Option<&'static Model> {
    generated_twin(id).or_else(|| {
        MODELS
            .iter()
            .find(|m| m.id == id)
            .or_else(|| super::generated::model(id))
    })
}

/// The generated model of a hand-written model's Graph type, if the metadata declares it.
/// (MgGraph's own types, such as `authContext` for Get-MgContext, have none, even where
/// Graph has a type of the same name.)
pub fn generated_twin(id: &str) -> Option<&'static Model> {
    if id.contains('.') {
        return None;
    }
    let own = MODELS
        .iter()
        .any(|m| m.id == id && m.namespace == Namespace::Authentication);
    if own {
        return None;
    }
    super::generated::model(&format!("microsoft.graph.{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_follows_the_sdk() {
        assert_eq!(pascal("isUsableOnce"), "IsUsableOnce");
        assert_eq!(pascal("@odata.id"), "OdataId");
        assert_eq!(pascal("id"), "Id");
        assert_eq!(pascal("pSHostVersion"), "PSHostVersion");
    }

    #[test]
    fn pascal_eq_agrees_with_pascal() {
        let names = [
            "isUsableOnce",
            "@odata.id",
            "id",
            "pSHostVersion",
            "a-b_c",
            "",
            "ß",
        ];
        for json in names {
            for name in names.iter().map(|n| pascal(n)).chain([
                "Id".into(),
                "OdataI".into(),
                "OdataIdX".into(),
            ]) {
                assert_eq!(
                    pascal_eq(json, &name),
                    pascal(json) == name,
                    "{json} vs {name}"
                );
            }
        }
    }

    #[test]
    fn nested_models_exist_and_tables_name_real_properties() {
        for m in MODELS {
            for p in m.props {
                if let PropType::Model(id) | PropType::ModelList(id) = p.ty {
                    assert!(model(id).is_some(), "{}: unknown nested model {id}", m.id);
                }
            }
            for col in m.columns() {
                assert!(
                    m.props.iter().any(|p| pascal(p.json) == col),
                    "{}: column {col} is not a property",
                    m.id
                );
            }
        }
    }

    #[test]
    fn tap_columns_match_the_sdk_table() {
        let tap = model("temporaryAccessPassAuthenticationMethod").unwrap();
        assert_eq!(
            tap.columns(),
            vec![
                "Id",
                "CreatedDateTime",
                "IsUsable",
                "IsUsableOnce",
                "LifetimeInMinutes",
                "MethodUsabilityReason",
                "StartDateTime",
                "TemporaryAccessPass"
            ]
        );
    }
}
