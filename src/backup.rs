//! `clinic-cms export` / `import`: a complete, versioned JSON dump of all
//! content and users (password hashes included, refresh tokens not), the
//! same on SQLite and PostgreSQL, and the documented backup.

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
    pub role: String,
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
    write_table(out, conn, "site", |conn, offset| {
        schema::site::table
            .order(schema::site::id)
            .limit(BATCH)
            .offset(offset)
            .select(SiteRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "users", |conn, offset| {
        schema::users::table
            .order(schema::users::id)
            .limit(BATCH)
            .offset(offset)
            .select(UsersRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "tags", |conn, offset| {
        schema::tags::table
            .order(schema::tags::id)
            .limit(BATCH)
            .offset(offset)
            .select(TagsRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "massage_types", |conn, offset| {
        schema::massage_types::table
            .order(schema::massage_types::id)
            .limit(BATCH)
            .offset(offset)
            .select(MassageTypesRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "treatments", |conn, offset| {
        schema::treatments::table
            .order(schema::treatments::id)
            .limit(BATCH)
            .offset(offset)
            .select(TreatmentsRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "articles", |conn, offset| {
        schema::articles::table
            .order(schema::articles::id)
            .limit(BATCH)
            .offset(offset)
            .select(ArticlesRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "faqs", |conn, offset| {
        schema::faqs::table
            .order(schema::faqs::id)
            .limit(BATCH)
            .offset(offset)
            .select(FaqsRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "article_tags", |conn, offset| {
        schema::article_tags::table
            .order((
                schema::article_tags::article_id,
                schema::article_tags::tag_id,
            ))
            .limit(BATCH)
            .offset(offset)
            .select(ArticleTagsRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "article_massage_types", |conn, offset| {
        schema::article_massage_types::table
            .order((
                schema::article_massage_types::article_id,
                schema::article_massage_types::massage_type_id,
            ))
            .limit(BATCH)
            .offset(offset)
            .select(ArticleMassageTypesRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "article_treatments", |conn, offset| {
        schema::article_treatments::table
            .order((
                schema::article_treatments::article_id,
                schema::article_treatments::treatment_id,
            ))
            .limit(BATCH)
            .offset(offset)
            .select(ArticleTreatmentsRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "article_related", |conn, offset| {
        schema::article_related::table
            .order((
                schema::article_related::article_id,
                schema::article_related::related_id,
            ))
            .limit(BATCH)
            .offset(offset)
            .select(ArticleRelatedRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "article_revisions", |conn, offset| {
        schema::article_revisions::table
            .order(schema::article_revisions::id)
            .limit(BATCH)
            .offset(offset)
            .select(ArticleRevisionsRow::as_select())
            .load(conn)
    })?;
    write_table(out, conn, "activity", |conn, offset| {
        schema::activity::table
            .order(schema::activity::id)
            .limit(BATCH)
            .offset(offset)
            .select(ActivityRow::as_select())
            .load(conn)
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
    backend::write_transaction(conn, |conn| -> anyhow::Result<()> {
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
        insert_all(conn, "site", &backup.site, &mut progress, |conn, row| {
            diesel::insert_into(schema::site::table)
                .values(row)
                .execute(conn)
        })?;
        insert_all(conn, "users", &backup.users, &mut progress, |conn, row| {
            diesel::insert_into(schema::users::table)
                .values(row)
                .execute(conn)
        })?;
        insert_all(conn, "tags", &backup.tags, &mut progress, |conn, row| {
            diesel::insert_into(schema::tags::table)
                .values(row)
                .execute(conn)
        })?;
        insert_all(
            conn,
            "massage_types",
            &backup.massage_types,
            &mut progress,
            |conn, row| {
                diesel::insert_into(schema::massage_types::table)
                    .values(row)
                    .execute(conn)
            },
        )?;
        insert_all(
            conn,
            "treatments",
            &backup.treatments,
            &mut progress,
            |conn, row| {
                diesel::insert_into(schema::treatments::table)
                    .values(row)
                    .execute(conn)
            },
        )?;
        insert_all(
            conn,
            "articles",
            &backup.articles,
            &mut progress,
            |conn, row| {
                diesel::insert_into(schema::articles::table)
                    .values(row)
                    .execute(conn)
            },
        )?;
        insert_all(conn, "faqs", &backup.faqs, &mut progress, |conn, row| {
            diesel::insert_into(schema::faqs::table)
                .values(row)
                .execute(conn)
        })?;
        insert_all(
            conn,
            "article_tags",
            &backup.article_tags,
            &mut progress,
            |conn, row| {
                diesel::insert_into(schema::article_tags::table)
                    .values(row)
                    .execute(conn)
            },
        )?;
        insert_all(
            conn,
            "article_massage_types",
            &backup.article_massage_types,
            &mut progress,
            |conn, row| {
                diesel::insert_into(schema::article_massage_types::table)
                    .values(row)
                    .execute(conn)
            },
        )?;
        insert_all(
            conn,
            "article_treatments",
            &backup.article_treatments,
            &mut progress,
            |conn, row| {
                diesel::insert_into(schema::article_treatments::table)
                    .values(row)
                    .execute(conn)
            },
        )?;
        insert_all(
            conn,
            "article_related",
            &backup.article_related,
            &mut progress,
            |conn, row| {
                diesel::insert_into(schema::article_related::table)
                    .values(row)
                    .execute(conn)
            },
        )?;
        insert_all(
            conn,
            "article_revisions",
            &backup.article_revisions,
            &mut progress,
            |conn, row| {
                diesel::insert_into(schema::article_revisions::table)
                    .values(row)
                    .execute(conn)
            },
        )?;
        insert_all(
            conn,
            "activity",
            &backup.activity,
            &mut progress,
            |conn, row| {
                diesel::insert_into(schema::activity::table)
                    .values(row)
                    .execute(conn)
            },
        )?;
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
        Ok(())
    })?;
    progress.finish();
    Ok(total)
}

fn delete_everything(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::delete(schema::refresh_tokens::table).execute(conn)?;
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
