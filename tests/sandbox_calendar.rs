//! Mailbox calendars over HTTP: every user and Microsoft 365 group has a default calendar named
//! "Calendar" (listed among its `calendars`, addressed as `/calendar`); the default calendar's
//! events are the mailbox's `events` at every address; a new event carries its organizer, the
//! time zones it was written in and its attendees' (empty) responses.

mod common;

use common::*;
use serde_json::{json, Value};

/// An event body from 09:00 to 10:00 on 8 December 2026 in `zone`, with `attendee` required.
fn event(subject: &str, zone: &str, attendee: &str) -> Value {
    json!({
        "subject": subject,
        "start": {"dateTime": "2026-12-08T09:00:00", "timeZone": zone},
        "end": {"dateTime": "2026-12-08T10:00:00", "timeZone": zone},
        "attendees": [{"emailAddress": {"address": attendee}, "type": "required"}],
    })
}

/// The subjects of the events a list at `path` answers.
async fn subjects(g: &Graph, path: &str) -> Vec<String> {
    listed_by(g, path, "subject").await
}

/// A user's default calendar is "Calendar", owned by the user, the first of its calendars and
/// the same object by id; an update through `/calendar` reads back through `/calendars/{id}`.
#[tokio::test]
async fn a_user_has_a_default_calendar_at_both_addresses() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let alex = make_user(&g, "alex").await;

    let (status, calendar) = g.get(&format!("/v1.0/users/{adele}/calendar")).await;
    assert_eq!(status, 200, "{calendar}");
    assert_eq!(calendar["name"], "Calendar");
    assert_eq!(calendar["isDefaultCalendar"], true);
    assert_eq!(calendar["canEdit"], true);
    assert_eq!(
        calendar["owner"]["address"],
        "adele@contoso.onmicrosoft.com"
    );
    let id = calendar["id"].as_str().unwrap().to_string();

    // By sign-in name too, and listed first among the calendars.
    let (_, again) = g
        .get("/v1.0/users/adele@contoso.onmicrosoft.com/calendar")
        .await;
    assert_eq!(again["id"], id.as_str());
    let (_, list) = g.get(&format!("/v1.0/users/{adele}/calendars")).await;
    assert_eq!(strings(&list, "id"), vec![id.as_str()]);

    let (status, _) = g
        .patch(
            &format!("/v1.0/users/{adele}/calendar"),
            json!({"color": "lightBlue"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, read) = g.get(&format!("/v1.0/users/{adele}/calendars/{id}")).await;
    assert_eq!(read["color"], "lightBlue");

    // Another user's default calendar is another calendar.
    let (_, other) = g.get(&format!("/v1.0/users/{alex}/calendar")).await;
    assert_ne!(other["id"], id.as_str());
    assert_eq!(other["owner"]["address"], "alex@contoso.onmicrosoft.com");
}

/// An event created through any address of the default calendar is listed at all of them; an
/// event of a secondary calendar is listed only there.
#[tokio::test]
async fn default_calendar_events_are_the_mailbox_events() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let user = format!("/v1.0/users/{adele}");
    let (_, calendar) = g.get(&format!("{user}/calendar")).await;
    let default = calendar["id"].as_str().unwrap().to_string();

    g.created(
        &format!("{user}/events"),
        event("A", "UTC", "x@contoso.com"),
    )
    .await;
    g.created(
        &format!("{user}/calendar/events"),
        event("B", "UTC", "x@contoso.com"),
    )
    .await;
    g.created(
        &format!("{user}/calendars/{default}/events"),
        event("C", "UTC", "x@contoso.com"),
    )
    .await;
    let secondary = g
        .created(&format!("{user}/calendars"), json!({"name": "Projects"}))
        .await;
    assert_eq!(secondary["isDefaultCalendar"], false);
    assert_eq!(
        secondary["owner"]["address"],
        "adele@contoso.onmicrosoft.com"
    );
    let other = secondary["id"].as_str().unwrap();
    g.created(
        &format!("{user}/calendars/{other}/events"),
        event("D", "UTC", "x@contoso.com"),
    )
    .await;

    for path in [
        format!("{user}/events"),
        format!("{user}/calendar/events"),
        format!("{user}/calendars/{default}/events"),
    ] {
        assert_eq!(subjects(&g, &path).await, ["A", "B", "C"], "{path}");
    }
    assert_eq!(
        subjects(&g, &format!("{user}/calendars/{other}/events")).await,
        ["D"]
    );
    let (_, list) = g.get(&format!("{user}/calendars")).await;
    assert_eq!(strings(&list, "name"), ["Calendar", "Projects"]);
}

