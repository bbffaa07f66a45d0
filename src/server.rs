//! The HTTP/1 server: actix-web's, with every request's head bounded in time on every connection.
//!
//! actix-http bounds the head of a connection's *first* request
//! (`client_request_timeout`) and idle keep-alive time, but not the head of
//! a later request: a client that sends one fast request, then the next
//! one a byte a minute, held a connection (and a file descriptor) for as
//! long as it liked. So the socket is wrapped: once the first byte of a
//! request arrives on an idle connection, its head must be complete (the
//! application sees the request, `RequestStarted`) within the head timeout,
//! or reads fail and actix closes the connection. Bodies are bounded by
//! `middleware::body_deadline`. This is what `HttpServer::listen` builds,
//! with the socket wrapped in between.

use std::cell::Cell;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_http::{HttpService, Request, Response};
use actix_server::Server;
use actix_service::{
    fn_service, map_config, IntoServiceFactory, ServiceFactory, ServiceFactoryExt,
};
use actix_web::body::MessageBody;
use actix_web::dev::AppConfig;
use actix_web::rt::net::TcpStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Where a connection is between requests, shared by the socket wrapper and
/// `middleware::connection_phase` (as connection data).
#[derive(Clone, Debug, Default)]
pub struct ConnPhase(Rc<Cell<Phase>>);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Phase {
    /// Between requests: the next byte starts the head clock.
    #[default]
    Idle,
    /// Bytes of a head are arriving; it must be complete by then.
    Receiving(Instant),
    /// The application has the request (its body has its own deadline).
    Handling,
}

impl ConnPhase {
    /// The application has the request: its head is complete.
    pub fn request_started(&self) {
        self.0.set(Phase::Handling);
    }

    /// The application answered: the connection waits for the next request.
    pub fn request_done(&self) {
        self.0.set(Phase::Idle);
    }
}

/// A socket whose reads fail once a request head has taken too long.
pub struct Guarded<T> {
    io: T,
    phase: ConnPhase,
    head_timeout: Duration,
    timer: Pin<Box<Sleep>>,
}

impl<T> Guarded<T> {
    fn new(io: T, head_timeout: Duration) -> Self {
        Self {
            io,
            phase: ConnPhase::default(),
            head_timeout,
            timer: Box::pin(tokio::time::sleep(head_timeout)),
        }
    }

    pub fn phase(&self) -> ConnPhase {
        self.phase.clone()
    }
}

fn head_timed_out() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "a request head did not arrive in time",
    )
}

impl<T: AsyncRead + Unpin> AsyncRead for Guarded<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let filled = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > filled && this.phase.0.get() == Phase::Idle {
                    let deadline = Instant::now() + this.head_timeout;
                    this.phase.0.set(Phase::Receiving(deadline));
                    this.timer.as_mut().reset(deadline);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match this.phase.0.get() {
                Phase::Receiving(deadline) => {
                    if this.timer.deadline() != deadline {
                        this.timer.as_mut().reset(deadline);
                    }
                    match this.timer.as_mut().poll(cx) {
                        Poll::Ready(()) => Poll::Ready(Err(head_timed_out())),
                        Poll::Pending => Poll::Pending,
                    }
                }
                Phase::Idle | Phase::Handling => Poll::Pending,
            },
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Guarded<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// Serves the application `factory` makes (one per worker, as
/// `HttpServer::new`) on `listener`; stops gracefully on SIGTERM/SIGINT,
/// giving requests in flight `shutdown_timeout` seconds.
pub fn serve<F, I, S, B>(
    listener: std::net::TcpListener,
    head_timeout: Duration,
    shutdown_timeout: u64,
    factory: F,
) -> io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: std::fmt::Debug,
    S::Response: Into<Response<B>> + 'static,
    <S::Service as actix_service::Service<Request>>::Future: 'static,
    B: MessageBody + 'static,
{
    let addr = listener.local_addr()?;
    Ok(Server::build()
        .shutdown_timeout(shutdown_timeout)
        .listen("clinic-cms", listener, move || {
            let app = factory()
                .into_factory()
                .map_err(|e| e.into().error_response());
            let http = HttpService::build()
                .client_request_timeout(head_timeout)
                .local_addr(addr)
                .on_connect_ext(|io: &Guarded<TcpStream>, data| {
                    data.insert(io.phase());
                })
                // AppConfig's host and address are the fallback of
                // `ConnectionInfo` for a request without `Host`, which
                // HTTP/1.1 requires and nothing here reads.
                .finish(map_config(app, |_| AppConfig::default()));
            fn_service(move |io: TcpStream| {
                let peer = io.peer_addr().ok();
                std::future::ready(Ok::<_, actix_http::error::DispatchError>((
                    Guarded::new(io, head_timeout),
                    actix_http::Protocol::Http1,
                    peer,
                )))
            })
            .and_then(http)
        })?
        .run())
}
