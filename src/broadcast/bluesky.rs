//! Bluesky: `app.bsky.feed.post` records written to the account's PDS through XRPC.
//!
//! Exactly once: each post's record key is a TID derived from the delivery's idempotency key
//! (and the post's place in the thread), so a second create of the same delivery is refused
//! by the PDS; the record is then read back and counted as sent. `find` reads the same keys.
//!
//! Sessions: the access and refresh JWTs are kept in [`Credentials::Bluesky`]; an expired
//! access token is refreshed with `com.atproto.server.refreshSession` (the new pair is
//! persisted) and the call made once more. The app password is used only to connect and is
//! never stored.
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::connect::{ConnectError, Connected};
use super::http::{error_for, from_reqwest, network_message};
use super::rate::retry_at;
use super::{AccountConfig, BoxFut, Channel, ChannelContext, Credentials, CredentialsHandle, DeliveryKind, Outgoing, RemotePost, SendError};
use crate::compose::{FacetFeature, Post};
use crate::store::channels::ChannelAccount;

pub const POST_COLLECTION: &str = "app.bsky.feed.post";

pub struct BlueskyChannel {
    handle: String,
    did: String,
    pds: String,
    creds: CredentialsHandle,
    ctx: ChannelContext,
    /// One refresh at a time: the refresh token rotates, a second concurrent refresh would fail.
    refreshing: tokio::sync::Mutex<()>,
}

/// A strong reference to a record.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StrongRef {
    uri: String,
    cid: String,
}

impl StrongRef {
    fn json(&self) -> Value {
        json!({"uri": self.uri, "cid": self.cid})
    }
}

/// An XRPC answer that is not a success.
struct Failure {
    status: reqwest::StatusCode,
    error: String,
    body: String,
    at: Option<chrono::NaiveDateTime>,
}

impl Failure {
    fn into_send_error(self) -> SendError {
        error_for(self.status, self.at, &self.body)
    }

    fn is_expired_session(&self) -> bool {
        matches!(self.status.as_u16(), 400 | 401) && matches!(self.error.as_str(), "ExpiredToken" | "InvalidToken")
    }
}

enum CallError {
    Transport(SendError),
    Status(Failure),
}

impl From<CallError> for SendError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Transport(e) => e,
            CallError::Status(f) => f.into_send_error(),
        }
    }
}

impl BlueskyChannel {
    pub fn new(account: &ChannelAccount, creds: CredentialsHandle, ctx: &ChannelContext) -> Self {
        let (handle, did, pds) = match &account.config {
            AccountConfig::Bluesky { handle, did, pds } => (handle.clone(), did.clone(), pds.trim_end_matches('/').to_string()),
            _ => Default::default(),
        };
        Self { handle, did, pds, creds, ctx: ctx.clone(), refreshing: tokio::sync::Mutex::new(()) }
    }

    async fn access_jwt(&self) -> Result<String, SendError> {
        match self.creds.get().await {
            Credentials::Bluesky { access_jwt, .. } => Ok(access_jwt),
            _ => Err(SendError::Reconnect { reason: "this account has no Bluesky session".into() }),
        }
    }

