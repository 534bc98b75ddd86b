//! A `ce serve` process for the tests that drive it from outside: started
//! on port 0, its address read from the line it prints once it serves, and
//! stopped as an operator stops it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `ce serve`, killed when dropped.
pub struct Serving {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The lines it printed before serving (the first admin's password).
    pub before: Vec<String>,
}

impl Serving {
    /// Runs `serve` (a `ce ... serve --listen 127.0.0.1:0 ...` command)
    /// and waits for its `serving on` line; its stdout is drained after
    /// that, so the server never blocks on it.
    pub fn start(mut serve: Command) -> Self {
        let mut child = serve
            .stdout(Stdio::piped())
            .spawn()
            .expect("ce serve starts");
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let mut before = Vec::new();
        let base = loop {
            let line = lines
                .next()
                .expect("ce serve printed its address")
                .expect("utf-8");
            if let Some(rest) = line.strip_prefix("serving on ") {
                break rest
                    .split_whitespace()
                    .next()
                    .expect("an address")
                    .trim_end_matches('/')
                    .to_owned();
            }
            before.push(line);
        };
        std::thread::spawn(move || for _ in lines {});
        Self {
            child,
            base,
            before,
        }
    }

    /// Stops the server as an operator would (SIGTERM) and checks that it
    /// finished cleanly.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let exit = self.child.wait().expect("ce serve exits");
        assert!(exit.success(), "ce serve stopped with {exit:?}");
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
