//! The release binary serving a fresh SQLite file, for the benchmarks that measure the whole
//! HTTP stack on loopback. It imports the bundled data on its first start; callers wait for
//! it to be ready.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

/// A running `southgraph serve`, stopped and its files removed when dropped.
pub struct Served {
    /// Where it listens, `host:port`.
    pub address: String,
    child: Child,
    dir: PathBuf,
}

impl Served {
    /// Starts the server on a SQLite file of its own (named after `name`), rate limiting off,
    /// with these settings (`SOUTHGRAPH_…` variables) besides.
    pub fn start(name: &str, settings: &[(&str, &str)]) -> Self {
        let dir = std::env::temp_dir().join(format!("southgraph-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut child = Command::new(env!("CARGO_BIN_EXE_southgraph"))
            .arg("serve")
            .env("SOUTHGRAPH_DATABASE_URL", format!("sqlite://{}/{name}.db?mode=rwc", dir.display()))
            .env("SOUTHGRAPH_BIND", "127.0.0.1:0")
            .env("SOUTHGRAPH_RATE_LIMIT", "off")
            .env("SOUTHGRAPH_LOG", "warn,southgraph=info")
            .envs(settings.iter().copied())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start southgraph");
        let stderr = child.stderr.take().expect("the server's stderr");
        let (found, address) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    found.send(rest.split('/').next().unwrap_or_default().to_owned()).ok();
                }
            }
        });
        let address = address.recv_timeout(Duration::from_secs(300)).expect("the server listens");
        Self { address, child, dir }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
        std::fs::remove_dir_all(&self.dir).ok();
    }
}
