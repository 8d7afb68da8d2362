//! The access matrix, proven: docs/ACCESS.md holds one line per route × method with the
//! outcome for each role (anonymous, a review-link guest, the opening's hiring manager,
//! another opening's hiring manager, a recruiter, an admin) and the scope an API token needs.
//! The test reads that table, checks it names every route the app registers (the HTML routes
//! read from the source that registers them, the API from its route table and OpenAPI
//! document) and nothing else, then walks every line for every role on real objects and
//! compares. It also checks that the identifiers in those URLs are not guessable, that every
//! POST refuses a cross-site browser request, and that API tokens are held to their scopes.
use std::collections::{BTreeMap, BTreeSet};

use hirecast::broadcast::{AccountConfig, Credentials, WebhookFlavour};
use hirecast::domain::candidate::ApplicantDetails;
use hirecast::domain::email::Email;
use hirecast::domain::opening::{OpeningDraft, OpeningStatus};
use hirecast::domain::user::{Role, Scope};
use hirecast::i18n::Lang;
use hirecast::store::applications::{self, NewApplication, StoredCv};
use hirecast::store::channels::{self, NewAccount};
use hirecast::store::deliveries::{self, OnClose, PublishPlan, Target};
use hirecast::store::sourcing::FoundCv;
use hirecast::store::users;

use crate::helpers::*;
use crate::sourcing::merges::{file, found};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// Who asks. `Guest` holds a review link (the "candidate link" door) and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Guest,
    Manager,
    OtherManager,
    Recruiter,
    Admin,
}

const WHO: [Who; 6] = [Who::Anonymous, Who::Guest, Who::Manager, Who::OtherManager, Who::Recruiter, Who::Admin];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Gets through (any answer but 401/403/404 or a redirect to the sign-in page; never 5xx).
    Ok,
    /// 401 (API) or a redirect to /login (HTML).
    SignIn,
    Forbidden,
    NotFound,
}

impl Outcome {
    fn parse(cell: &str) -> Outcome {
        match cell {
            "ok" => Outcome::Ok,
            "sign-in" => Outcome::SignIn,
            "403" => Outcome::Forbidden,
            "404" => Outcome::NotFound,
            other => panic!("docs/ACCESS.md: unknown outcome {other:?} (ok, sign-in, 403, 404)"),
        }
    }
    fn cell(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::SignIn => "sign-in",
            Outcome::Forbidden => "403",
            Outcome::NotFound => "404",
        }
    }
}

/// What an API token needs on a line: a scope, any valid token, or not an API route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenNeeds {
    Scope(Scope),
    AnyToken,
    /// Not a JSON API route: a token is no session, the bearer is treated as anonymous.
    NotApi,
    /// The API's public document.
    Public,
}

#[derive(Debug, Clone)]
struct Line {
    method: String,
    path: String,
    expected: [Outcome; 6],
    token: TokenNeeds,
}

/// The matrix as docs/ACCESS.md writes it.
fn matrix() -> Vec<Line> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ACCESS.md")).expect("docs/ACCESS.md");
    let mut lines = Vec::new();
    for row in doc.lines() {
        let cells: Vec<&str> = row.trim().trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() != 9 || !matches!(cells[0], "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD") {
            continue;
        }
        let path = cells[1].trim_matches('`').to_string();
        let mut expected = [Outcome::Ok; 6];
        for (i, e) in expected.iter_mut().enumerate() {
            *e = Outcome::parse(cells[2 + i]);
        }
        let token = match cells[8].trim_matches('`') {
            "—" => TokenNeeds::NotApi,
            "any token" => TokenNeeds::AnyToken,
            "public" => TokenNeeds::Public,
            s => TokenNeeds::Scope(Scope::parse(s).unwrap_or_else(|| panic!("docs/ACCESS.md: unknown scope {s:?} on {} {path}", cells[0]))),
        };
        lines.push(Line { method: cells[0].to_string(), path, expected, token });
    }
    assert!(lines.len() > 50, "docs/ACCESS.md: the matrix was not read ({} lines)", lines.len());
    lines
}

