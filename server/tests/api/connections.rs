//! Slow and idle clients against the real server process (`tessera-server` with short
//! timeouts and a small connection cap), seen from the client's side of the socket. SQLite only:
//! connection handling does not touch storage.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server binary, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts the server with `--header-timeout 1s --body-timeout 1s --send-timeout 2s` and
    /// `flags`, optionally under `prlimit` with this many open files.
    fn start(flags: &[&str], open_files: Option<u64>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let binary = env!("CARGO_BIN_EXE_tessera-server");
        let mut command = match open_files {
            Some(n) => {
                let mut c = Command::new("prlimit");
                c.arg(format!("--nofile={n}:{n}")).arg(binary);
                c
            }
            None => Command::new(binary),
        };
        command
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--database")
            .arg(format!("sqlite://{}/db.sqlite", dir.path().display()))
            .arg("--config")
            .arg(root.join("config/demo.toml"))
            .args([
                "--header-timeout",
                "1s",
                "--body-timeout",
                "1s",
                "--send-timeout",
                "2s",
            ])
            .args(flags)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let server = Self {
            child: command.spawn().expect("starting tessera-server"),
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while server.health(Duration::from_secs(2)).is_none() {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        s
    }

    /// A new connection that has sent the head of a JSON `POST` to `path` declaring a body of
    /// `length` bytes, and `sent` of that body.
    fn declaring_a_body(&self, path: &str, length: usize, sent: &[u8]) -> TcpStream {
        let mut s = self.connect();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        );
        s.write_all(&[head.as_bytes(), sent].concat()).unwrap();
        s
    }

    /// The status line of `GET /api/v1/health` on a new connection, if one came within `wait`.
    fn health(&self, wait: Duration) -> Option<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(wait)).ok()?;
        s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .ok()?;
        let reply = read_all(&mut s).ok()?;
        reply.lines().next().map(str::to_owned)
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Everything the server sends until it closes the connection.
fn read_all(s: &mut TcpStream) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Waits for the server to close `s`; how long it took. A read timeout (15 s) fails the test.
fn closed_after(mut s: TcpStream) -> (Duration, String) {
    let started = Instant::now();
    match read_all(&mut s) {
        Ok(reply) => (started.elapsed(), reply),
        Err(e) if e.kind() == ErrorKind::ConnectionReset => (started.elapsed(), String::new()),
        Err(e) => panic!("the server kept the connection open: {e}"),
    }
}

#[test]
fn half_open_and_silent_connections_are_closed_within_a_few_header_timeouts() {
    let server = Server::start(&[], None);
    let mut partial = server.connect();
    partial
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\n")
        .unwrap();
    let silent = server.connect();
    for s in [partial, silent] {
        let (after, _) = closed_after(s);
        assert!(
            after < Duration::from_secs(5),
            "closed after {after:?} (header timeout 1 s)"
        );
    }
}

#[test]
fn a_keep_alive_connection_left_idle_is_closed() {
    let server = Server::start(&[], None);
    let mut s = server.connect();
    s.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    let (after, reply) = closed_after(s);
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(after < Duration::from_secs(5), "closed after {after:?}");
}

#[test]
fn a_client_that_stops_reading_its_responses_is_disconnected_after_the_send_timeout() {
    let server = Server::start(&[], None);
    let mut s = server.connect();
    // Far more response bytes than the sockets' buffers hold: the server's writes stall.
    const ASKED: usize = 2_000;
    let request = "GET /api/v1/openapi.json HTTP/1.1\r\nHost: t\r\n\r\n".repeat(ASKED);
    s.write_all(request.as_bytes()).unwrap();
    // Not reading for twice the send timeout (2 s)...
    std::thread::sleep(Duration::from_secs(4));
    // ...the server has given up on the connection: what it had sent, then the end (or a
    // reset, as it closed with requests unread).
    let mut received = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server kept the stalled connection open: {e}"),
        }
    }
    let answered = String::from_utf8_lossy(&received)
        .matches("HTTP/1.1 200 OK")
        .count();
    assert!(
        answered < ASKED,
        "all {ASKED} answered: the stalled connection was kept"
    );
}

#[test]
fn a_declared_body_that_does_not_arrive_is_answered_within_the_body_timeout() {
    let server = Server::start(&[], None);
    let s = server.declaring_a_body("/api/v1/auth/login", 100, b"{\"email\":");
    let (after, reply) = closed_after(s);
    assert!(after < Duration::from_secs(5), "answered after {after:?}");
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains(r#""error":"request_timeout""#), "{reply}");
}

#[test]
fn a_declared_body_over_the_limit_is_refused_before_it_is_sent() {
    let server = Server::start(&[], None);
    let s = server.declaring_a_body("/api/v1/auth/register", 1_000_000_000, b"");
    s.shutdown(Shutdown::Write).unwrap();
    let (after, reply) = closed_after(s);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains(r#""error":"body_too_large""#), "{reply}");
    assert!(
        after < Duration::from_secs(1),
        "refused after {after:?}, not at once"
    );
}

#[test]
fn with_connections_up_to_the_cap_held_open_health_still_answers() {
    let server = Server::start(&["--max-connections", "8"], None);
    let held: Vec<TcpStream> = (0..7).map(|_| server.connect()).collect();
    let status = server.health(Duration::from_millis(800));
    assert_eq!(status.as_deref(), Some("HTTP/1.1 200 OK"));
    drop(held);
}

#[test]
fn past_the_cap_the_server_keeps_running_and_answers_once_timeouts_free_slots() {
    let mut server = Server::start(&["--max-connections", "8"], None);
    let held: Vec<TcpStream> = (0..40).map(|_| server.connect()).collect();
    // Every slot is held by a silent client: the request waits until the header timeout frees one.
    let status = server.health(Duration::from_secs(10));
    assert_eq!(status.as_deref(), Some("HTTP/1.1 200 OK"));
    assert!(server.running());
    drop(held);
}

#[test]
fn a_low_open_files_limit_lowers_the_cap_instead_of_failing_accepts() {
    // 128 files: the cap becomes 64 whatever was asked, so accepting never runs out of files.
    let mut server = Server::start(&["--max-connections", "1000"], Some(128));
    let held: Vec<TcpStream> = (0..150).map(|_| server.connect()).collect();
    let status = server.health(Duration::from_secs(10));
    assert_eq!(status.as_deref(), Some("HTTP/1.1 200 OK"));
    assert!(server.running());
    drop(held);
    assert_eq!(
        server.health(Duration::from_secs(5)).as_deref(),
        Some("HTTP/1.1 200 OK")
    );
}