    /// One XRPC call with a given access token: a procedure (POST, JSON body) or a query (GET).
    async fn call_once(&self, nsid: &str, body: Option<&Value>, query: &[(&str, &str)], jwt: &str) -> Result<Value, CallError> {
        let url = format!("{}/xrpc/{nsid}", self.pds);
        let req = match body {
            Some(b) => self.ctx.http.post(url).json(b),
            None => self.ctx.http.get(url).query(query),
        };
        let resp = req.bearer_auth(jwt).send().await.map_err(|e| CallError::Transport(from_reqwest(&e)))?;
        let status = resp.status();
        if status.is_success() {
            let text = resp.text().await.map_err(|e| CallError::Transport(from_reqwest(&e)))?;
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| {
                CallError::Transport(SendError::Unknown { reason: format!("unreadable answer from the PDS: {e}") })
            });
        }
        let at = retry_at(resp.headers(), self.ctx.clock.now());
        let body = resp.text().await.unwrap_or_default();
        let error = serde_json::from_str::<Value>(&body).ok().and_then(|v| v["error"].as_str().map(str::to_string)).unwrap_or_default();
        Err(CallError::Status(Failure { status, error, body, at }))
    }

    /// An authenticated call; an expired session is refreshed once and the call made again.
    async fn call(&self, nsid: &str, body: Option<&Value>, query: &[(&str, &str)]) -> Result<Value, CallError> {
        let jwt = self.access_jwt().await.map_err(CallError::Transport)?;
        match self.call_once(nsid, body, query, &jwt).await {
            Err(CallError::Status(f)) if f.is_expired_session() => {
                let fresh = self.refresh(&jwt).await.map_err(CallError::Transport)?;
                self.call_once(nsid, body, query, &fresh).await
            }
            other => other,
        }
    }

    /// Refreshes the session unless another call already did since `stale` was read;
    /// returns the access token to use.
    async fn refresh(&self, stale: &str) -> Result<String, SendError> {
        let _guard = self.refreshing.lock().await;
        let Credentials::Bluesky { access_jwt, refresh_jwt } = self.creds.get().await else {
            return Err(SendError::Reconnect { reason: "this account has no Bluesky session".into() });
        };
        if access_jwt != stale {
            return Ok(access_jwt);
        }
        let resp = self
            .ctx
            .http
            .post(format!("{}/xrpc/com.atproto.server.refreshSession", self.pds))
            .bearer_auth(&refresh_jwt)
            .send()
            .await
            .map_err(|e| from_reqwest(&e))?;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            let reason = format!("the session could not be renewed: {}", network_message(&body).unwrap_or_else(|| status.to_string()));
            return Err(match status.as_u16() {
                429 | 500.. => SendError::Retry { reason, at: None },
                _ => SendError::Reconnect { reason },
            });
        }
        let v: Value = serde_json::from_str(&body).map_err(|e| SendError::Retry { reason: format!("unreadable session: {e}"), at: None })?;
        let (Some(access), Some(refresh)) = (v["accessJwt"].as_str(), v["refreshJwt"].as_str()) else {
            return Err(SendError::Reconnect { reason: "the PDS renewed the session without tokens".into() });
        };
        self.creds
            .replace(Credentials::Bluesky { access_jwt: access.to_string(), refresh_jwt: refresh.to_string() })
            .await
            .map_err(|e| SendError::Retry { reason: format!("could not store the renewed session: {e}"), at: None })?;
        Ok(access.to_string())
    }

    /// The record at `rkey` in our posts, if it exists: (ref, value).
    async fn get_post(&self, rkey: &str) -> Result<Option<(StrongRef, Value)>, SendError> {
        self.get_record(&self.did, POST_COLLECTION, rkey).await
    }

    async fn get_record(&self, repo: &str, collection: &str, rkey: &str) -> Result<Option<(StrongRef, Value)>, SendError> {
        match self.call("com.atproto.repo.getRecord", None, &[("repo", repo), ("collection", collection), ("rkey", rkey)]).await {
            Ok(v) => {
                let (Some(uri), Some(cid)) = (v["uri"].as_str(), v["cid"].as_str()) else {
                    return Err(SendError::Retry { reason: "getRecord answered no uri or cid".into(), at: None });
                };
                Ok(Some((StrongRef { uri: uri.into(), cid: cid.into() }, v["value"].clone())))
            }
            Err(CallError::Status(f)) if f.error == "RecordNotFound" || f.status.as_u16() == 404 => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates one post at `rkey`; if the PDS refuses because it exists (a retry of this
    /// delivery), the existing record is the result.
    async fn create_post(&self, rkey: &str, post: &Post, lang: &str, reply: Option<(&StrongRef, &StrongRef)>) -> Result<StrongRef, SendError> {
        let mut record = json!({
            "$type": POST_COLLECTION,
            "text": post.text,
            "createdAt": self.ctx.clock.now().and_utc().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "langs": [lang],
        });
        if !post.facets.is_empty() {
            let dids = self.mention_dids(post).await;
            record["facets"] = facets_json_with(post, &dids);
        }
        if let Some((root, parent)) = reply {
            record["reply"] = json!({"root": root.json(), "parent": parent.json()});
        }
        let body = json!({"repo": self.did, "collection": POST_COLLECTION, "rkey": rkey, "record": record});
        match self.call("com.atproto.repo.createRecord", Some(&body), &[]).await {
            Ok(v) => match (v["uri"].as_str(), v["cid"].as_str()) {
                (Some(uri), Some(cid)) => Ok(StrongRef { uri: uri.into(), cid: cid.into() }),
                _ => Err(SendError::Unknown { reason: "createRecord answered no uri or cid".into() }),
            },
            Err(CallError::Status(f)) if !matches!(f.status.as_u16(), 401 | 403 | 429) => {
                // Refused: maybe because this key exists already (an earlier attempt got through).
                if let Some((found, _)) = self.get_post(rkey).await? {
                    return Ok(found);
                }
                Err(f.into_send_error())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The DIDs of the handles a post mentions, as (handle, did). A handle that does not
    /// resolve keeps its text but gets no facet: a mention never stops a post.
    async fn mention_dids(&self, post: &Post) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for f in &post.facets {
            let FacetFeature::Mention { handle } = &f.feature else { continue };
            if out.iter().any(|(h, _)| h == handle) {
                continue;
            }
            if let Ok(v) = self.call("com.atproto.identity.resolveHandle", None, &[("handle", handle.as_str())]).await {
                if let Some(did) = v["did"].as_str().filter(|d| d.starts_with("did:")) {
                    out.push((handle.clone(), did.to_string()));
                }
            }
        }
        out
    }

    /// A post's thread as the AppView sees it (`app.bsky.feed.getPostThread`, through the PDS).
    pub async fn thread(&self, uri: &str) -> Result<Value, SendError> {
        Ok(self.call("app.bsky.feed.getPostThread", None, &[("uri", uri), ("depth", "10")]).await?)
    }

    /// Public posts matching a query, newest first (`app.bsky.feed.searchPosts`, through the PDS).
    pub async fn search_posts(&self, q: &str) -> Result<Value, SendError> {
        Ok(self.call("app.bsky.feed.searchPosts", None, &[("q", q), ("sort", "latest"), ("limit", "50")]).await?)
    }

    /// A public profile (`app.bsky.actor.getProfile`).
    pub async fn profile(&self, actor: &str) -> Result<Value, SendError> {
        Ok(self.call("app.bsky.actor.getProfile", None, &[("actor", actor)]).await?)
    }

    /// The account's DID.
    pub fn did(&self) -> &str {
        &self.did
    }

    fn url_of(&self, uri: &str) -> Option<String> {
        let rkey = uri.rsplit('/').next()?;
        Some(format!("https://bsky.app/profile/{}/post/{rkey}", self.handle))
    }

    async fn post_chain(&self, out: &Outgoing, reply_to: Option<(StrongRef, StrongRef)>) -> Result<RemotePost, SendError> {
        if out.posts.is_empty() {
            return Err(SendError::Rejected { status: None, reason: "nothing to post".into() });
        }
        let lang = out.opening.draft.language.as_str();
        let mut root_parent = reply_to;
        let mut ids = Vec::new();
        for (i, post) in out.posts.iter().enumerate() {
            let rkey = rkey_for(&out.idempotency_key, i);
            let created = self.create_post(&rkey, post, lang, root_parent.as_ref().map(|(r, p)| (r, p))).await?;
            let root = root_parent.as_ref().map(|(r, _)| r.clone()).unwrap_or_else(|| created.clone());
            ids.push(created.uri.clone());
            root_parent = Some((root, created));
        }
        Ok(RemotePost { id: ids[0].clone(), url: self.url_of(&ids[0]), ids })
    }

    /// The strong refs a reply under `parent_uri` needs: the thread's root, and the parent.
    async fn reply_refs(&self, parent_uri: &str) -> Result<(StrongRef, StrongRef), SendError> {
        let (repo, collection, rkey) =
            split_at_uri(parent_uri).ok_or_else(|| SendError::Rejected { status: None, reason: format!("not an at:// post address: {parent_uri}") })?;
        let (parent, value) = self
            .get_record(repo, collection, rkey)
            .await?
            .ok_or_else(|| SendError::Rejected { status: Some(404), reason: "the original post no longer exists".into() })?;
        let root = match (value["reply"]["root"]["uri"].as_str(), value["reply"]["root"]["cid"].as_str()) {
            (Some(uri), Some(cid)) => StrongRef { uri: uri.into(), cid: cid.into() },
            _ => parent.clone(),
        };
        Ok((root, parent))
    }

    async fn delete(&self, parent: &RemotePost) -> Result<RemotePost, SendError> {
        let uris: Vec<&String> = if parent.ids.is_empty() { vec![&parent.id] } else { parent.ids.iter().collect() };
        for uri in uris.into_iter().rev() {
            let Some((repo, collection, rkey)) = split_at_uri(uri) else { continue };
            let body = json!({"repo": repo, "collection": collection, "rkey": rkey});
            match self.call("com.atproto.repo.deleteRecord", Some(&body), &[]).await {
                Ok(_) => {}
                Err(CallError::Status(f)) if f.error == "RecordNotFound" => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(parent.clone())
    }

    async fn find_impl(&self, out: &Outgoing) -> Result<Option<RemotePost>, SendError> {
        if out.kind == DeliveryKind::Delete {
            let Some(parent) = &out.parent else { return Ok(None) };
            let Some((repo, collection, rkey)) = split_at_uri(&parent.id) else { return Ok(None) };
            return Ok(match self.get_record(repo, collection, rkey).await? {
                None => Some(parent.clone()),
                Some(_) => None,
            });
        }
        let Some((first, _)) = self.get_post(&rkey_for(&out.idempotency_key, 0)).await? else { return Ok(None) };
        let mut ids = vec![first.uri.clone()];
        for i in 1..out.posts.len() {
            match self.get_post(&rkey_for(&out.idempotency_key, i)).await? {
                Some((r, _)) => ids.push(r.uri),
                None => break,
            }
        }
        Ok(Some(RemotePost { id: first.uri.clone(), url: self.url_of(&first.uri), ids }))
    }
}

impl Channel for BlueskyChannel {
    fn send<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<RemotePost, SendError>> {
        Box::pin(async move {
            match out.kind {
                DeliveryKind::Post | DeliveryKind::Repost => self.post_chain(out, None).await,
                DeliveryKind::FilledReply => {
                    let parent = out.parent.as_ref().ok_or_else(|| SendError::Rejected { status: None, reason: "no original post to reply to".into() })?;
                    let refs = self.reply_refs(&parent.id).await?;
                    self.post_chain(out, Some(refs)).await
                }
                DeliveryKind::Delete => {
                    let parent = out.parent.as_ref().ok_or_else(|| SendError::Rejected { status: None, reason: "no original post to delete".into() })?;
                    self.delete(parent).await
                }
            }
        })
    }

    fn find<'a>(&'a self, out: &'a Outgoing) -> BoxFut<'a, Result<Option<RemotePost>, SendError>> {
        Box::pin(self.find_impl(out))
    }

    fn check<'a>(&'a self) -> BoxFut<'a, Result<(), SendError>> {
        Box::pin(async move {
            self.call("com.atproto.server.getSession", None, &[]).await?;
            Ok(())
        })
    }
}

/// The AT Protocol facets of a composed post whose mentions need no DID.
pub fn facets_json(post: &Post) -> Value {
    facets_json_with(post, &[])
}

/// The AT Protocol facets of a composed post; a mention becomes `{did}` when `dids` holds its
/// handle, and is left out otherwise.
pub fn facets_json_with(post: &Post, dids: &[(String, String)]) -> Value {
    Value::Array(
        post.facets
            .iter()
            .filter_map(|f| {
                let feature = match &f.feature {
                    FacetFeature::Mention { handle } => {
                        let did = &dids.iter().find(|(h, _)| h == handle)?.1;
                        json!({"$type": "app.bsky.richtext.facet#mention", "did": did})
                    }
                    other => serde_json::to_value(other).unwrap_or(Value::Null),
                };
                Some(json!({
                    "index": {"byteStart": f.byte_start, "byteEnd": f.byte_end},
                    "features": [feature],
                }))
            })
            .collect(),
    )
}

const TID_ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
/// 2023-01-01T00:00:00Z, in microseconds: derived TIDs fall in the three years after it.
const TID_EPOCH_MICROS: u64 = 1_672_531_200_000_000;
const TID_SPAN_MICROS: u64 = 3 * 365 * 24 * 3600 * 1_000_000;

/// The record key of post `index` of a delivery: a valid TID (13 base32-sortable characters:
/// a zero bit, 53 bits of microseconds, 10 bits of clock id) derived from the delivery's
/// idempotency key, so every attempt of the delivery writes to the same key.
pub fn rkey_for(idempotency_key: &str, index: usize) -> String {
    let digest = Sha256::digest(format!("hirecast-bluesky-rkey\0{idempotency_key}\0{index}").as_bytes());
    let n = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    let micros = TID_EPOCH_MICROS + (n >> 10) % TID_SPAN_MICROS;
    let clock_id = n & 0x3ff;
    tid(micros, clock_id)
}

fn tid(micros: u64, clock_id: u64) -> String {
    let mut v = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3ff);
    let mut out = [0u8; 13];
    for slot in out.iter_mut().rev() {
        *slot = TID_ALPHABET[(v & 31) as usize];
        v >>= 5;
    }
    String::from_utf8(out.to_vec()).expect("ASCII")
}

/// `at://repo/collection/rkey` → its parts.
fn split_at_uri(uri: &str) -> Option<(&str, &str, &str)> {
    let rest = uri.strip_prefix("at://")?;
    let mut parts = rest.splitn(3, '/');
    let (repo, collection, rkey) = (parts.next()?, parts.next()?, parts.next()?);
    (!repo.is_empty() && !collection.is_empty() && !rkey.is_empty() && !rkey.contains('/')).then_some((repo, collection, rkey))
}

// ---------- connecting ----------

fn handle_is_valid(handle: &str) -> bool {
    let labels: Vec<&str> = handle.split('.').collect();
    handle.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Connects an account with its handle (or DID) and an app password: resolves the handle to
/// its DID, the DID to its PDS, and opens a session there. The password is not kept.
pub async fn connect(ctx: &ChannelContext, identifier: &str, app_password: &str) -> Result<Connected, ConnectError> {
    let ident = identifier.trim().trim_start_matches('@').to_ascii_lowercase();
    let field = |f: &'static str, reason: String| ConnectError::Field { field: f, reason };
    if app_password.trim().is_empty() {
        return Err(field("app_password", "enter an app password created in Bluesky's settings".into()));
    }
    let did = if ident.starts_with("did:") {
        if !(ident.starts_with("did:plc:") || ident.starts_with("did:web:")) {
            return Err(field("identifier", "only did:plc and did:web accounts are supported".into()));
        }
        identifier.trim().to_string()
    } else {
        if !handle_is_valid(&ident) {
            return Err(field("identifier", "enter your handle, such as jobs.bsky.social".into()));
        }
        resolve_handle(ctx, &ident).await?
    };
    let pds = resolve_pds(ctx, &did).await?;
    let resp = ctx
        .http
        .post(format!("{pds}/xrpc/com.atproto.server.createSession"))
        .json(&json!({"identifier": did, "password": app_password.trim()}))
        .send()
        .await
        .map_err(|e| ConnectError::Network(format!("the account's server could not be reached ({})", from_reqwest(&e).reason())))?;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if !status.is_success() {
        let msg = network_message(&body).unwrap_or_else(|| status.to_string());
        return Err(match status.as_u16() {
            400 | 401 => field("app_password", msg),
            _ => ConnectError::Network(format!("Bluesky refused: {msg}")),
        });
    }
    let v: Value = serde_json::from_str(&body).map_err(|e| ConnectError::Network(format!("unreadable session: {e}")))?;
    let (Some(access), Some(refresh), Some(handle)) = (v["accessJwt"].as_str(), v["refreshJwt"].as_str(), v["handle"].as_str()) else {
        return Err(ConnectError::Network("the server opened a session without tokens".into()));
    };
    if v["did"].as_str() != Some(did.as_str()) {
        return Err(ConnectError::Network("the server answered for another account".into()));
    }
    Ok(Connected {
        name: format!("@{handle}"),
        config: AccountConfig::Bluesky { handle: handle.to_string(), did: did.clone(), pds },
        credentials: Credentials::Bluesky { access_jwt: access.to_string(), refresh_jwt: refresh.to_string() },
        token_expires_at: None,
    })
}

async fn resolve_handle(ctx: &ChannelContext, handle: &str) -> Result<String, ConnectError> {
    let base = ctx.settings.broadcast.bluesky_resolver_url.trim_end_matches('/');
    let resp = ctx
        .http
        .get(format!("{base}/xrpc/com.atproto.identity.resolveHandle"))
        .query(&[("handle", handle)])
        .send()
        .await
        .map_err(|e| ConnectError::Network(format!("Bluesky could not be reached ({})", from_reqwest(&e).reason())))?;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if status.as_u16() == 400 || status.as_u16() == 404 {
        return Err(ConnectError::Field { field: "identifier", reason: format!("no Bluesky account has this handle ({})", network_message(&body).unwrap_or_default()) });
    }
    if !status.is_success() {
        return Err(ConnectError::Network(format!("Bluesky refused: {}", network_message(&body).unwrap_or_else(|| status.to_string()))));
    }
    serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["did"].as_str().map(str::to_string))
        .filter(|d| d.starts_with("did:"))
        .ok_or_else(|| ConnectError::Network("Bluesky resolved the handle to nothing".into()))
}

/// The PDS endpoint in a DID document.
async fn resolve_pds(ctx: &ChannelContext, did: &str) -> Result<String, ConnectError> {
    let url = if did.starts_with("did:plc:") {
        format!("{}/{}", ctx.settings.broadcast.plc_url.trim_end_matches('/'), did)
    } else if let Some(host) = did.strip_prefix("did:web:") {
        let host = host.replace("%3A", ":").replace("%3a", ":");
        if host.contains('/') || host.contains(':') && !host.starts_with("localhost:") {
            return Err(ConnectError::Field { field: "identifier", reason: "unsupported did:web".into() });
        }
        let scheme = if host.starts_with("localhost") { "http" } else { "https" };
        format!("{scheme}://{host}/.well-known/did.json")
    } else {
        return Err(ConnectError::Field { field: "identifier", reason: "only did:plc and did:web accounts are supported".into() });
    };
    let resp = ctx
        .http
        .get(url)
        .send()
        .await
        .map_err(|e| ConnectError::Network(format!("the account's identity could not be read ({})", from_reqwest(&e).reason())))?;
    if resp.status().as_u16() == 404 || resp.status().as_u16() == 410 {
        return Err(ConnectError::Field { field: "identifier", reason: "this account does not exist (any more)".into() });
    }
    if !resp.status().is_success() {
        return Err(ConnectError::Network(format!("the account's identity could not be read ({})", resp.status())));
    }
    let doc: Value = resp.json().await.map_err(|e| ConnectError::Network(format!("unreadable identity document: {e}")))?;
    doc["service"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["type"].as_str() == Some("AtprotoPersonalDataServer") || s["id"].as_str().is_some_and(|id| id.ends_with("#atproto_pds")))
        .and_then(|s| s["serviceEndpoint"].as_str())
        .map(|s| s.trim_end_matches('/').to_string())
        .filter(|s| s.starts_with("https://") || s.starts_with("http://"))
        .ok_or_else(|| ConnectError::Network("the account's identity names no server".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_record_keys_are_valid_tids_and_stable() {
        let a = rkey_for("delivery-1", 0);
        assert_eq!(a, rkey_for("delivery-1", 0));
        assert_ne!(a, rkey_for("delivery-1", 1));
        assert_ne!(a, rkey_for("delivery-2", 0));
        for key in ["a", "b", "delivery-1", "0195-xyz"] {
            for i in 0..4 {
                let t = rkey_for(key, i);
                assert_eq!(t.len(), 13, "{t}");
                assert!(t.bytes().all(|b| TID_ALPHABET.contains(&b)), "{t}");
                // The top bit is zero: the first character is one of the first 16.
                assert!(b"234567abcdefghij".contains(&t.as_bytes()[0]), "{t}");
            }
        }
        // The known encoding: 0 → "2222222222222".
        assert_eq!(tid(0, 0), "2222222222222");
        assert_eq!(tid(0, 1), "2222222222223");
    }

    #[test]
    fn at_uris_split() {
        assert_eq!(split_at_uri("at://did:plc:x/app.bsky.feed.post/3kabc"), Some(("did:plc:x", "app.bsky.feed.post", "3kabc")));
        assert_eq!(split_at_uri("https://x"), None);
        assert_eq!(split_at_uri("at://did:plc:x/app.bsky.feed.post"), None);
    }

    #[test]
    fn handles_are_checked_before_any_request() {
        assert!(handle_is_valid("jobs.bsky.social"));
        assert!(handle_is_valid("recruiter.test"));
        assert!(!handle_is_valid("jobs"));
        assert!(!handle_is_valid("jobs..social"));
        assert!(!handle_is_valid("jo bs.social"));
    }
}
