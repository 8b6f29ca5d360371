//! A real `siproc-server serve` process whose log (standard error) the test reads, and which
//! the test stops with SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The server binary.
const BIN: &str = env!("CARGO_BIN_EXE_siproc-server");

/// A running server and everything it has logged so far.
pub struct LoggedServer {
    child: Child,
    /// `http://127.0.0.1:PORT/api/v1`.
    pub base: String,
    log: Arc<Mutex<String>>,
}

impl LoggedServer {
    /// `siproc-server serve ARGS` with `env` added to this process's environment (without
    /// `RUST_LOG`, so that the test decides the level).
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> LoggedServer {
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(args)
            .env_remove("RUST_LOG")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the server");
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.wait();
                panic!(
                    "the server stopped before listening: {}",
                    log.lock().unwrap()
                );
            };
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep draining stdout so that the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        LoggedServer { child, base, log }
    }

    /// What it has written to standard error so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until its log holds a line with every one of `needles`.
    pub async fn logged(&self, needles: &[&str]) {
        for _ in 0..3000 {
            if self
                .log()
                .lines()
                .any(|line| needles.iter().all(|n| line.contains(n)))
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no log line with {needles:?} in:\n{}", self.log());
    }

    /// Sends SIGTERM (what systemd, Kubernetes and `podman stop` send).
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to end; its exit status and its whole log.
    pub fn wait(mut self) -> (ExitStatus, String) {
        let status = self.child.wait().unwrap();
        // The reader thread sees the end of the pipe right after the process ends.
        for _ in 0..500 {
            if Arc::strong_count(&self.log) == 1 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        (status, self.log())
    }
}

impl Drop for LoggedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
