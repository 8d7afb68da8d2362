//! The command line: `serve`, `migrate`, `user`, `demo`. Errors end with exit code 2
//! and one line saying what to fix.
use chrono::Duration;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::domain::email::Email;
use crate::domain::user::{NewPassword, Role};
use crate::store::users;

#[derive(Parser, Debug)]
#[command(name = "hirecast", version, about = "Write a job opening once; spread it; pull candidates back in.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web service (recruiter app, careers site, API). Prints a one-time link to create the first admin on an empty database.
    Serve,
    /// Run only the delivery workers (broadcasting to channels), without the web service.
    /// Several may run against one database. Stops cleanly on SIGINT/SIGTERM.
    Worker,
    /// Apply the pending database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load a demo company (French and English openings, candidates, applications).
    Demo {
        /// Load even if the database already has openings.
        #[arg(long)]
        force: bool,
        /// Then add an agency's worth of rows for benchmarks: N candidates, N/100 openings,
        /// 1.5·N applications, N/2 replies, 3·N shortlist entries, N/20 in the first opening
        /// (`--scale 1000000` is the agency size). Needs an empty database.
        #[arg(long, value_name = "N")]
        scale: Option<i64>,
    },
    /// Count the text on standard input as a network counts it; prints {"network","length","limit","fits"}. Needs no database or setting.
    Count {
        /// x, mastodon, bluesky, linkedin, slack, discord, teams or email
        #[arg(long)]
        network: String,
        /// The network's limit (X premium, a Mastodon instance's max_characters).
        #[arg(long)]
        limit: Option<usize>,
        /// Mastodon's characters_reserved_per_url (23 when unknown).
        #[arg(long)]
        url_reserve: Option<usize>,
        /// Each input line is {"text": ...}; each output line is its result, in order.
        #[arg(long)]
        jsonl: bool,
    },
    /// Print the posts composed for an opening as JSON (every network unless --network).
    Compose {
        #[arg(long)]
        opening: String,
        /// x, mastodon, bluesky, linkedin, slack, discord, teams or email
        #[arg(long)]
        network: Option<String>,
    },
    /// Read JSON lines {"id", "text"} (replies) on standard input and print one JSON line per
    /// reply, in order: its links, CV links, emails, phones, hashtags, mentions, skills and the
    /// openings it matches best with their scores. Bad lines are reported on stderr and skipped.
    Scan {
        /// A JSON array of openings ({id, title, required_skills, nice_to_have_skills, language,
        /// location?, remote?}); without it, the open openings of the database.
        #[arg(long)]
        openings: Option<std::path::PathBuf>,
    },
    /// Re-encrypt every sealed secret (channel credentials, OAuth flows, unsubscribe tokens,
    /// TOTP secrets) under a new key, in one transaction. Stop hirecast first. The current key is
    /// read as the service reads it (HIRECAST_SECRET_KEY, else <data dir>/secret.key); the new
    /// key replaces the key file, or is printed when the key came from the environment.
    RotateKey {
        /// The new key, 32 bytes in base64 (openssl rand -base64 32); a random one when absent.
        #[arg(long)]
        new_key: Option<String>,
    },
    /// Fetch a CV link through the safe fetcher and print what would be stored (kind, size,
    /// SHA-256, the text read from it) as JSON, or why it is refused (exit code 1).
    FetchCv {
        /// An http(s) link; Google Drive, Dropbox and OneDrive share links are turned into downloads.
        url: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user and print a one-time link where they choose their password.
    Add {
        #[arg(long)]
        email: String,
        /// admin, recruiter or hiring_manager
        #[arg(long)]
        role: String,
        /// Display name (defaults to the part of the email before @).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input instead of printing a link.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
}

/// A failure the user can fix, printed as one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fix(pub String);

fn fix(msg: impl Into<String>) -> anyhow::Error {
    Fix(msg.into()).into()
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // Scanning against an openings file is pure too.
    if let Command::Scan { openings: Some(path) } = &cli.command {
        return scan_command(Some(path), None);
    }
    // Counting is pure: it must work without a database or any setting.
    if let Command::Count { network, limit, url_reserve, jsonl } = &cli.command {
        let network = crate::compose::Network::parse(network).map_err(|e| fix(format!("--network: {e}")))?;
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        return count_command(network, *limit, *url_reserve, *jsonl, &mut stdin.lock(), &mut stdout.lock());
    }
    let settings = Settings::from_env().map_err(|e| fix(format!("configuration: {e}")))?;
    crate::telemetry::init(settings.log_json).map_err(fix)?;
    match cli.command {
        Command::Serve => serve(settings).await,
        Command::Worker => worker(settings).await,
        Command::Migrate => {
            let pool = crate::store::connect(&settings.database_url, 1).map_err(|e| fix(format!("{e:#} (check DATABASE_URL)")))?;
            let applied = crate::store::migrate(&pool)?;
            if applied.is_empty() {
                println!("The {} database is up to date.", settings.database_url.backend_name());
            } else {
                for m in &applied {
                    println!("applied {m}");
                }
                println!("{} migration(s) applied.", applied.len());
            }
            Ok(())
        }
        Command::User { command } => user(settings, command),
        Command::Count { .. } => unreachable!("handled before the settings are loaded"),
        Command::Compose { opening, network } => compose_command(&settings, &opening, network.as_deref()),
        Command::FetchCv { url } => fetch_cv_command(&settings, &url).await,
        Command::RotateKey { new_key } => rotate_key_command(&settings, new_key.as_deref(), &mut std::io::stdout()),
        Command::Scan { openings } => {
            let pool = open(&settings)?;
            scan_command(openings.as_deref(), Some(&pool))
        }
        Command::Demo { force: false, scale: Some(n) } => {
            if n < 100 {
                return Err(fix("--scale: at least 100 candidates"));
            }
            let pool = open(&settings)?;
            let blobs = crate::store::blobs::BlobStore::new(&settings.data_dir);
            let (demo, scale) = crate::scale::load(&pool, &blobs, &settings.retention, n, &mut |what| eprintln!("{what}"))?;
            println!("{demo}\n{scale}");
            Ok(())
        }
        Command::Demo { force: true, scale: Some(_) } => Err(fix("--scale fills an empty database: leave out --force")),
        Command::Demo { force, scale: None } => {
            let pool = open(&settings)?;
            let blobs = crate::store::blobs::BlobStore::new(&settings.data_dir);
            let summary = crate::demo::load(&pool, &blobs, force, &mut |step, total, what| {
                eprintln!("[{step}/{total}] {what}");
            })?;
            println!("{summary}");
            Ok(())
        }
    }
}

fn open(settings: &Settings) -> anyhow::Result<crate::store::Pool> {
    let pool = crate::store::connect(&settings.database_url, 2).map_err(|e| fix(format!("{e:#} (check DATABASE_URL)")))?;
    crate::store::migrate(&pool)?;
    Ok(pool)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = crate::startup::Application::build(settings)?;
    let base = app.state.settings.base_url.clone();
    let pool = app.state.pool.clone();
    let link = actix_web::web::block(move || -> anyhow::Result<Option<String>> {
        let mut conn = pool.get()?;
        if users::admin_exists(&mut conn)? {
            return Ok(None);
        }
        Ok(Some(users::first_admin_link(&mut conn, Duration::hours(24))?))
    })
    .await??;
    tracing::info!(port = app.port, backend = app.state.settings.database_url.backend_name(), "hirecast is listening");
    println!("Hirecast is running at {base}/app (careers site: {base}/jobs)");
    if let Some(token) = link {
        println!("No admin yet. Create the first admin within 24 hours at this one-time link:");
        println!("  {base}/setup/{token}");
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let workers = app.state.settings.broadcast.run_workers.then(|| {
        let s = &app.state;
        let ctx = crate::broadcast::ChannelContext::new(s.pool.clone(), s.settings.clone(), s.clock.clone(), s.key.clone());
        let sourcing = crate::sourcing::pipeline::Sourcing::new(s.pool.clone(), &s.settings);
        let harvester = crate::sourcing::harvest::Harvester::new(ctx.clone(), sourcing);
        (tokio::spawn(crate::broadcast::worker::Worker::new(ctx).run(stop_rx.clone())), tokio::spawn(harvester.run(stop_rx)))
    });
    app.run_until_stopped().await?;
    // The server stopped (SIGINT/SIGTERM): let the workers finish what they hold.
    let _ = stop_tx.send(true);
    if let Some((w, h)) = workers {
        let _ = w.await;
        let _ = h.await;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn worker(settings: Settings) -> anyhow::Result<()> {
    let size = settings.broadcast.worker_concurrency as u32 + 2;
    let pool = crate::store::connect(&settings.database_url, size).map_err(|e| fix(format!("{e:#} (check DATABASE_URL)")))?;
    crate::store::migrate(&pool)?;
    let key = crate::broadcast::secret::load_or_create(settings.broadcast.secret_key.as_ref(), &settings.data_dir)?;
    let sourcing = crate::sourcing::pipeline::Sourcing::new(pool.clone(), &settings);
    let ctx = crate::broadcast::ChannelContext::new(pool, settings, crate::clock::Clock::system(), key);
    let harvester = crate::sourcing::harvest::Harvester::new(ctx.clone(), sourcing);
    let worker = crate::broadcast::worker::Worker::new(ctx);
    println!("Hirecast delivery worker {} is running", worker.owner());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(worker.run(stop_rx.clone()));
    let harvest = tokio::spawn(harvester.run(stop_rx));
    shutdown_signal().await;
    let _ = stop_tx.send(true);
    let _ = task.await;
    let _ = harvest.await;
    Ok(())
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// `hirecast rotate-key`. The new key file is written next to the old one before the
/// transaction and moved over it after the commit, so a crash leaves either the old key with
/// the old secrets or `secret.key.new` holding the key of the committed secrets.
pub fn rotate_key_command(settings: &Settings, new_key: Option<&str>, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    use crate::broadcast::SecretKey;
    let new = match new_key {
        Some(raw) => SecretKey::parse(raw).map_err(|e| fix(format!("--new-key: {e}")))?,
        None => SecretKey::random(),
    };
    let key_file = settings.data_dir.join("secret.key");
    let (old, from_env) = match &settings.broadcast.secret_key {
        Some(k) => (k.clone(), true),
        None => match std::fs::read_to_string(&key_file) {
            Ok(raw) => (
                SecretKey::parse(&raw).map_err(|e| fix(format!("{}: {e}; put back the key the service uses, or set HIRECAST_SECRET_KEY", key_file.display())))?,
                false,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(fix(format!(
                    "no current key: set HIRECAST_SECRET_KEY or HIRECAST_DATA_DIR to where the service keeps secret.key ({} does not exist)",
                    key_file.display()
                )))
            }
            Err(e) => return Err(fix(format!("cannot read {}: {e}", key_file.display()))),
        },
    };
    if old.to_base64() == new.to_base64() {
        return Err(fix("--new-key: is the current key; give another one (or none for a random one)"));
    }
    let pool = open(settings)?;
    let mut conn = pool.get()?;
    let staged = key_file.with_extension("key.new");
    if !from_env {
        write_key_file(&staged, &new).map_err(|e| fix(format!("cannot write {}: {e:#}", staged.display())))?;
    }
    let rotated = match crate::store::sealed::rotate(&mut conn, &old, &new) {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(match e {
                crate::store::sealed::RotateError::WrongKey { .. } => fix(format!(
                    "{e}; nothing was changed. Set {} to the key the service runs with",
                    if from_env { "HIRECAST_SECRET_KEY".to_string() } else { key_file.display().to_string() }
                )),
                crate::store::sealed::RotateError::Unexpected(e) => e,
            });
        }
    };
    writeln!(
        out,
        "Re-encrypted {} secret(s): {} channel credential(s), {} OAuth flow(s), {} unsubscribe token(s), {} TOTP secret(s).",
        rotated.total(),
        rotated.channel_credentials,
        rotated.oauth_flows,
        rotated.unsubscribe_tokens,
        rotated.totp_secrets
    )?;
    if from_env {
        writeln!(out, "The key came from HIRECAST_SECRET_KEY: set it to the new key below wherever hirecast runs, then start it again.")?;
        writeln!(out, "HIRECAST_SECRET_KEY={}", new.to_base64())?;
    } else {
        std::fs::rename(&staged, &key_file).map_err(|e| {
            fix(format!("the secrets use the new key but {} could not replace {}: {e}; move it there by hand", staged.display(), key_file.display()))
        })?;
        writeln!(out, "The new key is in {} (back it up); start hirecast again.", key_file.display())?;
    }
    Ok(())
}

fn write_key_file(path: &std::path::Path, key: &crate::broadcast::SecretKey) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(key.to_base64().as_bytes())?;
    f.sync_all()?;
    Ok(())
}

fn user(settings: Settings, command: UserCommand) -> anyhow::Result<()> {
    let pool = open(&settings)?;
    let mut conn = pool.get()?;
    match command {
        UserCommand::Add { email, role, name, password_stdin } => {
            let email = Email::parse("--email", &email).map_err(|e| fix(format!("--email: {}", e.reason)))?;
            let role = Role::parse(&role).map_err(|e| fix(format!("--role: {}", e.reason)))?;
            let name = name.unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("").to_string());
            let name = crate::domain::error::text("--name", &name, 200).map_err(|e| fix(format!("--name: {}", e.reason)))?;
            if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                let pw = NewPassword::parse_for(line.trim_end_matches(['\r', '\n']), email.as_str()).map_err(|e| fix(format!("password: {}", e.reason)))?;
                let hash = crate::auth::hash_password(&pw)?;
                match users::add_with_password(&mut conn, &email, &name, role, &hash) {
                    Ok(u) => println!("Added {} ({}).", u.email, u.role.as_str()),
                    Err(users::AddUserError::EmailTaken) => return Err(fix(format!("--email: {email} already has an account"))),
                    Err(users::AddUserError::Unexpected(e)) => return Err(e),
                }
            } else {
                match users::add_with_invite(&mut conn, &email, &name, role, Duration::days(7)) {
                    Ok((u, token)) => {
                        println!("Added {} ({}). They choose their password within 7 days at this one-time link:", u.email, u.role.as_str());
                        println!("  {}/setup/{token}", settings.base_url);
                    }
                    Err(users::AddUserError::EmailTaken) => return Err(fix(format!("--email: {email} already has an account"))),
                    Err(users::AddUserError::Unexpected(e)) => return Err(e),
                }
            }
            Ok(())
        }
        UserCommand::List => {
            for u in users::list(&mut conn)? {
                let state = match (u.active, u.has_password) {
                    (false, _) => "deactivated",
                    (true, false) => "invited",
                    (true, true) => "active",
                };
                println!("{}\t{}\t{}\t{}", u.email, u.role.as_str(), state, u.name);
            }
            Ok(())
        }
    }
}

/// `hirecast count`: one JSON object for the whole input, or one per line with `--jsonl`
/// (a bad line gets `{"line": n, "error": ...}` in its place; the stream goes on).
pub fn count_command(
    network: crate::compose::Network,
    limit: Option<usize>,
    url_reserve: Option<usize>,
    jsonl: bool,
    input: &mut dyn std::io::BufRead,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    use crate::compose::count;
    #[derive(serde::Deserialize)]
    struct Line {
        text: String,
    }
    if !jsonl {
        let mut text = String::new();
        input.read_to_string(&mut text).map_err(|e| fix(format!("standard input is not UTF-8 text: {e}")))?;
        // A trailing newline from `echo` or a file is not part of the post.
        let text = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        writeln!(out, "{}", serde_json::to_string(&count(network, text, limit, url_reserve))?)?;
        return Ok(());
    }
    let mut n = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        n += 1;
        let raw = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let result = match std::str::from_utf8(raw) {
            Err(_) => Err("the line is not UTF-8 text".to_string()),
            Ok(line) if line.trim().is_empty() => Err("empty line; expected a JSON object {\"text\": ...}".to_string()),
            Ok(line) => serde_json::from_str::<Line>(line)
                .map_err(|e| format!("expected a JSON object {{\"text\": ...}}: {e}")),
        };
        let json = match result {
            Ok(l) => serde_json::to_value(count(network, &l.text, limit, url_reserve))?,
            Err(error) => serde_json::json!({ "line": n, "error": error }),
        };
        writeln!(out, "{json}")?;
    }
    Ok(())
}