/// The HTML and redirect routes as the app registers them, read from the files that do it:
/// every `resource("…")`/`page("…")` with the methods of its `.route(web::get()…)` calls.
fn registered_html_routes() -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for f in ["src/web/mod.rs", "src/web/ui/mod.rs", "src/web/public/mod.rs", "src/web/links.rs"] {
        let src = std::fs::read_to_string(format!("{}/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let starts: Vec<(usize, String)> = ["resource(\"", "page(\""]
            .iter()
            .flat_map(|pat| src.match_indices(pat).map(move |(i, m)| (i + m.len(), ())))
            .map(|(start, ())| (start, src[start..].split('"').next().unwrap().to_string()))
            .collect();
        let mut starts = starts;
        starts.sort();
        for (n, (start, path)) in starts.iter().enumerate() {
            let end = starts.get(n + 1).map(|s| s.0).unwrap_or(src.len());
            let chunk = &src[*start..end];
            let mut any = false;
            for (call, method) in [("web::get()", "GET"), ("web::post()", "POST"), ("web::put()", "PUT"), ("web::patch()", "PATCH"), ("web::delete()", "DELETE"), ("web::head()", "HEAD")] {
                if chunk.contains(call) {
                    found.insert((method.to_string(), path.clone()));
                    any = true;
                }
            }
            assert!(any, "{f}: no method found for the route {path}; teach this test how it is registered");
        }
        // Any other way of registering a route would escape this reading: refuse it.
        for pat in ["web::scope(\"", "web::route()", ".to(|"] {
            assert!(!src.contains(pat) || f == "src/web/api/mod.rs", "{f} registers routes in a way the access test does not read ({pat})");
        }
    }
    found
}

fn registered_api_routes() -> BTreeSet<(String, String)> {
    hirecast::web::api::route_table().into_iter().collect()
}

/// The matrix names every registered route × method once, and nothing else; the API lines
/// agree with the route table's scopes and with the OpenAPI document.
#[test]
fn the_matrix_names_every_route_and_nothing_else() {
    let m = matrix();
    let mut named = BTreeSet::new();
    for l in &m {
        assert!(named.insert((l.method.clone(), l.path.clone())), "docs/ACCESS.md names {} {} twice", l.method, l.path);
    }
    let mut registered = registered_html_routes();
    // The reading of the source finds what is known to be there (multi-line registrations too).
    for known in [("GET", "/app/openings/{id}"), ("POST", "/app/openings/{id}"), ("HEAD", "/r/{code}"), ("POST", "/alerts/unsubscribe/{token}"), ("GET", "/healthz")] {
        assert!(registered.contains(&(known.0.to_string(), known.1.to_string())), "the route reader missed {known:?}");
    }
    assert!(registered.len() > 80, "the route reader found only {} HTML routes", registered.len());
    registered.extend(registered_api_routes());
    let missing: Vec<_> = registered.difference(&named).collect();
    let extra: Vec<_> = named.difference(&registered).collect();
    assert!(missing.is_empty(), "routes without a line in docs/ACCESS.md: {missing:?}");
    assert!(extra.is_empty(), "lines in docs/ACCESS.md for routes that do not exist: {extra:?}");

    // The token column is the route table's scope, and the OpenAPI document says the same.
    let doc: serde_json::Value = serde_json::from_str(&{
        use utoipa::OpenApi;
        hirecast::web::api::ApiDoc::openapi().to_json().unwrap()
    })
    .unwrap();
    for (method, path, scope) in hirecast::web::api::route_scopes() {
        let l = m.iter().find(|l| l.method == method && l.path == path).unwrap();
        let op = &doc["paths"][&path][method.to_lowercase()];
        assert!(op.is_object(), "{method} {path} is not in the OpenAPI document");
        match (l.token, scope) {
            (TokenNeeds::Scope(a), Some(b)) => {
                assert_eq!(a, b, "{method} {path}: docs/ACCESS.md and the route table disagree on the scope");
                assert_eq!(op["security"], serde_json::json!([{"bearer_token": [b.as_str()]}]), "{method} {path}: the document names the scope");
                assert!(op["responses"]["403"].is_object(), "{method} {path}: the document lists the 403");
            }
            (TokenNeeds::AnyToken, None) => assert_eq!(op["security"], serde_json::json!([{"bearer_token": []}]), "{method} {path}"),
            (TokenNeeds::Public, None) => assert_eq!(op["security"], serde_json::json!([{}]), "{method} {path}"),
            (a, b) => panic!("{method} {path}: docs/ACCESS.md says {a:?}, the route table {b:?}"),
        }
    }
    for l in &m {
        if !l.path.starts_with("/api/") {
            assert_eq!(l.token, TokenNeeds::NotApi, "{} {}: only API routes take a token", l.method, l.path);
        }
    }
}

/// The real objects the matrix is walked on.
struct World {
    app: TestApp,
    /// Assigned to `manager`; `other_manager` manages `other_opening` only. Open, published on a channel.
    opening: String,
    slug: String,
    candidate: String,
    cv_sha: String,
    application: String,
    delivery: String,
    search: String,
    code: String,
    manager: users::User,
    other_manager: users::User,
    recruiter: users::User,
    admin: users::User,
    /// Every identifier put in a URL, by the placeholder it filled.
    used: std::sync::Mutex<BTreeMap<&'static str, BTreeSet<String>>>,
}

fn webhook(app: &TestApp) -> String {
    let name = format!("hook-{}", hirecast::auth::short_code(8));
    let config = AccountConfig::Webhook { flavour: WebhookFlavour::Generic, host: "hooks.example.org".into() };
    let creds = Credentials::Webhook { url: format!("https://hooks.example.org/{name}"), signing_secret: Some("s".repeat(32)) };
    app.db(|c| {
        channels::create(c, &app.state.key, NewAccount { name: &name, config: &config, credentials: &creds, token_expires_at: None, created_by: None })
            .unwrap()
            .id
    })
}

async fn world(backend: Backend) -> World {
    // Mail is configured (job alerts need it), to a port where nothing listens: the outbox sends later.
    let app = spawn_app_with(backend, |s| s.broadcast.smtp_url = Some("smtp://127.0.0.1:9".into())).await;
    let admin = app.add_user("ada@acme.fr", Role::Admin);
    let recruiter = app.add_user("rita@acme.fr", Role::Recruiter);
    let manager = app.add_user("hm@acme.fr", Role::HiringManager);
    let other_manager = app.add_user("other.hm@acme.fr", Role::HiringManager);
    let opening = crate::outbox::draft_opening(&app, "Développeur Rust");
    let other_opening = crate::outbox::draft_opening(&app, "Développeuse Go");
    for (o, m) in [(&opening, &manager), (&other_opening, &other_manager)] {
        app.db(|c| {
            let mut op = hirecast::store::openings::find(c, o).unwrap().unwrap();
            op.draft.hiring_manager_ids = vec![m.id.clone()];
            let d: OpeningDraft = op.draft.clone();
            hirecast::store::openings::update(c, o, &d).unwrap();
        });
    }
    let account = webhook(&app);
    let (base, today, now) = (app.state.settings.base_url.clone(), app.state.clock.today(), app.state.clock.now());
    let plan = PublishPlan { targets: vec![Target { account_id: account.clone(), on_close: OnClose::Nothing }], at: None, repost_every_days: None };
    let delivery = app.db(|c| deliveries::publish(c, &opening, &plan, &base, today, now, None).unwrap())[0].id.clone();
    let o = app.db(|c| hirecast::store::openings::find(c, &opening).unwrap().unwrap());
    assert_eq!(o.status, OpeningStatus::Open);
    let code = app.db(|c| hirecast::store::links::link_for(c, &opening, "mastodon").unwrap().code);

    let cv_sha = app.state.blobs.put(PDF).unwrap();
    app.db(|c| hirecast::store::blobs::share(c, &cv_sha, PDF).unwrap());
    let mut f = found(&app, &opening, "Léa Martin", Some("mastodon:lea@a.social"), &["lea@example.fr"], "1", 85);
    f.cvs = vec![FoundCv {
        sha256: cv_sha.clone(),
        source_url: Some("https://cv.example/lea.pdf".into()),
        format: "pdf".into(),
        size: PDF.len() as i64,
        pages: vec!["Léa Martin\nDéveloppeuse Rust.".into()],
    }];
    let candidate = file(&app, f).candidate_id;
    let details = ApplicantDetails::parse("Zoé Martin", "zoe@example.fr", "+33 6 12 34 56 78", "", "Bonjour").unwrap();
    let key = hirecast::auth::short_code(12);
    let application = match app.db(|c| {
        applications::file(
            c,
            NewApplication { opening_id: &opening, details: &details, cv: Some(StoredCv { sha256: cv_sha.clone(), filename: "zoe.pdf".into(), content_type: "application/pdf".into(), size: PDF.len() as i64 }), submission_key: &key, consent_language: Lang::Fr, source: "careers", at: now, talent_pool: false },
        )
        .unwrap()
    }) {
        applications::Filed::New { application_id, .. } => application_id,
        other => panic!("{other:?}"),
    };
    let search = app.db(|c| hirecast::store::searches::create(c, &opening, &account, "rustjobs", "rust", None, now).unwrap());
    World {
        slug: o.slug.clone(),
        app,
        opening,
        candidate,
        cv_sha,
        application,
        delivery,
        search,
        code,
        manager,
        other_manager,
        recruiter,
        admin,
        used: Default::default(),
    }
}

impl World {
    fn user(&self, who: Who) -> Option<&users::User> {
        match who {
            Who::Anonymous | Who::Guest => None,
            Who::Manager => Some(&self.manager),
            Who::OtherManager => Some(&self.other_manager),
            Who::Recruiter => Some(&self.recruiter),
            Who::Admin => Some(&self.admin),
        }
    }

    fn review_link(&self) -> hirecast::store::review_links::Created {
        let email = Email::parse("email", &format!("guest-{}@example.org", hirecast::auth::short_code(8))).unwrap();
        let now = self.app.state.clock.now();
        self.app.db(|c| {
            hirecast::store::review_links::create(c, &self.opening, "Gaël", &email, Lang::Fr, &self.recruiter.id, chrono::Duration::days(7), now).unwrap()
        })
    }

    fn note(&self, placeholder: &'static str, value: &str) -> String {
        self.used.lock().unwrap().entry(placeholder).or_default().insert(value.to_string());
        value.to_string()
    }

    /// The URL of a line for `who`: each placeholder filled with a real object (made fresh
    /// when the route could use it up: a link revoked, a channel disconnected, a merge undone).
    /// Returns it with the review-link token the guest holds.
    fn fill(&self, path: &str, who: Who) -> (String, String) {
        let link = self.review_link();
        let mut out = String::new();
        let segments: Vec<&str> = path.split('/').collect();
        for (i, seg) in segments.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            let prev = if i > 0 { segments[i - 1] } else { "" };
            let value = match *seg {
                "{id}" => match prev {
                    "openings" => self.note("opening", &self.opening),
                    "applications" => self.note("application", &self.application),
                    "deliveries" => self.note("delivery", &self.delivery),
                    "channels" => self.note("channel", &webhook(&self.app)),
                    "team" => {
                        let email = Email::parse("email", &format!("t-{}@acme.fr", hirecast::auth::short_code(8))).unwrap();
                        let u = self.app.db(|c| users::add_with_invite(c, &email, "Tom", Role::Recruiter, chrono::Duration::days(1)).unwrap().0);
                        self.note("user", &u.id)
                    }
                    "tokens" => {
                        let owner = self.user(who).unwrap_or(&self.admin).id.clone();
                        let id = self.app.db(|c| users::create_api_token(c, &owner, "matrix").unwrap().0);
                        self.note("token", &id)
                    }
                    // Erasure and objection remove the person: each call gets its own.
                    "candidates" if path == "/api/v1/candidates/{id}" || path.ends_with("/objection") => self.note("candidate to erase", &self.throwaway()),
                    "candidates" if path.starts_with("/api/v1/candidates") => self.note("candidate", &self.candidate),
                    "requests" => {
                        let (c, now) = (self.candidate.clone(), self.app.state.clock.now());
                        let id = self.app.db(|db| hirecast::store::privacy::open_request(db, &c, hirecast::store::privacy::RequestKind::Export, "link", None, now).unwrap());
                        self.note("privacy request", &id)
                    }
                    "merges" => self.note("merge", &self.merge()),
                    "merge-proposals" => self.note("merge proposal", &self.proposal()),
                    other => panic!("no object for {{id}} after {other} in {path}"),
                },
                "{candidate}" => self.note("candidate", &self.candidate),
                "{sha}" => self.note("sha", &self.cv_sha),
                "{search}" => self.note("search", &self.search),
                "{merge}" => self.note("merge", &self.merge()),
                "{proposal}" => self.note("merge proposal", &self.proposal()),
                "{link}" => self.note("link", &link.id),
                "{token}" => match prev {
                    "review" => {
                        // Only the guest holds the link; anyone else tries a made-up one.
                        if who == Who::Guest {
                            self.note("review token", &link.token)
                        } else {
                            hirecast::auth::new_token()
                        }
                    }
                    "setup" => {
                        let email = Email::parse("email", &format!("s-{}@acme.fr", hirecast::auth::short_code(8))).unwrap();
                        let t = self.app.db(|c| users::add_with_invite(c, &email, "Sue", Role::Recruiter, chrono::Duration::days(1)).unwrap().1);
                        self.note("invite token", &t)
                    }
                    // Job-alert links: a made-up token (the alert tests cover real ones); the
                    // answer must not depend on who asks.
                    "confirm" | "unsubscribe" => self.note("alert token", &hirecast::auth::new_token()),
                    // A person's privacy link is their authorization, whoever holds it.
                    "privacy" => {
                        let (c, now, base) = (self.throwaway(), self.app.state.clock.now(), self.app.state.settings.base_url.clone());
                        let url = self.app.db(|db| hirecast::privacy::link(db, &base, &c, hirecast::store::privacy::LinkScope::Full, now).unwrap());
                        self.note("privacy token", url.rsplit('/').next().unwrap())
                    }
                    other => panic!("no token for {other} in {path}"),
                },
                "{slug}" => self.slug.clone(),
                "{code}" => self.code.clone(),
                "{file}" if path.starts_with("/static/") => "app.css".into(),
                "{file}" => "funnel.csv".into(),
                // Actions that change nothing lasting: the archive, leaving the talent pool.
                "{action}" if path.starts_with("/app/privacy/") => "export".into(),
                "{action}" if path.starts_with("/privacy/") => "pool".into(),
                // Confirming without a code: refused as input, nothing enrolled.
                "{action}" if path.starts_with("/app/settings/two-factor/") => "confirm".into(),
                "{action}" => "retry".into(),
                s if s.starts_with('{') => panic!("no value for {s} in {path}"),
                s => s.to_string(),
            };
            out.push_str(&value);
        }
        (out, link.token)
    }

    /// A candidate of the opening that a line may erase.
    fn throwaway(&self) -> String {
        let tag = hirecast::auth::short_code(6);
        file(&self.app, found(&self.app, &self.opening, "Eve Erased", None, &[&format!("e{tag}@example.fr")], &format!("e{tag}"), 50)).candidate_id
    }

    fn merge(&self) -> String {
        let tag = hirecast::auth::short_code(6);
        let a = file(&self.app, found(&self.app, &self.opening, "Ana Bel", None, &[&format!("a{tag}@example.fr")], &format!("a{tag}"), 50)).candidate_id;
        let b = file(&self.app, found(&self.app, &self.opening, "Ana Bell", None, &[&format!("b{tag}@example.fr")], &format!("b{tag}"), 50)).candidate_id;
        self.app.db(|c| hirecast::store::merges::merge(c, &a, &b, "manual", None, self.app.state.clock.now()).unwrap())
    }

    /// Two candidates of the opening sharing a phone: hirecast proposes, a person decides.
    fn proposal(&self) -> String {
        let tag = hirecast::auth::short_code(6);
        let phone = format!("+33 6 {}", &tag);
        let mut a = found(&self.app, &self.opening, "Max Roy", None, &[&format!("m{tag}@example.fr")], &format!("m{tag}"), 50);
        a.phones = vec![phone.clone()];
        let a = file(&self.app, a).candidate_id;
        let mut b = found(&self.app, &self.opening, "Max Royer", None, &[&format!("n{tag}@example.fr")], &format!("n{tag}"), 50);
        b.phones = vec![phone];
        file(&self.app, b);
        let open = self.app.db(|c| hirecast::store::merges::proposals_of(c, &a).unwrap());
        open.first().expect("a shared phone proposes a merge").id.clone()
    }

    fn session(&self, who: Who) -> Option<String> {
        let u = self.user(who)?;
        let token = self.app.db(|c| users::create_session(c, &u.id, chrono::Duration::hours(1)).unwrap());
        Some(format!("{}={token}", hirecast::web::context::SESSION_COOKIE))
    }
}

