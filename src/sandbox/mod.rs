//! A stateful emulator of the Microsoft Graph endpoints and identity-platform endpoints MgGraph
//! uses: the test fixture, the default tenant of `Connect-MgGraph -Environment Sandbox`, and
//! an offline target for runbook testing (`mggraph-sandbox`).
//!
//! One HTTP server serves both halves on loopback: `/{tenant}/oauth2/v2.0/*` (identity
//! platform), `/v1.0/*` and `/beta/*` (Graph). State is in memory.

pub mod assertion;
pub mod authz;
pub mod defaults;
pub mod demo;
pub mod faults;
pub mod graph;
pub mod identity;
pub mod licensing;
pub mod mail;
pub mod managed_identity;
pub mod odata;
pub mod options;
pub mod query;
pub mod server;
pub mod state;
pub mod store;
pub mod tokens;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use faults::{FaultConfig, Faults};
use state::{Seed, Tenant};
use tokens::Signer;

/// How a sandbox instance behaves. Items the reference marks UNCONFIRMED are settings.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub tenant_id: Option<String>,
    pub domain: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Extra users to create (`seed000001@...`), for paging and bulk work.
    pub seed_users: usize,
    /// The demo tenant's seed ([`demo`]); `None` starts a blank tenant (`--empty`).
    pub demo: Option<u64>,
    pub token_lifetime: Duration,
    pub refresh_token_lifetime: Duration,
    /// Seconds a device-code client waits between polls.
    pub device_code_interval: Duration,
    pub device_code_expiry: Duration,
    /// How many polls answer `slow_down` first (RFC 8628), to exercise clients.
    pub device_code_slow_down: u32,
    /// Interactive sign-in approves at once as the `login_hint` user (or the administrator).
    pub auto_approve: bool,
    pub max_page_size: usize,
    pub default_page_size: usize,
    /// How far in the past a TAP `startDateTime` may be (clock skew) before it is refused.
    pub tap_start_skew: Duration,
    pub faults: FaultConfig,
    /// The host written into `@odata.context` (Graph's own, so output reads like Graph's).
    pub context_host: String,
    /// How long a client has to send a request's headers and body, from its first byte (or
    /// from connecting): a half-sent request is dropped after it, as a front end does.
    pub header_read_timeout: Duration,
    /// How long a kept-alive connection may stay idle between requests before it is closed.
    pub idle_timeout: Duration,
    /// Most connections open at once. A new connection beyond it first closes the longest
    /// waiting one that is idle or still sending its request; while every connection has a
    /// request in progress, it waits for one to finish.
    pub max_connections: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            tenant_id: None,
            domain: "contoso.onmicrosoft.com".into(),
            client_id: None,
            client_secret: None,
            seed_users: 0,
            demo: Some(demo::DEFAULT_SEED),
            token_lifetime: Duration::from_secs(3599),
            refresh_token_lifetime: Duration::from_secs(90 * 24 * 3600),
            device_code_interval: Duration::from_secs(5),
            device_code_expiry: Duration::from_secs(900),
            device_code_slow_down: 0,
            auto_approve: false,
            max_page_size: 999,
            default_page_size: 100,
            tap_start_skew: Duration::from_secs(300),
            faults: FaultConfig::default(),
            context_host: "https://graph.microsoft.com".into(),
            header_read_timeout: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(60),
            max_connections: 4096,
        }
    }
}

/// A pending authorization code.
#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    /// Whether the sign-in's consent is recorded (see [`CONSENT_PARAM`]).
    pub consent: bool,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub expires: std::time::Instant,
}

/// The authorize parameter that keeps a sign-in's consent unrecorded (see the engine's side,
/// [`crate::emulator::CONSENT_PARAM`]).
pub const CONSENT_PARAM: &str = crate::emulator::CONSENT_PARAM;

/// A refresh token's grant.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub expires: std::time::Instant,
}

/// A pending device-code sign-in.
#[derive(Debug, Clone)]
pub struct DeviceCode {
    pub user_code: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires: std::time::Instant,
    /// The user who approved it at /devicelogin.
    pub approved: Option<String>,
    pub declined: bool,
    pub slow_downs_left: u32,
}

/// One request as the sandbox saw it (for tests and benchmarks).
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path_and_query: String,
    pub retry_attempt: Option<String>,
    pub client_request_id: Option<String>,
    pub status: u16,
    pub dropped: bool,
}

