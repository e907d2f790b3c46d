//! The real binary over a real socket: `southgraph serve` on an empty SQLite file binds,
//! migrates, imports the bundled data while answering 503 on `/health`, then answers HTTP,
//! and shuts down cleanly on SIGTERM.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

/// Sends one HTTP/1.1 request and returns the status line and body.
fn http(address: &str, request: &str) -> (String, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (head.lines().next().unwrap_or_default().to_owned(), body.to_owned())
}

#[test]
fn serve_imports_answers_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("southgraph-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut server = Command::new(env!("CARGO_BIN_EXE_southgraph"))
        .arg("serve")
        .env("SOUTHGRAPH_DATABASE_URL", format!("sqlite://{}/serve.db?mode=rwc", dir.display()))
        .env("SOUTHGRAPH_BIND", "127.0.0.1:0")
        .env("SOUTHGRAPH_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start southgraph");

    // The log line names the address the system chose; the whole log is kept.
    let (found, address) = mpsc::channel();
    let stderr = server.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut log = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                found.send(rest.split('/').next().unwrap_or_default().to_owned()).ok();
            }
            log.push(line);
        }
        log
    });
    let address = address.recv_timeout(Duration::from_secs(300)).expect("the server listens");

    // The port is bound before the import: /health answers 503 `importing` until it is done.
    let started = Instant::now();
    let body = loop {
        let (status, body) =
            http(&address, &format!("GET /health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"));
        if status.contains("200") {
            break body;
        }
        assert!(status.contains("503") && body.contains("\"status\":\"importing\""), "{status} {body}");
        assert!(started.elapsed() < Duration::from_secs(300), "the import did not finish");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(body.contains("\"database\":\"ok\""), "{body}");
    assert!(body.contains("\"stage\":\"ready\""), "{body}");

    let query = r#"{"query":"query Kenya { country(code: \"KEN\") { name flowsReceived { totalCount } } }","operationName":"Kenya"}"#;
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{query}",
        query.len()
    );
    let (status, body) = http(&address, &request);
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("\"name\":\"Kenya\""), "{body}");

    let pid = server.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status}");
    std::fs::remove_dir_all(dir).ok();

    // The log a person reads at `info`: one line per dataset, one line for the migrations,
    // one line per request (not for /health), and no PostgreSQL or per-migration chatter.
    let log = reader.join().expect("the log");
    let committed = log.iter().filter(|line| line.contains("import committed: ")).count();
    assert_eq!(committed, seed::Dataset::BUNDLED.len(), "{log:#?}");
    let gcof = log.iter().find(|line| line.contains("import committed: aiddata-gcof")).expect("GCOF's line");
    assert!(gcof.contains("rows written: flow 5466 new"), "more rows written than read says where: {gcof}");
    assert_eq!(log.iter().filter(|line| line.contains("database schema migrated")).count(), 1, "{log:#?}");
    assert!(!log.iter().any(|line| line.contains("Applying migration")), "{log:#?}");
    let requests: Vec<&String> = log.iter().filter(|line| line.contains("southgraph::request")).collect();
    assert_eq!(requests.len(), 1, "only the POST is logged at info, not /health: {requests:#?}");
    let request = requests[0];
    for part in ["method=POST", "path=\"/graphql\"", "operation=\"Kenya\"", "status=200", "ms=", "cost="] {
        assert!(request.contains(part), "{part} in {request}");
    }
}
