//! The benchmark floor: the least an actix-web server can do to answer the
//! same requests — the very response bytes clinic-cms sent, from memory.
//! `scripts/bench.sh` captures those bytes, starts this beside clinic-cms
//! and reports every clinic-cms figure as a ratio to this one.
//!
//! Usage: floor ADDR DIR — serves DIR/<name>.json at the path recorded in
//! DIR/<name>.path, with the ETag recorded in DIR/<name>.etag, answering a
//! matching If-None-Match with 304.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

struct Canned {
    body: web::Bytes,
    etag: String,
}

async fn serve(req: HttpRequest, canned: web::Data<Arc<HashMap<String, Canned>>>) -> HttpResponse {
    let key = req.uri().path_and_query().map_or("", |pq| pq.as_str());
    let Some(c) = canned.get(key) else {
        return HttpResponse::NotFound().finish();
    };
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == c.etag.as_bytes());
    let mut res = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, c.etag.as_str()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if matches {
        res.finish()
    } else {
        res.content_type("application/json").body(c.body.clone())
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:18099".into());
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let mut canned = HashMap::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let url = std::fs::read_to_string(path.with_extension("path"))?;
            let etag = std::fs::read_to_string(path.with_extension("etag"))?;
            let body = web::Bytes::from(std::fs::read(&path)?);
            canned.insert(
                url.trim().to_string(),
                Canned {
                    body,
                    etag: etag.trim().to_string(),
                },
            );
        }
    }
    let canned = Arc::new(canned);
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(canned.clone()))
            .default_service(web::to(serve))
    })
    .bind(addr)?
    .run()
    .await
}
