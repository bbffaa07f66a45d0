//! `clinic-cms export` / `import`: a complete, versioned JSON dump of all
//! content and users (password hashes included, refresh tokens not), the
//! same on SQLite and PostgreSQL, and the documented backup.

use crate::content::change::{Action, Change, Item};
use std::io::Write;

use anyhow::{bail, Context};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::{backend, schema, DbConnection};

pub const FORMAT: &str = "clinic-cms-backup";
pub const VERSION: u32 = 1;
/// Rows read per query when exporting, so memory stays flat on big sites.
const BATCH: i64 = 1000;

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::site)]
#[serde(deny_unknown_fields)]
pub struct SiteRow {
    pub id: i32,
    pub name: String,
    pub location: String,
    pub description: String,
    pub base_url: String,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::users)]
#[serde(deny_unknown_fields)]
pub struct UsersRow {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub role: crate::content::user::Role,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::tags)]
#[serde(deny_unknown_fields)]
pub struct TagsRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<i32>,
    pub updated_by: Option<i32>,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::massage_types)]
#[serde(deny_unknown_fields)]
pub struct MassageTypesRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub best_for: String,
    pub benefits: String,
    pub description: String,
    pub position: i32,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<i32>,
    pub updated_by: Option<i32>,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::treatments)]
#[serde(deny_unknown_fields)]
pub struct TreatmentsRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub benefits: String,
    pub limitations: String,
    pub position: i32,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<i32>,
    pub updated_by: Option<i32>,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::articles)]
#[serde(deny_unknown_fields)]
pub struct ArticlesRow {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body_markdown: String,
    pub body_html: String,
    pub body_blocks: String,
    pub body_text: String,
    pub reading_time_minutes: i32,
    pub status: String,
    pub published_at: Option<NaiveDateTime>,
    pub author_id: Option<i32>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
    pub version: i32,
    pub created_by: Option<i32>,
    pub updated_by: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::faqs)]
#[serde(deny_unknown_fields)]
pub struct FaqsRow {
    pub id: i32,
    pub article_id: Option<i32>,
    pub question: String,
    pub answer_markdown: String,
    pub answer_html: String,
    pub position: i32,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<i32>,
    pub updated_by: Option<i32>,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::article_tags)]
#[serde(deny_unknown_fields)]
pub struct ArticleTagsRow {
    pub article_id: i32,
    pub tag_id: i32,
    pub position: i32,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::article_massage_types)]
#[serde(deny_unknown_fields)]
pub struct ArticleMassageTypesRow {
    pub article_id: i32,
    pub massage_type_id: i32,
    pub position: i32,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::article_treatments)]
#[serde(deny_unknown_fields)]
pub struct ArticleTreatmentsRow {
    pub article_id: i32,
    pub treatment_id: i32,
    pub position: i32,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::article_related)]
#[serde(deny_unknown_fields)]
pub struct ArticleRelatedRow {
    pub article_id: i32,
    pub related_id: i32,
    pub position: i32,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::article_revisions)]
#[serde(deny_unknown_fields)]
pub struct ArticleRevisionsRow {
    pub id: i32,
    pub article_id: i32,
    pub version: i32,
    pub snapshot: String,
    pub created_by: Option<i32>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
#[diesel(table_name = schema::activity)]
#[serde(deny_unknown_fields)]
pub struct ActivityRow {
    pub id: i32,
    pub user_id: Option<i32>,
    pub action: String,
    pub item_type: String,
    pub item_id: i32,
    pub item_label: String,
    pub created_at: NaiveDateTime,
}

/// A whole backup, as `import` reads it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    pub format: String,
    pub version: u32,
    pub site: Vec<SiteRow>,
    pub users: Vec<UsersRow>,
    pub tags: Vec<TagsRow>,
    pub massage_types: Vec<MassageTypesRow>,
    pub treatments: Vec<TreatmentsRow>,
    pub articles: Vec<ArticlesRow>,
    pub faqs: Vec<FaqsRow>,
    pub article_tags: Vec<ArticleTagsRow>,
    pub article_massage_types: Vec<ArticleMassageTypesRow>,
    pub article_treatments: Vec<ArticleTreatmentsRow>,
    pub article_related: Vec<ArticleRelatedRow>,
    pub article_revisions: Vec<ArticleRevisionsRow>,
    pub activity: Vec<ActivityRow>,
}

