//! HTTP: `api/` (JSON under /api/v1), `ui/` (recruiter app under /app), `public` (careers site).
pub mod api;
pub mod charts;
pub mod context;
pub mod error;
pub mod links;
pub mod public;
pub mod security;
pub mod throttle;
pub mod ui;

use actix_web::web;

use crate::clock::Clock;
use crate::config::Settings;
use crate::store::blobs::BlobStore;
use crate::store::Pool;

/// Everything a handler needs, built once at start-up and shared.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub settings: Settings,
    pub blobs: BlobStore,
    pub clock: Clock,
    /// Opens channel credentials (see `broadcast::secret`).
    pub key: crate::broadcast::SecretKey,
    /// What the careers site's pages and feeds read, kept briefly (see `public::cache`).
    pub careers: std::sync::Arc<public::cache::CareersCache>,
}

impl AppState {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.settings.base_url, path)
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").route(web::get().to(healthz)))
        .service(web::resource("/readyz").route(web::get().to(readyz)))
        .service(web::resource("/static/{file}").route(web::get().to(security::static_file)))
        .configure(api::routes)
        .configure(ui::routes)
        .configure(links::routes)
        .configure(public::routes);
}

async fn healthz() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ok")
}

/// Ready when the database answers.
async fn readyz(state: web::Data<AppState>) -> actix_web::HttpResponse {
    use diesel::connection::SimpleConnection;
    let r = crate::store::run(&state.pool, |c| c.batch_execute("SELECT 1").map_err(Into::into)).await;
    match r {
        Ok(()) => actix_web::HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            actix_web::HttpResponse::ServiceUnavailable().content_type("text/plain; charset=utf-8").body("database unreachable")
        }
    }
}
