//! Accepting and serving connections, within limits a hostile client cannot wear out: at most
//! [`ConnectionLimits::max_open`] connections at once (the others wait in the listen queue,
//! they are not refused), a request's head must arrive within
//! [`ConnectionLimits::head_timeout`] — an idle kept-alive connection included — or the
//! connection is closed, and a request body that sends nothing for
//! [`ConnectionLimits::body_idle_timeout`] ends its request (400 `http.bad_body`, set by
//! [`crate::startup::router`]). Headers are bounded by hyper's defaults (100 headers, about
//! 400 KiB; past them 431).
//!
//! Why not `axum::serve`: it gives neither a head timeout nor a connection cap (a slow client
//! sending a byte a second held its connection forever, and thousands of idle ones ran the
//! process out of file descriptors). This loop is axum's with those two: hyper's HTTP/1
//! connection builder with its timer and `header_read_timeout`, and a semaphore of permits
//! each connection holds until it closes. Graceful shutdown is axum's too: stop accepting,
//! ask every connection to finish its request in flight and close, wait for them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// How many connections, and how slow a client may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections open at once; past it new ones wait to be accepted.
    pub max_open: usize,
    /// How long a client has to send a request's head, counted from when the connection
    /// opens or its last answer was sent.
    pub head_timeout: Duration,
    /// How long a request body may send nothing before its request ends.
    pub body_idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    /// 1,000 connections (each open web page holds one for its event stream), 10 seconds for a
    /// head, 30 seconds of silence in a body.
    fn default() -> Self {
        ConnectionLimits {
            max_open: 1000,
            head_timeout: Duration::from_secs(10),
            body_idle_timeout: Duration::from_secs(30),
        }
    }
}

/// Serves `router` on `listener` within `limits` until `stop` completes, then stops accepting
/// and returns once every connection has closed (its request in flight answered).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    stop: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_open.max(1)));
    // Dropped to ask every connection to close; each holds a receiver until it has.
    let (closing_tx, closing_rx) = watch::channel(());
    let (closed_tx, closed_rx) = watch::channel(());
    let mut stop = std::pin::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    refused(&e).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // Small answers go out at once.
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let mut closing = closing_rx.clone();
        let closed = closed_rx.clone();
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.head_timeout)
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                done = connection.as_mut() => log_end(done),
                _ = closing.changed() => {
                    connection.as_mut().graceful_shutdown();
                    log_end(connection.await);
                }
            }
            drop((permit, closed));
        });
    }
    drop(listener);
    drop(closing_tx);
    drop(closed_rx);
    closed_tx.closed().await;
}

/// A connection's end: its errors (a client gone, a head too slow) are the client's, logged at
/// debug, without the client's address.
fn log_end(done: Result<(), hyper::Error>) {
    if let Err(e) = done {
        tracing::debug!(error = %e, "connection ended");
    }
}

/// After a failed accept: a connection that failed before it was accepted is nothing; out of
/// file descriptors or memory, wait a moment for connections to close.
async fn refused(e: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(error = %e, "accepting a connection failed; retrying in 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}