/// Request counters and a bounded log of recent requests.
#[derive(Debug, Default)]
pub struct Traffic {
    pub total: std::sync::atomic::AtomicU64,
    pub in_flight: std::sync::atomic::AtomicI64,
    /// Requests and `$batch` steps answered 429 by the budget or a random fault.
    pub throttled: std::sync::atomic::AtomicU64,
    /// Temporary Access Passes issued (a pass sent twice shows here, though it replaces
    /// the first).
    pub taps_issued: std::sync::atomic::AtomicU64,
    log: Mutex<std::collections::VecDeque<Logged>>,
}

/// How many requests the log keeps.
const LOG_CAPACITY: usize = 50_000;

impl Traffic {
    pub fn log(&self) -> Vec<Logged> {
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    fn record(&self, entry: Logged) {
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        if log.len() == LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(entry);
    }
}

/// Counts a request as in flight until dropped (also when its connection is).
struct InFlight<'a>(&'a Traffic);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Shared state of one sandbox instance.
#[derive(Debug)]
pub struct AppState {
    pub tenant: RwLock<Tenant>,
    pub signer: Signer,
    pub config: SandboxConfig,
    pub base_url: String,
    pub faults: Faults,
    pub codes: Mutex<HashMap<String, AuthCode>>,
    pub refresh_tokens: Mutex<HashMap<String, RefreshGrant>>,
    pub device_codes: Mutex<HashMap<String, DeviceCode>>,
    pub managed: managed_identity::ManagedIdentities,
    pub traffic: Traffic,
    /// The open connections of the server.
    pub connections: Connections,
    /// Set once the tenant holds its demo data and extra users; the tenant accessors wait
    /// for it.
    pub filled: Gate,
    /// Consent given at sign-ins before `filled` opened, which the fill records
    /// ([`AppState::record_consent`]).
    pub pending_consents: Mutex<Vec<PendingConsent>>,
}

/// A sign-in's consent waiting for the fill: (client id, user id, scopes).
#[derive(Debug, Clone)]
pub struct PendingConsent {
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
}

/// A gate that opens once and stays open; `wait` costs one atomic load once it is open.
#[derive(Debug, Default)]
pub struct Gate {
    open: std::sync::atomic::AtomicBool,
    lock: Mutex<bool>,
    opened: Condvar,
}

impl Gate {
    pub fn open(&self) {
        *self.lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.open.store(true, std::sync::atomic::Ordering::Release);
        self.opened.notify_all();
    }

    /// Whether the gate has opened.
    pub fn is_open(&self) -> bool {
        self.open.load(std::sync::atomic::Ordering::Acquire)
    }

    pub fn wait(&self) {
        if self.open.load(std::sync::atomic::Ordering::Acquire) {
            return;
        }
        let mut open = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        while !*open {
            open = self.opened.wait(open).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// Fills the tenant ([`Tenant::fill`]: the demo data, extra users and every tenant's
/// defaults), then opens `filled`, on a thread of its own. The fill works on a copy of the
/// built-in tenant, swapped in whole when done: the lock stays free meanwhile for the sign-ins
/// that read only built-in principals ([`AppState::sign_in_tenant`]), and nothing can be lost
/// to the swap, because every writer waits for the gate. The gate opens even if filling
/// panics (the tenant then holds what was added), so no request waits forever.
fn fill_in_background(state: Arc<AppState>, demo: Option<u64>, extra_users: usize) {
    fn fill(state: &AppState, demo: Option<u64>, extra_users: usize) {
        let mut tenant = match state.tenant.read() {
            Ok(t) => t.clone(),
            Err(p) => p.into_inner().clone(),
        };
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            tenant.fill(demo, extra_users);
        }));
        // The consent of sign-ins made meanwhile goes in before the gate opens, under the
        // queue's lock, so none is queued after the queue was emptied. (Locks in the order
        // sign-ins take them: the tenant, then the queue.)
        let mut t = match state.tenant.write() {
            Ok(t) => t,
            Err(p) => p.into_inner(),
        };
        *t = tenant;
        let mut pending = state
            .pending_consents
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for c in pending.drain(..) {
            authz::record_consent(&mut t, &c.client_id, &c.user_id, &c.scopes);
        }
        state.filled.open();
        drop(pending);
        drop(t);
    }
    let spawned = std::thread::Builder::new()
        .name("mggraph-sandbox-fill".into())
        .spawn({
            let state = state.clone();
            move || fill(&state, demo, extra_users)
        });
    if spawned.is_err() {
        // No thread to be had: fill here.
        fill(&state, demo, extra_users);
    }
}

