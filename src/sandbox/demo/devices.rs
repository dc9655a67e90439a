//! Devices: Entra-registered and joined devices (some stale), their Intune records, and
//! BitLocker recovery keys for the Windows ones.

use serde_json::json;

use super::people::People;
use super::{contain, insert, obj, one, overlay_entity, secs, singleton, ticks, Draw};
use crate::sandbox::state::Tenant;

/// Device models: (operatingSystem, version, manufacturer, model, trustType, enrollment).
const MODELS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "Windows",
        "10.0.22631.4460",
        "Microsoft Corporation",
        "Surface Laptop 5",
        "AzureAd",
        "windowsAzureADJoin",
    ),
    (
        "Windows",
        "10.0.26100.2314",
        "Dell Inc.",
        "Latitude 7440",
        "AzureAd",
        "windowsAzureADJoin",
    ),
    (
        "Windows",
        "10.0.19045.5131",
        "HP",
        "EliteBook 840 G8",
        "ServerAd",
        "windowsCoManagement",
    ),
    (
        "Windows",
        "10.0.22631.4460",
        "Lenovo",
        "ThinkPad T14 Gen 4",
        "AzureAd",
        "windowsAutoEnrollment",
    ),
    (
        "MacMDM",
        "14.6.1",
        "Apple",
        "MacBook Pro (14-inch, 2023)",
        "Workplace",
        "appleBulkWithUser",
    ),
    (
        "iOS",
        "17.6.1",
        "Apple",
        "iPhone 15",
        "Workplace",
        "userEnrollment",
    ),
    (
        "Android",
        "14",
        "samsung",
        "Galaxy S23",
        "Workplace",
        "androidEnterpriseWorkProfile",
    ),
];

