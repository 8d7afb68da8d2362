//! The pure sourcing core through the library's public API: the skills taxonomy and its
//! matcher, scoring, and the opening index.
mod apply;
mod bluesky;
mod harvest;
mod index;
mod matching;
pub(crate) mod merges;
mod stages;
mod score;
mod skills_admin;
mod taxonomy;
mod x;

/// The pipeline as the app builds it, with its fetcher resolving `cv.example.com` (the CV
/// links candidates post in the tests) to the loopback CV server on `cv_port`, allowed by
/// explicit configuration like any test host.
pub fn sourcing_for(app: &crate::helpers::TestApp, cv_port: u16) -> hirecast::sourcing::pipeline::Sourcing {
    let mut sourcing = hirecast::sourcing::pipeline::Sourcing::new(app.state.pool.clone(), &app.state.settings);
    let resolver = hirecast::fetch::StaticResolver::new().with("cv.example.com", &["127.0.0.1".parse().unwrap()]);
    sourcing.fetcher = std::sync::Arc::new(hirecast::fetch::SafeFetcher::with_resolver(
        hirecast::fetch::FetchPolicy { allow_hosts: vec![format!("cv.example.com:{cv_port}")], ..Default::default() },
        std::sync::Arc::new(resolver),
    ));
    sourcing
}
