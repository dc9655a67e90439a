//! Graph's documented size limits for request bodies read from files (`-InFile`,
//! `-InputFilePath`), checked before anything is sent.
//!
//! One table, [`LIMITS`], keyed by what both a catalog route and a raw request know: the
//! method and the URL's path (below the version segment). A body over its route's limit is
//! refused with an `InvalidArgument` naming the parameter, the file's size and the limit; the
//! service would refuse it too, after the whole file had been sent.

use reqwest::Method;

/// 1 MiB, the unit Microsoft's "MB" stands for in these limits.
const MIB: u64 = 1024 * 1024;

/// One documented limit on a request body.
#[derive(Debug)]
pub struct BodyLimit {
    /// What the limit is about, for the error (`a profile photo`).
    pub what: &'static str,
    /// Largest body accepted, in bytes.
    pub max: u64,
    /// The limit as Graph's documentation states it (`4 MB`).
    pub stated: &'static str,
    /// What to do instead, for the error.
    pub advice: &'static str,
    /// The Graph documentation page the limit comes from.
    pub doc: &'static str,
    /// Bytes every body but the last of a series must be a multiple of (upload-session
    /// ranges, told apart by their `Content-Range`); 0: any size.
    pub multiple: u64,
    /// Whether the limit applies to a request: its method and its path segments below the
    /// version segment (`["users", "u1", "photo", "$value"]`).
    applies: fn(&Method, &[&str]) -> bool,
}

fn last_is(segs: &[&str], tail: &[&str]) -> bool {
    segs.len() >= tail.len()
        && segs[segs.len() - tail.len()..]
            .iter()
            .zip(tail)
            .all(|(s, t)| t.is_empty() || s.eq_ignore_ascii_case(t))
}

/// The limits, first match wins.
pub static LIMITS: &[BodyLimit] = &[
    // "Update profilePhoto": the photo must be under 4 MB (users, groups, contacts, teams).
    BodyLimit {
        what: "a profile photo",
        max: 4 * MIB,
        stated: "4 MB",
        advice: "resize or compress the image",
        doc: "https://learn.microsoft.com/graph/api/profilephoto-update",
        multiple: 0,
        applies: |m, s| {
            (m == Method::PUT || m == Method::PATCH)
                && (last_is(s, &["photo", "$value"]) || last_is(s, &["photos", "", "$value"]))
        },
    },
    // "Add attachment" (message, event, post, todoTask): "This operation limits the size of
    // the attachment you can add to under 3 MB"; the body is JSON with the file as base64,
    // 4/3 of its size, plus the attachment's other properties.
    BodyLimit {
        what: "a file attachment posted directly (under 3 MB, sent as base64 JSON)",
        max: 4 * MIB + 64 * 1024,
        stated: "3 MB",
        advice: "attach files of 3 MB to 150 MB through an upload session (createUploadSession)",
        doc: "https://learn.microsoft.com/graph/api/message-post-attachments",
        multiple: 0,
        applies: |m, s| m == Method::POST && last_is(s, &["attachments"]),
    },
    // "Upload small files" (driveItem: PUT /content): "only supports files up to 250 MB".
    BodyLimit {
        what: "a file uploaded in one request (driveItem content)",
        max: 250 * MIB,
        stated: "250 MB",
        advice: "upload larger files through an upload session (createUploadSession)",
        doc: "https://learn.microsoft.com/graph/api/driveitem-put-content",
        multiple: 0,
        applies: |m, s| {
            m == Method::PUT
                && last_is(s, &["content"])
                && s.iter().any(|x| {
                    x.ends_with(':')
                        || ["drive", "drives", "driveItem", "items", "root", "shares"]
                            .iter()
                            .any(|d| x.eq_ignore_ascii_case(d))
                })
        },
    },
    // "Upload bytes to the upload session": each byte range must be less than 60 MiB
    // (62,914,560 bytes), and every range but the last a multiple of 320 KiB.
    BodyLimit {
        what: "one byte range of an upload session",
        max: 60 * MIB - 1,
        stated: "60 MiB",
        advice:
            "send the file in ranges of a multiple of 320 KiB (327,680 bytes), each under 60 MiB",
        doc: "https://learn.microsoft.com/graph/api/driveitem-createuploadsession",
        multiple: UPLOAD_RANGE_MULTIPLE,
        applies: |m, s| {
            m == Method::PUT
                && s.iter()
                    .any(|x| x.to_ascii_lowercase().starts_with("uploadsession"))
        },
    },
];

/// An upload session's byte ranges other than the last must be multiples of 320 KiB.
pub const UPLOAD_RANGE_MULTIPLE: u64 = 320 * 1024;