pub fn devices(tenant: &mut Tenant, d: &mut Draw, people: &People) {
    let users: Vec<_> = people
        .members()
        .filter(|p| !p.title.is_empty())
        .cloned()
        .collect();
    let mut managed = vec![];
    let mut keys = vec![];
    for p in &users {
        // Most people have a laptop; some a phone too; a few nothing.
        let mut kinds = vec![];
        if d.chance(0.85) {
            kinds.push(d.int(0, 5) as usize);
        }
        if d.chance(0.35) {
            kinds.push(d.int(5, 7) as usize);
        }
        for k in kinds {
            let (os, version, maker, model, trust, enrollment) = MODELS[k];
            let id = d.id();
            let device_id = d.id();
            let registered = d.ago(30, 1100);
            // About one in six has not signed in for more than 90 days.
            let age = if d.chance(0.16) {
                d.int(91, 400)
            } else {
                d.int(0, 30)
            };
            let last = d.days_ago(age);
            let windows = os == "Windows";
            let name = match os {
                "Windows" => format!(
                    "CONTOSO-{}{}",
                    if k == 0 { "LT" } else { "PC" },
                    d.digits(4)
                ),
                "MacMDM" => format!(
                    "{}'s MacBook Pro",
                    p.name.split(' ').next().unwrap_or("User")
                ),
                "iOS" => format!("{}'s iPhone", p.name.split(' ').next().unwrap_or("User")),
                _ => format!("Galaxy-{}", d.digits(4)),
            };
            let is_managed = windows || d.chance(0.7);
            let compliant = is_managed && d.chance(0.85);
            insert(
                tenant,
                "devices",
                "microsoft.graph.device",
                obj(json!({
                    "id": id, "deviceId": device_id, "displayName": name,
                    "operatingSystem": os, "operatingSystemVersion": version,
                    "manufacturer": maker, "model": model, "trustType": trust,
                    "accountEnabled": age < 200 || d.chance(0.5),
                    "approximateLastSignInDateTime": secs(last),
                    "registrationDateTime": secs(registered),
                    "isCompliant": if is_managed { json!(compliant) } else { json!(null) },
                    "isManaged": is_managed,
                    "profileType": "RegisteredDevice",
                    "deviceOwnership": if trust == "Workplace" && d.chance(0.4) { "Personal" } else { "Company" },
                    "enrollmentType": enrollment,
                    "mdmAppId": if is_managed { json!("0000000a-0000-0000-c000-000000000000") } else { json!(null) },
                    "onPremisesSyncEnabled": if trust == "ServerAd" { json!(true) } else { json!(null) },
                    "physicalIds": [], "systemLabels": [],
                    "deletedDateTime": null, "alternativeSecurityIds": [],
                })),
            );
            if let Some(e) = tenant
                .store
                .sets
                .get_mut("devices")
                .and_then(|s| s.get_mut(&id))
            {
                e.refs_mut("registeredOwners").push(p.id.clone());
                e.refs_mut("registeredUsers").push(p.id.clone());
            }
            let user = overlay_entity(tenant, "users", "microsoft.graph.user", &p.id);
            user.refs_mut("ownedDevices").push(id.clone());
            user.refs_mut("registeredDevices").push(id.clone());
            if is_managed {
                let storage: i64 = 256 * 1024 * 1024 * 1024;
                managed.push(obj(json!({
                    "id": d.id(), "deviceName": name, "userId": p.id,
                    "userPrincipalName": p.upn, "userDisplayName": p.name, "emailAddress": p.upn,
                    "operatingSystem": if os == "MacMDM" { "macOS" } else { os },
                    "osVersion": version, "manufacturer": maker, "model": model,
                    "complianceState": if compliant { "compliant" } else if d.chance(0.5) { "noncompliant" } else { "inGracePeriod" },
                    "managementAgent": if trust == "ServerAd" { "configurationManagerClientMdm" } else { "mdm" },
                    "managedDeviceOwnerType": if trust == "Workplace" && k >= 5 && d.chance(0.4) { "personal" } else { "company" },
                    "deviceEnrollmentType": enrollment,
                    "enrolledDateTime": secs(registered), "lastSyncDateTime": secs(last),
                    "azureADDeviceId": device_id, "azureADRegistered": true,
                    "deviceRegistrationState": "registered",
                    "serialNumber": d.digits(10), "imei": if k >= 5 { json!(d.digits(15)) } else { json!("") },
                    "isEncrypted": windows || k == 4 || d.chance(0.9),
                    "isSupervised": k == 5, "jailBroken": "False",
                    "totalStorageSpaceInBytes": storage, "freeStorageSpaceInBytes": storage / d.int(2, 8),
                    "managedDeviceName": format!("{}_{}_{}", p.upn.split('@').next().unwrap_or(""), os, d.digits(2)),
                    "partnerReportedThreatState": "unknown",
                    "phoneNumber": "", "wiFiMacAddress": "", "ethernetMacAddress": null,
                    "complianceGracePeriodExpirationDateTime": ticks(d.now + chrono::Duration::days(7)),
                })));
            }
            if windows {
                for volume in ["operatingSystemVolume", "fixedDataVolume"] {
                    if volume == "fixedDataVolume" && !d.chance(0.2) {
                        continue;
                    }
                    let key = (0..8).map(|_| d.digits(6)).collect::<Vec<_>>().join("-");
                    keys.push(obj(json!({
                        "id": d.id(), "createdDateTime": secs(registered),
                        "deviceId": device_id, "volumeType": volume, "key": key,
                    })));
                }
            }
        }
    }
    let dm = singleton(
        tenant,
        "deviceManagement",
        "microsoft.graph.deviceManagement",
    );
    for m in managed {
        contain(dm, "managedDevices", "microsoft.graph.managedDevice", m);
    }
    let ip = singleton(
        tenant,
        "informationProtection",
        "microsoft.graph.informationProtection",
    );
    let bitlocker = one(ip, "bitlocker", "microsoft.graph.bitlocker");
    for k in keys {
        contain(
            bitlocker,
            "recoveryKeys",
            "microsoft.graph.bitlockerRecoveryKey",
            k,
        );
    }
}
