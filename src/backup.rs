//! `clinic-cms export` / `import`: a complete, versioned JSON dump of all
//! content and users (password hashes included, refresh tokens not), the
//! same on SQLite and PostgreSQL, and the documented backup.

use crate::content::change::{Action, Change, Item};
use std::io::Write;

use anyhow::{bail, Context};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::{backend, schema, DbConnection};

pub const FORMAT: &str = "clinic-cms-backup";
/// 2: the media library (its rows, covers, table images, avatars, and each
/// image's stored original in `media_files`). 3: author profiles, article
/// credits, references, medical review (state, dates, steps) and the
/// site's editorial settings. Versions 1 and 2 are still read.
pub const VERSION: u32 = 4;
/// The oldest version `import` reads.
const OLDEST_VERSION: u32 = 1;
/// Rows read per query when exporting, so memory stays flat on big sites.
const BATCH: i64 = 1000;

mod tables;

pub use tables::*;

/// The stored original of an image, as a backup carries it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaFile {
    pub hash: String,
    /// `original.{ext}`.
    pub file: String,
    /// The bytes, in standard base64.
    pub data: String,
}

/// Reads a stored file (`hash`, `file`) of the media store.
pub type FetchFile<'a> = dyn Fn(&str, &str) -> anyhow::Result<Option<Vec<u8>>> + 'a;
/// Stores a file of the media store.
pub type PutFile<'a> = dyn Fn(&str, &str, Vec<u8>) -> anyhow::Result<()> + 'a;

/// Writes every table, in primary-key order, as one JSON document with one
/// row a line, then each image's stored original, one a line.
pub fn export(
    conn: &mut DbConnection,
    out: &mut impl Write,
    fetch: &FetchFile,
) -> anyhow::Result<()> {
    write!(out, "{{\n\"format\": \"{FORMAT}\",\n\"version\": {VERSION}")?;
    export_tables(conn, out)?;
    write_table(out, conn, "media_files", |conn, offset| {
        let rows: Vec<(i32, String, crate::media::variant::Format)> = schema::media::table
            .order(schema::media::id)
            .limit(BATCH)
            .offset(offset)
            .select((
                schema::media::id,
                schema::media::hash,
                schema::media::format,
            ))
            .load(conn)?;
        rows.into_iter()
            .map(|(id, hash, format)| {
                let file = format!("original.{}", format.extension());
                let bytes = fetch(&hash, &file)
                    .map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))?
                    .ok_or_else(|| {
                        diesel::result::Error::QueryBuilderError(
                            format!("the media store has no {hash}/{file} (media {id})").into(),
                        )
                    })?;
                Ok(MediaFile {
                    data: BASE64.encode(bytes),
                    hash,
                    file,
                })
            })
            .collect()
    })?;
    writeln!(out, "\n}}")?;
    out.flush()?;
    Ok(())
}

