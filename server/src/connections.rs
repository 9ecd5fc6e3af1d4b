//! Serving HTTP/1.1 with the bounds `axum::serve` lacks, so slow and idle clients cannot take
//! the server down: at most [`ConnectionLimits::max_connections`] connections at once (past
//! them new ones wait in the kernel's backlog, unaccepted), the request headers within
//! `header_timeout` of the connection opening or of the previous response (hyper's timer covers
//! the keep-alive wait between requests too), and no response waiting on a client that stopped
//! reading for more than `send_timeout`. Bodies are bounded in `app()` (the body timeout and the
//! declared-size check).

use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Sleep;
use tower::ServiceExt;

/// File descriptors kept for everything but client connections (database, logs, files).
pub const RESERVED_FILES: u64 = 64;

/// How long a connection may take, and how many may be open.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub header_timeout: Duration,
    pub send_timeout: Duration,
    pub max_connections: usize,
}

/// Raises the soft limit of open files to the hard one and returns it (`None` where the system
/// has no such limit).
pub fn raise_open_files_limit() -> Option<u64> {
    rlimit::increase_nofile_limit(u64::MAX).ok()
}

impl ConnectionLimits {
    /// These limits with the connection cap lowered, if need be, to leave
    /// [`RESERVED_FILES`] of `open_files` for the rest of the server.
    pub fn within_open_files(self, open_files: Option<u64>) -> Self {
        let Some(open_files) = open_files else {
            return Self {
                max_connections: self.max_connections.max(1),
                ..self
            };
        };
        let room = open_files.saturating_sub(RESERVED_FILES).max(1);
        let max_connections = (self.max_connections as u64).min(room).max(1) as usize;
        Self {
            max_connections,
            ..self
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish for up
/// to ten seconds.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        // A slot before accepting: at the cap, new connections wait in the backlog.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors (or a connection reset before it was accepted): wait
                // for connections to end rather than spin on the error.
                tracing::warn!(error = %e, "accepting a connection failed; pausing 100 ms");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(SendDeadline::new(stream, limits.send_timeout));
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        });
        let connection =
            graceful.watch(http.serve_connection(io, TowerToHyperService::new(service)));
        tokio::spawn(async move {
            // Timeouts and resets end connections with an error; nothing to do but close.
            let _ = connection.await;
            drop(slot);
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {
            tracing::warn!("requests still open after 10 s; stopping anyway");
        }
    }
}

/// A TCP stream whose sends fail with `TimedOut` once one has waited on the client, without any
/// progress, for the send timeout: a client that stopped reading its responses. Reads are left
/// alone: hyper's header timer and the body timeout bound them, and hyper keeps a read waiting
/// (to notice a hang-up) while a handler runs, which must not count as the client being idle.
struct SendDeadline {
    stream: TcpStream,
    timeout: Duration,
    /// Set while a send waits on the client.
    deadline: Option<Pin<Box<Sleep>>>,
}

impl SendDeadline {
    fn new(stream: TcpStream, timeout: Duration) -> Self {
        Self {
            stream,
            timeout,
            deadline: None,
        }
    }

    /// Progress ends the wait; waiting past the deadline is an error.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.deadline = None;
            return poll;
        }
        let timeout = self.timeout;
        let deadline = self
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for SendDeadline {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for SendDeadline {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.watch(cx, poll)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_flush(cx);
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_leaves_room_for_the_rest_of_the_server() {
        let limits = ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(60),
            max_connections: 1_000,
        };
        assert_eq!(limits.within_open_files(Some(256)).max_connections, 192);
        assert_eq!(
            limits.within_open_files(Some(65_536)).max_connections,
            1_000
        );
        assert_eq!(limits.within_open_files(None).max_connections, 1_000);
    }
}
