//! Schema parity: the SQLite and PostgreSQL migrations must build the same schema — the same
//! tables, columns, nullability, primary keys, unique constraints and indexes (by column set)
//! and foreign keys — because one code path serves both (decision: SQL written once, `on_db!`).
//!
//! Column types are not compared: they differ on purpose (TEXT dates and INTEGER flags in
//! SQLite, DATE/TIMESTAMPTZ/BOOLEAN/BIGINT in PostgreSQL) and the Rust types map both. sqlx's
//! own `_sqlx_migrations` table is not part of Koshu's schema and is left out.
//!
//! `a_column_on_one_backend_only_is_reported` proves the comparison fails: it alters one side
//! only and checks that exactly those differences are reported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use koshu_store::Db;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// Column name → NOT NULL.
    columns: BTreeMap<String, bool>,
    primary_key: Vec<String>,
    uniques: BTreeSet<Unique>,
    foreign_keys: BTreeSet<ForeignKey>,
}

/// A unique constraint or unique index, by its set of columns (sorted) and whether it is
/// partial (`WHERE …`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Unique {
    columns: Vec<String>,
    partial: bool,
}

/// `columns` → `table(references)`, pairs sorted by the referencing column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    columns: Vec<String>,
    table: String,
    references: Vec<String>,
    on_delete: String,
}

type Schema = BTreeMap<String, Table>;

fn unique(mut columns: Vec<String>, partial: bool) -> Unique {
    columns.sort();
    Unique { columns, partial }
}

fn foreign_key(pairs: Vec<(String, String)>, table: String, on_delete: String) -> ForeignKey {
    let mut pairs = pairs;
    pairs.sort();
    let (columns, references) = pairs.into_iter().unzip();
    ForeignKey {
        columns,
        table,
        references,
        on_delete,
    }
}