fn compose_command(settings: &Settings, opening_id: &str, network: Option<&str>) -> anyhow::Result<()> {
    use crate::compose::{compose, ChannelProfile, Network};
    let networks = match network {
        Some(n) => vec![Network::parse(n).map_err(|e| fix(format!("--network: {e}")))?],
        None => Network::ALL.to_vec(),
    };
    let pool = open(settings)?;
    let mut conn = pool.get()?;
    let opening = crate::store::openings::find(&mut conn, opening_id.trim())?
        .ok_or_else(|| fix(format!("--opening: no opening has the id {opening_id}")))?;
    let lang = crate::i18n::Lang::from(opening.draft.language);
    let mut profiles: Vec<ChannelProfile> = networks.iter().map(|n| ChannelProfile::new(*n, lang)).collect();
    crate::store::post_templates::apply(&mut conn, &mut profiles)?;
    let mut composed = Vec::with_capacity(networks.len());
    for (n, profile) in networks.into_iter().zip(&profiles) {
        // Each channel's post carries its own tracked link (created on first use).
        let link = crate::store::links::link_for(&mut conn, &opening.id, n.as_str()).map_err(|e| anyhow::anyhow!("{e}"))?;
        composed.push(compose(&opening, &crate::web::links::short_url(&settings.base_url, &link.code), profile));
    }
    println!("{}", serde_json::to_string_pretty(&composed)?);
    Ok(())
}

