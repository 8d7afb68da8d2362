//! Builds the actix app on a listener (port 0 in tests) and runs it until SIGINT/SIGTERM.
use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpServer};
use anyhow::Context;

use crate::clock::Clock;
use crate::config::Settings;
use crate::store::blobs::BlobStore;
use crate::web::AppState;

pub struct Application {
    pub port: u16,
    pub state: AppState,
    server: Server,
}

impl Application {
    /// Opens the database, runs migrations and binds the listener.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = crate::store::connect(&settings.database_url, settings.db_pool_size)?;
        crate::store::migrate(&pool)?;
        let listener = TcpListener::bind(settings.bind).with_context(|| format!("Failed to listen on {} (HIRECAST_BIND)", settings.bind))?;
        let mut settings = settings;
        // Port 0 asks the system for a free port: links must carry the real one.
        if settings.base_url.ends_with(":0") {
            let port = listener.local_addr()?.port();
            settings.base_url = format!("{}{port}", settings.base_url.trim_end_matches('0'));
        }
        let key = crate::broadcast::secret::load_or_create(settings.broadcast.secret_key.as_ref(), &settings.data_dir)?;
        let state = AppState { blobs: BlobStore::new(&settings.data_dir), pool, settings, clock: Clock::system(), key, careers: Default::default() };
        Self::on_listener(listener, state)
    }

    pub fn on_listener(listener: TcpListener, state: AppState) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let data = web::Data::new(state.clone());
        let workers = state.settings.workers;
        let json_limit = state.settings.max_json_bytes;
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(actix_web::web::PayloadConfig::new(json_limit))
                .app_data(actix_web::web::FormConfig::default().limit(64 * 1024))
                .wrap(middleware::from_fn(crate::web::security::middleware))
                .wrap(middleware::Compress::default())
                .wrap(crate::telemetry::request_logger())
                .configure(crate::web::routes)
                .default_service(actix_web::web::to(crate::web::public::not_found))
        })
        .workers(workers)
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Self { port, state, server })
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight (actix's graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
