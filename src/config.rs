//! Configuration read from the environment (and `.env`), validated once at start.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where the content lives: chosen explicitly from the URL scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    /// A libpq URL; it may hold a password, so it is a secret.
    Postgres(Secret),
}

impl fmt::Display for DatabaseUrl {
    /// Safe for logs: a PostgreSQL URL shows only its host and database.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => {
                let rest = url.expose().split_once("://").map_or("", |(_, r)| r);
                let host_and_db = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                let host_and_db = host_and_db.split('?').next().unwrap_or_default();
                write!(f, "postgres://{host_and_db}")
            }
        }
    }
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            // Fail fast on an unreachable server instead of waiting on TCP.
            let url = if raw.contains("connect_timeout=") {
                raw.to_string()
            } else if raw.contains('?') {
                format!("{raw}&connect_timeout=5")
            } else {
                format!("{raw}?connect_timeout=5")
            };
            return Ok(Self::Postgres(Secret::new(url)));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .unwrap_or(raw);
        if path.is_empty() {
            return Err(ConfigError::new("DATABASE_URL", "the SQLite path is empty"));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

/// What to load into an empty database at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SampleContent {
    Off,
    /// The clinic's sample content shipped inside the binary.
    Builtin,
    /// A content file of the same format as the built-in one.
    File(PathBuf),
}

impl SampleContent {
    fn parse(raw: &str) -> Self {
        match raw.trim().to_ascii_lowercase().as_str() {
            "" | "true" | "1" | "yes" | "on" => Self::Builtin,
            "false" | "0" | "no" | "off" => Self::Off,
            _ => Self::File(PathBuf::from(raw.trim())),
        }
    }
}