/// `hirecast fetch-cv <url>`: what the sourcing pipeline would store for this link.
async fn fetch_cv_command(settings: &Settings, raw: &str) -> anyhow::Result<()> {
    use sha2::Digest;
    let parsed = url::Url::parse(raw.trim()).map_err(|e| fix(format!("the link is not a valid URL: {e}")))?;
    let download = crate::fetch::direct_download_url(&parsed);
    let target = download.clone().unwrap_or(parsed);
    let fetcher = crate::fetch::SafeFetcher::new(crate::fetch::FetchPolicy { allow_hosts: settings.fetch_allow_hosts.clone(), ..Default::default() });
    let fetched = match fetcher.fetch(target.as_str()).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("refused: {e}");
            std::process::exit(1);
        }
    };
    let sha = hex::encode(sha2::Sha256::digest(&fetched.bytes));
    let text = match crate::sourcing::cv_text::read_cv(&fetched.bytes, &crate::sourcing::cv_text::ReadLimits::default()) {
        Ok(t) => {
            let full = t.full_text();
            serde_json::json!({
                "format": format!("{:?}", t.format).to_lowercase(),
                "pages": t.pages.len(),
                "chars": full.chars().count(),
                "truncated": t.truncated,
                "preview": full.chars().take(300).collect::<String>(),
            })
        }
        Err(e) => serde_json::json!({"error": e.to_string()}),
    };
    let out = serde_json::json!({
        "url": raw.trim(),
        "download_url": download.map(|u| u.to_string()),
        "final_url": fetched.final_url,
        "kind": format!("{:?}", fetched.kind).to_lowercase(),
        "content_type": fetched.content_type,
        "bytes": fetched.bytes.len(),
        "sha256": sha,
        "redirects": fetched.redirects,
        "text": text,
    });
    println!("{out}");
    Ok(())
}

