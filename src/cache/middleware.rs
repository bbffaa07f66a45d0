//! The middleware: public GETs answered from the response cache, which a
//! miss fills.

use std::sync::Arc;

use actix_web::body::{to_bytes, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Data;

use super::entry::{entry_from, Encoding};
use crate::app::AppState;
use crate::content::now;
use crate::error::ApiError;

/// GETs of the public, anonymous API: what the cache may answer (never a
/// preview: a token's draft must not reach anyone else).
fn cacheable(req: &ServiceRequest) -> bool {
    let path = req.path();
    req.method() == Method::GET
        && ((path.starts_with("/api/v1/")
            && !path.starts_with("/api/v1/admin/")
            && !path.starts_with("/api/v1/auth/")
            && !path.starts_with("/api/v1/preview/"))
            || path == "/openapi.json")
}

/// The middleware: answer public GETs from the cache, fill it on a miss.
pub async fn public_cache(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let state = req.app_data::<Data<AppState>>().cloned();
    let Some(state) = state.filter(|s| s.cache.enabled() && cacheable(&req)) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let key = state.cache.key(req.path(), req.query_string());
    let encoding = Encoding::preferred(&req);
    let condition = crate::conditional::if_none_match(&req);
    // Read before the database is: a write landing meanwhile makes this fill stale, not wrong.
    let generation = state.db.generation();
    let at = now();
    if let Some(entry) = state.cache.get(&key, generation, at) {
        let res = entry.respond(encoding, condition.as_ref(), true);
        return Ok(req.into_response(res).map_into_right_body());
    }

    let valid_until = match state.memo.known_next_due(generation, at) {
        Some(due) => due,
        None => {
            let memo = state.memo.clone();
            state
                .db
                .run(move |conn| Ok(memo.next_due(conn, generation, at)?))
                .await?
        }
    };
    // The handler must produce the full body to fill the cache; the
    // conditional request is answered from the entry afterwards.
    req.headers_mut().remove(header::IF_NONE_MATCH);
    let res = next.call(req).await?;
    if res.status() != StatusCode::OK {
        return Ok(res.map_into_left_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let body = to_bytes(body)
        .await
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("reading a response to cache")))?;
    let Some(entry) = entry_from(head.headers(), body.clone(), generation, valid_until) else {
        let res = head.set_body(body);
        return Ok(ServiceResponse::new(req, res)
            .map_into_boxed_body()
            .map_into_right_body());
    };
    let entry = Arc::new(entry);
    state.cache.put(key, entry.clone());
    let res = entry.respond(encoding, condition.as_ref(), false);
    Ok(ServiceResponse::new(req, res).map_into_right_body())
}