/// SQLite, from sqlite_master and the table-valued pragmas.
async fn sqlite_schema(pool: &sqlx::SqlitePool) -> Schema {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut schema = Schema::new();
    for (name,) in &names {
        let mut table = Table::default();
        let columns: Vec<(String, i64, i64)> =
            sqlx::query_as(r#"SELECT name, "notnull", pk FROM pragma_table_info($1) ORDER BY pk"#)
                .bind(name)
                .fetch_all(pool)
                .await
                .unwrap();
        for (column, not_null, pk) in columns {
            // SQLite lets a non-INTEGER primary key column hold NULL (a legacy quirk the
            // documentation keeps for compatibility); PostgreSQL never does. The store always
            // writes generated keys, so a primary key column counts as NOT NULL on both sides.
            table
                .columns
                .insert(column.clone(), not_null == 1 || pk > 0);
            if pk > 0 {
                table.primary_key.push(column);
            }
        }
        let indexes: Vec<(String, i64, String, i64)> =
            sqlx::query_as(r#"SELECT name, "unique", origin, partial FROM pragma_index_list($1)"#)
                .bind(name)
                .fetch_all(pool)
                .await
                .unwrap();
        for (index, is_unique, origin, partial) in indexes {
            if is_unique == 0 || origin == "pk" {
                continue;
            }
            let columns: Vec<(String,)> =
                sqlx::query_as("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .unwrap();
            table.uniques.insert(unique(
                columns.into_iter().map(|(c,)| c).collect(),
                partial == 1,
            ));
        }
        let references: Vec<(i64, String, String, Option<String>, String)> = sqlx::query_as(
            r#"SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list($1) ORDER BY id, seq"#,
        )
        .bind(name)
        .fetch_all(pool)
        .await
        .unwrap();
        // id → (referenced table, on delete, [(column, referenced column if named)])
        type Pairs = Vec<(String, Option<String>)>;
        let mut by_id: BTreeMap<i64, (String, String, Pairs)> = BTreeMap::new();
        for (id, target, from, to, on_delete) in references {
            by_id
                .entry(id)
                .or_insert_with(|| (target, on_delete, Vec::new()))
                .2
                .push((from, to));
        }
        for (target, on_delete, pairs) in by_id.into_values() {
            // `REFERENCES t` without columns means t's primary key.
            let target_key: Vec<(String,)> =
                sqlx::query_as("SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk")
                    .bind(&target)
                    .fetch_all(pool)
                    .await
                    .unwrap();
            let pairs = pairs
                .into_iter()
                .enumerate()
                .map(|(i, (from, to))| {
                    let to = to.unwrap_or_else(|| target_key[i].0.clone());
                    (from, to)
                })
                .collect();
            table
                .foreign_keys
                .insert(foreign_key(pairs, target, on_delete));
        }
        schema.insert(name.clone(), table);
    }
    schema
}

/// PostgreSQL, from information_schema and pg_catalog, in the current schema.
async fn postgres_schema(pool: &sqlx::PgPool) -> Schema {
    let mut schema = Schema::new();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (name,) in tables {
        schema.insert(name, Table::default());
    }
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns \
         WHERE table_schema = current_schema()",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, column, nullable) in columns {
        if let Some(t) = schema.get_mut(&table) {
            t.columns.insert(column, nullable == "NO");
        }
    }
    let indexes: Vec<(String, bool, bool, Vec<String>)> = sqlx::query_as(
        "SELECT c.relname::text, i.indisprimary, i.indpred IS NOT NULL, \
                array_agg(a.attname::text ORDER BY k.ord) \
         FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum \
         WHERE n.nspname = current_schema() AND i.indisunique \
         GROUP BY c.relname, i.indexrelid, i.indisprimary, i.indpred IS NOT NULL",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, primary, partial, columns) in indexes {
        if let Some(t) = schema.get_mut(&table) {
            if primary {
                t.primary_key = columns;
            } else {
                t.uniques.insert(unique(columns, partial));
            }
        }
    }
    // (table, referenced table, on delete, columns, referenced columns)
    type Reference = (String, String, String, Vec<String>, Vec<String>);
    let references: Vec<Reference> = sqlx::query_as(
        "SELECT cl.relname::text, rc.relname::text, \
                CASE con.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' \
                     WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END, \
                (SELECT array_agg(a.attname::text ORDER BY k.ord) \
                   FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) \
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum), \
                (SELECT array_agg(a.attname::text ORDER BY k.ord) \
                   FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord) \
                   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) \
         FROM pg_constraint con \
         JOIN pg_class cl ON cl.oid = con.conrelid \
         JOIN pg_class rc ON rc.oid = con.confrelid \
         JOIN pg_namespace n ON n.oid = cl.relnamespace \
         WHERE con.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, target, on_delete, from, to) in references {
        if let Some(t) = schema.get_mut(&table) {
            t.foreign_keys.insert(foreign_key(
                from.into_iter().zip(to).collect(),
                target,
                on_delete,
            ));
        }
    }
    schema
}

/// Every difference, one line each, in a stable order.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for name in names {
        let (s, p) = match (sqlite.get(name), postgres.get(name)) {
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                out.push(format!("table {name}: only in SQLite"));
                continue;
            }
            (None, _) => {
                out.push(format!("table {name}: only in PostgreSQL"));
                continue;
            }
        };
        let columns: BTreeSet<&String> = s.columns.keys().chain(p.columns.keys()).collect();
        for column in columns {
            let null = |not_null: bool| if not_null { "NOT NULL" } else { "nullable" };
            match (s.columns.get(column), p.columns.get(column)) {
                (Some(a), Some(b)) if a != b => out.push(format!(
                    "{name}.{column}: {} in SQLite, {} in PostgreSQL",
                    null(*a),
                    null(*b)
                )),
                (Some(_), None) => out.push(format!("{name}.{column}: column only in SQLite")),
                (None, Some(_)) => out.push(format!("{name}.{column}: column only in PostgreSQL")),
                _ => {}
            }
        }
        if s.primary_key != p.primary_key {
            out.push(format!(
                "{name}: primary key ({}) in SQLite, ({}) in PostgreSQL",
                s.primary_key.join(", "),
                p.primary_key.join(", ")
            ));
        }
        for u in s.uniques.difference(&p.uniques) {
            out.push(format!("{name}: {} only in SQLite", show_unique(u)));
        }
        for u in p.uniques.difference(&s.uniques) {
            out.push(format!("{name}: {} only in PostgreSQL", show_unique(u)));
        }
        for f in s.foreign_keys.difference(&p.foreign_keys) {
            out.push(format!("{name}: {} only in SQLite", show_foreign_key(f)));
        }
        for f in p.foreign_keys.difference(&s.foreign_keys) {
            out.push(format!(
                "{name}: {} only in PostgreSQL",
                show_foreign_key(f)
            ));
        }
    }
    out
}