impl AppState {
    /// The tenant, once filled (see `fill_in_background`).
    pub fn tenant(&self) -> std::sync::RwLockReadGuard<'_, Tenant> {
        self.filled.wait();
        match self.tenant.read() {
            Ok(t) => t,
            Err(p) => p.into_inner(),
        }
    }

    /// The tenant as it stands, without waiting for the fill: only for what the fill never
    /// changes (the tenant's id and initial domain).
    pub fn tenant_now(&self) -> std::sync::RwLockReadGuard<'_, Tenant> {
        match self.tenant.read() {
            Ok(t) => t,
            Err(p) => p.into_inner(),
        }
    }

    /// The tenant a sign-in of `client_id` reads, as `user` (an id or a user principal name;
    /// `None` when no user is read): as it stands while the demo data is still being filled
    /// in, when the principals are built-in ones whose answers the fill cannot change (the
    /// Microsoft Graph Command Line Tools, and the administrator, a Global Administrator by
    /// its own roles, whom consent never stops); otherwise once filled, as [`Self::tenant`].
    /// So `Connect-MgGraph -Environment Sandbox` does not wait for the demo data; the first
    /// Graph request does.
    pub fn sign_in_tenant(
        &self,
        client_id: &str,
        user: Option<&str>,
    ) -> std::sync::RwLockReadGuard<'_, Tenant> {
        if !self.filled.is_open() && client_id.eq_ignore_ascii_case(state::GRAPH_CLI_APP_ID) {
            let t = self.tenant_now();
            let built_in = match user {
                None => true,
                Some(u) => {
                    !t.admin_id.is_empty() && t.user_id(u).as_deref() == Some(t.admin_id.as_str())
                }
            };
            if built_in {
                return t;
            }
        }
        self.tenant()
    }

    /// Records the consent a user gave at a sign-in ([`authz::record_consent`]) without
    /// making the sign-in wait for the demo data: until the fill is done it is queued, and the
    /// fill records it. The caller must hold no guard of the tenant.
    pub fn record_consent(&self, client_id: &str, user_id: &str, scopes: &[String]) {
        let mut pending = self
            .pending_consents
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if !self.filled.is_open() {
            pending.push(PendingConsent {
                client_id: client_id.to_string(),
                user_id: user_id.to_string(),
                scopes: scopes.to_vec(),
            });
            return;
        }
        drop(pending);
        authz::record_consent(&mut self.tenant_mut(), client_id, user_id, scopes);
    }

    /// The scopes of consent still queued for the fill ([`Self::record_consent`]) for this
    /// app and user, so that a second sign-in made before the fill is done carries them too.
    pub fn pending_consent(&self, client_id: &str, user_id: &str) -> Vec<String> {
        self.pending_consents
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|c| {
                c.client_id.eq_ignore_ascii_case(client_id)
                    && c.user_id.eq_ignore_ascii_case(user_id)
            })
            .flat_map(|c| c.scopes.iter().cloned())
            .collect()
    }

    pub fn tenant_mut(&self) -> std::sync::RwLockWriteGuard<'_, Tenant> {
        self.filled.wait();
        match self.tenant.write() {
            Ok(t) => t,
            Err(p) => p.into_inner(),
        }
    }
}

/// A running sandbox.
#[derive(Debug)]
pub struct Sandbox {
    pub base_url: String,
    pub tenant_id: String,
    pub domain: String,
    pub client_id: String,
    pub client_secret: String,
    pub admin_upn: String,
    pub state: Arc<AppState>,
    shutdown: CancellationToken,
}

/// Marks a response the server must not send: the connection is closed instead.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

#[derive(Debug)]
struct DroppedByFault;

impl std::fmt::Display for DroppedByFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedByFault {}

