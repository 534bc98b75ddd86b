//! A proxy between a PostgreSQL client and the server that cuts the
//! connection at one chosen moment of an append's `COMMIT`: either before
//! the server has it (the client's `COMMIT` query is never delivered) or
//! after the server has committed but before the client hears so (the
//! server's `CommandComplete` for it is never delivered). It listens on a
//! Unix socket in a directory of its own, so a client reaches it with
//! `host=DIR`, and it reads the protocol's message framing (a type byte and
//! a length) on both sides, so it cuts exactly at a message boundary.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

/// When the proxy cuts the next `COMMIT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Never: every byte goes through.
    Never = 0,
    /// The client's `COMMIT` is dropped and the connection closed: the
    /// server never commits.
    BeforeCommit = 1,
    /// The server commits; its answer is dropped and the connection closed.
    AfterCommit = 2,
}

/// A running proxy; cuts one `COMMIT` each time it is armed.
pub struct CutProxy {
    dir: tempfile::TempDir,
    armed: Arc<AtomicU8>,
    url: String,
}

impl CutProxy {
    /// A proxy to the server `url` names (a Unix socket or a TCP host);
    /// [`url`](Self::url) is the same connection through the proxy.
    pub fn start(url: &str) -> Self {
        let config: postgres::Config = url.parse().unwrap();
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let server = config.get_hosts().first().cloned().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let listener = UnixListener::bind(dir.path().join(format!(".s.PGSQL.{port}"))).unwrap();
        let armed = Arc::new(AtomicU8::new(Cut::Never as u8));
        let mut proxied = format!("host={} port={port}", dir.path().display());
        if let Some(user) = config.get_user() {
            proxied.push_str(&format!(" user={user}"));
        }
        if let Some(db) = config.get_dbname() {
            proxied.push_str(&format!(" dbname={db}"));
        }
        if let Some(password) = config.get_password() {
            proxied.push_str(&format!(" password={}", String::from_utf8_lossy(password)));
        }
        let flag = Arc::clone(&armed);
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                let server: Box<dyn Duplex> = match &server {
                    postgres::config::Host::Unix(dir) => {
                        Box::new(UnixStream::connect(dir.join(format!(".s.PGSQL.{port}"))).unwrap())
                    }
                    postgres::config::Host::Tcp(host) => {
                        Box::new(std::net::TcpStream::connect((host.as_str(), port)).unwrap())
                    }
                };
                let flag = Arc::clone(&flag);
                std::thread::spawn(move || relay(client, server, flag));
            }
        });
        Self {
            dir,
            armed,
            url: proxied,
        }
    }

    /// The connection string through the proxy.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Cuts the next `COMMIT` that passes, as `cut` says.
    pub fn arm(&self, cut: Cut) {
        self.armed.store(cut as u8, Ordering::SeqCst);
    }

    /// Whether the armed cut has happened.
    pub fn fired(&self) -> bool {
        self.armed.load(Ordering::SeqCst) == Cut::Never as u8
    }

    /// The directory of the proxy's socket.
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }
}

/// A socket both ends of the proxy can read, write, clone and shut.
trait Duplex: Read + Write + Send {
    fn split(&self) -> Box<dyn Duplex>;
    fn close(&self);
}

impl Duplex for UnixStream {
    fn split(&self) -> Box<dyn Duplex> {
        Box::new(self.try_clone().unwrap())
    }
    fn close(&self) {
        let _ = self.shutdown(std::net::Shutdown::Both);
    }
}

impl Duplex for std::net::TcpStream {
    fn split(&self) -> Box<dyn Duplex> {
        Box::new(self.try_clone().unwrap())
    }
    fn close(&self) {
        let _ = self.shutdown(std::net::Shutdown::Both);
    }
}

/// Relays one connection, message by message in both directions.
fn relay(client: UnixStream, server: Box<dyn Duplex>, armed: Arc<AtomicU8>) {
    let client_back = Box::new(client.try_clone().unwrap()) as Box<dyn Duplex>;
    let server_back = server.split();
    let up_armed = Arc::clone(&armed);
    let client: Box<dyn Duplex> = Box::new(client);
    // Client to server: the first message is the startup packet, which
    // has a length and no type byte.
    let up = std::thread::spawn(move || {
        pump(client, server, true, |kind, body| {
            // A simple query "COMMIT" (how the client ends a transaction).
            kind == b'Q'
                && body.eq_ignore_ascii_case(b"COMMIT\0")
                && take(&up_armed, Cut::BeforeCommit)
        })
    });
    pump(server_back, client_back, false, |kind, body| {
        // The server's CommandComplete for it.
        kind == b'C' && body == b"COMMIT\0" && take(&armed, Cut::AfterCommit)
    });
    let _ = up.join();
}

/// Disarms the proxy if it was armed with `cut`; true when it was.
fn take(armed: &AtomicU8, cut: Cut) -> bool {
    armed
        .compare_exchange(
            cut as u8,
            Cut::Never as u8,
            Ordering::SeqCst,
            Ordering::SeqCst,
        )
        .is_ok()
}

/// Copies whole messages from `from` to `to` until either side closes, or
/// until `cut` says a message is where to cut: then it is dropped and both
/// sockets are shut.
fn pump(
    mut from: Box<dyn Duplex>,
    mut to: Box<dyn Duplex>,
    startup: bool,
    cut: impl Fn(u8, &[u8]) -> bool,
) {
    let mut first = startup;
    loop {
        let mut kind = [0u8; 1];
        if !first && from.read_exact(&mut kind).is_err() {
            break;
        }
        let mut length = [0u8; 4];
        if from.read_exact(&mut length).is_err() {
            break;
        }
        let body_len = (u32::from_be_bytes(length) as usize).saturating_sub(4);
        let mut body = vec![0u8; body_len];
        if from.read_exact(&mut body).is_err() {
            break;
        }
        // An SSL or GSS request is answered with one byte, unframed: the
        // clients here never send one (no TLS on these sockets).
        if !first && cut(kind[0], &body) {
            from.close();
            to.close();
            return;
        }
        let mut message = Vec::with_capacity(5 + body_len);
        if !first {
            message.push(kind[0]);
        }
        message.extend_from_slice(&length);
        message.extend_from_slice(&body);
        if to.write_all(&message).is_err() {
            break;
        }
        first = false;
    }
    from.close();
    to.close();
}
