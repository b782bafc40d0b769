//! Configuration: built-in defaults, then a TOML file (`--config`), then `KOSHU_*` environment
//! variables, then command-line flags. Unknown keys are errors that name the key; secrets are
//! masked wherever the configuration is printed or logged.

use koshu_credentials::keys::MasterKey;
use koshu_store::{S3Config, Secret};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("configuration file {path}, line {line}: {message}")]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    #[error("unknown environment variable {0}: no such setting (see `koshu config show`)")]
    UnknownEnv(String),
    #[error(
        "files.backend = \"s3\" needs a [files.s3] section with bucket, access_key_id and secret_access_key"
    )]
    MissingS3,
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FilesBackend {
    #[default]
    Local,
    S3,
}

/// A URL (database, SMTP) whose password never reaches a log.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretUrl(String);

impl SecretUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // scheme://user:password@host → scheme://user:********@host
        let url = &self.0;
        if let (Some(scheme_end), Some(at)) = (url.find("://"), url.rfind('@')) {
            let credentials = &url[scheme_end + 3..at];
            if let Some(colon) = credentials.find(':') {
                return write!(
                    f,
                    "{}:********{}",
                    &url[..scheme_end + 3 + colon],
                    &url[at..]
                );
            }
        }
        f.write_str(url)
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<SecretUrl>,
    pub log_format: LogFormat,
    /// The address people reach the site at, used in links sent by mail; cookies are marked
    /// Secure when it is https. Default: `http://<listen>` (`http://localhost:<port>` on loopback).
    pub public_url: Option<String>,
    /// SMTP server that delivers the outbox (`smtp://`, `smtps://`); without it mail stays in
    /// the outbox, readable by administrators.
    pub smtp_url: Option<SecretUrl>,
    /// Sender of every mail, e.g. `Koshu <noreply@example.jp>`; required with `smtp_url`.
    pub mail_from: Option<String>,
    /// The token a Prometheus scraper sends (`Authorization: Bearer …`) to read `/metrics`;
    /// without it `/metrics` is not served.
    pub metrics_token: Option<Secret>,
    /// 64 hexadecimal digits: seals the providers' certificate-signing keys in the database.
    /// Give every node the same one. Without it, the key is kept in `<data_dir>/master.key`
    /// (made on first start), which suits the embedded default only.
    pub master_key: Option<Secret>,
    pub database: DatabaseSettings,
    pub files: FilesSettings,
    pub reports: ReportSettings,
}

/// When designated courses' implementation reports are due (issue 19 item 2).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSettings {
    /// The day of the following month a monthly report is due (1–28; default 10).
    pub monthly_due_day: u8,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            monthly_due_day: koshu_domain::reports::DEFAULT_MONTHLY_DUE_DAY,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    pub max_connections: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesSettings {
    pub backend: FilesBackend,
    /// Default: `<data_dir>/files`.
    pub dir: Option<PathBuf>,
    pub s3: Option<S3Config>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            log_format: LogFormat::Human,
            public_url: None,
            smtp_url: None,
            mail_from: None,
            metrics_token: None,
            master_key: None,
            database: DatabaseSettings::default(),
            files: FilesSettings::default(),
            reports: ReportSettings::default(),
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            max_connections: 16,
        }
    }
}

/// The environment variables that override settings. `KOSHU_TEST_*` belong to the test suite.
const ENV_KEYS: &[&str] = &[
    "KOSHU_CONFIG",
    "KOSHU_LISTEN",
    "KOSHU_DATA_DIR",
    "KOSHU_DATABASE_URL",
    "KOSHU_LOG_FORMAT",
    "KOSHU_PUBLIC_URL",
    "KOSHU_SMTP_URL",
    "KOSHU_MAIL_FROM",
    "KOSHU_METRICS_TOKEN",
    "KOSHU_MASTER_KEY",
    "KOSHU_DATABASE_MAX_CONNECTIONS",
    "KOSHU_FILES_BACKEND",
    "KOSHU_FILES_DIR",
    "KOSHU_S3_BUCKET",
    "KOSHU_S3_ENDPOINT",
    "KOSHU_S3_REGION",
    "KOSHU_S3_ACCESS_KEY_ID",
    "KOSHU_S3_SECRET_ACCESS_KEY",
    "KOSHU_S3_ALLOW_HTTP",
    "KOSHU_REPORTS_MONTHLY_DUE_DAY",
];