impl Sandbox {
    /// Binds `addr` and serves until stopped (or dropped).
    pub async fn start(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<Sandbox> {
        // The generic store's type table, the permission map's operations and the store's
        // route table are built once per process, in that order (a first request needs them in
        // that order); start now, on the core the tenant's build and fill leave free, so
        // requests seldom wait for them.
        std::thread::spawn(|| {
            let catalog = store::catalog::catalog();
            crate::catalog::permissions::prepare();
            catalog.routes();
        });
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let base_url = format!("http://{local}");
        let seed = Seed {
            tenant_id: config.tenant_id.clone().unwrap_or_else(state::new_id),
            domain: config.domain.clone(),
            client_id: config.client_id.clone().unwrap_or_else(state::new_id),
            client_secret: config
                .client_secret
                .clone()
                .unwrap_or_else(|| state::random_secret(40)),
            admin_password: state::random_secret(24),
            extra_users: config.seed_users,
            demo: config.demo,
        };
        let mut key = vec![0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut key);
        // The built-in users and apps now; the demo data, extra users and what every tenant
        // has (policies, role templates: 30 ms, once built twice) on a thread of their own
        // (about 100 ms for the default tenant), behind `AppState::filled`, so a start does
        // not wait for them.
        let tenant = Tenant::built_in(&seed);
        let admin_upn = format!("admin@{}", seed.domain);
        let state = Arc::new(AppState {
            tenant: RwLock::new(tenant),
            signer: Signer::new(key),
            faults: Faults::new(config.faults.clone()),
            config,
            base_url: base_url.clone(),
            codes: Mutex::new(HashMap::new()),
            refresh_tokens: Mutex::new(HashMap::new()),
            device_codes: Mutex::new(HashMap::new()),
            managed: managed_identity::ManagedIdentities::new(),
            traffic: Traffic::default(),
            connections: Connections::default(),
            filled: Gate::default(),
            pending_consents: Mutex::new(Vec::new()),
        });
        fill_in_background(state.clone(), seed.demo, seed.extra_users);
        let shutdown = CancellationToken::new();
        tokio::spawn(serve(listener, state.clone(), shutdown.clone()));
        tokio::spawn(reclaim(state.clone(), shutdown.clone()));
        Ok(Sandbox {
            base_url,
            tenant_id: seed.tenant_id,
            domain: seed.domain,
            client_id: seed.client_id,
            client_secret: seed.client_secret,
            admin_upn,
            state,
            shutdown,
        })
    }

    /// Managed identity endpoints and identities of this sandbox (as an Azure resource sees them).
    pub fn managed_identity(&self) -> serde_json::Value {
        let m = &self.state.managed;
        serde_json::json!({
            "imdsEndpoint": format!("{}/metadata/identity/oauth2/token", self.base_url),
            "identityEndpoint": format!("{}/msi/token", self.base_url),
            "identityHeader": m.identity_header,
            "arcIdentityEndpoint": format!("{}/arc/metadata/identity/oauth2/token", self.base_url),
            "arcImdsEndpoint": format!("{}/arc", self.base_url),
            "arcKeyDirectory": m.arc_key_dir.display().to_string(),
            "systemAssignedClientId": m.system_client_id,
            "userAssignedClientId": m.user_assigned_client_id,
        })
    }

    /// Stops accepting connections, closes the open ones and removes the Azure Arc key
    /// directory.
    pub fn stop(&self) {
        self.shutdown.cancel();
        self.state.managed.remove_key_dir();
    }

    /// How many connections are open.
    pub fn open_connections(&self) -> usize {
        self.state.connections.len()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What a connection is doing, for the server's timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Kept alive between requests.
    Idle,
    /// Receiving a request's headers or body.
    Reading,
    /// A request is being answered.
    Busy,
}

/// One open connection: its phase since when, and how to close it.
#[derive(Debug)]
struct Conn {
    phase: Mutex<(Phase, std::time::Instant)>,
    close: CancellationToken,
}

impl Conn {
    fn set(&self, phase: Phase) {
        *self.phase.lock().unwrap_or_else(|p| p.into_inner()) = (phase, std::time::Instant::now());
    }

    fn get(&self) -> (Phase, std::time::Instant) {
        *self.phase.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Marks the first bytes of a request on an idle connection.
    fn bytes_arrived(&self) {
        let mut g = self.phase.lock().unwrap_or_else(|p| p.into_inner());
        if g.0 == Phase::Idle {
            *g = (Phase::Reading, std::time::Instant::now());
        }
    }
}

/// The open connections of a server, for its connection limit.
#[derive(Debug, Default)]
pub struct Connections {
    open: Mutex<HashMap<u64, Arc<Conn>>>,
    next_id: std::sync::atomic::AtomicU64,
    freed: tokio::sync::Notify,
    /// The most connections open since memory was last handed back.
    peak: std::sync::atomic::AtomicUsize,
}

impl Connections {
    /// How many connections are open.
    pub fn len(&self) -> usize {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Registers a new connection if there is room, closing the longest-waiting idle or
    /// half-sent one to make room; `None` when every open connection is busy.
    fn admit(&self, max: usize) -> Option<(u64, Arc<Conn>)> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.len() >= max.max(1) {
            let victim = open
                .iter()
                .map(|(id, c)| (*id, c.get()))
                .filter(|(_, (phase, _))| *phase != Phase::Busy)
                .min_by_key(|(_, (_, since))| *since)
                .map(|(id, _)| id)?;
            if let Some(c) = open.remove(&victim) {
                c.close.cancel();
            }
        }
        let id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let conn = Arc::new(Conn {
            phase: Mutex::new((Phase::Reading, std::time::Instant::now())),
            close: CancellationToken::new(),
        });
        open.insert(id, conn.clone());
        self.peak
            .fetch_max(open.len(), std::sync::atomic::Ordering::Relaxed);
        Some((id, conn))
    }

    fn remove(&self, id: u64) {
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
        self.freed.notify_one();
    }

    /// After a wave of connections (held ones timing out, a load test) the allocator keeps
    /// their buffers; hands the memory back once most of them are gone. Called on a timer
    /// rather than from the closing connection itself: there the connection's own buffers
    /// (and those of others closing on other threads) may not be freed yet.
    fn reclaim(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        let left = self.len();
        let peak = self.peak.load(Relaxed);
        if peak >= 64
            && left <= peak / 4
            && self
                .peak
                .compare_exchange(peak, left, Relaxed, Relaxed)
                .is_ok()
        {
            release_free_memory();
        }
    }
}

/// Checks twice a second whether a wave of connections has drained (see `Connections::reclaim`).
async fn reclaim(state: Arc<AppState>, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => state.connections.reclaim(),
        }
    }
}

/// Returns freed heap memory to the operating system (glibc keeps it otherwise).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn release_free_memory() {
    // SAFETY: malloc_trim only walks glibc's own arenas; it takes no pointers from us.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

/// A connection's socket, noting when a request's first bytes arrive.
struct Tracked {
    stream: tokio::net::TcpStream,
    conn: Arc<Conn>,
}

impl tokio::io::AsyncRead for Tracked {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.conn.bytes_arrived();
        }
        polled
    }
}