/// user-post-events: the organizer is the mailbox's owner, with the organizer's response; the
/// attendee has not responded; the time zone written is kept as the original one.
#[tokio::test]
async fn a_new_event_has_its_organizer_and_responses() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let e = g
        .created(
            &format!("/v1.0/users/{adele}/calendar/events"),
            event("Sync", "Pacific Standard Time", "alex@contoso.com"),
        )
        .await;
    assert_eq!(
        e["organizer"]["emailAddress"]["address"],
        "adele@contoso.onmicrosoft.com"
    );
    assert_eq!(e["organizer"]["emailAddress"]["name"], "adele");
    assert_eq!(e["isOrganizer"], true);
    assert_eq!(e["responseStatus"]["response"], "organizer");
    assert_eq!(e["attendees"][0]["status"]["response"], "none");
    assert_eq!(e["originalStartTimeZone"], "Pacific Standard Time");
    assert_eq!(e["type"], "singleInstance");
    assert_eq!(e["showAs"], "busy");
    assert_eq!(e["isOnlineMeeting"], false);
    assert!(e["iCalUId"]
        .as_str()
        .is_some_and(|u| u.starts_with("040000008200E00074C5B7101A82E008")));

    let online = g
        .created(
            &format!("/v1.0/users/{adele}/events"),
            json!({"subject": "Call", "isOnlineMeeting": true,
                   "start": {"dateTime": "2026-12-09T09:00:00", "timeZone": "UTC"},
                   "end": {"dateTime": "2026-12-09T09:30:00", "timeZone": "UTC"}}),
        )
        .await;
    assert_eq!(online["onlineMeetingProvider"], "teamsForBusiness");
    assert!(online["onlineMeeting"]["joinUrl"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://teams.microsoft.com/")));
}

/// A Microsoft 365 group's calendar works the same way: "Calendar", owned by the group, its
/// events the group's. (Group events are delegated-only in Graph's permissions, so a signed-in
/// admin writes them.)
#[tokio::test]
async fn a_group_has_a_default_calendar() {
    let (s, app) = blank().await;
    let group = new_group(&app, "projects", true).await;
    let token = user_token(&s, &s.admin_upn, "Group.ReadWrite.All Calendars.ReadWrite").await;
    let g = Graph {
        base: s.base_url.clone(),
        token: token["access_token"].as_str().unwrap().to_string(),
    };
    let (status, calendar) = g.get(&format!("/v1.0/groups/{group}/calendar")).await;
    assert_eq!(status, 200, "{calendar}");
    assert_eq!(calendar["name"], "Calendar");
    g.created(
        &format!("/v1.0/groups/{group}/calendar/events"),
        event("Kick-off", "UTC", "x@contoso.com"),
    )
    .await;
    assert_eq!(
        subjects(&g, &format!("/v1.0/groups/{group}/events")).await,
        ["Kick-off"]
    );
}

/// A calendar of a user that does not exist is Graph's 404, not a new mailbox.
#[tokio::test]
async fn no_calendar_for_a_missing_user() {
    let (_s, g) = blank().await;
    let (status, _) = g
        .get("/v1.0/users/nobody@contoso.onmicrosoft.com/calendar")
        .await;
    assert_eq!(status, 404);
}
