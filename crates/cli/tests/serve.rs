//! The binary as an operator runs it: configuration from flags, environment
//! and file; migrations; health; graceful stop on SIGTERM.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn binary() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("reciprocity"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A bare HTTP/1.1 GET; returns the status line.
fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.lines().next().map(str::to_owned)
}

fn wait_healthy(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if get(port, "/healthz").is_some_and(|s| s.contains(" 200 ")) {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("server exited early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("server not healthy on port {port}");
}

fn stop(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn migrate_creates_the_database_and_can_run_again() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    for _ in 0..2 {
        let out = binary()
            .args(["migrate", "--database", &url])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied (sqlite)"));
    }
    assert!(dir.path().join("m.db").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("m.db"))
            .expect("database file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the database is its owner's alone");
    }
}

#[test]
fn serve_reads_the_config_file_lets_flags_win_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let (file_port, flag_port) = (free_port(), free_port());
    let (file_metrics_port, flag_metrics_port) = (free_port(), free_port());
    let config = dir.path().join("reciprocity.toml");
    std::fs::write(
        &config,
        format!(
            "database = \"sqlite://{}\"\nbind = \"127.0.0.1:{file_port}\"\nlog_format = \"json\"\n\
             metrics_bind = \"127.0.0.1:{file_metrics_port}\"\n",
            dir.path().join("c.db").display()
        ),
    )
    .expect("write config");

    // The file alone decides the address...
    let mut from_file = binary()
        .args(["serve", "--config"])
        .arg(&config)
        .env_remove("DATABASE_URL")
        .env_remove("RECIPROCITY_BIND")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    wait_healthy(file_port, &mut from_file);
    // Metrics only where the operator asked for them.
    assert!(get(file_metrics_port, "/metrics").is_some_and(|s| s.contains(" 200 ")));
    assert!(get(file_port, "/metrics").is_some_and(|s| s.contains(" 404 ")));
    let status = stop(&mut from_file);
    assert!(status.success(), "graceful exit, got {status}");
    let mut logs = String::new();
    from_file
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut logs)
        .expect("logs");
    assert!(
        logs.contains("\"message\":\"serving\"") && logs.contains("\"message\":\"stopped\""),
        "{logs}"
    );
    assert!(
        dir.path().join("c.db").exists(),
        "the file's database was used"
    );

    // ...the environment beats the file, and a flag beats both.
    let mut overridden = binary()
        .args(["serve", "--config"])
        .arg(&config)
        .args(["--bind", &format!("127.0.0.1:{flag_port}")])
        .args(["--metrics-bind", &format!("127.0.0.1:{flag_metrics_port}")])
        .env("RECIPROCITY_BIND", format!("127.0.0.1:{file_port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("env.db").display()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_healthy(flag_port, &mut overridden);
    assert!(
        get(file_port, "/healthz").is_none(),
        "nothing listens on the overridden address"
    );
    assert!(get(flag_metrics_port, "/metrics").is_some_and(|s| s.contains(" 200 ")));
    assert!(
        get(file_metrics_port, "/metrics").is_none(),
        "the flag's metrics address beat the file's"
    );
    assert!(stop(&mut overridden).success());
    assert!(
        dir.path().join("env.db").exists(),
        "DATABASE_URL beat the file"
    );
}

#[test]
fn bad_configuration_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "databse = \"sqlite://x.db\"\n").expect("write");
    let out = binary()
        .args(["migrate", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid config file") && stderr.contains("databse"),
        "{stderr}"
    );

    let out = binary()
        .args(["migrate", "--database", "mysql://localhost/x"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
}
