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

/// Fills a path template's placeholders. A key starting with `$` uses the `users('$x')`
/// form, since Graph reads `/users/$x` as a system query segment.
pub fn fill_path(template: &str, values: &[(&str, String)]) -> String {
    let mut path = template.to_string();
    for (placeholder, value) in values {
        let token = format!("{{{placeholder}}}");
        if value.starts_with('$') {
            let quoted = format!("('{}')", value.replace('\'', "''"));
            path = path.replace(&format!("/{token}"), &quoted);
        } else {
            path = path.replace(&token, &utf8_percent_encode(value, SEGMENT).to_string());
        }
    }
    path
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
        assert!(!same_origin("https://evil.example.com/v1.0/me", &env()));
    }

    #[test]
    fn paths_and_queries_are_escaped() {
        assert_eq!(
            fill_path(
                "/users/{user-id}/authentication/methods",
                &[("user-id", "a b#c@contoso.com".into())]
            ),
            "/users/a%20b%23c@contoso.com/authentication/methods"
        );
        assert_eq!(
            fill_path(
                "/users/{user-id}/authentication",
                &[("user-id", "$x@contoso.com".into())]
            ),
            "/users('$x@contoso.com')/authentication"
        );
        assert_eq!(
            query_string(&[
                ("$filter".into(), "startswith(displayName,'A B')".into()),
                ("$top".into(), "5".into())
            ]),
            "$filter=startswith(displayName,'A%20B')&$top=5"
        );
    }
}
