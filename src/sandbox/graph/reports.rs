//! Microsoft 365 usage reports: `GET /reports/getOffice365ActiveUserDetail(period='D30')` and
//! the other per-user detail reports answer `302 Found` with a `Location` to the CSV, as Graph
//! does ("If successful, this method returns a 302 Found response that redirects to a
//! preauthenticated download URL for the report";
//! <https://learn.microsoft.com/graph/api/reportroot-getoffice365activeuserdetail>). The URL
//! is this server's `/_sandbox/reports/{function}?period=D30`, which needs no token (as the
//! download URL needs none) and is built from the tenant when it is read: one row per user,
//! with the documented columns of each report.

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use serde_json::Value;

use super::{Ctx, Handled};
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::Tenant;

/// Where the CSV of a report is downloaded.
pub const DOWNLOAD_PREFIX: &str = "/_sandbox/reports/";

/// The periods the usage reports take.
const PERIODS: &[&str] = &["D7", "D30", "D90", "D180"];

/// A per-user usage report: its function and its columns, in the documented order.
struct Report {
    function: &'static str,
    columns: &'static [&'static str],
}

/// The per-user detail reports, with the columns of each one's page
/// (<https://learn.microsoft.com/graph/api/reportroot-getoffice365activeuserdetail>,
/// <https://learn.microsoft.com/graph/api/reportroot-getemailactivityuserdetail>,
/// <https://learn.microsoft.com/graph/api/reportroot-getmailboxusagedetail>,
/// <https://learn.microsoft.com/graph/api/reportroot-getonedriveusageaccountdetail>).
const REPORTS: &[Report] = &[
    Report {
        function: "getOffice365ActiveUserDetail",
        columns: &[
            "Report Refresh Date",
            "User Principal Name",
            "Display Name",
            "Is Deleted",
            "Deleted Date",
            "Has Exchange License",
            "Has OneDrive License",
            "Has SharePoint License",
            "Has Skype For Business License",
            "Has Yammer License",
            "Has Teams License",
            "Exchange Last Activity Date",
            "OneDrive Last Activity Date",
            "SharePoint Last Activity Date",
            "Skype For Business Last Activity Date",
            "Yammer Last Activity Date",
            "Teams Last Activity Date",
            "Exchange License Assign Date",
            "OneDrive License Assign Date",
            "SharePoint License Assign Date",
            "Skype For Business License Assign Date",
            "Yammer License Assign Date",
            "Teams License Assign Date",
            "Assigned Products",
        ],
    },
    Report {
        function: "getEmailActivityUserDetail",
        columns: &[
            "Report Refresh Date",
            "User Principal Name",
            "Display Name",
            "Is Deleted",
            "Deleted Date",
            "Last Activity Date",
            "Send Count",
            "Receive Count",
            "Read Count",
            "Meeting Created Count",
            "Meeting Interacted Count",
            "Assigned Products",
            "Report Period",
        ],
    },
    Report {
        function: "getMailboxUsageDetail",
        columns: &[
            "Report Refresh Date",
            "User Principal Name",
            "Display Name",
            "Is Deleted",
            "Deleted Date",
            "Created Date",
            "Last Activity Date",
            "Item Count",
            "Storage Used (Byte)",
            "Issue Warning Quota (Byte)",
            "Prohibit Send Quota (Byte)",
            "Prohibit Send/Receive Quota (Byte)",
            "Deleted Item Count",
            "Deleted Item Size (Byte)",
            "Deleted Item Quota (Byte)",
            "Has Archive",
            "Report Period",
        ],
    },
    Report {
        function: "getOneDriveUsageAccountDetail",
        columns: &[
            "Report Refresh Date",
            "Site URL",
            "Owner Display Name",
            "Is Deleted",
            "Last Activity Date",
            "File Count",
            "Active File Count",
            "Storage Used (Byte)",
            "Storage Allocated (Byte)",
            "Owner Principal Name",
            "Report Period",
        ],
    },
    // <https://learn.microsoft.com/graph/api/reportroot-getteamsuseractivityuserdetail>
    Report {
        function: "getTeamsUserActivityUserDetail",
        columns: &[
            "Report Refresh Date",
            "Tenant Display Name",
            "Shared Channel Tenant Display Names",
            "User Id",
            "User Principal Name",
            "Last Activity Date",
            "Is Deleted",
            "Deleted Date",
            "Assigned Products",
            "Team Chat Message Count",
            "Private Chat Message Count",
            "Call Count",
            "Meeting Count",
            "Post Messages",
            "Reply Messages",
            "Urgent Messages",
            "Meetings Organized Count",
            "Meetings Attended Count",
            "Ad Hoc Meetings Organized Count",
            "Ad Hoc Meetings Attended Count",
            "Scheduled One-time Meetings Organized Count",
            "Scheduled One-time Meetings Attended Count",
            "Scheduled Recurring Meetings Organized Count",
            "Scheduled Recurring Meetings Attended Count",
            "Audio Duration",
            "Video Duration",
            "Screen Share Duration",
            "Audio Duration In Seconds",
            "Video Duration In Seconds",
            "Screen Share Duration In Seconds",
            "Has Other Action",
            "Is Licensed",
            "Report Period",
        ],
    },
    // <https://learn.microsoft.com/graph/api/reportroot-getteamsdeviceusageuserdetail>
    Report {
        function: "getTeamsDeviceUsageUserDetail",
        columns: &[
            "Report Refresh Date",
            "User Id",
            "User Principal Name",
            "Last Activity Date",
            "Is Deleted",
            "Deleted Date",
            "Used Web",
            "Used Windows Phone",
            "Used iOS",
            "Used Mac",
            "Used Android Phone",
            "Used Windows",
            "Used Chrome OS",
            "Used Linux",
            "Is Licensed",
            "Report Period",
        ],
    },
    // <https://learn.microsoft.com/graph/api/reportroot-getonedriveactivityuserdetail>
    Report {
        function: "getOneDriveActivityUserDetail",
        columns: &[
            "Report Refresh Date",
            "User Principal Name",
            "Is Deleted",
            "Deleted Date",
            "Last Activity Date",
            "Viewed Or Edited File Count",
            "Synced File Count",
            "Shared Internally File Count",
            "Shared Externally File Count",
            "Assigned Products",
            "Report Period",
        ],
    },
    // <https://learn.microsoft.com/graph/api/reportroot-getsharepointactivityuserdetail>
    Report {
        function: "getSharePointActivityUserDetail",
        columns: &[
            "Report Refresh Date",
            "User Principal Name",
            "Is Deleted",
            "Deleted Date",
            "Last Activity Date",
            "Viewed Or Edited File Count",
            "Synced File Count",
            "Shared Internally File Count",
            "Shared Externally File Count",
            "Visited Page Count",
            "Assigned Products",
            "Report Period",
        ],
    },
];