/// Writes every table, in primary-key order, as one JSON document with one row a line.
pub fn export(conn: &mut DbConnection, out: &mut impl Write) -> anyhow::Result<()> {
    write!(out, "{{\n\"format\": \"{FORMAT}\",\n\"version\": {VERSION}")?;
    // One table: its rows in key order, read in batches.
    macro_rules! table {
        ($name:ident, $row:ident, $($key:ident),+) => {
            write_table(out, conn, stringify!($name), |conn, offset| {
                schema::$name::table
                    .order(($(schema::$name::$key,)+))
                    .limit(BATCH)
                    .offset(offset)
                    .select($row::as_select())
                    .load(conn)
            })?;
        };
    }
    table!(site, SiteRow, id);
    table!(users, UsersRow, id);
    table!(tags, TagsRow, id);
    table!(massage_types, MassageTypesRow, id);
    table!(treatments, TreatmentsRow, id);
    table!(articles, ArticlesRow, id);
    table!(faqs, FaqsRow, id);
    table!(article_tags, ArticleTagsRow, article_id, tag_id);
    table!(
        article_massage_types,
        ArticleMassageTypesRow,
        article_id,
        massage_type_id
    );
    table!(
        article_treatments,
        ArticleTreatmentsRow,
        article_id,
        treatment_id
    );
    table!(article_related, ArticleRelatedRow, article_id, related_id);
    table!(article_revisions, ArticleRevisionsRow, id);
    table!(activity, ActivityRow, id);
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
pub fn import(conn: &mut DbConnection, backup: &Backup, replace: bool) -> anyhow::Result<usize> {
    if backup.format != FORMAT {
        bail!("not a clinic-cms backup (format {:?})", backup.format);
    }
    if backup.version != VERSION {
        bail!(
            "backup version {} is not supported (this build reads {VERSION})",
            backup.version
        );
    }
    let total = backup.site.len()
        + backup.users.len()
        + backup.tags.len()
        + backup.massage_types.len()
        + backup.treatments.len()
        + backup.articles.len()
        + backup.faqs.len()
        + backup.article_tags.len()
        + backup.article_massage_types.len()
        + backup.article_treatments.len()
        + backup.article_related.len()
        + backup.article_revisions.len()
        + backup.activity.len();
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
        // In foreign-key order, so every reference exists when its row goes in.
        macro_rules! table {
            ($name:ident) => {
                insert_all(
                    conn,
                    stringify!($name),
                    &backup.$name,
                    &mut progress,
                    |conn, row| {
                        diesel::insert_into(schema::$name::table)
                            .values(row)
                            .execute(conn)
                    },
                )?;
            };
        }
        table!(site);
        table!(users);
        table!(tags);
        table!(massage_types);
        table!(treatments);
        table!(articles);
        table!(faqs);
        table!(article_tags);
        table!(article_massage_types);
        table!(article_treatments);
        table!(article_related);
        table!(article_revisions);
        table!(activity);
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
                "article_revisions",
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
    diesel::delete(schema::article_revisions::table).execute(conn)?;
    diesel::delete(schema::article_related::table).execute(conn)?;
    diesel::delete(schema::article_treatments::table).execute(conn)?;
    diesel::delete(schema::article_massage_types::table).execute(conn)?;
    diesel::delete(schema::article_tags::table).execute(conn)?;
    diesel::delete(schema::faqs::table).execute(conn)?;
    diesel::delete(schema::articles::table).execute(conn)?;
    diesel::delete(schema::treatments::table).execute(conn)?;
    diesel::delete(schema::massage_types::table).execute(conn)?;
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
