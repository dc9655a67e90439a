//! The persistent token cache of `-ContextScope CurrentUser`: refresh tokens (never client
//! secrets, keys or access tokens), in a file only the user can read, so a new process signs
//! in silently.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One signed-in account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CachedAccount {
    /// The identity platform endpoint (authority) the token came from.
    pub authority: String,
    pub graph_endpoint: String,
    pub tenant_id: String,
    pub client_id: String,
    pub account: Option<String>,
    pub scopes: Vec<String>,
    pub refresh_token: String,
}

impl CachedAccount {
    fn same_slot(&self, other: &CachedAccount) -> bool {
        self.authority.eq_ignore_ascii_case(&other.authority)
            && self.client_id.eq_ignore_ascii_case(&other.client_id)
            && self.tenant_id.eq_ignore_ascii_case(&other.tenant_id)
            && self.account == other.account
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    accounts: Vec<CachedAccount>,
}

/// The cache file.
#[derive(Debug, Clone)]
pub struct TokenCache {
    pub path: PathBuf,
}

const FILE_NAME: &str = "mggraph.tokencache.json";

impl TokenCache {
    /// `MGGRAPH_CACHE_DIR` if the module passed one, else `~/.mggraph`.
    pub fn locate(env_vars: &HashMap<String, String>) -> Option<TokenCache> {
        let dir = env_vars
            .get("MGGRAPH_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .or_else(|| std::env::var_os("USERPROFILE"))
                    .map(|h| PathBuf::from(h).join(".mggraph"))
            })?;
        Some(TokenCache {
            path: dir.join(FILE_NAME),
        })
    }

    fn read(&self) -> CacheFile {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// The accounts that match, newest first.
    pub fn find(
        &self,
        authority: &str,
        client_id: &str,
        tenant: Option<&str>,
        account: Option<&str>,
    ) -> Vec<CachedAccount> {
        let mut found: Vec<CachedAccount> = self
            .read()
            .accounts
            .into_iter()
            .filter(|a| {
                a.authority.eq_ignore_ascii_case(authority)
                    && a.client_id.eq_ignore_ascii_case(client_id)
                    && tenant
                        .map(|t| {
                            a.tenant_id.eq_ignore_ascii_case(t)
                                || matches!(t, "common" | "organizations")
                        })
                        .unwrap_or(true)
                    && account
                        .map(|u| {
                            a.account
                                .as_deref()
                                .map(|x| x.eq_ignore_ascii_case(u))
                                .unwrap_or(false)
                        })
                        .unwrap_or(true)
            })
            .collect();
        found.reverse();
        found
    }

    /// Adds or replaces an account's entry.
    pub fn store(&self, entry: CachedAccount) -> std::io::Result<()> {
        let mut file = self.read();
        file.version = 1;
        file.accounts.retain(|a| !a.same_slot(&entry));
        file.accounts.push(entry);
        self.write(&file)
    }

    /// Deletes the cache.
    pub fn clear(&self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn write(&self, file: &CacheFile) -> std::io::Result<()> {
        let dir = self.path.parent().map(PathBuf::from).unwrap_or_default();
        std::fs::create_dir_all(&dir)?;
        restrict_dir(&dir);
        let tmp = dir.join(format!(".{FILE_NAME}.{}", uuid::Uuid::new_v4().simple()));
        {
            let mut f = create_private(&tmp)?;
            f.write_all(&serde_json::to_vec_pretty(file).unwrap_or_default())?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)
    }
}

/// Creates a file only its owner can read and write (0600 on Unix; on Windows the user
/// profile's inherited ACL).
fn create_private(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn restrict_dir(dir: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(account: &str, rt: &str) -> CachedAccount {
        CachedAccount {
            authority: "https://login.microsoftonline.com".into(),
            graph_endpoint: "https://graph.microsoft.com".into(),
            tenant_id: "t".into(),
            client_id: "c".into(),
            account: Some(account.into()),
            scopes: vec!["User.Read".into()],
            refresh_token: rt.into(),
        }
    }

    #[test]
    fn entries_replace_per_account_and_the_file_is_private() {
        let dir = std::env::temp_dir().join(format!(
            "mggraph-cache-test-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let cache = TokenCache {
            path: dir.join(FILE_NAME),
        };
        cache.store(entry("a@x", "rt1")).unwrap();
        cache.store(entry("b@x", "rt2")).unwrap();
        cache.store(entry("a@x", "rt3")).unwrap();
        let found = cache.find(
            "https://login.microsoftonline.com",
            "c",
            Some("t"),
            Some("a@x"),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].refresh_token, "rt3");
        assert_eq!(
            cache
                .find("https://login.microsoftonline.com", "c", None, None)
                .len(),
            2
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&cache.path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        cache.clear().unwrap();
        cache.clear().unwrap();
        assert!(cache
            .find("https://login.microsoftonline.com", "c", None, None)
            .is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}
