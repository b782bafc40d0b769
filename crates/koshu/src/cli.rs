//! The command line. Every command takes the same configuration sources; `--help` on each.

use crate::catalogue_import::{import_catalogue, load_demo};
use crate::config::{Config, LogFormat};
use clap::{Parser, Subcommand};
use koshu_store::audit::AuditVerdict;
use koshu_web::app;
use koshu_workflow::clock::{Clock, SystemClock};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "koshu",
    version,
    about = "Koshu: サイバーセキュリティ講座ポータルと特定講習の指定・実施 / the cybersecurity training portal"
)]
pub struct Cli {
    /// Configuration file (TOML). Settings: listen, data_dir, database_url, log_format, public_url, smtp_url, mail_from, [database], [files].
    #[arg(long, global = true, env = "KOSHU_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where the embedded database and files live (default: ./data).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Log lines for people (human) or for log collectors (json).
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (database schema is brought up to date first).
    Serve {
        /// Load the demo catalogue before serving.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (default 127.0.0.1:8080; also KOSHU_LISTEN).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Load the demo catalogue (built from the seed documents) into the database.
    Demo,
    /// Load providers and programmes from catalogue files (the format of crates/koshu/demo/).
    Import {
        /// Providers file (TOML, [[provider]] tables).
        providers: PathBuf,
        /// Programmes file (TOML, [[programme]] tables with [[programme.session]]).
        programmes: PathBuf,
    },
    /// Rebuild the catalogue search index from the database: checks that it builds, and asks
    /// every running server to rebuild its own (they follow within a second).
    Reindex,
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Accounts: give the ministry's roles (the first administrator is made here).
    Accounts {
        #[command(subcommand)]
        command: AccountsCommand,
    },
    /// 稼働中の組込み構成（SQLite とローカルのファイル）を DIR に複製する / Copy the running
    /// embedded deployment (SQLite and local files) into DIR, with a manifest of SHA-256
    /// digests. PostgreSQL and S3 are refused: use pg_dump or PITR, and bucket versioning.
    Backup {
        /// 新しいか空のフォルダー / A new or empty folder.
        dir: PathBuf,
    },
    /// DIR のバックアップを --data-dir に復元する / Restore the backup in DIR into the data
    /// folder (--data-dir, which must be new or empty): every digest is checked first, then
    /// the restored database's integrity and audit chain.
    Restore {
        /// `koshu backup` が作ったフォルダー / A folder made by `koshu backup`.
        dir: PathBuf,
    },
    /// The effective configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// 修了証に署名する組織の鍵 / The organisations' keys that sign certificates.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// 修了証を検証する / Verify a certificate: its signature, issuer, status (active,
    /// suspended, revoked) and validity, then every claim. Exit code 0 only when verified.
    Verify {
        /// 修了証の JSON ファイル、または検証ページの URL（https://HOST/verify/ID、QR コードの
        /// 行き先） / The credential's JSON file, or its verification address (a QR code's
        /// target), looked up in this site's store.
        file: String,
    },
    /// 個人データの保存期間（実施年度の終了後3年） / Retention (E02): personal data of a
    /// session is kept for 3 years after the fiscal year of its last day, then purged.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// xAPI の学習記録ストア（LRS）/ The xAPI Learning Record Store at /xapi/.
    Lrs {
        #[command(subcommand)]
        command: LrsCommand,
    },
    /// 一つの講座または一人について保持しているすべてを書き出す（CSV と JSON の zip） / Write
    /// everything held about one course or one person (a zip of CSV and JSON), to answer an
    /// inquiry or a disclosure request. The export is recorded in the audit log.
    Export {
        /// 講座（プログラム）の ID / The course's programme id.
        #[arg(
            long,
            value_name = "ID",
            required_unless_present = "learner",
            conflicts_with = "learner"
        )]
        course: Option<String>,
        /// 本人のアカウント ID またはメールアドレス / The person's account id or e-mail address.
        #[arg(long, value_name = "ID")]
        learner: Option<String>,
        /// 書き出す zip ファイル / The zip file to write (default: koshu-export-ID.zip).
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum LrsCommand {
    /// LRS の認証情報を発行する / Make an LRS client credential of an organisation (an API
    /// token of scope xapi): prints the endpoint, the key (Basic auth user name) and the
    /// secret (password), shown this once. The same as the organisation's token page.
    Credential {
        /// 組織の ID（省略時はデモの見本の講習機関） / The organisation's id (default: the
        /// demo's sample provider).
        #[arg(long, value_name = "ID")]
        organisation: Option<String>,
        /// 名前（どのシステムで使うか） / A name (the system that uses it).
        #[arg(long, default_value = "LMS")]
        name: String,
        /// 有効日数 / Days it is valid.
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u16).range(1..=365))]
        days: u16,
    },
}