fn plain_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).pool_idle_timeout(std::time::Duration::from_secs(1)).build().unwrap()
}

/// One request of a line: the status, where it redirects, the body.
async fn call(w: &World, client: &reqwest::Client, l: &Line, url: &str, cookie: Option<&str>, bearer: Option<&str>, extra: &[(&str, &str)]) -> (u16, String, String) {
    let method = reqwest::Method::from_bytes(l.method.as_bytes()).unwrap();
    let mut req = client.request(method, w.app.url(url));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    if let Some(b) = bearer {
        req = req.header("authorization", format!("Bearer {b}"));
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    if matches!(l.method.as_str(), "POST" | "PUT" | "PATCH") {
        req = if l.path.starts_with("/api/") {
            req.header("content-type", "application/json").body("{}")
        } else {
            req.header("content-type", "application/x-www-form-urlencoded").body("")
        };
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, res.text().await.unwrap_or_default())
}

fn classify(status: u16, location: &str, line: &Line, who: &str, body: &str) -> Result<Outcome, String> {
    if status >= 500 {
        return Err(format!("{} {} as {who}: {status} {body}", line.method, line.path));
    }
    Ok(match status {
        // On pages, 401 is the sign-in form's own answer to wrong credentials.
        401 if line.path.starts_with("/api/") => Outcome::SignIn,
        302 | 303 | 307 if location.starts_with("/login") => Outcome::SignIn,
        403 => Outcome::Forbidden,
        404 => Outcome::NotFound,
        _ => Outcome::Ok,
    })
}

/// Lines that change the opening itself or end a session are walked last, so every other line
/// sees the world as it was made.
fn walk_order(m: &[Line]) -> Vec<Line> {
    let late = |l: &Line| ["/status", "/close", "/pause", "/publish", "/broadcast", "/logout"].iter().any(|s| l.path.ends_with(s));
    let mut v: Vec<Line> = m.iter().filter(|l| !late(l)).cloned().collect();
    v.extend(m.iter().filter(|l| late(l)).cloned());
    v
}

async fn every_route_answers_every_role_as_the_matrix_says(backend: Backend) {
    let w = world(backend).await;
    let client = plain_client();
    let lines = walk_order(&matrix());
    let mut wrong = Vec::new();
    let mut observed = Vec::new();
    for l in &lines {
        let mut got = [Outcome::Ok; 6];
        for (i, who) in WHO.iter().enumerate() {
            let (url, guest_token) = w.fill(&l.path, *who);
            let cookie = w.session(*who);
            // On the API, the guest tries their review-link token as a bearer.
            let bearer = (*who == Who::Guest && l.path.starts_with("/api/")).then_some(guest_token.as_str());
            let (status, location, body) = call(&w, &client, l, &url, cookie.as_deref(), bearer, &[]).await;
            match classify(status, &location, l, &format!("{who:?}"), &body) {
                Ok(o) => got[i] = o,
                Err(e) => wrong.push(e),
            }
            // Another opening's manager sees none of this opening's data, even on pages they may open.
            if *who == Who::OtherManager && got[i] == Outcome::Ok && (l.path.starts_with("/app") || l.path.starts_with("/api/v1/")) {
                for secret in [w.opening.as_str(), "Développeur Rust", "Léa Martin", "Zoé Martin", "zoe@example.fr", "lea@example.fr", w.delivery.as_str()] {
                    if body.contains(secret) {
                        wrong.push(format!("{} {} as {who:?}: the answer shows {secret:?} of an opening they do not manage", l.method, l.path));
                    }
                }
            }
            if got[i] != l.expected[i] {
                wrong.push(format!("{} {} as {who:?}: expected {}, got {} ({status} {location})", l.method, l.path, l.expected[i].cell(), got[i].cell()));
            }
        }
        observed.push(format!("| {} | `{}` | {} |", l.method, l.path, got.iter().map(|o| o.cell()).collect::<Vec<_>>().join(" | ")));
    }
    assert!(wrong.is_empty(), "{} cells differ from docs/ACCESS.md:\n{}\n\nobserved:\n{}", wrong.len(), wrong.join("\n"), observed.join("\n"));

    // Identifiers in URLs are random UUIDs (v4/v7) or 128-bit+ tokens, never counters.
    let used = w.used.lock().unwrap().clone();
    for kind in ["opening", "application", "delivery", "channel", "user", "token", "candidate", "merge", "search", "link", "review token", "invite token"] {
        let values = used.get(kind).unwrap_or_else(|| panic!("the walk put no {kind} in a URL"));
        for v in values {
            assert!(unguessable(v), "the {kind} identifier {v:?} in a URL is guessable");
        }
    }
    for v in &used["sha"] {
        assert!(v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()), "a CV is named by its SHA-256: {v}");
    }
    assert!(!unguessable("42") && !unguessable("00000000-0000-0000-0000-000000000001") && !unguessable("abc"), "the check refuses counters");
}