fn show_unique(u: &Unique) -> String {
    format!(
        "unique ({}){}",
        u.columns.join(", "),
        if u.partial { " partial" } else { "" }
    )
}

fn show_foreign_key(f: &ForeignKey) -> String {
    format!(
        "foreign key ({}) → {} ({}) on delete {}",
        f.columns.join(", "),
        f.table,
        f.references.join(", "),
        f.on_delete
    )
}

/// Both backends, freshly migrated.
async fn migrated() -> (tempfile::TempDir, sqlx::SqlitePool, sqlx::PgPool) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("koshu.db").display());
    let sqlite = Db::connect(&url, 2).await.unwrap();
    sqlite.migrate().await.unwrap();
    let url = koshu_store::testing::fresh_postgres_database()
        .await
        .unwrap();
    let postgres = Db::connect(&url, 2).await.unwrap();
    postgres.migrate().await.unwrap();
    match (sqlite, postgres) {
        (Db::Sqlite(s), Db::Postgres(p)) => (dir, s, p),
        _ => panic!("the URLs select SQLite and PostgreSQL"),
    }
}

#[tokio::test]
#[cfg_attr(
    not(koshu_postgres),
    ignore = "PostgreSQL server binaries not found: apt-get install postgresql"
)]
async fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let (_dir, sqlite, postgres) = migrated().await;
    let s = sqlite_schema(&sqlite).await;
    let p = postgres_schema(&postgres).await;
    // Guard against an introspection that sees nothing, which would compare equal.
    assert!(s.len() >= 20, "tables seen in SQLite: {:?}", s.keys());
    assert!(
        s.values().any(|t| !t.foreign_keys.is_empty()) && s.values().any(|t| !t.uniques.is_empty()),
        "foreign keys and unique constraints are seen"
    );
    let diff = differences(&s, &p);
    assert!(
        diff.is_empty(),
        "the SQLite and PostgreSQL schemas differ:\n{}",
        diff.join("\n")
    );
}

#[tokio::test]
#[cfg_attr(
    not(koshu_postgres),
    ignore = "PostgreSQL server binaries not found: apt-get install postgresql"
)]
async fn a_column_on_one_backend_only_is_reported() {
    let (_dir, sqlite, postgres) = migrated().await;
    for change in [
        "ALTER TABLE providers ADD COLUMN motto TEXT",
        "ALTER TABLE outbox ALTER COLUMN subject DROP NOT NULL",
        "ALTER TABLE stored_files ADD CONSTRAINT one_per_digest UNIQUE (sha256, file_name)",
    ] {
        sqlx::query(change).execute(&postgres).await.unwrap();
    }
    sqlx::query(
        "ALTER TABLE programmes ADD COLUMN organisation_id TEXT REFERENCES organisations (id)",
    )
    .execute(&sqlite)
    .await
    .unwrap();
    let diff = differences(
        &sqlite_schema(&sqlite).await,
        &postgres_schema(&postgres).await,
    );
    assert_eq!(
        diff,
        [
            "outbox.subject: NOT NULL in SQLite, nullable in PostgreSQL",
            "programmes.organisation_id: column only in SQLite",
            "programmes: foreign key (organisation_id) → organisations (id) on delete NO ACTION only in SQLite",
            "providers.motto: column only in PostgreSQL",
            "stored_files: unique (file_name, sha256) only in PostgreSQL",
        ]
    );
}

// --- Upgrading: a database of the previous schema, migrated with its data (issue 12 item 17) --

/// The schema a database made by the previous release has: every migration but the newest.
async fn previous_schema(backend: &str, url: &str) -> i64 {
    let dir = std::path::PathBuf::from(format!(
        "{}/../store/migrations/{backend}",
        env!("CARGO_MANIFEST_DIR")
    ));
    let migrator = sqlx::migrate::Migrator::new(dir).await.unwrap();
    let mut versions: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    versions.sort_unstable();
    let previous = versions[versions.len() - 2];
    match Db::connect(url, 2).await.unwrap() {
        Db::Sqlite(pool) => migrator.run_to(previous, &pool).await.unwrap(),
        Db::Postgres(pool) => migrator.run_to(previous, &pool).await.unwrap(),
    }
    previous
}

