//! The backup's tables: one list, from which the row types, `Backup`, the
//! export of every table and the insert of every table are made.

use std::io::Write;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{insert_all, write_table, MediaFile, Progress, BATCH};
use crate::db::{schema, DbConnection};

/// Declares the backup's tables (see the invocation below).
macro_rules! backup_tables {
    ($($table:ident: $row:ident by ($($key:ident),+) { $($(#[$field_meta:meta])* $field:ident: $ty:ty),* $(,)? })*) => {
        $(
            #[derive(Debug, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
            #[diesel(table_name = schema::$table)]
            #[serde(deny_unknown_fields)]
            pub struct $row {
                $($(#[$field_meta])* pub $field: $ty,)*
            }
        )*

        /// A whole backup, as `import` reads it (a table an older version
        /// did not have is empty).
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Backup {
            pub format: String,
            pub version: u32,
            $(#[serde(default)] pub $table: Vec<$row>,)*
            /// Each image's stored original (variants are made again).
            #[serde(default)]
            pub media_files: Vec<MediaFile>,
        }

        impl Backup {
            /// Rows in all tables.
            pub(super) fn rows(&self) -> usize {
                0 $(+ self.$table.len())*
            }

            /// Inserts every table, in order.
            pub(super) fn insert(&self, conn: &mut DbConnection, progress: &mut Progress) -> anyhow::Result<()> {
                $(
                    insert_all(conn, stringify!($table), &self.$table, progress, |conn, row| {
                        diesel::insert_into(schema::$table::table).values(row).execute(conn)
                    })?;
                )*
                Ok(())
            }
        }

        /// Writes every table: its rows in key order, read in batches.
        pub(super) fn export_tables(conn: &mut DbConnection, out: &mut impl Write) -> anyhow::Result<()> {
            $(
                write_table(out, conn, stringify!($table), |conn, offset| {
                    schema::$table::table
                        .order(($(schema::$table::$key,)+))
                        .limit(BATCH)
                        .offset(offset)
                        .select($row::as_select())
                        .load(conn)
                })?;
            )*
            Ok(())
        }
    };
}

// Every table a backup holds, in foreign-key order (each row's references
// come before it): its row type, its key order, its columns. The row
// types, `Backup`, the export and the import are all made from this list.
backup_tables! {
    site: SiteRow by (id) {
        id: i32,
        name: String,
        location: String,
        description: String,
        base_url: String,
        updated_at: NaiveDateTime,
        version: i32,
        #[serde(default)]
        disclaimer_markdown: String,
        #[serde(default)]
        disclaimer_html: String,
        #[serde(default = "twelve")]
        review_interval_months: i32,
        #[serde(default)]
        require_review: bool,
        #[serde(default)]
        preview_url: String,
        #[serde(default = "article_path")]
        article_path: String,
        #[serde(default)]
        tag_path: String,
    }
    users: UsersRow by (id) {
        id: i32,
        email: String,
        name: String,
        role: crate::content::user::Role,
        password_hash: Option<String>,
        disabled: bool,
        version: i32,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
        #[serde(default)]
        avatar_id: Option<i32>,
    }
    media: MediaRow by (id) {
        id: i32,
        hash: String,
        format: crate::media::variant::Format,
        width: i32,
        height: i32,
        bytes: i64,
        animated: bool,
        filename: String,
        alt: String,
        decorative: bool,
        caption: String,
        credit: String,
        focal_x: f64,
        focal_y: f64,
        public: bool,
        version: i32,
        created_by: Option<i32>,
        updated_by: Option<i32>,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
    }
    people: PeopleRow by (id) {
        id: i32,
        slug: String,
        name: String,
        credentials: String,
        job_title: String,
        bio_markdown: String,
        bio_html: String,
        bio_blocks: String,
        avatar_id: Option<i32>,
        same_as: String,
        user_id: Option<i32>,
        version: i32,
        created_by: Option<i32>,
        updated_by: Option<i32>,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
    }
    tags: TagsRow by (id) {
        id: i32,
        slug: String,
        name: String,
        version: i32,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
        created_by: Option<i32>,
        updated_by: Option<i32>,
    }
    massage_types: MassageTypesRow by (id) {
        id: i32,
        slug: String,
        name: String,
        best_for: String,
        benefits: String,
        description: String,
        position: i32,
        version: i32,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
        created_by: Option<i32>,
        updated_by: Option<i32>,
        #[serde(default)]
        image_id: Option<i32>,
    }
    treatments: TreatmentsRow by (id) {
        id: i32,
        slug: String,
        name: String,
        benefits: String,
        limitations: String,
        position: i32,
        version: i32,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
        created_by: Option<i32>,
        updated_by: Option<i32>,
        #[serde(default)]
        image_id: Option<i32>,
    }
    articles: ArticlesRow by (id) {
        id: i32,
        slug: String,
        title: String,
        excerpt: String,
        body_markdown: String,
        body_html: String,
        body_blocks: String,
        body_text: String,
        reading_time_minutes: i32,
        status: crate::content::article::StoredStatus,
        published_at: Option<NaiveDateTime>,
        author_id: Option<i32>,
        seo_title: Option<String>,
        seo_description: Option<String>,
        canonical_url: Option<String>,
        version: i32,
        created_by: Option<i32>,
        updated_by: Option<i32>,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
        #[serde(default)]
        cover_id: Option<i32>,
        #[serde(default)]
        review_state: crate::content::review::ReviewState,
        #[serde(default)]
        approved_version: Option<i32>,
        #[serde(default)]
        review_note: String,
        #[serde(default)]
        reviewed_by: Option<i32>,
        #[serde(default)]
        last_reviewed: Option<chrono::NaiveDate>,
        #[serde(default)]
        next_review_due: Option<chrono::NaiveDate>,
        #[serde(default)]
        announced: bool,
    }
    faqs: FaqsRow by (id) {
        id: i32,
        article_id: Option<i32>,
        question: String,
        answer_markdown: String,
        answer_html: String,
        position: i32,
        version: i32,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
        created_by: Option<i32>,
        updated_by: Option<i32>,
    }
    article_tags: ArticleTagsRow by (article_id, tag_id) {
        article_id: i32,
        tag_id: i32,
        position: i32,
    }
    article_massage_types: ArticleMassageTypesRow by (article_id, massage_type_id) {
        article_id: i32,
        massage_type_id: i32,
        position: i32,
    }
    article_treatments: ArticleTreatmentsRow by (article_id, treatment_id) {
        article_id: i32,
        treatment_id: i32,
        position: i32,
    }
    article_related: ArticleRelatedRow by (article_id, related_id) {
        article_id: i32,
        related_id: i32,
        position: i32,
    }
    article_media: ArticleMediaRow by (article_id, media_id) {
        article_id: i32,
        media_id: i32,
    }
    article_people: ArticlePeopleRow by (article_id, person_id) {
        article_id: i32,
        person_id: i32,
        position: i32,
    }
    article_references: ArticleReferencesRow by (article_id, position) {
        article_id: i32,
        position: i32,
        title: String,
        url: String,
        publisher: String,
        published: Option<chrono::NaiveDate>,
        doi: Option<String>,
        pmid: Option<String>,
    }
    article_revisions: ArticleRevisionsRow by (id) {
        id: i32,
        article_id: i32,
        version: i32,
        snapshot: String,
        created_by: Option<i32>,
        created_at: NaiveDateTime,
    }
    review_steps: ReviewStepsRow by (id) {
        id: i32,
        article_id: i32,
        step: String,
        version: i32,
        user_id: Option<i32>,
        reviewer_id: Option<i32>,
        note: String,
        created_at: NaiveDateTime,
    }
    activity: ActivityRow by (id) {
        id: i32,
        user_id: Option<i32>,
        action: String,
        item_type: String,
        item_id: i32,
        item_label: String,
        created_at: NaiveDateTime,
    }
}

/// A site from before editorial settings reviews every twelve months.
fn article_path() -> String {
    "/articles/{slug}".into()
}

fn twelve() -> i32 {
    12
}
