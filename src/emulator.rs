//! The engine's one door to the sandbox: everything the session and the C ABI know about the
//! in-process emulator goes through here (start it with `-SandboxOptions`, its address and
//! credentials, stop it, and the sandbox-only grant type and authorize parameter a client may
//! send to any sandbox).
//!
//! The emulator itself ([`crate::sandbox`]) is built with the cargo feature `sandbox` (on by
//! default). `cargo build --release --no-default-features` builds a production engine without
//! it: this module then keeps the same API, and starting the in-process sandbox answers
//! [`UNAVAILABLE`]. Connecting to a sandbox *server* (`mggraph-sandbox`, another process) works
//! either way, as it is plain HTTP.

use serde_json::{Map, Value};

/// The grant type of the sandbox's "sign in with a Temporary Access Pass" stand-in
/// (`Register-MgSandboxPasskey`), which the sandbox's token endpoint accepts.
pub const TAP_GRANT: &str = "urn:mggraph:sandbox:temporary_access_pass";

/// The authorize request's parameter (MgGraph's extension; Entra has none) by which the
/// in-process sandbox's `Connect-MgGraph` without `-Scopes` asks for its every-permission
/// administrator sign-in without it being recorded as consent (`mggraph_consent=none`): that
/// sign-in is the sandbox's shortcut, not consent anybody gave, so a later sign-in with
/// `-Scopes` still gets only what was consented to.
pub const CONSENT_PARAM: &str = "mggraph_consent";

/// Why the in-process sandbox cannot start in an engine built without it.
pub const UNAVAILABLE: &str =
    "this MgGraph engine was built without the sandbox (cargo feature 'sandbox'); connect to a sandbox server (mggraph-sandbox) with Add-MgEnvironment instead";

/// Whether this engine carries the emulator.
pub const AVAILABLE: bool = cfg!(feature = "sandbox");

/// The address and credentials of a running in-process sandbox.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub base_url: String,
    pub tenant_id: String,
    pub admin_upn: String,
    pub client_id: String,
    pub client_secret: String,
    /// The sandbox's managed identity endpoint as App Service, Functions and Automation give
    /// it (`IDENTITY_ENDPOINT`), and the header secret it expects (`IDENTITY_HEADER`).
    pub identity_endpoint: String,
    pub identity_header: String,
}

#[cfg(feature = "sandbox")]
mod imp {
    use super::*;
    use crate::sandbox::{Sandbox, SandboxConfig};

    /// Parsed `-SandboxOptions`.
    #[derive(Debug)]
    pub struct Options(SandboxConfig);

    /// A running in-process sandbox; dropping it stops it.
    pub struct Running(Sandbox);

    impl std::fmt::Debug for Running {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_tuple("Running").field(&self.0.base_url).finish()
        }
    }

    /// `-SandboxOptions` (`@{ Seed = 7; Empty = $true; ... }`) as the sandbox reads them.
    pub fn options(params: &Map<String, Value>) -> Result<Options, String> {
        crate::sandbox::options::from_params(params).map(Options)
    }

    /// Starts a sandbox on a loopback port, approving sign-ins without a person.
    pub async fn start(options: Option<Options>) -> Result<Running, String> {
        let mut config = options.map(|o| o.0).unwrap_or_default();
        config.auto_approve = true;
        let addr: std::net::SocketAddr = ([127, 0, 0, 1], 0).into();
        Sandbox::start(addr, config)
            .await
            .map(Running)
            .map_err(|e| e.to_string())
    }

    impl Running {
        pub fn endpoint(&self) -> Endpoint {
            let s = &self.0;
            let identity = s.managed_identity();
            let text = |k: &str| identity[k].as_str().unwrap_or_default().to_string();
            Endpoint {
                base_url: s.base_url.clone(),
                tenant_id: s.tenant_id.clone(),
                admin_upn: s.admin_upn.clone(),
                client_id: s.client_id.clone(),
                client_secret: s.client_secret.clone(),
                identity_endpoint: text("identityEndpoint"),
                identity_header: text("identityHeader"),
            }
        }

        pub fn stop(self) {
            self.0.stop();
        }
    }
}

#[cfg(not(feature = "sandbox"))]
mod imp {
    use super::*;

    /// Parsed `-SandboxOptions` (none can be given to an engine without the sandbox).
    #[derive(Debug)]
    pub enum Options {}

    /// A running in-process sandbox: there is none.
    #[derive(Debug)]
    pub enum Running {}

    pub fn options(_params: &Map<String, Value>) -> Result<Options, String> {
        Err(UNAVAILABLE.to_string())
    }

    pub async fn start(options: Option<Options>) -> Result<Running, String> {
        if let Some(o) = options {
            match o {}
        }
        Err(UNAVAILABLE.to_string())
    }

    impl Running {
        pub fn endpoint(&self) -> Endpoint {
            match *self {}
        }

        pub fn stop(self) {
            match self {}
        }
    }
}

pub use imp::{options, start, Options, Running};
