//! Mailbox calendars as Outlook keeps them (learn.microsoft.com/graph/api/resources/calendar):
//!
//! - every user and Microsoft 365 group has a default calendar, named "Calendar", that is
//!   listed among its `calendars` and addressed as `/calendar` (user-get-calendar,
//!   user-list-calendars);
//! - the default calendar's events are the mailbox's `events`: an event created at
//!   `/users/{id}/events`, `/users/{id}/calendar/events` or `/calendars/{default-id}/events` is
//!   the same event at all three (user-list-events, calendar-list-events);
//! - a new event carries what Outlook fills in: its organizer (the calendar's owner),
//!   `isOrganizer`, the time zones it was written in, its type, the organizer's response and
//!   each attendee's (none yet), an `iCalUId` and a `webLink` (user-post-events).
//!
//! The store keeps a default calendar as an item of its owner's `calendars` (made on first
//! use) and its events in the owner's `events`; [`route`] rewrites the other addresses to those.

use serde_json::{json, Map, Value};

use crate::sandbox::mail::mailbox_address;
use crate::sandbox::state::{new_id, Tenant};
use crate::sandbox::store::{Entity, EntityPath};

/// The owners of mailbox calendars, and the type of their store entry.
const OWNERS: &[(&str, &str)] = &[
    ("users", "microsoft.graph.user"),
    ("groups", "microsoft.graph.group"),
];

const CALENDAR: &str = "microsoft.graph.calendar";

/// Graph's "no time": the time of a response that was never given (responseStatus).
const NEVER: &str = "0001-01-01T00:00:00Z";

/// The id of `owner`'s default calendar: stable for the owner, opaque as Outlook's are.
fn default_id(owner: &str) -> String {
    format!("AAMkCal{}", owner.replace('-', ""))
}

/// `(set, id)` of the mailbox owner `key` names in `set` (a user by id or sign-in name).
fn owner_of(t: &Tenant, set: &str, key: &str) -> Option<(&'static str, String)> {
    let (set, _) = OWNERS.iter().find(|(s, _)| *s == set)?;
    let id = match *set {
        "users" => t.user_id(key)?,
        _ => t.groups.contains_key(key).then(|| key.to_string())?,
    };
    Some((set, id))
}

