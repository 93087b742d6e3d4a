//! Configuration: flags first, then environment (`RECIPROCITY_*`,
//! `DATABASE_URL`), then an optional TOML file, then defaults.

use std::path::PathBuf;

use anyhow::Context;
use serde::Deserialize;

const DEFAULT_DATABASE_URL: &str = "sqlite://reciprocity.db";
const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://FILE (default sqlite://reciprocity.db) or postgres://…
    #[arg(long, env = "DATABASE_URL")]
    database: Option<String>,
    /// Optional TOML configuration file.
    #[arg(long, env = "RECIPROCITY_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "RECIPROCITY_BIND")]
    bind: Option<String>,
    /// The address people use to reach the server, e.g. https://notes.example.org.
    /// An https address makes cookies `Secure`.
    #[arg(long, env = "RECIPROCITY_PUBLIC_URL")]
    public_url: Option<String>,
    /// Where the quick-exit control sends the browser.
    #[arg(long, env = "RECIPROCITY_EXIT_URL")]
    exit_url: Option<String>,
    /// Log format: json (default) or text.
    #[arg(long, env = "RECIPROCITY_LOG_FORMAT")]
    log_format: Option<String>,
    /// Trust X-Forwarded-For from a reverse proxy for the client address.
    #[arg(long, env = "RECIPROCITY_TRUST_PROXY")]
    trust_proxy: Option<bool>,
    /// Serve GET /metrics (Prometheus text) on this address, e.g. 127.0.0.1:9090.
    /// Off by default; never on the public address, since the counters show
    /// when the server is used.
    #[arg(long, env = "RECIPROCITY_METRICS_BIND")]
    metrics_bind: Option<String>,
}

/// The TOML file: every key optional, same names as the flags.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database: Option<String>,
    bind: Option<String>,
    public_url: Option<String>,
    exit_url: Option<String>,
    log_format: Option<String>,
    trust_proxy: Option<bool>,
    metrics_bind: Option<String>,
    session_idle_minutes: Option<i64>,
    /// The idle limit in seconds; wins over `session_idle_minutes`. Meant
    /// for tests that watch a session run out without waiting minutes.
    session_idle_seconds: Option<i64>,
    session_max_hours: Option<i64>,
    header_read_timeout_secs: Option<u64>,
    request_body_timeout_secs: Option<u64>,
    max_connections: Option<usize>,
    max_connections_per_client: Option<usize>,
}

impl FileConfig {
    fn load(path: Option<&PathBuf>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
    }
}

pub struct Settings {
    pub database_url: String,
    pub bind: String,
    /// Where `/metrics` is served; `None`: nowhere.
    pub metrics_bind: Option<String>,
    pub log_format: String,
    pub web: web::Config,
}

impl Settings {
    pub fn resolve(args: ServeArgs) -> anyhow::Result<Self> {
        let file = FileConfig::load(args.db.config.as_ref())?;
        let mut web = web::Config::default();
        if let Some(url) = args.public_url.or(file.public_url) {
            web.public_url = Some(url);
        }
        if let Some(url) = args.exit_url.or(file.exit_url) {
            web.exit_url = url;
        }
        if let Some(trust) = args.trust_proxy.or(file.trust_proxy) {
            web.trust_proxy = trust;
        }
        if let Some(minutes) = file.session_idle_minutes {
            web.session_idle = chrono::Duration::minutes(minutes);
        }
        if let Some(seconds) = file.session_idle_seconds {
            web.session_idle = chrono::Duration::seconds(seconds);
        }
        if let Some(hours) = file.session_max_hours {
            web.session_max = chrono::Duration::hours(hours);
        }
        if let Some(secs) = file.header_read_timeout_secs {
            web.header_read_timeout = std::time::Duration::from_secs(secs);
        }
        if let Some(secs) = file.request_body_timeout_secs {
            web.request_body_timeout = std::time::Duration::from_secs(secs);
        }
        if let Some(n) = file.max_connections {
            web.max_connections = n;
        }
        if let Some(n) = file.max_connections_per_client {
            web.max_connections_per_client = n;
        }
        Ok(Self {
            database_url: args
                .db
                .database
                .or(file.database)
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            bind: args
                .bind
                .or(file.bind)
                .unwrap_or_else(|| DEFAULT_BIND.to_owned()),
            metrics_bind: args.metrics_bind.or(file.metrics_bind),
            log_format: args
                .log_format
                .or(file.log_format)
                .unwrap_or_else(|| "json".to_owned()),
            web,
        })
    }
}

pub fn resolve_database_url(args: DatabaseArgs) -> anyhow::Result<String> {
    let file = FileConfig::load(args.config.as_ref())?;
    Ok(args
        .database
        .or(file.database)
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Serve {
        #[command(flatten)]
        args: ServeArgs,
    }

    #[test]
    fn the_file_sets_the_metrics_address_and_the_connection_limits() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("r.toml");
        std::fs::write(
            &file,
            "metrics_bind = \"127.0.0.1:9999\"\n\
             header_read_timeout_secs = 5\n\
             request_body_timeout_secs = 7\n\
             max_connections = 100\n\
             max_connections_per_client = 9\n",
        )
        .expect("write");
        let path = file.to_str().expect("utf-8");
        let serve = Serve::try_parse_from(["serve", "--config", path]).expect("args");
        let settings = Settings::resolve(serve.args).expect("settings");
        assert_eq!(settings.metrics_bind.as_deref(), Some("127.0.0.1:9999"));
        let web = settings.web;
        assert_eq!(web.header_read_timeout, std::time::Duration::from_secs(5));
        assert_eq!(web.request_body_timeout, std::time::Duration::from_secs(7));
        assert_eq!(
            (web.max_connections, web.max_connections_per_client),
            (100, 9)
        );

        let serve = Serve::try_parse_from(["serve", "--config", path, "--metrics-bind", "[::1]:9"])
            .expect("args");
        let settings = Settings::resolve(serve.args).expect("settings");
        assert_eq!(
            settings.metrics_bind.as_deref(),
            Some("[::1]:9"),
            "the flag wins"
        );
    }

    #[test]
    fn metrics_are_off_unless_asked_for() {
        let serve = Serve::try_parse_from(["serve"]).expect("args");
        if std::env::var_os("RECIPROCITY_METRICS_BIND").is_none() {
            assert_eq!(
                Settings::resolve(serve.args)
                    .expect("settings")
                    .metrics_bind,
                None
            );
        }
    }

    fn resolve_file(toml: &str) -> Settings {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("r.toml");
        std::fs::write(&file, toml).expect("write");
        let path = file.to_str().expect("utf-8");
        let serve = Serve::try_parse_from(["serve", "--config", path]).expect("args");
        Settings::resolve(serve.args).expect("settings")
    }

    #[test]
    fn the_idle_limit_comes_in_minutes_or_seconds_and_seconds_win() {
        assert_eq!(
            resolve_file("session_idle_minutes = 5\n").web.session_idle,
            chrono::Duration::minutes(5)
        );
        assert_eq!(
            resolve_file("session_idle_seconds = 8\n").web.session_idle,
            chrono::Duration::seconds(8)
        );
        assert_eq!(
            resolve_file("session_idle_minutes = 5\nsession_idle_seconds = 8\n")
                .web
                .session_idle,
            chrono::Duration::seconds(8)
        );
        assert_eq!(
            resolve_file("").web.session_idle,
            web::Config::default().session_idle
        );
    }
}