fn write_table<R: Serialize>(
    out: &mut impl Write,
    conn: &mut DbConnection,
    name: &str,
    load: impl Fn(&mut DbConnection, i64) -> QueryResult<Vec<R>>,
) -> anyhow::Result<()> {
    write!(out, ",\n\"{name}\": [")?;
    let mut offset = 0;
    let mut first = true;
    loop {
        let rows = load(conn, offset).with_context(|| format!("reading {name}"))?;
        for row in &rows {
            out.write_all(if first { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *out, row)?;
            first = false;
        }
        if (rows.len() as i64) < BATCH {
            break;
        }
        offset += BATCH;
    }
    write!(out, "\n]")?;
    Ok(())
}

/// Loads a backup in one transaction: it all goes in, or nothing changes.
/// Refuses a database that holds content unless `replace` is set.
/// The media files go to the store first, so no imported row ever names
/// a file the store lacks (a failed import leaves unused files at most).
pub fn import(
    conn: &mut DbConnection,
    backup: &Backup,
    replace: bool,
    put: &PutFile,
) -> anyhow::Result<usize> {
    if backup.format != FORMAT {
        bail!("not a clinic-cms backup (format {:?})", backup.format);
    }
    if !(OLDEST_VERSION..=VERSION).contains(&backup.version) {
        bail!(
            "backup version {} is not supported (this build reads {OLDEST_VERSION} to {VERSION})",
            backup.version
        );
    }
    for row in &backup.media {
        let file = format!("original.{}", row.format.extension());
        let found = backup
            .media_files
            .iter()
            .find(|f| f.hash == row.hash && f.file == file)
            .with_context(|| format!("the backup lacks {}/{file} (media {})", row.hash, row.id))?;
        let bytes = BASE64
            .decode(&found.data)
            .with_context(|| format!("{}/{file} is not base64", row.hash))?;
        put(&row.hash, &file, bytes).with_context(|| format!("storing {}/{file}", row.hash))?;
    }
    let total = backup.rows();
    let mut progress = Progress::new(total);
    backend::transaction(conn, |conn| -> anyhow::Result<()> {
        let existing: i64 = schema::users::table.count().get_result::<i64>(conn)?
            + schema::tags::table.count().get_result::<i64>(conn)?
            + schema::massage_types::table
                .count()
                .get_result::<i64>(conn)?
            + schema::treatments::table.count().get_result::<i64>(conn)?
            + schema::articles::table.count().get_result::<i64>(conn)?
            + schema::faqs::table.count().get_result::<i64>(conn)?;
        if existing > 0 && !replace {
            bail!("the database already holds content; import --replace to overwrite it");
        }
        delete_everything(conn)?;
        backup.insert(conn, &mut progress)?;
        backend::reset_id_sequences(
            conn,
            &[
                "site",
                "users",
                "tags",
                "massage_types",
                "treatments",
                "articles",
                "faqs",
                "media",
                "people",
                "article_revisions",
                "review_steps",
                "activity",
            ],
        )?;
        // Bodies come as another build rendered them: render them with this one.
        crate::content::article::Article::mark_bodies_stale(conn)?;
        Change::record(conn, Item::Everything, Action::Imported, None)?;
        Ok(())
    })?;
    progress.finish();
    crate::content::article::Article::render_stale(conn)?;
    Ok(total)
}

fn delete_everything(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::delete(schema::refresh_tokens::table).execute(conn)?;
    diesel::delete(schema::sessions::table).execute(conn)?;
    diesel::delete(schema::activity::table).execute(conn)?;
    diesel::delete(schema::preview_tokens::table).execute(conn)?;
    diesel::delete(schema::review_steps::table).execute(conn)?;
    diesel::delete(schema::article_revisions::table).execute(conn)?;
    diesel::delete(schema::article_references::table).execute(conn)?;
    diesel::delete(schema::article_people::table).execute(conn)?;
    diesel::delete(schema::article_media::table).execute(conn)?;
    diesel::delete(schema::article_related::table).execute(conn)?;
    diesel::delete(schema::article_treatments::table).execute(conn)?;
    diesel::delete(schema::article_massage_types::table).execute(conn)?;
    diesel::delete(schema::article_tags::table).execute(conn)?;
    diesel::delete(schema::faqs::table).execute(conn)?;
    diesel::delete(schema::articles::table).execute(conn)?;
    diesel::delete(schema::treatments::table).execute(conn)?;
    diesel::delete(schema::massage_types::table).execute(conn)?;
    diesel::delete(schema::people::table).execute(conn)?;
    diesel::delete(schema::media::table).execute(conn)?;
    diesel::delete(schema::tags::table).execute(conn)?;
    diesel::delete(schema::users::table).execute(conn)?;
    diesel::delete(schema::site::table).execute(conn)?;
    Ok(())
}

fn insert_all<R>(
    conn: &mut DbConnection,
    name: &str,
    rows: &[R],
    progress: &mut Progress,
    insert: impl Fn(&mut DbConnection, &R) -> QueryResult<usize>,
) -> anyhow::Result<()> {
    // One row at a time: multi-row inserts do not compile for a MultiConnection.
    for row in rows {
        insert(conn, row).with_context(|| format!("importing {name}"))?;
        progress.tick(name);
    }
    Ok(())
}

/// Progress on standard error for large imports (over 1,000 rows): a line every 5%.
struct Progress {
    total: usize,
    done: usize,
    next_report: usize,
    table: String,
}

impl Progress {
    fn new(total: usize) -> Self {
        Self {
            total,
            done: 0,
            next_report: 0,
            table: String::new(),
        }
    }

    fn tick(&mut self, table: &str) {
        self.done += 1;
        if self.total > 1000 && (table != self.table || self.done >= self.next_report) {
            self.table = table.to_string();
            self.next_report = self.done + (self.total / 20).max(1);
            eprintln!(
                "import: {:>3}% ({}/{} rows) {table}",
                self.done * 100 / self.total.max(1),
                self.done,
                self.total
            );
        }
    }

    fn finish(&self) {
        eprintln!("import: 100% ({} rows)", self.total);
    }
}
