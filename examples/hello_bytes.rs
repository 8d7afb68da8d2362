//! The reference of the page benchmark (scripts/bench/pages.sh): an actix-web "hello world"
//! that answers each `/<name>` with the bytes of one file given on the command line, read
//! once at start, with the content type hirecast sent for it. One worker, as the benchmark
//! runs hirecast. Usage: hello_bytes <addr> <name>=<file>:<content type> ...
use actix_web::{web, App, HttpResponse, HttpServer};
use std::collections::HashMap;
use std::sync::Arc;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().expect("usage: hello_bytes <addr> <name>=<file>:<content type> ...");
    let mut pages: HashMap<String, (String, web::Bytes)> = HashMap::new();
    for a in args {
        let (name, rest) = a.split_once('=').expect("<name>=<file>:<content type>");
        let (file, ct) = rest.split_once(':').expect("<name>=<file>:<content type>");
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        pages.insert(format!("/{name}"), (ct.to_string(), web::Bytes::from(bytes)));
    }
    let pages = Arc::new(pages);
    HttpServer::new(move || {
        let pages = pages.clone();
        App::new().default_service(web::to(move |req: actix_web::HttpRequest| {
            let pages = pages.clone();
            async move {
                match pages.get(req.path()) {
                    Some((ct, body)) => HttpResponse::Ok().content_type(ct.clone()).body(body.clone()),
                    None => HttpResponse::NotFound().finish(),
                }
            }
        }))
    })
    .workers(1)
    .bind(addr)?
    .run()
    .await
}
