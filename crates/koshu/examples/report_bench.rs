//! One month's implementation report (issue 19 item 6; E01) of a designated course whose
//! sessions hold 1,000,000 attendance, presence and progress events, on the embedded SQLite:
//! the process's CPU time (user + system, all threads, from /proc/self/stat) to compute it with
//! `koshu_workflow::reports::report`, beside the ceiling (SQLite alone reading the same rows,
//! one row back) and the floor of reading every event as a row through sqlx. Run by
//! `bench/report.sh`; prints tab-separated lines.
//!
//! The course is the demo's designated sample; the month gets `SESSIONS` one-day sessions of
//! `LEARNERS` learners each, every learner with a check-in and out per block, a heartbeat every
//! 30 s through the day, progress events on each item, and an identity check, written straight
//! into SQLite (the bench's setup, not the application's path).
//!
//!   report_bench [runs]

#![allow(clippy::print_stdout, clippy::print_stderr)] // printing results is what it is for

use koshu_domain::delivery::plan::Block;
use koshu_domain::reports::ReportPeriod;
use koshu_store::delivery::Delivery;
use koshu_workflow::clock::FixedClock;
use koshu_workflow::{JST, Settings, Workflow};
use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{QueryBuilder, Sqlite};
use std::sync::Arc;
use time::macros::{datetime, time};
use time::{Date, Duration, OffsetDateTime};

const SESSIONS: usize = 10;
const LEARNERS: usize = 100;
/// Per learner and session: 4 attendance events, 720 heartbeats (6 hours), 276 progress
/// events; 1,000 in all, so 1,000,000 over the month.
const HEARTBEATS: usize = 720;
const PROGRESS: usize = 276;

/// utime + stime of this process, in milliseconds (the kernel counts in ticks of 10 ms).
fn cpu_ms() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line; 12 and 13 after the name.
    (ticks(11) + ticks(12)) * 10
}

fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let dir = tempfile::tempdir()?;
    let env: Vec<(String, String)> = Vec::new();
    let mut config = koshu::config::Config::load(None, &env)?;
    config.data_dir = dir.path().to_path_buf();
    let store = koshu::open_store(&config).await?;
    let now = datetime!(2026-12-15 10:00 +09:00);
    let taxonomy = koshu::taxonomy()?;
    koshu::catalogue_import::load_demo(&store, &taxonomy, now).await?;
    koshu::demo_application::load_sample_application(&store, now).await?;
    let wf = Workflow {
        store: store.clone(),
        taxonomy,
        clock: Arc::new(FixedClock::new(now)),
        settings: Arc::new(Settings {
            public_url: "http://localhost:8080".to_owned(),
            smtp: false,
            master_key: Some(Arc::new(koshu_credentials::keys::MasterKey::from_hex(
                &"5e".repeat(32),
            )?)),
            report_due_day: 10,
        }),
    };
    koshu::demo_delivery::load_sample_delivery(&wf, now).await?;
    let org = koshu::demo_application::sample_organisation(&store)
        .await?
        .ok_or("the demo has no sample provider")?;
    let template = store
        .deliveries_of(&org.id)
        .await?
        .into_iter()
        .next()
        .ok_or("the sample provider delivers nothing")?;
    let programme = template.programme_id.clone();

    // The month's sessions, through the store; their learners and events straight into SQLite.
    let month_start = Date::from_calendar_date(2026, time::Month::December, 1)?;
    let mut sessions = Vec::new();
    for s in 0..SESSIONS {
        let day = month_start + Duration::days(i64::try_from(s).unwrap_or(0));
        let mut plan = template.plan.clone();
        plan.timetable = vec![
            Block {
                number: 1,
                day,
                starts_at: time!(10:00),
                ends_at: time!(12:00),
                items: "午前".to_owned(),
            },
            Block {
                number: 2,
                day,
                starts_at: time!(13:00),
                ends_at: time!(17:00),
                items: "午後".to_owned(),
            },
        ];
        plan.curriculum.clear();
        plan.opens_at = now - Duration::days(60);
        plan.closes_at = day.midnight().assume_offset(JST);
        let session_id = format!("bench-report-{s:02}");
        let delivery = Delivery {
            session_id: session_id.clone(),
            revision: 0,
            plan,
            ..template.clone()
        };
        let mut unit = store.write().await?;
        unit.save_delivery(&delivery, "bench", now).await?;
        unit.commit().await?;
        sessions.push((session_id, day));
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&config.database_url())
        .await?;
    let mut tx = pool.begin().await?;
    let mut events = 0usize;
    for (s, (session_id, day)) in sessions.iter().enumerate() {
        let at = |t: time::Time| micros(time::PrimitiveDateTime::new(*day, t).assume_offset(JST));
        for l in 0..LEARNERS {
            let account = format!("bench-l{s:02}-{l:03}");
            sqlx::query("INSERT INTO accounts (id, email, display_name, password_hash, created_at) VALUES ($1, $2, $3, 'x', $4)")
                .bind(&account)
                .bind(format!("{account}@bench.example.jp"))
                .bind(format!("受講者 {l}"))
                .bind(now)
                .execute(&mut *tx)
                .await
                ?;
            sqlx::query("INSERT INTO learners (account_id, name, name_kana, riss_number, riss_registered_on, consented_at, updated_at) VALUES ($1, $2, 'ジュコウシャ', $3, '2024-10-01', $4, $4)")
                .bind(&account)
                .bind(format!("受講者 {l}"))
                .bind(format!("{:06}", s * LEARNERS + l))
                .bind(now)
                .execute(&mut *tx)
                .await
                ?;
            sqlx::query("INSERT INTO enrolments (id, session_id, account_id, status, queue_no, created_at, updated_at) VALUES ($1, $2, $3, 'enrolled', $4, $5, $5)")
                .bind(format!("{account}-e"))
                .bind(session_id)
                .bind(&account)
                .bind(i64::try_from(l).unwrap_or(0))
                .bind(now)
                .execute(&mut *tx)
                .await
                ?;
            sqlx::query("INSERT INTO identity_checks (id, session_id, account_id, day, method, riss_result, checked_by, checked_at) VALUES ($1, $2, $3, $4, 'photo_id', 'matches', 'bench', $5)")
                .bind(format!("{account}-i"))
                .bind(session_id)
                .bind(&account)
                .bind(day.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await
                ?;
            for (n, (kind, t)) in [
                ("check_in", time!(09:55)),
                ("check_out", time!(12:00)),
                ("check_in", time!(12:58)),
                ("check_out", time!(17:00)),
            ]
            .into_iter()
            .enumerate()
            {
                sqlx::query("INSERT INTO attendance_events (id, session_id, account_id, block_no, kind, at_us, source, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, 'code', $3, $7)")
                    .bind(format!("{account}-a{n}"))
                    .bind(session_id)
                    .bind(&account)
                    .bind(if n < 2 { 1 } else { 2 })
                    .bind(kind)
                    .bind(at(t))
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    ?;
            }
            let first = at(time!(10:00));
            // Every 30 s from 10:00; the hour of lunch has none.
            let beats = (0..HEARTBEATS).map(|b| {
                let offset = i64::try_from(b).unwrap_or(0) * 30_000_000;
                let lunch = if offset >= 2 * 3_600_000_000 {
                    3_600_000_000
                } else {
                    0
                };
                first + offset + lunch
            });
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO heartbeats (session_id, account_id, at_us) ",
            );
            insert.push_values(beats, |mut row, at_us| {
                row.push_bind(session_id)
                    .push_bind(&account)
                    .push_bind(at_us);
            });
            insert.build().execute(&mut *tx).await?;
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO progress_events (id, session_id, account_id, item_no, kind, at_us) ",
            );
            insert.push_values(0..PROGRESS, |mut row, p| {
                let kind = match p {
                    0 => "start",
                    p if p + 1 == PROGRESS => "finish",
                    _ => "active",
                };
                row.push_bind(format!("{account}-p{p}"))
                    .push_bind(session_id)
                    .push_bind(&account)
                    .push_bind(if p < PROGRESS / 3 { 1 } else { 2 })
                    .push_bind(kind)
                    .push_bind(first + i64::try_from(p).unwrap_or(0) * 60_000_000);
            });
            insert.build().execute(&mut *tx).await?;
            events += 4 + HEARTBEATS + PROGRESS;
        }
    }
    tx.commit().await?;
    eprintln!("report_bench: {SESSIONS} sessions × {LEARNERS} learners, {events} events written");

    let period = ReportPeriod::parse("2026-12")?;
    let report = koshu_workflow::reports::report(&wf, &programme, period).await?;
    let counted: usize = report.figures.sessions.len();
    eprintln!(
        "report_bench: the report counts {counted} sessions, {} learners, {} attended",
        report.figures.enrolled, report.figures.attended
    );

    println!("case\tevents\tcpu_ms_median\tcpu_ms_min\twall_ms_median");
    let measure = async |f: &dyn Fn()
        -> futures::future::BoxFuture<'static, Result<(), Failure>>|
           -> Result<(u64, u64, u64), Failure> {
        let mut cpu = Vec::new();
        let mut wall = Vec::new();
        for _ in 0..runs.max(1) {
            let (c0, w0) = (cpu_ms(), std::time::Instant::now());
            f().await?;
            wall.push(u64::try_from(w0.elapsed().as_millis()).unwrap_or(u64::MAX));
            cpu.push(cpu_ms() - c0);
        }
        cpu.sort_unstable();
        wall.sort_unstable();
        let median = |v: &[u64]| v.get(v.len() / 2).copied().unwrap_or_default();
        Ok((
            median(&cpu),
            cpu.first().copied().unwrap_or_default(),
            median(&wall),
        ))
    };
    let read_pool = pool.clone();
    let ids: Vec<String> = sessions.iter().map(|(id, _)| id.clone()).collect();
    let (median, min, wall) = measure(&|| {
        let pool = read_pool.clone();
        let ids = ids.clone();
        Box::pin(async move {
            let mut rows = 0usize;
            for id in &ids {
                let a: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT account_id, kind, at_us FROM attendance_events WHERE session_id = $1",
                )
                .bind(id)
                .fetch_all(&pool)
                .await
                ?;
                let h: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT account_id, at_us FROM heartbeats WHERE session_id = $1",
                )
                .bind(id)
                .fetch_all(&pool)
                .await
                ?;
                let p: Vec<(String, i64, String, i64)> = sqlx::query_as(
                    "SELECT account_id, item_no, kind, at_us FROM progress_events WHERE session_id = $1",
                )
                .bind(id)
                .fetch_all(&pool)
                .await
                ?;
                rows += a.len() + h.len() + p.len();
            }
            if rows != SESSIONS * LEARNERS * (4 + HEARTBEATS + PROGRESS) {
                return Err(format!("read {rows} rows").into());
            }
            Ok(())
        })
    })
    .await?;
    let rows_line = format!(
        "reading every event as a row through sqlx (the report's floor before the times were joined in SQL)\t{events}\t{median}\t{min}\t{wall}"
    );
    let scan_pool = pool.clone();
    let (median, min, wall) = measure(&|| {
        let pool = scan_pool.clone();
        let ids = ids.clone();
        Box::pin(async move {
            let mut rows = 0i64;
            for id in &ids {
                for table in ["attendance_events", "heartbeats", "progress_events"] {
                    let (n, _): (i64, f64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT COUNT(*), TOTAL(at_us) FROM {table} WHERE session_id = $1"
                    )))
                    .bind(id)
                    .fetch_one(&pool)
                    .await?;
                    rows += n;
                }
            }
            if usize::try_from(rows).unwrap_or(0)
                != SESSIONS * LEARNERS * (4 + HEARTBEATS + PROGRESS)
            {
                return Err(format!("scanned {rows} rows").into());
            }
            Ok(())
        })
    })
    .await?;
    println!(
        "ceiling: SQLite alone reads the month's events (COUNT and TOTAL of each table, one row back)\t{events}\t{median}\t{min}\t{wall}"
    );
    println!("{rows_line}");
    let wf2 = wf.clone();
    let (median, min, wall) = measure(&|| {
        let wf = wf2.clone();
        let programme = programme.clone();
        Box::pin(async move {
            let report = koshu_workflow::reports::report(&wf, &programme, period).await?;
            if report.figures.sessions.len() != counted {
                return Err("the report changed between runs".into());
            }
            Ok(())
        })
    })
    .await?;
    println!(
        "the month's report (koshu_workflow::reports::report)\t{events}\t{median}\t{min}\t{wall}"
    );
    Ok(())
}