/// A value that must never reach a log line or a `Debug` print.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How the connection pool behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolSettings {
    /// Most connections open at once (`DATABASE_POOL_SIZE`).
    pub size: u32,
    /// Connections kept open when idle (`DATABASE_POOL_MIN_IDLE`).
    pub min_idle: u32,
    /// How long a request waits for a connection before a 503 (`DATABASE_TIMEOUT_SECS`).
    pub timeout: std::time::Duration,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub database_pool: PoolSettings,
    pub bind_addr: SocketAddr,
    /// Where clients reach this server (`PUBLIC_URL`), for absolute links
    /// to it in feeds; no trailing slash.
    pub public_url: String,
    pub jwt_secret: Option<Secret>,
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret>,
    pub sample_content: SampleContent,
    pub cors_allowed_origins: Vec<String>,
    /// `max-age` of public responses, in seconds.
    pub cache_max_age: u32,
    /// Bytes the public response cache may hold; 0 turns it off.
    pub cache_max_bytes: usize,
    /// How often each node checks whether another node wrote.
    pub cache_poll: std::time::Duration,
    /// How long a request body may take to arrive before `408`.
    pub request_timeout: std::time::Duration,
    /// Which proxies' `X-Forwarded-For` entries name the client (for login limits).
    pub trust_proxy: crate::client_ip::TrustProxy,
    /// The media library: where its bytes live and its limits.
    pub media: crate::media::MediaSettings,
    pub webhooks: crate::webhooks::WebhookSettings,
    /// Pages per sitemap file (the protocol's most, 50,000; fewer in tests).
    pub sitemap_urls: i64,
}

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl ConfigError {
    fn new(variable: &'static str, message: impl Into<String>) -> Self {
        Self {
            variable,
            message: message.into(),
        }
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/clinic-cms.db";
pub const DEFAULT_BIND_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_MEDIA_DIR: &str = "data/media";

impl Config {
    /// Reads the process environment, after loading `.env` when one is present.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is reported by the parse below.
        let _ = dotenvy::dotenv();
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Builds the configuration from any key lookup, so tests need no global state.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let database_url = DatabaseUrl::parse(
            &get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
        )?;
        let bind_addr = get("BIND_ADDR")
            .unwrap_or_else(|| DEFAULT_BIND_ADDR.into())
            .parse()
            .map_err(|_| {
                ConfigError::new("BIND_ADDR", "expected HOST:PORT, e.g. 127.0.0.1:8080")
            })?;
        let public_url = match get("PUBLIC_URL") {
            None => format!("http://{bind_addr}"),
            Some(url) => {
                let url = url.trim().trim_end_matches('/').to_string();
                let origin = url
                    .strip_prefix("https://")
                    .or_else(|| url.strip_prefix("http://"));
                if origin.is_none_or(|rest| rest.is_empty() || rest.contains(['?', '#', ' '])) {
                    return Err(ConfigError::new(
                        "PUBLIC_URL",
                        "expected an http(s) URL such as https://cms.example-clinic.com",
                    ));
                }
                url
            }
        };
        let jwt_secret = match get("JWT_SECRET") {
            Some(s) if s.len() < 32 => {
                return Err(ConfigError::new("JWT_SECRET", "must be at least 32 bytes"))
            }
            other => other.map(Secret::new),
        };
        Ok(Self {
            database_url,
            database_pool: PoolSettings {
                size: parse_number(&get, "DATABASE_POOL_SIZE", 8, 1..=256)?,
                min_idle: parse_number(&get, "DATABASE_POOL_MIN_IDLE", 1, 0..=256)?,
                timeout: parse_number(&get, "DATABASE_TIMEOUT_SECS", 5, 1..=300).map(secs)?,
            },
            bind_addr,
            public_url,
            jwt_secret,
            admin_email: get("ADMIN_EMAIL"),
            admin_password: get("ADMIN_PASSWORD").map(Secret::new),
            sample_content: get("SAMPLE_CONTENT")
                .map(|v| SampleContent::parse(&v))
                .unwrap_or(SampleContent::Builtin),
            cors_allowed_origins: get("CORS_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().to_string())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            cache_max_age: parse_number(&get, "CACHE_MAX_AGE", 60, 0..=31_536_000)?,
            cache_max_bytes: parse_number(&get, "CACHE_MAX_MB", 64, 0..=65_536)? as usize
                * 1024
                * 1024,
            cache_poll: parse_number(&get, "CACHE_POLL_MS", 1000, 10..=60_000).map(millis)?,
            request_timeout: parse_number(&get, "REQUEST_TIMEOUT_SECS", 10, 1..=3600).map(secs)?,
            trust_proxy: crate::client_ip::TrustProxy::parse(
                &get("TRUST_PROXY").unwrap_or_default(),
            )
            .map_err(|m| {
                ConfigError::new(
                    "TRUST_PROXY",
                    format!("{m}; expected false, a number of proxies, or their addresses"),
                )
            })?,
            media: crate::media::MediaSettings {
                store: crate::media::StoreConfig::parse(
                    get("MEDIA_STORE").as_deref(),
                    &get("MEDIA_DIR").unwrap_or_else(|| DEFAULT_MEDIA_DIR.into()),
                )
                .map_err(|m| ConfigError::new("MEDIA_STORE", m))?,
                max_bytes: parse_number(&get, "MEDIA_MAX_MB", 20, 1..=1024)? as usize * 1024 * 1024,
                max_pixels: u64::from(parse_number(&get, "MEDIA_MAX_MEGAPIXELS", 50, 1..=1000)?)
                    * 1_000_000,
                workers: parse_number(&get, "MEDIA_WORKERS", 1, 1..=64)? as usize,
                cache_bytes: u64::from(parse_number(&get, "MEDIA_CACHE_MB", 64, 0..=65_536)?)
                    * 1024
                    * 1024,
            },
            webhooks: webhook_settings(&get)?,
            sitemap_urls: parse_number(&get, "SITEMAP_URLS_PER_FILE", 50_000, 1..=50_000)?.into(),
        })
    }
}

/// `WEBHOOK_*`: where webhooks may go, how they are retried and timed.
fn webhook_settings(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<crate::webhooks::WebhookSettings, ConfigError> {
    let defaults = crate::webhooks::WebhookSettings::default();
    let flag = |variable: &'static str| match get(variable).as_deref().map(str::trim) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(ConfigError::new(variable, "expected true or false")),
    };
    let retry_schedule = match get("WEBHOOK_RETRY_SECS") {
        None => defaults.retry_schedule,
        Some(raw) => raw
            .split(',')
            .map(|n| n.trim().parse::<u64>().ok().filter(|n| *n <= 7 * 24 * 3600))
            .collect::<Option<Vec<u64>>>()
            .filter(|waits| waits.len() <= 20)
            .ok_or_else(|| {
                ConfigError::new(
                    "WEBHOOK_RETRY_SECS",
                    "expected at most 20 waits in seconds, comma-separated, e.g. 5,300,1800",
                )
            })?
            .into_iter()
            .map(Duration::from_secs)
            .collect(),
    };
    Ok(crate::webhooks::WebhookSettings {
        allow_private: flag("WEBHOOK_ALLOW_PRIVATE")?,
        allow_http: flag("WEBHOOK_ALLOW_HTTP")?,
        retry_schedule,
        disable_after: parse_number(get, "WEBHOOK_DISABLE_AFTER_SECS", 432_000, 1..=31_536_000)
            .map(secs)?,
        connect_timeout: parse_number(get, "WEBHOOK_CONNECT_TIMEOUT_SECS", 5, 1..=60).map(secs)?,
        timeout: parse_number(get, "WEBHOOK_TIMEOUT_SECS", 15, 1..=120).map(secs)?,
        poll: parse_number(get, "WEBHOOK_POLL_MS", 1000, 10..=60_000).map(millis)?,
        retention: parse_number(get, "WEBHOOK_RETENTION_DAYS", 30, 0..=3650)
            .map(|days| secs(days * 86_400))?,
    })
}

fn secs(n: u32) -> Duration {
    Duration::from_secs(n.into())
}

fn millis(n: u32) -> Duration {
    Duration::from_millis(n.into())
}

fn parse_number(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ConfigError> {
    let Some(raw) = get(variable) else {
        return Ok(default);
    };
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            ConfigError::new(
                variable,
                format!(
                    "expected a whole number in {}..={}",
                    range.start(),
                    range.end()
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_match_the_contract() {
        let c = config(&[]).unwrap();
        assert_eq!(
            c.database_url,
            DatabaseUrl::Sqlite(PathBuf::from("data/clinic-cms.db"))
        );
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.sample_content, SampleContent::Builtin);
        assert!(c.jwt_secret.is_none());
        assert!(c.cors_allowed_origins.is_empty());
    }

    #[test]
    fn sqlite_urls_and_bare_paths_are_accepted() {
        for (raw, path) in [
            ("sqlite://x/y.db", "x/y.db"),
            ("sqlite:///abs/y.db", "/abs/y.db"),
            ("plain.db", "plain.db"),
        ] {
            assert_eq!(
                DatabaseUrl::parse(raw).unwrap(),
                DatabaseUrl::Sqlite(PathBuf::from(path))
            );
        }
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn postgres_urls_get_a_connect_timeout_and_never_print_their_password() {
        let url = DatabaseUrl::parse("postgres://cms:s3cret@db.internal:5432/clinic").unwrap();
        let DatabaseUrl::Postgres(secret) = &url else {
            panic!()
        };
        assert!(secret.expose().ends_with("?connect_timeout=5"));
        assert_eq!(url.to_string(), "postgres://db.internal:5432/clinic");
        assert!(!format!("{url:?}").contains("s3cret"));
    }

    #[test]
    fn short_jwt_secret_is_refused_and_never_printed() {
        assert!(config(&[("JWT_SECRET", "short")]).is_err());
        let c = config(&[("JWT_SECRET", "0123456789abcdef0123456789abcdef")]).unwrap();
        assert!(!format!("{c:?}").contains("0123456789abcdef"));
    }

    #[test]
    fn sample_content_switch() {
        let off = config(&[("SAMPLE_CONTENT", "false")]).unwrap();
        assert_eq!(off.sample_content, SampleContent::Off);
        let file = config(&[("SAMPLE_CONTENT", "seed.json")]).unwrap();
        assert_eq!(file.sample_content, SampleContent::File("seed.json".into()));
    }

    #[test]
    fn bad_numbers_are_refused() {
        assert!(config(&[("DATABASE_POOL_SIZE", "0")]).is_err());
        assert!(config(&[("BIND_ADDR", "nowhere")]).is_err());
    }
}
