//! The middleware every request passes: request ids, security headers, request-body deadlines, HEAD, panics.

use std::cell::RefCell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use futures_util::{FutureExt, Stream, StreamExt};

use crate::error::ApiError;

/// A request id for every request: in `X-Request-Id` and on every log line
/// written while serving it. A per-process random prefix and a counter: unique
/// across nodes, and cheap enough for the cached path (a UUID per request and
/// tracing-actix-web's span cost a fifth of the warm throughput).
pub async fn request_span(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    use tracing::Instrument;
    static PREFIX: OnceLock<String> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(|| hex::encode(crate::auth::random_bytes(4)));
    let id = format!("{prefix}-{:x}", COUNTER.fetch_add(1, Ordering::Relaxed));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    let mut res = next.call(req).instrument(span.clone()).await?;
    if res.status().is_server_error() {
        span.in_scope(|| tracing::warn!(status = res.status().as_u16(), "request failed"));
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}

/// HEAD is GET without the body: routes are declared for GET only, and
/// actix-http leaves the body off the wire for a request that arrived as HEAD.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// A panicking handler answers 500 problem+json instead of dropping the connection.
pub async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // The request cannot be kept aside here (routing needs it unshared), so
    // the panic becomes an error that actix renders through ApiError.
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(res) => res,
        Err(_) => Err(ApiError::Internal(anyhow::anyhow!("a handler panicked")).into()),
    }
}

/// The headers every response carries unless its handler set its own: no
/// MIME sniffing, no framing, no referrer, and a policy that lets a JSON
/// response load and run nothing if a browser ever renders it.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    // `frame-ancestors 'none'` is what `X-Frame-Options: DENY` says, for
    // every browser that knows CSP; one header fewer on every answer.
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
    ] {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    Ok(res)
}

/// How long a request body may take to arrive (app data, from `REQUEST_TIMEOUT_SECS`).
#[derive(Clone, Copy, Debug)]
pub struct BodyDeadline(pub Duration);

/// Tells the connection (`server::ConnPhase`) when the application has a
/// request and when it has answered, so the head of the next request on the
/// connection gets its own deadline.
pub async fn connection_phase(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let phase = req.conn_data::<crate::server::ConnPhase>().cloned();
    if let Some(phase) = &phase {
        phase.request_started();
    }
    let res = next.call(req).await;
    if let Some(phase) = &phase {
        phase.request_done();
    }
    res
}

/// Bounds the time to receive a request body, from the moment its head was
/// read: a client that stalls mid-body gets `408` when a handler reads it,
/// instead of holding a connection (and a file descriptor) open for as long
/// as it likes. The head is bounded by the server (`server.rs`).
///
/// The body is also kept until the answer is sent: actix closes a
/// connection whose request body was not read to its end, but *drains* a
/// chunked body whose reader is gone — for as long as the client trickles
/// it. Held here, an unread body (a 408, a 401 before reading, a GET with a
/// body answered from the cache) means the connection is closed instead.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
        || req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0");
    let limit = req.app_data::<BodyDeadline>().map(|d| d.0);
    let (true, Some(limit)) = (has_body, limit) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let body = Rc::new(RefCell::new(req.take_payload()));
    let stream: Pin<Box<dyn Stream<Item = Result<actix_web::web::Bytes, PayloadError>>>> =
        Box::pin(Deadline {
            inner: body.clone(),
            timer: Box::pin(tokio::time::sleep(limit)),
            limit,
        });
    req.set_payload(actix_web::dev::Payload::from(stream));
    let res = next.call(req).await?;
    Ok(res.map_body(|_, body_out| {
        actix_web::body::EitherBody::right(Holding {
            body: Box::pin(body_out),
            _request_body: body,
        })
    }))
}

/// A response body that keeps the request's body alive until it has been
/// sent to its end: actix decides then whether the connection stays open.
struct Holding<B> {
    body: Pin<Box<B>>,
    _request_body: Rc<RefCell<actix_web::dev::Payload>>,
}

impl<B: MessageBody> MessageBody for Holding<B> {
    type Error = B::Error;

    fn size(&self) -> actix_web::body::BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<actix_web::web::Bytes, Self::Error>>> {
        self.body.as_mut().poll_next(cx)
    }
}

/// A body stream that fails with `TimedOut` once its time is up.
struct Deadline {
    inner: Rc<RefCell<actix_web::dev::Payload>>,
    timer: Pin<Box<tokio::time::Sleep>>,
    limit: Duration,
}

impl Stream for Deadline {
    type Item = Result<actix_web::web::Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = self.inner.borrow_mut().poll_next_unpin(cx) {
            return Poll::Ready(item);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "the request body did not arrive within {} s",
                    self.limit.as_secs()
                ),
            ))))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The `ApiError` for a body that could not be read.
pub fn payload_error(e: &PayloadError) -> ApiError {
    match e {
        PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            ApiError::RequestTimeout(io.to_string())
        }
        PayloadError::Overflow => ApiError::PayloadTooLarge(format!(
            "the body is over {} bytes",
            crate::app::MAX_BODY_BYTES
        )),
        PayloadError::Incomplete(_) => {
            ApiError::bad_request("the body ended before the length it announced")
        }
        PayloadError::EncodingCorrupted => {
            ApiError::bad_request("the body's transfer or content encoding is corrupt")
        }
        _ => ApiError::bad_request("the body could not be read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::problem_for_bare_errors;
    use actix_web::middleware::{from_fn, ErrorHandlers};
    use actix_web::test;
    use actix_web::{web, App, HttpResponse};

    #[actix_web::test]
    async fn a_panicking_handler_answers_500_problem_json() {
        let app = test::init_service(
            App::new()
                .route(
                    "/boom",
                    web::get().to(|| async {
                        panic!("boom");
                        #[allow(unreachable_code)]
                        HttpResponse::Ok().finish()
                    }),
                )
                .wrap(from_fn(catch_panic))
                .wrap(ErrorHandlers::new().default_handler(problem_for_bare_errors)),
        )
        .await;
        // A middleware error is rendered by actix with the error's own response.
        let error =
            test::try_call_service(&app, test::TestRequest::get().uri("/boom").to_request())
                .await
                .expect_err("the panic becomes an error");
        let res = error.error_response();
        assert_eq!(
            res.status(),
            actix_web::http::StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            res.headers().get(header::CONTENT_TYPE).unwrap(),
            crate::error::PROBLEM_JSON
        );
        let bytes = actix_web::body::to_bytes(res.into_body()).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["status"], 500);
        assert!(
            !body.to_string().contains("boom"),
            "the panic message stays in the log"
        );
    }
}