fn report(function: &str) -> Option<&'static Report> {
    REPORTS
        .iter()
        .find(|r| r.function.eq_ignore_ascii_case(function))
}

/// The window a report call names: `period='D7'` (one of [`PERIODS`]), or `date=2026-12-01`
/// (`Edm.Date`, the activity of that one day: `D1`).
fn period_of(args: &[(String, String)]) -> Result<&'static str, GraphErr> {
    if let Some((_, date)) = args.iter().find(|(k, _)| k.eq_ignore_ascii_case("date")) {
        let date = date.trim_matches('\'');
        return chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map(|_| "D1")
            .map_err(|_| {
                GraphErr::bad_request(format!(
                    "Invalid value '{date}' for parameter 'date'; use a date as YYYY-MM-DD."
                ))
            });
    }
    let given = args
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("period"))
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    PERIODS
        .iter()
        .find(|p| p.eq_ignore_ascii_case(given))
        .copied()
        .ok_or_else(|| {
            GraphErr::bad_request(format!(
                "Invalid value '{given}' for parameter 'period'; use one of D7, D30, D90 or D180."
            ))
        })
}

/// The answer to report function `name` called on `/reports` with `args`, when it is one of
/// the per-user reports: the redirect to its CSV.
pub fn answer(ctx: &Ctx, name: &str, args: &[(String, String)]) -> Option<Handled> {
    let r = report(name)?;
    Some(period_of(args).map(|period| {
        let location = format!(
            "{}{DOWNLOAD_PREFIX}{}?period={period}",
            ctx.state.base_url, r.function
        );
        let mut resp = Response::new(Body::empty());
        *resp.status_mut() = StatusCode::FOUND;
        if let Ok(v) = HeaderValue::from_str(&location) {
            resp.headers_mut().insert(header::LOCATION, v);
        }
        resp
    }))
}