impl Config {
    /// Reads the file (if any) and applies the environment, given as name/value pairs.
    pub fn load(file: Option<&Path>, env: &[(String, String)]) -> Result<Self, ConfigError> {
        let mut config = match file {
            Some(path) => Self::from_file(path)?,
            None => Self::default(),
        };
        config.apply_env(env)?;
        config.check()?;
        Ok(config)
    }

    fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| {
            let line = e.span().map_or(1, |span| {
                text[..span.start.min(text.len())].matches('\n').count() + 1
            });
            ConfigError::Parse {
                path: shown,
                line,
                message: e.message().replace('\n', " "),
            }
        })
    }

    fn apply_env(&mut self, env: &[(String, String)]) -> Result<(), ConfigError> {
        for (name, value) in env {
            let bad = |message: &str| ConfigError::Env {
                name: name.clone(),
                message: message.to_owned(),
            };
            match name.as_str() {
                "DATABASE_URL" | "KOSHU_DATABASE_URL" => {
                    self.database_url = Some(SecretUrl::new(value))
                }
                "KOSHU_LISTEN" => {
                    self.listen = value
                        .parse()
                        .map_err(|_| bad("expected an address such as 127.0.0.1:8080"))?
                }
                "KOSHU_DATA_DIR" => self.data_dir = PathBuf::from(value),
                "KOSHU_PUBLIC_URL" => self.public_url = Some(value.clone()),
                "KOSHU_SMTP_URL" => self.smtp_url = Some(SecretUrl::new(value)),
                "KOSHU_MAIL_FROM" => self.mail_from = Some(value.clone()),
                "KOSHU_METRICS_TOKEN" => self.metrics_token = Some(Secret::new(value)),
                "KOSHU_MASTER_KEY" => self.master_key = Some(Secret::new(value)),
                "KOSHU_LOG_FORMAT" => {
                    self.log_format = match value.as_str() {
                        "human" => LogFormat::Human,
                        "json" => LogFormat::Json,
                        _ => return Err(bad("expected human or json")),
                    }
                }
                "KOSHU_DATABASE_MAX_CONNECTIONS" => {
                    self.database.max_connections =
                        value.parse().map_err(|_| bad("expected a whole number"))?;
                }
                "KOSHU_FILES_BACKEND" => {
                    self.files.backend = match value.as_str() {
                        "local" => FilesBackend::Local,
                        "s3" => FilesBackend::S3,
                        _ => return Err(bad("expected local or s3")),
                    }
                }
                "KOSHU_FILES_DIR" => self.files.dir = Some(PathBuf::from(value)),
                "KOSHU_S3_BUCKET" => self.s3_mut().bucket.clone_from(value),
                "KOSHU_S3_ENDPOINT" => self.s3_mut().endpoint = Some(value.clone()),
                "KOSHU_S3_REGION" => self.s3_mut().region.clone_from(value),
                "KOSHU_S3_ACCESS_KEY_ID" => self.s3_mut().access_key_id.clone_from(value),
                "KOSHU_S3_SECRET_ACCESS_KEY" => {
                    self.s3_mut().secret_access_key = Secret::new(value)
                }
                "KOSHU_S3_ALLOW_HTTP" => {
                    self.s3_mut().allow_http = matches!(value.as_str(), "1" | "true" | "yes")
                }
                "KOSHU_REPORTS_MONTHLY_DUE_DAY" => {
                    self.reports.monthly_due_day = value
                        .parse()
                        .map_err(|_| bad("expected a day of the month, 1 to 28"))?;
                }
                "KOSHU_CONFIG" => {}
                other
                    if other.starts_with("KOSHU_")
                        && !other.starts_with("KOSHU_TEST_")
                        && !ENV_KEYS.contains(&other) =>
                {
                    return Err(ConfigError::UnknownEnv(other.to_owned()));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn s3_mut(&mut self) -> &mut S3Config {
        self.files.s3.get_or_insert_with(|| S3Config {
            bucket: String::new(),
            endpoint: None,
            region: "us-east-1".to_owned(),
            access_key_id: String::new(),
            secret_access_key: Secret::new(""),
            allow_http: false,
        })
    }

    /// How the web layer is set up: its address, mail, who may read `/metrics`, and the key
    /// that seals certificate-signing keys.
    pub fn web_settings(&self) -> Result<koshu_web::WebSettings, ConfigError> {
        Ok(
            koshu_web::WebSettings::new(&self.public_url(), self.smtp_url.is_some())
                .with_metrics_token(self.metrics_token.as_ref().map(|t| t.expose().to_owned()))
                .with_master_key(self.master_key()?)
                .with_report_due_day(self.reports.monthly_due_day),
        )
    }

    /// The configured master key, or the one kept in `<data_dir>/master.key` (made with
    /// owner-only permissions on first use). Never logged.
    pub fn master_key(&self) -> Result<MasterKey, ConfigError> {
        let invalid =
            |what: &str, e: &dyn fmt::Display| ConfigError::Invalid(format!("{what}: {e}"));
        if let Some(key) = &self.master_key {
            return MasterKey::from_hex(key.expose()).map_err(|e| invalid("master_key", &e));
        }
        let path = self.data_dir.join("master.key");
        let shown = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => MasterKey::from_hex(&text).map_err(|e| invalid(&shown, &e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(|e| invalid("master key", &e))?;
                std::fs::create_dir_all(&self.data_dir).map_err(|e| invalid(&shown, &e))?;
                write_private(&path, &hex::encode(bytes)).map_err(|e| invalid(&shown, &e))?;
                tracing::warn!(path = %shown, "made a master key for certificate-signing keys; on more than one node, set master_key (KOSHU_MASTER_KEY) instead");
                MasterKey::from_hex(&hex::encode(bytes)).map_err(|e| invalid(&shown, &e))
            }
            Err(e) => Err(invalid(&shown, &e)),
        }
    }

    /// Where people reach the site (no trailing slash). On a loopback address the default is
    /// `localhost`, not the IP address: browsers accept passkeys only for a host name.
    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| {
            if self.listen.ip().is_loopback() {
                format!("http://localhost:{}", self.listen.port())
            } else {
                format!("http://{}", self.listen)
            }
        })
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.smtp_url.is_some() && self.mail_from.is_none() {
            return Err(ConfigError::Invalid(
                "smtp_url needs mail_from, the sender address (e.g. Koshu <noreply@example.jp>)"
                    .to_owned(),
            ));
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError::Invalid(format!(
                "public_url must start with http:// or https:// (got {url})"
            )));
        }
        if !(1..=28).contains(&self.reports.monthly_due_day) {
            return Err(ConfigError::Invalid(format!(
                "reports.monthly_due_day must be a day that every month has, 1 to 28 (got {})",
                self.reports.monthly_due_day
            )));
        }
        if self.files.backend == FilesBackend::S3 {
            match &self.files.s3 {
                Some(s3)
                    if !s3.bucket.is_empty()
                        && !s3.access_key_id.is_empty()
                        && !s3.secret_access_key.expose().is_empty() => {}
                _ => return Err(ConfigError::MissingS3),
            }
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose().to_owned(),
            None => format!("sqlite://{}", self.data_dir.join("koshu.db").display()),
        }
    }

    pub fn files_config(&self) -> koshu_store::FilesConfig {
        match (&self.files.backend, &self.files.s3) {
            (FilesBackend::S3, Some(s3)) => koshu_store::FilesConfig::S3(s3.clone()),
            _ => koshu_store::FilesConfig::Local {
                dir: self
                    .files
                    .dir
                    .clone()
                    .unwrap_or_else(|| self.data_dir.join("files")),
            },
        }
    }

    /// The effective configuration as TOML, with every secret masked.
    pub fn show(&self) -> String {
        let mut out = String::new();
        let url = self
            .database_url
            .as_ref()
            .map_or_else(|| self.database_url(), ToString::to_string);
        out.push_str(&format!("listen = \"{}\"\n", self.listen));
        out.push_str(&format!(
            "data_dir = {}\n",
            quote(&self.data_dir.display().to_string())
        ));
        out.push_str(&format!("database_url = {}\n", quote(&url)));
        out.push_str(&format!(
            "log_format = \"{}\"\n",
            if self.log_format == LogFormat::Json {
                "json"
            } else {
                "human"
            }
        ));
        out.push_str(&format!("public_url = {}\n", quote(&self.public_url())));
        if let Some(url) = &self.smtp_url {
            out.push_str(&format!("smtp_url = {}\n", quote(&url.to_string())));
        }
        if let Some(from) = &self.mail_from {
            out.push_str(&format!("mail_from = {}\n", quote(from)));
        }
        out.push_str(&format!(
            "\n[database]\nmax_connections = {}\n",
            self.database.max_connections
        ));
        out.push_str(&format!(
            "\n[reports]\nmonthly_due_day = {}\n",
            self.reports.monthly_due_day
        ));
        out.push_str(&format!(
            "\n[files]\nbackend = \"{}\"\n",
            if self.files.backend == FilesBackend::S3 {
                "s3"
            } else {
                "local"
            }
        ));
        if self.files.backend == FilesBackend::Local {
            let dir = self
                .files
                .dir
                .clone()
                .unwrap_or_else(|| self.data_dir.join("files"));
            out.push_str(&format!("dir = {}\n", quote(&dir.display().to_string())));
        }
        if let Some(s3) = &self.files.s3 {
            out.push_str(&format!(
                "\n[files.s3]\nbucket = {}\nendpoint = {}\nregion = {}\naccess_key_id = {}\nsecret_access_key = \"{}\"\nallow_http = {}\n",
                quote(&s3.bucket),
                quote(s3.endpoint.as_deref().unwrap_or("")),
                quote(&s3.region),
                quote(&s3.access_key_id),
                s3.secret_access_key,
                s3.allow_http
            ));
        }
        out
    }
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// Writes a secret readable by its owner only (where the system has such permissions).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let f = file("listen = \"127.0.0.1:9000\"\nlisten_port = 1\n");
        let err = Config::load(Some(f.path()), &[]).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("listen_port"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }

    #[test]
    fn unknown_nested_key_is_named() {
        let f = file("[files]\nbakend = \"s3\"\n");
        let err = Config::load(Some(f.path()), &[]).unwrap_err().to_string();
        assert!(err.contains("bakend"), "{err}");
    }

    #[test]
    fn environment_overrides_file() {
        let f = file("listen = \"127.0.0.1:9000\"\n");
        let env = vec![("KOSHU_LISTEN".to_owned(), "127.0.0.1:9100".to_owned())];
        assert_eq!(
            Config::load(Some(f.path()), &env).unwrap().listen.port(),
            9100
        );
    }

    #[test]
    fn the_report_due_day_is_set_by_file_or_environment_and_must_exist_every_month() {
        assert_eq!(Config::default().reports.monthly_due_day, 10);
        let f = file("[reports]\nmonthly_due_day = 15\n");
        assert_eq!(
            Config::load(Some(f.path()), &[])
                .unwrap()
                .reports
                .monthly_due_day,
            15
        );
        let env = vec![("KOSHU_REPORTS_MONTHLY_DUE_DAY".to_owned(), "31".to_owned())];
        let err = Config::load(None, &env).unwrap_err().to_string();
        assert!(err.contains("reports.monthly_due_day"), "{err}");
        let env = vec![("KOSHU_REPORTS_MONTHLY_DUE_DAY".to_owned(), "x".to_owned())];
        let err = Config::load(None, &env).unwrap_err().to_string();
        assert!(err.contains("KOSHU_REPORTS_MONTHLY_DUE_DAY"), "{err}");
    }

    #[test]
    fn unknown_environment_variable_is_named() {
        let env = vec![("KOSHU_LISTN".to_owned(), "x".to_owned())];
        assert!(
            Config::load(None, &env)
                .unwrap_err()
                .to_string()
                .contains("KOSHU_LISTN")
        );
        let env = vec![("KOSHU_TEST_PG_BIN".to_owned(), "x".to_owned())];
        assert!(Config::load(None, &env).is_ok());
    }

    #[test]
    fn secrets_never_show() {
        let env = vec![
            (
                "DATABASE_URL".to_owned(),
                "postgres://app:hunter2@db.example/koshu".to_owned(),
            ),
            ("KOSHU_FILES_BACKEND".to_owned(), "s3".to_owned()),
            ("KOSHU_S3_BUCKET".to_owned(), "koshu".to_owned()),
            ("KOSHU_S3_ACCESS_KEY_ID".to_owned(), "AKIA".to_owned()),
            ("KOSHU_S3_SECRET_ACCESS_KEY".to_owned(), "s3cr3t".to_owned()),
        ];
        let c = Config::load(None, &env).unwrap();
        for shown in [c.show(), format!("{c:?}")] {
            assert!(
                !shown.contains("hunter2") && !shown.contains("s3cr3t"),
                "{shown}"
            );
            assert!(
                shown.contains("postgres://app:********@db.example/koshu"),
                "{shown}"
            );
        }
    }

    #[test]
    fn s3_without_credentials_is_refused() {
        let env = vec![("KOSHU_FILES_BACKEND".to_owned(), "s3".to_owned())];
        assert!(matches!(
            Config::load(None, &env),
            Err(ConfigError::MissingS3)
        ));
    }
}