impl tokio::io::AsyncWrite for Tracked {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Returns when the connection has been idle, or reading one request, for too long.
async fn expiry(conn: &Conn, header_read: Duration, idle: Duration) {
    loop {
        let (phase, since) = conn.get();
        let limit = match phase {
            Phase::Idle => idle,
            Phase::Reading => header_read,
            // A request in progress has no limit here; look again later.
            Phase::Busy => {
                tokio::time::sleep(header_read.min(idle)).await;
                continue;
            }
        };
        let deadline = since + limit;
        if std::time::Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep_until(deadline.into()).await;
    }
}

/// Marks a connection idle again when a request's answer is done (or dropped).
struct Answered(Arc<Conn>);

impl Drop for Answered {
    fn drop(&mut self) {
        self.0.set(Phase::Idle);
    }
}

async fn serve(listener: TcpListener, state: Arc<AppState>, shutdown: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => return,
            a = listener.accept() => a,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors or similar: back off briefly rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        // At the limit with every connection busy, wait for one to finish.
        let (id, conn) = loop {
            let freed = state.connections.freed.notified();
            if let Some(admitted) = state.connections.admit(state.config.max_connections) {
                break admitted;
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = freed => {}
            }
        };
        let state = state.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let service_state = state.clone();
            let service_conn = conn.clone();
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let state = service_state.clone();
                let conn = service_conn.clone();
                async move {
                    // The body is part of the request the client must finish sending in time.
                    let (parts, body) = req.into_parts();
                    let body = axum::body::to_bytes(Body::new(body), MAX_BODY).await;
                    conn.set(Phase::Busy);
                    let _answered = Answered(conn);
                    let response = match body {
                        Ok(bytes) => {
                            handle(state, Request::from_parts(parts, Body::from(bytes))).await
                        }
                        Err(_) => too_large(),
                    };
                    if response.extensions().get::<DropConnection>().is_some() {
                        // Returning an error makes hyper close the connection unanswered.
                        Err(DroppedByFault)
                    } else {
                        Ok::<_, DroppedByFault>(response)
                    }
                }
            });
            let io = Tracked {
                stream,
                conn: conn.clone(),
            };
            let served = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(io), service);
            tokio::select! {
                _ = served => {}
                _ = shutdown.cancelled() => {}
                _ = conn.close.cancelled() => {}
                _ = expiry(&conn, state.config.header_read_timeout, state.config.idle_timeout) => {}
            }
            state.connections.remove(id);
        });
    }
}

