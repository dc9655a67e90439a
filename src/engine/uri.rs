//! URLs: path templates, OData query strings and `Invoke-MgGraphRequest` URIs.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::auth::Environment;

/// Characters escaped in a path segment (ids and UPNs keep `@`, `$`, `'`).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'?')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^');

/// Characters escaped in a query value (OData punctuation `$ , ' ( ) :` stays readable).
const QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'>')
    .add(b'=')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']');

/// Why `value` cannot stand as one path segment, if it cannot: an empty id, or one made only
/// of dots (`.`, `..`), which URL resolution (RFC 3986 §5.2.4) removes or turns into "the
/// parent", so `/users/..` would address `/` and a PATCH meant for one configuration would
/// go to its parent. Percent-encoding cannot help: `%2E%2E` is a dot segment too (WHATWG URL).
pub fn path_id_problem(value: &str) -> Option<&'static str> {
    if value.trim().is_empty() {
        Some("an id cannot be empty")
    } else if value.chars().all(|c| c == '.') {
        Some("an id made only of dots would address another resource (URL resolution removes `.` and `..` segments)")
    } else {
        None
    }
}

/// Fills a path template's `{placeholder}`s in one pass, each value percent-encoded so it
/// stays inside one segment (`/`, `?`, `#`, `%` and `\` included). A value starting with
/// `$` uses the key form `users('$x')` (quotes doubled), since Graph reads `/users/$x` as a
/// system query segment.
///
/// Errors: a value that is empty or made only of dots ([`path_id_problem`]), naming the
/// cmdlet parameter (`-UserId '..' is not a valid id: ...`); a placeholder with no value.
pub fn fill_path(template: &str, values: &[(&str, String)]) -> Result<String, String> {
    let mut path = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        path.push_str(&rest[..start]);
        let placeholder = &rest[start + 1..start + len];
        rest = &rest[start + len + 1..];
        let name = crate::catalog::placeholder_param(placeholder);
        let value = values
            .iter()
            .find(|(p, _)| *p == placeholder)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| format!("-{name} is missing: the request path needs it."))?;
        if let Some(problem) = path_id_problem(value) {
            return Err(format!(
                "-{name} '{value}' is not a valid id: {problem}. Nothing was sent."
            ));
        }
        if value.starts_with('$') && path.ends_with('/') {
            path.pop();
            path.push_str("('");
            path.push_str(&utf8_percent_encode(&value.replace('\'', "''"), SEGMENT).to_string());
            path.push_str("')");
        } else {
            path.push_str(&utf8_percent_encode(value, SEGMENT).to_string());
        }
    }
    path.push_str(rest);
    Ok(path)
}

/// One path segment, percent-encoded as ids are in paths.
pub fn encode_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// A query string from (name, value) pairs.
pub fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Appends query pairs to a URL that may already have a query.
pub fn with_query(url: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return url.to_string();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", query_string(pairs))
}

/// Resolves an `Invoke-MgGraphRequest -Uri`: absolute, or relative with the API version first
/// (`/v1.0/...`, `v1.0/...`, `/beta/...`, `beta/...`), resolved against the environment's
/// Graph endpoint.
pub fn resolve(uri: &str, env: &Environment) -> Result<String, String> {
    let uri = uri.trim();
    if uri.is_empty() {
        return Err("-Uri is empty.".into());
    }
    if let Ok(u) = url::Url::parse(uri) {
        if let Some(local) = sandbox_rebase(&u, env) {
            return Ok(local);
        }
        if u.scheme() == "https"
            || (u.scheme() == "http" && crate::auth::environments::is_loopback(uri))
        {
            return Ok(u.to_string());
        }
        if u.scheme() == "http" {
            return Err(format!(
                "-Uri '{uri}' uses http; Graph requests must use https (http is accepted only for loopback addresses)."
            ));
        }
    }
    let rel = uri.trim_start_matches('/');
    let version = rel.split(['/', '?']).next().unwrap_or_default();
    if !version.eq_ignore_ascii_case("v1.0") && !version.eq_ignore_ascii_case("beta") {
        return Err(format!(
            "-Uri '{uri}' is not valid: a relative URI must start with the API version, for example /v1.0/users or /beta/users/{{id}}."
        ));
    }
    let base = url::Url::parse(&env.graph_endpoint).map_err(|e| {
        format!(
            "the Graph endpoint of environment '{}' is not a valid URL: {e}",
            env.name
        )
    })?;
    let origin = base.origin().ascii_serialization();
    Ok(format!("{origin}/{rel}"))
}

