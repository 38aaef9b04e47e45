//! How connections are accepted and ended: the HTTP/1.1 connection loop with a header-read
//! timeout (which also closes a kept-alive connection left idle), a request-body timeout, a
//! cap on open connections, and a graceful stop on Ctrl-C or SIGTERM that lets requests under
//! way finish. It owns nothing about routes (`crate::app`) or abuse limits per client
//! (`crate::limits`).
//!
//! Why (issue 15): without a header timeout, about 20,000 half-sent requests exhausted file
//! descriptors and the urgent-help page stopped answering. Defaults are local policy (no
//! national standard; OWASP API4:2023 "Unrestricted Resource Consumption" asks for timeouts
//! and limits without fixing them) and are written in docs/security.md.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Connection limits, configurable with `serve --header-read-timeout-secs`,
/// `--request-body-timeout-secs`, `--max-client-connections` (or `NWD_…` variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Time a client has to send a request's headers, counted from when the server starts
    /// waiting for them — so it also closes a kept-alive connection idle for this long.
    /// Default 10 s: a phone on a poor connection sends headers in well under a second.
    pub header_read_timeout: Duration,
    /// Time a client has to send a request's body once its headers are in. Default 30 s
    /// (the largest body the API accepts is 1 MiB; anonymous ones 16 KiB).
    pub request_body_timeout: Duration,
    /// Most connections open at once; more are closed as soon as they are accepted, so the
    /// process never runs out of file descriptors. Default 1,024 (the common per-process
    /// descriptor limit, less room for the database and logs, is the usual ceiling).
    pub max_connections: usize,
    /// On stop, how long requests under way may take to finish before the server gives up
    /// on them. Default 20 s (systemd's and Kubernetes' default stop timeouts are 90 s and 30 s).
    pub drain_timeout: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            request_body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            drain_timeout: Duration::from_secs(20),
        }
    }
}

/// Resolves when the process is asked to stop: Ctrl-C (SIGINT) or, on Unix, SIGTERM (what
/// systemd, Docker and Kubernetes send).
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Serves `app` on `listener` within `limits` until `stop` resolves, then stops accepting,
/// lets requests under way finish (up to `limits.drain_timeout`) and returns.
pub async fn serve_until(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    stop: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let app = app.layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
        limits.request_body_timeout,
    ));
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors or similar: wait a little rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            // Over the cap: close at once (the client may retry; nothing was read).
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                app.clone().oneshot(request.map(axum::body::Body::new))
            },
        );
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!("stopping: finishing requests under way");
    if tokio::time::timeout(limits.drain_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still under way after the drain timeout were cut off");
    }
    Ok(())
}