/// A designated course with a change notice, written as the previous release wrote them
/// (the columns of that schema, values bound as the store binds them).
macro_rules! previous_release_data {
    ($pool:expr, $app:expr, $org:expr) => {{
        let (pool, app, org) = ($pool, $app, $org);
        let at = time::macros::datetime!(2026-04-01 09:00 +09:00);
        let org_doc = serde_json::to_string(org).unwrap();
        let draft = serde_json::to_string(app).unwrap();
        sqlx::query("INSERT INTO organisations (id, corporate_number, name_ja, doc, digest, created_at, updated_at) VALUES ('org-1', $1, $2, $3, 'digest', $4, $4)")
            .bind(org.corporate_number.as_str())
            .bind(&org.name_ja)
            .bind(&org_doc)
            .bind(at)
            .execute(pool).await.unwrap();
        sqlx::query("INSERT INTO applications (id, organisation_id, title, draft, created_by, created_at, updated_at, status) VALUES ('app-1', 'org-1', $1, $2, 'test', $3, $3, 'designated')")
            .bind(&app.course.name)
            .bind(&draft)
            .bind(at)
            .execute(pool).await.unwrap();
        sqlx::query("INSERT INTO designations (number, application_id, organisation_id, programme_id, version, starts_on, ends_on, designated_at) VALUES ('特講2026-001', 'app-1', 'org-1', 'tokko-app-1', 1, $1, $2, $3)")
            .bind(time::macros::date!(2026 - 04 - 01))
            .bind(time::macros::date!(2029 - 03 - 31))
            .bind(at)
            .execute(pool).await.unwrap();
        sqlx::query("INSERT INTO designation_notices (id, application_id, number, kind, document, items, measures, effective_on, filed_by, filed_at) VALUES ('notice-1', 'app-1', '特講2026-001', 'change', $1, '[\"course_name\"]', '', $2, 'test', $3)")
            .bind(&draft)
            .bind(time::macros::date!(2026 - 05 - 01))
            .bind(at)
            .execute(pool).await.unwrap();
    }};
}

async fn upgrade_keeps_the_data(backend: &str, url: &str) {
    let previous = previous_schema(backend, url).await;
    assert!(previous >= 8, "{backend}: migrated to {previous}");
    let app = koshu_domain::designation::fixtures::complete_application(time::macros::date!(
        2026 - 04 - 01
    ));
    let org = app.provider.organisation.clone().unwrap();
    match Db::connect(url, 2).await.unwrap() {
        Db::Sqlite(pool) => previous_release_data!(&pool, &app, &org),
        Db::Postgres(pool) => previous_release_data!(&pool, &app, &org),
    }
    // This release opens it: the newest migrations run, and the data reads as before.
    let files = tempfile::tempdir().unwrap();
    let store = koshu_store::Store::open(
        Db::connect(url, 2).await.unwrap(),
        koshu_store::Files::open(&koshu_store::FilesConfig::Local {
            dir: files.path().to_owned(),
        })
        .unwrap(),
    )
    .await
    .unwrap();
    let record = store.application("app-1").await.unwrap().unwrap();
    assert_eq!(record.draft, app, "{backend}: the draft reads as written");
    assert_eq!(record.status.code(), "designated");
    assert_eq!(
        store
            .organisation("org-1")
            .await
            .unwrap()
            .unwrap()
            .organisation,
        org
    );
    assert_eq!(
        store.designation_of("app-1").await.unwrap().unwrap().number,
        "特講2026-001"
    );
    let notices = store.notices_of("app-1").await.unwrap();
    assert_eq!(notices.len(), 1, "{backend}");
    assert_eq!(
        notices[0].reason, "",
        "{backend}: a notice filed before reasons has none"
    );
    assert_eq!(notices[0].items, "[\"course_name\"]");
}

#[tokio::test]
async fn a_sqlite_database_of_the_previous_schema_is_upgraded_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("koshu.db").display());
    upgrade_keeps_the_data("sqlite", &url).await;
}

#[tokio::test]
#[cfg_attr(
    not(koshu_postgres),
    ignore = "PostgreSQL server binaries not found: apt-get install postgresql"
)]
async fn a_postgres_database_of_the_previous_schema_is_upgraded_with_its_data() {
    let url = koshu_store::testing::fresh_postgres_database()
        .await
        .unwrap();
    upgrade_keeps_the_data("postgres", &url).await;
}