fn too_large() -> Response<Body> {
    let id = uuid::Uuid::new_v4().to_string();
    odata::GraphErr::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request_EntityTooLarge",
        "The request body is too large.",
    )
    .into_response(&id, &id)
}

/// Per-request identifiers, echoed in headers and error bodies.
#[derive(Debug, Clone)]
pub struct RequestIds {
    pub request_id: String,
    pub client_request_id: String,
}

const MAX_BODY: usize = 16 * 1024 * 1024;

async fn handle(state: Arc<AppState>, req: Request<Body>) -> Response<Body> {
    use std::sync::atomic::Ordering;
    state.traffic.total.fetch_add(1, Ordering::SeqCst);
    state.traffic.in_flight.fetch_add(1, Ordering::SeqCst);
    let _in_flight = InFlight(&state.traffic);
    let method = req.method().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let retry_attempt = req
        .headers()
        .get("Retry-Attempt")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let sent_request_id = req
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let response = serve_request(&state, req).await;
    state.traffic.record(Logged {
        method,
        path_and_query,
        retry_attempt,
        client_request_id: sent_request_id,
        status: response.status().as_u16(),
        dropped: response.extensions().get::<DropConnection>().is_some(),
    });
    response
}

async fn serve_request(state: &Arc<AppState>, req: Request<Body>) -> Response<Body> {
    let state = state.clone();
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = req
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| request_id.clone());
    let ids = RequestIds {
        request_id,
        client_request_id,
    };
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return odata::GraphErr::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request_EntityTooLarge",
                "The request body is too large.",
            )
            .into_response(&ids.request_id, &ids.client_request_id)
        }
    };
    let path = parts.uri.path().to_string();
    // Managed identity paths contain /oauth2/ too: they go first.
    let mut response = if managed_identity::is_endpoint(&path) {
        managed_identity::handle(&state, &parts, &body, &ids)
    } else if path.contains("/oauth2/") {
        identity::handle(&state, &parts, &body, &ids).await
    } else if path == "/devicelogin" {
        identity::device_login(&state, &parts, &body, &ids)
    } else if path.starts_with(graph::reports::DOWNLOAD_PREFIX)
        && parts.method == axum::http::Method::GET
    {
        graph::reports::download(&state.tenant(), &path, parts.uri.query())
    } else if path == "/_sandbox/stats" {
        let t = &state.traffic;
        let stats = serde_json::json!({
            "requests": t.total.load(std::sync::atomic::Ordering::SeqCst),
            "inFlight": t.in_flight.load(std::sync::atomic::Ordering::SeqCst),
            "throttled": t.throttled.load(std::sync::atomic::Ordering::SeqCst),
            "tapsIssued": t.taps_issued.load(std::sync::atomic::Ordering::SeqCst),
            // Connections accepted and not yet closed, this one included.
            "openConnections": state.connections.len(),
        });
        let mut r = Response::new(Body::from(stats.to_string()));
        r.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r
    } else if path.starts_with("/v1.0/")
        || path.starts_with("/beta/")
        || path == "/v1.0"
        || path == "/beta"
    {
        graph::handle(&state, &parts, &body, &ids).await
    } else {
        odata::GraphErr::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("Resource not found: {path}"),
        )
        .into_response(&ids.request_id, &ids.client_request_id)
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("request-id", ids.request_id.as_str()),
        ("client-request-id", ids.client_request_id.as_str()),
        (
            "x-ms-ags-diagnostic",
            r#"{"ServerInfo":{"DataCenter":"Sandbox","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"MGGRAPH-SANDBOX"}}"#,
        ),
        ("Cache-Control", "no-cache"),
        ("Strict-Transport-Security", "max-age=31536000"),
    ] {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    }
    response
}

#[cfg(test)]
mod gate_tests {
    use super::Gate;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn a_gate_holds_waiters_until_it_opens_and_then_lets_everyone_through() {
        let gate = Arc::new(Gate::default());
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let (gate, tx) = (gate.clone(), tx.clone());
            std::thread::spawn(move || {
                gate.wait();
                tx.send(()).unwrap();
            })
        };
        assert!(
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "passed a closed gate"
        );
        gate.open();
        rx.recv_timeout(Duration::from_secs(10))
            .expect("let through");
        waiter.join().unwrap();
        gate.wait();
    }
}