/// `hirecast scan`: against an openings file, or the open openings of the database.
fn scan_command(file: Option<&std::path::Path>, pool: Option<&crate::store::Pool>) -> anyhow::Result<()> {
    use crate::sourcing::scan::ScanOpening;
    let mut tax = crate::sourcing::skills::Taxonomy::shared();
    let mut openings: Vec<(String, crate::sourcing::score::OpeningCriteria)> = Vec::new();
    match (file, pool) {
        (Some(path), _) => {
            let raw = std::fs::read_to_string(path).map_err(|e| fix(format!("--openings: cannot read {}: {e}", path.display())))?;
            let list: Vec<ScanOpening> = serde_json::from_str(&raw).map_err(|e| fix(format!("--openings: {e} (a JSON array of openings with id, title, required_skills, nice_to_have_skills, language)")))?;
            for o in &list {
                openings.push((o.id.clone(), o.criteria(&tax).map_err(|e| fix(format!("--openings: {e}")))?));
            }
        }
        (None, Some(pool)) => {
            let mut conn = pool.get()?;
            tax = crate::store::skills::taxonomy(&mut conn)?;
            let filter = crate::store::openings::OpeningFilter { status: Some(crate::domain::opening::OpeningStatus::Open), limit: 100_000, ..Default::default() };
            for o in crate::store::openings::list(&mut conn, &filter)?.0 {
                openings.push((o.id.clone(), crate::sourcing::pipeline::criteria_of(&tax, &o)));
            }
        }
        (None, None) => unreachable!("scan needs openings"),
    }
    let index = crate::sourcing::index::OpeningIndex::new(openings);
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (_, bad) = crate::sourcing::scan::scan(&tax, &index, &mut stdin.lock(), &mut out, &mut std::io::stderr())?;
    if bad > 0 {
        tracing::debug!(bad, "lines skipped");
    }
    Ok(())
}