/// A CSV field, quoted when it holds a separator, a quote or a line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The CSV of a report download (`/_sandbox/reports/{function}?period=D30`): a UTF-8 byte
/// order mark and a header line, as Graph's files have, then one row per user of the tenant.
pub fn download(tenant: &Tenant, path: &str, query: Option<&str>) -> Response<Body> {
    let function = path.strip_prefix(DOWNLOAD_PREFIX).unwrap_or_default();
    let period = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "period")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let period = if period == "D1" {
        Ok("D1")
    } else {
        period_of(&[("period".into(), period)])
    };
    let (Some(r), Ok(period)) = (report(function), period) else {
        let mut resp = Response::new(Body::from("Not found"));
        *resp.status_mut() = StatusCode::NOT_FOUND;
        return resp;
    };
    let today = chrono::Utc::now().date_naive().to_string();
    let days: i64 = period[1..].parse().unwrap_or(30);
    let mut out = String::from("\u{feff}");
    out.push_str(&r.columns.join(","));
    out.push_str("\r\n");
    let mut users: Vec<&serde_json::Map<String, Value>> =
        tenant.users.values().map(|u| &u.object).collect();
    users.sort_by_key(|o| o.get("userPrincipalName").and_then(Value::as_str));
    for o in users {
        let text = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or_default();
        let licensed = o
            .get("assignedLicenses")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        let last = o
            .get("signInActivity")
            .and_then(|s| s.get("lastSignInDateTime"))
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.date_naive());
        let cutoff = chrono::Utc::now().date_naive() - chrono::Duration::days(days);
        let active = last.filter(|d| *d >= cutoff).map(|d| d.to_string());
        let active = active.as_deref().unwrap_or_default();
        let created = text("createdDateTime").get(..10).unwrap_or_default();
        let products = if licensed { "OFFICE 365 E3" } else { "" };
        let has = if licensed { "True" } else { "False" };
        let row: Vec<String> = r
            .columns
            .iter()
            .map(|c| match *c {
                "Report Refresh Date" => today.clone(),
                "User Principal Name" | "Owner Principal Name" => text("userPrincipalName").into(),
                "User Id" => text("id").into(),
                "Tenant Display Name" => tenant.display_name.clone(),
                "Is Licensed" => has.into(),
                "Display Name" | "Owner Display Name" => text("displayName").into(),
                "Is Deleted" => "False".into(),
                "Report Period" => days.to_string(),
                "Assigned Products" => products.into(),
                "Created Date" => created.into(),
                "Site URL" => format!(
                    "https://{}-my.sharepoint.com/personal/{}",
                    tenant.domain.split('.').next().unwrap_or_default(),
                    text("userPrincipalName").replace(['@', '.'], "_")
                ),
                "Has Archive" => "False".into(),
                c if c.starts_with("Has ") => has.into(),
                c if c.ends_with("Last Activity Date") => {
                    if licensed || c == "Last Activity Date" {
                        active.into()
                    } else {
                        String::new()
                    }
                }
                c if c.ends_with("License Assign Date") => {
                    if licensed {
                        created.into()
                    } else {
                        String::new()
                    }
                }
                c if c.ends_with("Count") || c.ends_with("(Byte)") || c.ends_with("Messages") => {
                    "0".into()
                }
                c if c.ends_with("In Seconds") => "0".into(),
                c if c.ends_with("Duration") => "00:00:00".into(),
                c if c.starts_with("Used ") => "No".into(),
                _ => String::new(),
            })
            .map(|v| field(&v))
            .collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    let mut resp = Response::new(Body::from(out));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    resp
}