/// The limit that applies to `method` on `url`, if any. `url` is absolute; its path is read
/// below the version segment (`v1.0`, `beta`) when there is one.
pub fn limit_for(method: &Method, url: &str) -> Option<&'static BodyLimit> {
    let parsed = url::Url::parse(url).ok()?;
    let segs: Vec<&str> = parsed
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    let below = segs
        .iter()
        .position(|s| *s == "v1.0" || *s == "beta")
        .map_or(&segs[..], |i| &segs[i + 1..]);
    LIMITS.iter().find(|l| (l.applies)(method, below))
}

/// Why a body of `len` bytes cannot go to `method` `url`, naming `parameter`, if it cannot:
/// over the route's [`BodyLimit`], or an upload-session range (`content_range`, the request's
/// `Content-Range`: `bytes 0-327679/1000000`) that is not the last and not a multiple of
/// [`UPLOAD_RANGE_MULTIPLE`].
pub fn body_problem(
    parameter: &str,
    method: &Method,
    url: &str,
    len: u64,
    content_range: Option<&str>,
) -> Option<String> {
    let limit = limit_for(method, url)?;
    let size = super::http::thousands(len as usize);
    if len > limit.max {
        return Some(format!(
            "Cannot validate argument on parameter '{parameter}'. The file is {size} bytes, over Graph's limit for {} of {} ({} bytes): {}. See {}. Nothing was sent.",
            limit.what,
            limit.stated,
            super::http::thousands(limit.max as usize),
            limit.advice,
            limit.doc
        ));
    }
    if limit.multiple > 0 && len % limit.multiple != 0 {
        let (end, total) = content_range.and_then(parse_content_range)?;
        if end + 1 < total {
            return Some(format!(
                "Cannot validate argument on parameter '{parameter}'. The byte range is {size} bytes, not a multiple of 320 KiB (327,680 bytes), as every range of an upload session but the last must be. See {}. Nothing was sent.",
                limit.doc
            ));
        }
    }
    None
}

/// `bytes 0-327679/1000000` → (327679, 1000000).
fn parse_content_range(value: &str) -> Option<(u64, u64)> {
    let rest = value.trim().strip_prefix("bytes")?.trim();
    let (range, total) = rest.split_once('/')?;
    let (_, end) = range.split_once('-')?;
    Some((end.trim().parse().ok()?, total.trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "https://graph.microsoft.com/v1.0";

    #[test]
    fn limits_follow_the_route() {
        let photo = limit_for(&Method::PUT, &format!("{G}/users/u1/photo/$value")).unwrap();
        assert_eq!(photo.max, 4 * 1024 * 1024);
        assert!(limit_for(&Method::PUT, &format!("{G}/users/u1/photos/48x48/$value")).is_some());
        assert!(limit_for(&Method::GET, &format!("{G}/users/u1/photo/$value")).is_none());
        let att = limit_for(&Method::POST, &format!("{G}/me/messages/m/attachments")).unwrap();
        assert!(att.what.contains("attachment"));
        let drive = limit_for(&Method::PUT, &format!("{G}/me/drive/root:/a.txt:/content")).unwrap();
        assert_eq!(drive.max, 250 * 1024 * 1024);
        assert!(limit_for(&Method::PUT, &format!("{G}/drives/d/items/i/content")).is_some());
        // OneNote page content is not a drive item.
        assert!(limit_for(&Method::PUT, &format!("{G}/me/onenote/pages/p/content")).is_none());
        let m = body_problem(
            "InFile",
            &Method::PUT,
            &format!("{G}/users/u1/photo/$value"),
            4 * 1024 * 1024 + 1,
            None,
        )
        .unwrap();
        assert!(
            m.starts_with("Cannot validate argument on parameter 'InFile'.")
                && m.contains("4,194,305 bytes")
                && m.contains("4 MB"),
            "{m}"
        );
        assert!(body_problem(
            "InFile",
            &Method::PUT,
            &format!("{G}/users/u1/photo/$value"),
            4 * 1024 * 1024,
            None
        )
        .is_none());
    }

    #[test]
    fn upload_session_ranges_are_multiples_of_320_kib_but_the_last() {
        let url = "https://contoso.sharepoint.com/_api/v2.0/drives/d/items/i/uploadSession?guid=x";
        let p = |len, range| body_problem("InputFilePath", &Method::PUT, url, len, range);
        assert!(p(327_680, Some("bytes 0-327679/1000000")).is_none());
        assert!(p(1000, Some("bytes 0-999/1000000"))
            .unwrap()
            .contains("327,680"));
        assert!(p(1000, Some("bytes 999000-999999/1000000")).is_none());
        assert!(p(60 * 1024 * 1024, Some("bytes 0-62914559/100000000"))
            .unwrap()
            .contains("60 MiB"));
    }
}