/// A v4 or v7 UUID, or a token of at least 128 bits (22+ base64url characters).
fn unguessable(v: &str) -> bool {
    if let Ok(u) = uuid::Uuid::parse_str(v) {
        return matches!(u.get_version_num(), 4 | 7);
    }
    v.len() >= 22 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') && v.bytes().collect::<BTreeSet<_>>().len() > 8
}

/// Every POST of the matrix refuses a cross-site browser request, even from an admin, before
/// doing anything: by `Sec-Fetch-Site`, and by `Origin` where a browser sends only that.
/// The one exemption is RFC 8058 one-click unsubscribe (the route's own token authorizes it).
async fn every_post_refuses_a_cross_site_request(backend: Backend) {
    let w = world(backend).await;
    let client = plain_client();
    let mut checked = 0;
    for l in matrix().iter().filter(|l| l.method != "GET" && l.method != "HEAD") {
        let (url, _) = w.fill(&l.path, Who::Admin);
        let cookie = w.session(Who::Admin);
        for headers in [&[("sec-fetch-site", "cross-site")][..], &[("origin", "https://evil.example")][..], &[("origin", "null")][..]] {
            let (status, _, body) = call(&w, &client, l, &url, cookie.as_deref(), None, headers).await;
            if l.path == "/alerts/unsubscribe/{token}" {
                assert_ne!(status, 403, "one-click unsubscribe must work from a mail client: {headers:?}");
                continue;
            }
            assert_eq!(status, 403, "{} {} with {headers:?}: {body}", l.method, l.path);
            assert!(body.contains("Cross-site request refused"), "{} {}: {body}", l.method, l.path);
        }
        // And from the same site it is not refused for that reason.
        let (_, _, body) = call(&w, &client, l, &url, cookie.as_deref(), None, &[("sec-fetch-site", "same-origin")]).await;
        assert!(!body.contains("Cross-site request refused"), "{} {}", l.method, l.path);
        checked += 1;
    }
    assert!(checked > 40, "only {checked} POST routes checked");
}