#[derive(Debug, Subcommand)]
enum RetentionCommand {
    /// Every delivered session: its fiscal year, the day its personal data may be purged, and
    /// whether it has been.
    Schedule,
    /// Purge the personal data of every session past its retention now, each purge audited
    /// (the scheduled job does the same on 1 April). With --dry-run, list what would go and
    /// change nothing.
    Purge {
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Every organisation's keys: the public key, when it was made, current or retired.
    /// Private keys are never shown.
    List,
    /// Retire an organisation's signing key and make a new one. Certificates signed with the
    /// old key still verify: it stays in the organisation's DID document.
    Rotate {
        /// The organisation's id.
        #[arg(
            long,
            value_name = "ID",
            required_unless_present = "all",
            conflicts_with = "all"
        )]
        organisation: Option<String>,
        /// Every organisation that has a key.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check every entry's hash and link; names the first entry that was altered or removed.
    Verify,
}

#[derive(Debug, Subcommand)]
enum AccountsCommand {
    /// Set the ministry role of the account with this e-mail address (it must have signed up;
    /// its address counts as verified from then on). The person signs in again and must set up
    /// two-factor authentication to use the role.
    Role {
        /// The account's e-mail address.
        email: String,
        /// reviewer, administrator, registrar (IPA: the holders' registry), or none.
        #[arg(long, value_parser = ["reviewer", "administrator", "registrar", "none"])]
        role: String,
        /// Also mark the account as an external expert (審査の外部有識者).
        #[arg(long)]
        expert: bool,
    },
    /// Make the account with this e-mail address an editor of the demo's sample provider, to
    /// try its delivery pages (roster, identity desk, the venue's code, live attendance).
    SampleStaff {
        /// The account's e-mail address.
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration as TOML, secrets masked.
    Show,
}

/// Errors that end a command: printed on one line, exit code 1 (2 for configuration).
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("{0}")]
    Store(#[from] koshu_store::StoreError),
    #[error("{0}")]
    Import(#[from] crate::catalogue_import::ImportError),
    #[error("{0}")]
    Sample(#[from] crate::demo_application::SampleError),
    #[error("{0}")]
    SampleDelivery(#[from] crate::demo_delivery::SampleDeliveryError),
    #[error("reference data: {0}")]
    Reference(#[from] koshu_domain::taxonomy::ReferenceDataError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    App(#[from] crate::AppStateError),
    #[error("{0}")]
    Backup(#[from] crate::backup::BackupError),
    #[error("{0}")]
    Message(String),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let env: Vec<(String, String)> = std::env::vars().collect();
    let mut config = match Config::load(cli.config.as_deref(), &env) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("koshu: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = cli.data_dir {
        config.data_dir = dir;
    }
    if let Some(format) = cli.log_format {
        config.log_format = format;
    }
    if let Command::Serve {
        listen: Some(addr), ..
    } = &cli.command
    {
        config.listen = *addr;
    }
    init_logging(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("koshu: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("koshu: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Colour only on a terminal: log files and collectors get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    match format {
        LogFormat::Human => builder.fmt_fields(crate::logging::escaped_fields()).init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

#[allow(clippy::print_stdout)] // printing results is what these commands are for
async fn run(command: Command, config: Config) -> Result<ExitCode, Failure> {
    let clock = SystemClock;
    match command {
        Command::Config {
            command: ConfigCommand::Show,
        } => {
            print!("{}", config.show());
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let store = crate::open_store(&config).await?;
            println!(
                "koshu: database schema is up to date ({:?}).",
                store.backend()
            );
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo => {
            let store = crate::open_store(&config).await?;
            let taxonomy = crate::taxonomy()?;
            let summary = load_demo(&store, &taxonomy, clock.now()).await?;
            let sample =
                crate::demo_application::load_sample_application(&store, clock.now()).await?;
            let workflow = workflow(&config, &store, true)?;
            let delivery =
                crate::demo_delivery::load_sample_delivery(&workflow, clock.now()).await?;
            let counts = store.catalogue_counts().await?;
            println!(
                "koshu: demo catalogue loaded: {} created, {} updated, {} unchanged; now {} providers, {} programmes, {} sessions.",
                summary.created,
                summary.updated,
                summary.unchanged,
                counts.providers,
                counts.programmes,
                counts.sessions
            );
            if sample {
                println!(
                    "koshu: a sample 特定講習 application is waiting in the ministry's review queue."
                );
            }
            if delivery {
                println!(
                    "koshu: the sample provider delivers a sample 特定講習 (designated two weeks ago) last week (sealed), today and in three weeks, and lists a seminar of its own (koshu accounts sample-staff EMAIL to see its pages)."
                );
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            providers,
            programmes,
        } => {
            let providers_toml = std::fs::read_to_string(&providers)
                .map_err(|e| Failure::Message(format!("{}: {e}", providers.display())))?;
            let programmes_toml = std::fs::read_to_string(&programmes)
                .map_err(|e| Failure::Message(format!("{}: {e}", programmes.display())))?;
            let taxonomy = crate::taxonomy()?;
            let store = crate::open_store(&config).await?;
            let summary = import_catalogue(
                &store,
                &taxonomy,
                &providers_toml,
                &programmes_toml,
                "cli",
                clock.now(),
            )
            .await;
            store.close().await;
            let summary = summary?;
            println!(
                "koshu: imported: {} created, {} updated, {} unchanged.",
                summary.created, summary.updated, summary.unchanged
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let store = crate::open_store(&config).await?;
            let verdict = store.verify_audit_log().await?;
            let broken = store.broken_seals().await?;
            let sealed = store.seal_count().await?;
            store.close().await;
            match verdict {
                AuditVerdict::Intact { .. } if !broken.is_empty() => {
                    for (session, day) in broken {
                        println!(
                            "FAILED: the attendance of session {session} on {day} changed after it was sealed."
                        );
                    }
                    Ok(ExitCode::FAILURE)
                }
                AuditVerdict::Intact { entries } => {
                    println!(
                        "OK: audit log intact ({entries} entries); {sealed} sealed attendance day(s) match their records."
                    );
                    Ok(ExitCode::SUCCESS)
                }
                AuditVerdict::Broken(at) => {
                    println!("FAILED: {at}.");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Reindex => {
            let store = crate::open_store(&config).await?;
            let started = std::time::Instant::now();
            let state =
                crate::app_state(store.clone(), Arc::new(SystemClock), config.web_settings()?)
                    .await?;
            let count = state.catalogue.index().len();
            let event = koshu_domain::audit::AuditEvent::new(
                clock.now(),
                "cli",
                "search.reindex",
                "search:catalogue",
            );
            store.record_event(event).await?;
            store.close().await;
            println!(
                "koshu: catalogue index rebuilt from the database ({count} programmes, {:.1} s); running servers will rebuild theirs.",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Accounts {
            command:
                AccountsCommand::Role {
                    email,
                    role,
                    expert,
                },
        } => {
            let email = koshu_domain::access::Email::parse(&email)
                .map_err(|e| Failure::Message(format!("{email}: {}", e.message_en)))?;
            let role = koshu_domain::access::MinistryRole::from_code(&role);
            let store = crate::open_store(&config).await?;
            let account = store.account_by_email(&email).await?.ok_or_else(|| {
                Failure::Message(format!(
                    "no account has the address {email}: sign up at /signup first"
                ))
            })?;
            // The operator vouches for the person: the first administrator has nobody to read
            // the verification mail from the outbox for them.
            if !account.email_verified {
                store.mark_email_verified(&account.id, clock.now()).await?;
            }
            store
                .set_ministry_roles(&account.id, role, expert, "cli", clock.now())
                .await?;
            store.close().await;
            println!(
                "koshu: {email} is now {}{}; they sign in again and set up two-factor authentication to use it.",
                role.map_or("without a ministry role", |r| r.code()),
                if expert { ", external expert" } else { "" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Accounts {
            command: AccountsCommand::SampleStaff { email },
        } => {
            let email = koshu_domain::access::Email::parse(&email)
                .map_err(|e| Failure::Message(format!("{email}: {}", e.message_en)))?;
            let store = crate::open_store(&config).await?;
            let account = store.account_by_email(&email).await?.ok_or_else(|| {
                Failure::Message(format!(
                    "no account has the address {email}: sign up at /signup first"
                ))
            })?;
            // The operator vouches for the person, as for a role.
            if !account.email_verified {
                store.mark_email_verified(&account.id, clock.now()).await?;
            }
            let org = crate::demo_application::sample_organisation(&store)
                .await?
                .ok_or_else(|| Failure::Message("the demo is not loaded: run koshu demo".into()))?;
            let mut unit = store.write().await?;
            unit.grant_membership(
                &org.id,
                &account.id,
                koshu_domain::access::OrgRole::Editor,
                "cli",
                clock.now(),
            )
            .await?;
            unit.commit().await?;
            store.close().await;
            println!(
                "koshu: {email} is now an editor of {}; its sessions are under /organisations/{}/deliveries.",
                org.organisation.name_ja, org.id
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { dir } => {
            let manifest = crate::backup::backup(&config, &dir, clock.now()).await?;
            let head = manifest
                .audit_head
                .as_ref()
                .map_or_else(|| "empty".to_owned(), |h| format!("entry {}", h.seq));
            println!(
                "koshu: backed up {} file(s) and the database (schema {}, audit log at {head}) into {}; digests in {}.",
                manifest
                    .sha256
                    .keys()
                    .filter(|name| name.starts_with("files/"))
                    .count(),
                manifest.schema_version,
                dir.display(),
                crate::backup::MANIFEST
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { dir } => {
            let restored = crate::backup::restore(&config, &dir).await?;
            println!(
                "OK: restored {} file(s) and the database (schema {}) into {}; every digest matches and the audit log is intact ({} entries).",
                restored.files,
                restored.schema_version,
                config.data_dir.display(),
                restored.audit_entries
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys {
            command: KeysCommand::List,
        } => {
            let store = crate::open_store(&config).await?;
            let keys = named(&store, store.all_issuer_keys().await?).await;
            store.close().await;
            print!("{}", crate::credentials_cli::key_lines(&keys?));
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys {
            command: KeysCommand::Rotate { organisation, all },
        } => {
            let store = crate::open_store(&config).await?;
            let wf = workflow(&config, &store, true)?;
            let organisations: Vec<String> = match organisation {
                Some(id) if !all => vec![id],
                _ => {
                    let mut ids: Vec<String> = store
                        .all_issuer_keys()
                        .await?
                        .into_iter()
                        .map(|k| k.organisation_id)
                        .collect();
                    ids.dedup();
                    ids
                }
            };
            let mut rotated = Vec::new();
            for id in &organisations {
                match koshu_workflow::credentials::rotate_key(&wf, id, "cli").await {
                    Ok(key) => rotated.push(key),
                    Err(koshu_workflow::WorkflowError::NotFound) => {
                        store.close().await;
                        return Err(Failure::Message(format!(
                            "no organisation has the id {id} / その ID の組織はありません"
                        )));
                    }
                    Err(e) => {
                        store.close().await;
                        return Err(Failure::Message(e.to_string()));
                    }
                }
            }
            let rotated = named(&store, rotated).await;
            store.close().await;
            let rotated = rotated?;
            print!("{}", crate::credentials_cli::key_lines(&rotated));
            println!(
                "koshu: {} organisation(s) sign with their new key from now; what the old keys signed still verifies.",
                rotated.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { file } => {
            let source = crate::credentials_cli::read_source(&file).map_err(Failure::Message)?;
            let store = crate::open_store(&config).await?;
            let wf = workflow(&config, &store, false)?;
            let verdict = verify(&wf, source).await;
            store.close().await;
            let verdict = verdict?;
            print!("{}", crate::credentials_cli::report(&verdict));
            Ok(if verdict.verified() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Lrs {
            command:
                LrsCommand::Credential {
                    organisation,
                    name,
                    days,
                },
        } => {
            let store = crate::open_store(&config).await?;
            let wf = workflow(&config, &store, false)?;
            let organisation = match organisation {
                Some(id) => id,
                None => crate::demo_application::sample_organisation(&store)
                    .await?
                    .ok_or_else(|| {
                        Failure::Message(
                            "name the organisation with --organisation, or load the demo (koshu demo)".into(),
                        )
                    })?
                    .id,
            };
            if store.organisation(&organisation).await?.is_none() {
                store.close().await;
                return Err(Failure::Message(format!(
                    "no organisation has the id {organisation} / その ID の組織はありません"
                )));
            }
            let issued = koshu_workflow::api_tokens::create(
                &wf,
                &organisation,
                &name,
                koshu_domain::access::policy::TokenScope::Xapi,
                time::Duration::days(i64::from(days)),
                "cli",
            )
            .await;
            store.close().await;
            let issued = issued.map_err(|e| Failure::Message(e.to_string()))?;
            println!("endpoint: {}/xapi", config.public_url());
            println!("key:      {}", issued.id);
            println!("secret:   {}", issued.secret);
            println!("koshu: the secret is shown this once / 秘密の値はこの一度だけ表示されます");
            Ok(ExitCode::SUCCESS)
        }
        Command::Retention { command } => {
            let store = crate::open_store(&config).await?;
            let wf = workflow(&config, &store, false)?;
            let printed = retention(&wf, command).await;
            store.close().await;
            print!("{}", printed?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            course,
            learner,
            out,
        } => {
            let store = crate::open_store(&config).await?;
            let wf = workflow(&config, &store, false)?;
            let written = export(&wf, course, learner, out).await;
            store.close().await;
            let (path, bytes) = written?;
            println!(
                "koshu: wrote {} ({bytes} bytes) / 書き出しました。監査ログに記録しました。",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { demo, .. } => serve(config, demo).await,
    }
}

/// Runs `koshu retention …`; returns what to print.
async fn retention(
    wf: &koshu_workflow::Workflow,
    command: RetentionCommand,
) -> Result<String, Failure> {
    use koshu_workflow::retention as r;
    let failed = |e: koshu_workflow::WorkflowError| Failure::Message(e.to_string());
    Ok(match command {
        RetentionCommand::Schedule => crate::retention_cli::schedule_lines(
            &r::schedule(wf).await.map_err(failed)?,
            wf.today(),
        ),
        RetentionCommand::Purge { dry_run: true } => {
            crate::retention_cli::dry_run_lines(&r::dry_run(wf).await.map_err(failed)?)
        }
        RetentionCommand::Purge { dry_run: false } => {
            crate::retention_cli::purge_lines(&r::purge_due(wf, "cli").await.map_err(failed)?)
        }
    })
}

/// Runs `koshu export …`: the zip written to `out` (or `koshu-export-ID.zip`), and its size.
async fn export(
    wf: &koshu_workflow::Workflow,
    course: Option<String>,
    learner: Option<String>,
    out: Option<PathBuf>,
) -> Result<(PathBuf, usize), Failure> {
    use koshu_workflow::retention as r;
    const NO_COURSE: &str = "no course (programme) has this id / その ID の講座はありません";
    const NO_ACCOUNT: &str = "no account has this id or e-mail address / その ID またはメールアドレスのアカウントはありません";
    // What was asked for, named in the message when it is not found.
    let failed = |asked: &str, missing: &str| {
        let said = format!("{asked}: {missing}");
        move |e: koshu_workflow::WorkflowError| match e {
            koshu_workflow::WorkflowError::NotFound => Failure::Message(said),
            other => Failure::Message(other.to_string()),
        }
    };
    let (id, zip) = match (course, learner) {
        (Some(id), _) => {
            let zip = r::export_course(wf, &id, "cli")
                .await
                .map_err(failed(&id, NO_COURSE))?;
            (id, zip)
        }
        (None, Some(who)) => {
            let account = match koshu_domain::access::Email::parse(&who) {
                Ok(email) => wf.store.account_by_email(&email).await?.map(|a| a.id),
                Err(_) => Some(who.clone()),
            };
            let id = account.ok_or_else(|| Failure::Message(format!("{who}: {NO_ACCOUNT}")))?;
            let zip = r::export_learner(wf, &id, "cli")
                .await
                .map_err(failed(&who, NO_ACCOUNT))?;
            (id, zip)
        }
        (None, None) => {
            return Err(Failure::Message(
                "say --course ID or --learner ID / --course か --learner を指定してください".into(),
            ));
        }
    };
    let path = out.unwrap_or_else(|| PathBuf::from(format!("koshu-export-{id}.zip")));
    std::fs::write(&path, &zip)
        .map_err(|e| Failure::Message(format!("{}: {e}", path.display())))?;
    Ok((path, zip.len()))
}

/// Each key with its organisation's name.
async fn named(
    store: &koshu_store::Store,
    keys: Vec<koshu_store::credentials::IssuerKey>,
) -> Result<Vec<(koshu_store::credentials::IssuerKey, String)>, Failure> {
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let name = store
            .organisation(&key.organisation_id)
            .await?
            .map(|o| o.organisation.name_ja)
            .unwrap_or_default();
        out.push((key, name));
    }
    Ok(out)
}

/// The use cases over `store`; with the master key only for commands that sign.
fn workflow(
    config: &Config,
    store: &koshu_store::Store,
    signs: bool,
) -> Result<koshu_workflow::Workflow, Failure> {
    Ok(koshu_workflow::Workflow {
        store: store.clone(),
        taxonomy: crate::taxonomy()?,
        clock: Arc::new(SystemClock),
        settings: Arc::new(koshu_workflow::Settings {
            public_url: config.public_url(),
            smtp: config.smtp_url.is_some(),
            master_key: if signs {
                Some(Arc::new(config.master_key()?))
            } else {
                None
            },
            report_due_day: config.reports.monthly_due_day,
        }),
    })
}

async fn verify(
    wf: &koshu_workflow::Workflow,
    source: crate::credentials_cli::Source,
) -> Result<koshu_credentials::verify::Verdict, Failure> {
    use crate::credentials_cli::Source;
    let document = match source {
        Source::Document(d) => d,
        Source::Kept(id) => match koshu_workflow::credentials::issued(wf, &id).await {
            Ok(issued) => issued.document,
            Err(koshu_workflow::WorkflowError::NotFound) => {
                return Err(Failure::Message(format!(
                    "no certificate {id} is kept here / この修了証はこのサイトにありません"
                )));
            }
            Err(e) => return Err(Failure::Message(e.to_string())),
        },
    };
    koshu_workflow::credentials::verify_credential(wf, &document)
        .await
        .map_err(|e| Failure::Message(e.to_string()))
}

async fn serve(config: Config, demo: bool) -> Result<ExitCode, Failure> {
    let store = crate::open_store(&config).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    if demo {
        let taxonomy = crate::taxonomy()?;
        let summary = load_demo(&store, &taxonomy, clock.now()).await?;
        let sample = crate::demo_application::load_sample_application(&store, clock.now()).await?;
        tracing::info!(
            sample_application_created = sample,
            created = summary.created,
            updated = summary.updated,
            unchanged = summary.unchanged,
            "demo catalogue loaded"
        );
    }
    let started = std::time::Instant::now();
    let settings = config.web_settings()?;
    let state = crate::app_state(store.clone(), clock, settings).await?;
    if demo {
        let created =
            crate::demo_delivery::load_sample_delivery(&state.workflow, state.clock.now()).await?;
        tracing::info!(sample_delivery_created = created, "demo delivery loaded");
    }
    tracing::info!(
        programmes = state.catalogue.index().len(),
        seconds = started.elapsed().as_secs_f64(),
        "catalogue index built"
    );
    if let (Some(url), Some(from)) = (&config.smtp_url, &config.mail_from) {
        let sender = koshu_web::mail::SmtpSender::new(url.expose(), from)
            .map_err(|e| Failure::Message(e.to_string()))?;
        tracing::info!(smtp = %url, "mail is delivered from the outbox over SMTP");
        tokio::spawn(sender.run(state.clone(), std::time::Duration::from_secs(2)));
    }
    // Writes from any node reach this node's index through the audit log, within a second.
    tokio::spawn(Arc::clone(&state.catalogue).follow(std::time::Duration::from_millis(500)));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| Failure::Message(format!("cannot listen on {}: {e}", config.listen)))?;
    // Listen for the stop signals before saying the server is up: a SIGTERM that follows at
    // once (a service manager, a test) must stop it gracefully, not kill it.
    let signals = StopSignals::listen();
    tracing::info!(address = %config.listen, backend = ?store.backend(), "Koshu is serving on {}/", config.public_url());
    // Scheduled jobs run on every node; the database gives each job to one of them. The
    // runner stops with the server: the signal is passed on as soon as it arrives.
    let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
    let jobs = tokio::spawn(koshu_workflow::jobs::run_forever(
        state.workflow.clone(),
        koshu_workflow::jobs::registry(),
        koshu_workflow::jobs::worker_id(),
        std::time::Duration::from_secs(30),
        async move {
            let mut stopped = jobs_stopped;
            // An error means the sender is gone, i.e. the server stopped: stop too.
            let _ = stopped.wait_for(|stop| *stop).await;
        },
    ));
    // The peer address feeds per-address rate limits on sign-in, sign-up and reset.
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            signals.wait().await;
            let _ = stop_jobs.send(true);
        })
        .await;
    // A pass under way finishes its jobs; one that hangs is left to its lease (another node,
    // or this one after a restart, takes it over).
    if tokio::time::timeout(std::time::Duration::from_secs(30), jobs)
        .await
        .is_err()
    {
        tracing::warn!("scheduled jobs still running at shutdown were left to their lease");
    }
    served?;
    store.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C (SIGINT) or SIGTERM: stop accepting, finish the requests in flight, then exit.
/// Registered when created, so that a signal arriving before the server waits is not lost.
struct StopSignals {
    interrupt: Option<tokio::signal::unix::Signal>,
    terminate: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn listen() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind: SignalKind, name: &str| match signal(kind) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for {name}");
                None
            }
        };
        Self {
            interrupt: listen(SignalKind::interrupt(), "Ctrl-C"),
            terminate: listen(SignalKind::terminate(), "SIGTERM"),
        }
    }

    async fn wait(mut self) {
        async fn next(signal: &mut Option<tokio::signal::unix::Signal>) {
            match signal {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        }
        tokio::select! {
            () = next(&mut self.interrupt) => {},
            () = next(&mut self.terminate) => {},
        }
        tracing::info!("shutting down");
    }
}