/// What a calendar of `owner` is when made: calendar-get's properties, for the default
/// calendar or a secondary one (user-post-calendars).
fn calendar_object(t: &Tenant, set: &str, owner: &str, default: bool) -> Map<String, Value> {
    let v = json!({
        "color": "auto",
        "hexColor": "",
        "isDefaultCalendar": default,
        "changeKey": new_id(),
        "canShare": true,
        "canViewPrivateItems": true,
        "canEdit": true,
        "isRemovable": !default,
        "isTallyingResponses": true,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "owner": mailbox_address(t, set, owner),
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Makes `owner`'s default calendar if it has none yet; returns its id. A user's is the first
/// of its `calendars`; a group has no `calendars` (the CSDL gives it only `calendar`), so its
/// default calendar is that single-valued containment.
fn ensure_default(t: &mut Tenant, set: &str, owner: &str, ty: &str) -> Option<String> {
    let id = default_id(owner);
    let mut object = calendar_object(t, set, owner, true);
    object.insert("id".into(), json!(id));
    object.insert("name".into(), json!("Calendar"));
    let path = EntityPath::set_item(set, owner);
    if set != "users" {
        let types = [Some(ty.to_string()), Some(CALENDAR.to_string())];
        let calendar = t.store.get_mut(&path.child("calendar", None), &types)?;
        if !calendar.object.contains_key("name") {
            // Made empty by the store (or by an update before any read): Outlook's defaults
            // under what was written.
            for (k, v) in std::mem::take(&mut calendar.object) {
                object.insert(k, v);
            }
            object.insert("id".into(), json!(id));
            calendar.object = object;
            t.store.version += 1;
        }
        return Some(id);
    }
    let calendars = t
        .store
        .get_mut(&path, &[Some(ty.to_string())])?
        .many_mut("calendars");
    if !calendars.contains_key(&id) {
        // First, as Outlook lists it.
        calendars.shift_insert(0, id.clone(), Entity::new(CALENDAR, object));
        t.store.version += 1;
    }
    Some(id)
}

/// Rewrites `segs` and `path` (the request path below the version) when they address a
/// default calendar, its events or its calendar view, after making that calendar:
///
/// - `{set}/{owner}/calendar[/...]` → `{set}/{owner}/calendars/{default-id}[/...]`;
/// - `.../calendar/events...`, `.../calendars/{default-id}/events...` → `{set}/{owner}/events...`
///   (and the same for `calendarView`);
/// - `{set}/{owner}/calendars` (the list) only makes the default calendar, so it is listed.
///
/// Anything else, and owners that do not exist, are left as they are (the store answers 404).
pub fn route(t: &mut Tenant, segs: &mut Vec<String>, path: &mut String) {
    let (Some(set), Some(key), Some(nav)) = (segs.first(), segs.get(1), segs.get(2)) else {
        return;
    };
    if nav != "calendar" && nav != "calendars" {
        return;
    }
    let Some((set, owner)) = owner_of(t, set, key) else {
        return;
    };
    let ty = OWNERS
        .iter()
        .find(|(s, _)| *s == set)
        .map(|(_, ty)| *ty)
        .unwrap_or_default();
    let Some(default) = ensure_default(t, set, &owner, ty) else {
        return;
    };
    // How many leading segments address the default calendar, if these do.
    let calendar_segments = match (nav.as_str(), segs.get(3)) {
        ("calendar", _) => 3,
        ("calendars", Some(id)) if *id == default => 4,
        _ => return,
    };
    let rest = &segs[calendar_segments..];
    let replacement: Vec<String> = match rest.first().map(String::as_str) {
        Some("events" | "calendarView") => vec![segs[0].clone(), segs[1].clone()],
        // A group's default calendar is where the store keeps it.
        _ if set != "users" => return,
        _ => vec![
            segs[0].clone(),
            segs[1].clone(),
            "calendars".into(),
            default.clone(),
        ],
    };
    *path = replace_leading(path, calendar_segments, &replacement);
    segs.splice(..calendar_segments, replacement);
}

/// `path` with its first `n` `/`-separated segments replaced by `with`. The segments replaced
/// are a set, a key and navigation names, none of which holds a `/`.
fn replace_leading(path: &str, n: usize, with: &[String]) -> String {
    let rest: Vec<&str> = path.trim_start_matches('/').splitn(n + 1, '/').collect();
    let tail = rest.get(n).map(|r| format!("/{r}")).unwrap_or_default();
    format!("/{}{tail}", with.join("/"))
}

/// Fills what Outlook sets on a new calendar or event below `owner` (a user or group):
/// a secondary calendar's flags and owner; an event's organizer, time zones, type and responses.
pub fn before_create(t: &Tenant, owner: &EntityPath, ty: &str, object: &mut Map<String, Value>) {
    let Some((set, id)) = mailbox_of(owner) else {
        return;
    };
    match ty {
        CALENDAR => {
            for (k, v) in calendar_object(t, set, id, false) {
                object.entry(k).or_insert(v);
            }
        }
        "microsoft.graph.event" => new_event(t, set, id, object),
        _ => {}
    }
}

/// The mailbox (`users` or `groups`, id) an entity path lies in.
fn mailbox_of(path: &EntityPath) -> Option<(&'static str, &str)> {
    let crate::sandbox::store::Root::Set(set, id) = &path.root else {
        return None;
    };
    let (set, _) = OWNERS.iter().find(|(s, _)| s == set)?;
    Some((set, id))
}

/// user-post-events: the organizer is the mailbox's owner and has "organizer" as response;
/// attendees have not responded; the original time zones are the ones the event was written in.
fn new_event(t: &Tenant, set: &str, owner: &str, object: &mut Map<String, Value>) {
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    object
        .entry("organizer")
        .or_insert_with(|| json!({ "emailAddress": mailbox_address(t, set, owner) }));
    object.entry("isOrganizer").or_insert(json!(true));
    for (original, at) in [
        ("originalStartTimeZone", "start"),
        ("originalEndTimeZone", "end"),
    ] {
        if let Some(zone) = object.get(at).and_then(|v| v.get("timeZone")).cloned() {
            object.entry(original).or_insert(zone);
        }
    }
    let recurring = object.get("recurrence").is_some_and(|r| !r.is_null());
    object.entry("type").or_insert(json!(if recurring {
        "seriesMaster"
    } else {
        "singleInstance"
    }));
    object
        .entry("responseStatus")
        .or_insert(json!({ "response": "organizer", "time": NEVER }));
    if let Some(Value::Array(attendees)) = object.get_mut("attendees") {
        for a in attendees.iter_mut().filter_map(Value::as_object_mut) {
            a.entry("status")
                .or_insert(json!({ "response": "none", "time": NEVER }));
        }
    }
    // Outlook's iCalendar UIDs share this prefix (the MAPI global object id's class id).
    object.entry("iCalUId").or_insert(json!(format!(
        "040000008200E00074C5B7101A82E00800000000{}",
        id.replace('-', "").to_uppercase()
    )));
    object.entry("changeKey").or_insert(json!(new_id()));
    object.entry("webLink").or_insert(json!(format!(
        "https://outlook.office365.com/owa/?itemid={id}&exvsurl=1&path=/calendar/item"
    )));
    let online = object.get("isOnlineMeeting") == Some(&json!(true));
    object
        .entry("onlineMeetingProvider")
        .or_insert(json!(if online {
            "teamsForBusiness"
        } else {
            "unknown"
        }));
    if online && object.get("onlineMeeting").map_or(true, Value::is_null) {
        object.insert(
            "onlineMeeting".into(),
            json!({ "joinUrl": format!("https://teams.microsoft.com/l/meetup-join/{id}") }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn leading_segments_are_replaced_and_the_rest_kept() {
        let with = strings(&["users", "u1", "calendars", "C"]);
        assert_eq!(
            replace_leading("/users/adele@x/calendar/calendarPermissions", 3, &with),
            "/users/u1/calendars/C/calendarPermissions"
        );
        assert_eq!(
            replace_leading("/users/adele@x/calendar", 3, &with),
            "/users/u1/calendars/C"
        );
        let events = strings(&["users", "adele@x"]);
        assert_eq!(
            replace_leading("/users/adele@x/calendars/C/events('e1')", 4, &events),
            "/users/adele@x/events('e1')"
        );
    }
}