/// API tokens: an admin's token with every scope gets what the admin gets; without the
/// line's scope, 403 naming it; with only that scope, the admin's answer again. On HTML
/// routes a token is no session: the bearer is anonymous.
async fn api_tokens_are_held_to_their_scopes(backend: Backend) {
    let w = world(backend).await;
    let client = plain_client();
    // An admin's tokens: the admin may do everything, so only the scopes limit them.
    let token = |scopes: &[Scope]| w.app.db(|c| users::create_scoped_api_token(c, &w.admin.id, "matrix", scopes).unwrap().1);
    let all = token(Scope::ALL);
    let none = token(&[]);
    let mut checked_scopes = BTreeSet::new();
    let mut wrong = Vec::new();
    for l in &walk_order(&matrix()) {
        let admin = l.expected[5];
        let anonymous = l.expected[0];
        let (url, _) = w.fill(&l.path, Who::Admin);
        let outcome = |status: u16, location: &str, body: &str| classify(status, location, l, "a token", body);
        match l.token {
            TokenNeeds::NotApi => {
                let (s, loc, body) = call(&w, &client, l, &url, None, Some(&all), &[]).await;
                if outcome(s, &loc, &body) != Ok(anonymous) {
                    wrong.push(format!("{} {}: a token is not a session, got {s} {loc}", l.method, l.path));
                }
            }
            TokenNeeds::Public | TokenNeeds::AnyToken => {
                let (s, loc, body) = call(&w, &client, l, &url, None, Some(&none), &[]).await;
                if outcome(s, &loc, &body) != Ok(admin) {
                    wrong.push(format!("{} {}: a token without scopes got {s} {body}", l.method, l.path));
                }
            }
            TokenNeeds::Scope(scope) => {
                checked_scopes.insert(scope);
                let (s, loc, body) = call(&w, &client, l, &url, None, Some(&all), &[]).await;
                if outcome(s, &loc, &body) != Ok(admin) {
                    wrong.push(format!("{} {}: a token with every scope got {s} {body}", l.method, l.path));
                }
                let (url, _) = w.fill(&l.path, Who::Admin);
                let only = token(&[scope]);
                let (s, loc, body) = call(&w, &client, l, &url, None, Some(&only), &[]).await;
                if outcome(s, &loc, &body) != Ok(admin) {
                    wrong.push(format!("{} {}: a token with only {} got {s} {body}", l.method, l.path, scope.as_str()));
                }
                let (url, _) = w.fill(&l.path, Who::Admin);
                let others: Vec<Scope> = Scope::ALL.iter().copied().filter(|s| *s != scope).collect();
                let lacking = token(&others);
                let (s, _, body) = call(&w, &client, l, &url, None, Some(&lacking), &[]).await;
                let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                if s != 403 || json["error"]["code"] != "missing_scope" || !json["error"]["message"].as_str().unwrap_or("").contains(scope.as_str()) {
                    wrong.push(format!("{} {}: a token without {} got {s} {body}", l.method, l.path, scope.as_str()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(checked_scopes.len(), Scope::ALL.len(), "every scope guards some route");
}

/// Tokens made before scopes existed (the migration's default) keep every scope.
async fn tokens_from_before_scopes_keep_every_scope(backend: Backend) {
    let app = spawn_app(backend).await;
    let u = app.add_user("rita@acme.fr", Role::Recruiter);
    let (id, secret) = app.db(|c| users::create_scoped_api_token(c, &u.id, "old", &[Scope::OpeningsRead]).unwrap());
    // As the migration leaves an older row: the column's default.
    app.db(|c| {
        use diesel::connection::SimpleConnection;
        let default_sql = include_str!("../../migrations/sqlite/2026-12-03-000003_token_scopes/up.sql");
        let default = default_sql.split("DEFAULT '").nth(1).unwrap().split('\'').next().unwrap();
        c.batch_execute(&format!("UPDATE api_tokens SET scopes = '{default}' WHERE id = '{id}'")).unwrap();
    });
    let (_, scopes) = app.db(|c| users::user_for_api_token(c, &secret).unwrap()).unwrap();
    assert_eq!(scopes, Scope::ALL);
    let res = app.client.post(app.url("/api/v1/openings")).bearer_auth(&secret).json(&serde_json::json!({})).send().await.unwrap();
    let status = res.status().as_u16();
    assert!(matches!(status, 400 | 422), "an old token may still write (only the empty body is wrong): {status}");
}

crate::on_both_backends!(
    every_route_answers_every_role_as_the_matrix_says,
    every_post_refuses_a_cross_site_request,
    api_tokens_are_held_to_their_scopes,
    tokens_from_before_scopes_keep_every_scope,
);