/// In a sandbox session (the in-process sandbox, or a sandbox server on loopback), a URL on
/// one of Graph's public origins (`https://graph.microsoft.com/v1.0/...`, as docs and scripts
/// write it, and the national clouds') is rebased onto the sandbox, so such scripts can be
/// rehearsed unchanged. The token still goes only to the session's own origin: the request is
/// sent there, never to the public host. `None` for any other URL or session.
fn sandbox_rebase(u: &url::Url, env: &Environment) -> Option<String> {
    let sandbox = env
        .name
        .eq_ignore_ascii_case(crate::auth::environments::SANDBOX)
        || crate::auth::environments::is_loopback(&env.graph_endpoint);
    if !sandbox || u.scheme() != "https" {
        return None;
    }
    let public = crate::auth::environments::built_in()
        .into_iter()
        .any(|b| url::Url::parse(&b.graph_endpoint).is_ok_and(|g| g.origin() == u.origin()));
    if !public {
        return None;
    }
    let base = url::Url::parse(&env.graph_endpoint).ok()?;
    let mut local = u.clone();
    local.set_scheme(base.scheme()).ok()?;
    local.set_host(base.host_str()).ok()?;
    local.set_port(base.port()).ok()?;
    Some(local.to_string())
}

/// Whether a URL is on the environment's Graph host (only there does the token go).
pub fn same_origin(url: &str, env: &Environment) -> bool {
    match (url::Url::parse(url), url::Url::parse(&env.graph_endpoint)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment {
        Environment::new(
            "Global",
            "https://login.microsoftonline.com",
            "https://graph.microsoft.com",
            true,
        )
    }

    #[test]
    fn relative_uris_need_the_version() {
        assert_eq!(
            resolve("/v1.0/users", &env()).unwrap(),
            "https://graph.microsoft.com/v1.0/users"
        );
        assert_eq!(
            resolve("beta/users/x/authentication/requirements", &env()).unwrap(),
            "https://graph.microsoft.com/beta/users/x/authentication/requirements"
        );
        assert!(resolve("users", &env())
            .unwrap_err()
            .contains("API version"));
        assert!(resolve("http://graph.example.com/v1.0/me", &env())
            .unwrap_err()
            .contains("https"));
        assert_eq!(
            resolve("https://graph.microsoft.us/v1.0/me", &env()).unwrap(),
            "https://graph.microsoft.us/v1.0/me"
        );
        let local = Environment::new("S", "http://127.0.0.1:9", "http://127.0.0.1:9", false);
        assert_eq!(
            resolve("/beta/me", &local).unwrap(),
            "http://127.0.0.1:9/beta/me"
        );
        assert!(same_origin("http://127.0.0.1:9/beta/me", &local));
        // Graph's public origins (every cloud's) go to a sandbox session's own server.
        for public in [
            "https://graph.microsoft.com/v1.0/users?$top=1",
            "https://graph.microsoft.us/beta/me",
            "https://microsoftgraph.chinacloudapi.cn/v1.0/users",
        ] {
            let path = public.splitn(4, '/').nth(3).unwrap();
            assert_eq!(
                resolve(public, &local).unwrap(),
                format!("http://127.0.0.1:9/{path}")
            );
        }
        // Another host is not rebased, and a real session keeps Graph's URL as given.
        assert_eq!(
            resolve("https://evil.example.com/v1.0/me", &local).unwrap(),
            "https://evil.example.com/v1.0/me"
        );
        assert_eq!(
            resolve("https://graph.microsoft.com/v1.0/me", &env()).unwrap(),
            "https://graph.microsoft.com/v1.0/me"
        );
        assert!(!same_origin("https://evil.example.com/v1.0/me", &env()));
    }

    #[test]
    fn paths_and_queries_are_escaped() {
        assert_eq!(
            fill_path(
                "/users/{user-id}/authentication/methods",
                &[("user-id", "a b#c@contoso.com".into())]
            )
            .unwrap(),
            "/users/a%20b%23c@contoso.com/authentication/methods"
        );
        assert_eq!(
            fill_path(
                "/users/{user-id}/authentication",
                &[("user-id", "$x@contoso.com".into())]
            )
            .unwrap(),
            "/users('$x@contoso.com')/authentication"
        );
        // Inside the key form too, nothing leaves the segment.
        assert_eq!(
            fill_path(
                "/users/{user-id}/authentication",
                &[("user-id", "$a'/../b?c".into())]
            )
            .unwrap(),
            "/users('$a''%2F..%2Fb%3Fc')/authentication"
        );
        // A value that looks like the next placeholder is only text.
        assert_eq!(
            fill_path(
                "/groups/{group-id}/members/{directoryObject-id}",
                &[
                    ("group-id", "{directoryObject-id}".into()),
                    ("directoryObject-id", "d".into())
                ]
            )
            .unwrap(),
            "/groups/%7BdirectoryObject-id%7D/members/d"
        );
        for bad in ["", " ", ".", "..", "...."] {
            let e = fill_path("/users/{user-id}", &[("user-id", bad.into())]).unwrap_err();
            assert!(
                e.starts_with(&format!("-UserId '{bad}' is not a valid id")),
                "{e}"
            );
        }
        for fine in ["..a", ". .", "a..", "%2e%2e"] {
            assert!(fill_path("/users/{user-id}", &[("user-id", fine.into())]).is_ok());
        }
        assert_eq!(
            query_string(&[
                ("$filter".into(), "startswith(displayName,'A B')".into()),
                ("$top".into(), "5".into())
            ]),
            "$filter=startswith(displayName,'A%20B')&$top=5"
        );
    }
}
