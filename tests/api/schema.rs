//! The SQLite and PostgreSQL migrations describe the same schema.

use std::collections::BTreeSet;

use diesel::sql_types::{Integer, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};

use crate::helpers::{fresh_postgres_database, postgres_server};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    r#type: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

/// (table, column, type, nullable)
type Columns = BTreeSet<(String, String, String, bool)>;

fn normalize(sql_type: &str) -> String {
    match sql_type.to_ascii_lowercase().as_str() {
        "integer" => "integer",
        "text" => "text",
        "boolean" => "boolean",
        "timestamp" | "timestamp without time zone" => "timestamp",
        t if t.starts_with("varchar") || t == "character varying" => "varchar",
        other => return other.to_string(),
    }
    .to_string()
}

fn sqlite_schema() -> (Columns, BTreeSet<String>) {
    let dir = tempfile::tempdir().unwrap();
    let url =
        clinic_cms::config::DatabaseUrl::parse(&dir.path().join("s.db").to_string_lossy()).unwrap();
    let mut conn =
        clinic_cms::db::backend::connect(&url, std::time::Duration::from_secs(5)).unwrap();
    clinic_cms::db::run_migrations(&mut conn).unwrap();
    let clinic_cms::db::DbConnection::Sqlite(conn) = &mut conn else {
        unreachable!()
    };
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'articles_fts%'",
    )
    .load(conn)
    .unwrap();
    let mut columns = Columns::new();
    for table in &tables {
        let cols: Vec<SqliteColumn> =
            diesel::sql_query(format!("PRAGMA table_info({})", table.name))
                .load(conn)
                .unwrap();
        for c in cols {
            // SQLite lets primary-key columns be NULL unless declared otherwise; PostgreSQL never does.
            let nullable = c.notnull == 0 && c.pk == 0;
            // An INTEGER PRIMARY KEY is the 64-bit rowid; the change stream
            // and the webhook outbox are the tables whose ids need all of
            // it (BIGSERIAL there).
            const BIG_IDS: &[&str] = &[
                "changes",
                "webhook_events",
                "webhook_deliveries",
                "webhook_attempts",
            ];
            let sql_type = if BIG_IDS.contains(&table.name.as_str()) && c.name == "id" {
                "bigint".to_string()
            } else {
                normalize(&c.r#type)
            };
            columns.insert((table.name.clone(), c.name, sql_type, nullable));
        }
    }
    let indexes: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'",
    )
    .load(conn)
    .unwrap();
    (columns, indexes.into_iter().map(|i| i.name).collect())
}

fn postgres_schema(url: &str) -> (Columns, BTreeSet<String>) {
    let parsed = clinic_cms::config::DatabaseUrl::parse(url).unwrap();
    let mut conn =
        clinic_cms::db::backend::connect(&parsed, std::time::Duration::from_secs(5)).unwrap();
    clinic_cms::db::run_migrations(&mut conn).unwrap();
    let mut conn = diesel::PgConnection::establish(url).unwrap();
    let cols: Vec<PgColumn> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .load(&mut conn)
    .unwrap();
    let columns = cols
        .into_iter()
        // The tsvector column is PostgreSQL's half of full-text search (SQLite's is articles_fts).
        .filter(|c| !(c.table_name == "articles" && c.column_name == "search"))
        .map(|c| {
            (
                c.table_name,
                c.column_name,
                normalize(&c.data_type),
                c.is_nullable == "YES",
            )
        })
        .collect();
    let indexes: Vec<Name> = diesel::sql_query(
        "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = 'public' \
         AND indexname NOT LIKE '%_pkey' AND indexname <> 'articles_search_idx'",
    )
    .load(&mut conn)
    .unwrap();
    (columns, indexes.into_iter().map(|i| i.name).collect())
}

#[test]
fn sqlite_and_postgres_migrations_give_the_same_tables_columns_and_indexes() {
    let (sqlite_columns, sqlite_indexes) = sqlite_schema();
    assert!(sqlite_columns.len() > 80, "the SQLite schema was read");
    let Some(server) = postgres_server() else {
        eprintln!("skipped the PostgreSQL half: TEST_DATABASE_URL is not set (CI sets it)");
        return;
    };
    let (pg_columns, pg_indexes) = postgres_schema(&fresh_postgres_database(&server));
    let only_sqlite: Vec<_> = sqlite_columns.difference(&pg_columns).collect();
    let only_pg: Vec<_> = pg_columns.difference(&sqlite_columns).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "columns differ:\n  SQLite only: {only_sqlite:?}\n  PostgreSQL only: {only_pg:?}"
    );
    assert_eq!(sqlite_indexes, pg_indexes, "indexes differ");
}
