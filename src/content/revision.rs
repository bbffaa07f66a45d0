//! Article revisions: every saved version, stored in a format of their own
//! (`Snapshot`), so the edit model (`ArticleState`) can change and old
//! revisions still read and restore.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::article::StoredStatus;
use super::article_state::{ArticleState, Link};
use super::reference::Reference;
use super::review::{self, ReviewStep};
use super::user::User;
use super::{to_utc, Slug};
use crate::db::insert_row;
use crate::db::schema::{article_revisions, articles, massage_types, people, tags, treatments};
use crate::db::DbConnection;

/// One saved version of an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    /// The article version this revision saved; restore it by this number.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    /// The user who made this version, when still known.
    pub created_by: Option<i32>,
    pub created_by_name: Option<String>,
    pub state: ArticleState,
    /// The review step that made this version, when one did (a submission,
    /// an approval, a change request, or an edit that reopened the review).
    pub review_step: Option<ReviewStep>,
}

/// The stored form of a revision, format 1: what an editor could change
/// about an article when formats were introduced. Written with
/// `"format": 1`; rows from before that have no `format` and are this.
/// A change to `ArticleState` adds a format 2 and a conversion from 1,
/// never a change here.
#[derive(Serialize, Deserialize)]
struct SnapshotV1 {
    title: String,
    slug: String,
    excerpt: String,
    body: String,
    tags: Vec<String>,
    massage_types: Vec<String>,
    treatments: Vec<String>,
    related: Vec<String>,
    seo_title: Option<String>,
    seo_description: Option<String>,
    canonical_url: Option<String>,
    /// `draft`, `published` or `archived`.
    status: String,
    #[serde(default, with = "crate::content::utc_opt")]
    published_at: Option<NaiveDateTime>,
    author_id: Option<i32>,
}

/// Format 2: format 1 and the cover image (a media id).
#[derive(Serialize, Deserialize)]
struct SnapshotV2 {
    #[serde(flatten)]
    v1: SnapshotV1,
    #[serde(default)]
    cover: Option<i32>,
}

/// Format 3: format 2 and the article's authors (profile slugs) and references.
#[derive(Serialize, Deserialize)]
struct SnapshotV3 {
    #[serde(flatten)]
    v2: SnapshotV2,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    references: Vec<Reference>,
}

/// A revision as stored: its format and the fields of that format.
#[derive(Deserialize)]
struct Snapshot {
    #[serde(default = "first_format")]
    format: u32,
    #[serde(flatten)]
    fields: serde_json::Map<String, serde_json::Value>,
}

fn first_format() -> u32 {
    1
}

fn texts(slugs: &[Slug]) -> Vec<String> {
    slugs.iter().map(|s| s.as_str().to_string()).collect()
}

/// The slugs of a stored list (they were valid when written; any that is
/// not is left out, as a link that no longer exists is on restore).
fn slugs(texts: &[String]) -> Vec<Slug> {
    texts.iter().filter_map(|t| Slug::parse(t).ok()).collect()
}

/// A revision as `save` writes it: the newest format, tagged.
#[derive(Serialize)]
struct Written {
    format: u32,
    #[serde(flatten)]
    fields: SnapshotV3,
}

/// The format `save` writes.
const FORMAT: u32 = 3;

impl Snapshot {
    fn encode(state: &ArticleState) -> serde_json::Result<String> {
        let v1 = SnapshotV1 {
            title: state.title.clone(),
            slug: state.slug.clone(),
            excerpt: state.excerpt.clone(),
            body: state.body.clone(),
            tags: texts(&state.tags),
            massage_types: texts(&state.massage_types),
            treatments: texts(&state.treatments),
            related: texts(&state.related),
            seo_title: state.seo_title.clone(),
            seo_description: state.seo_description.clone(),
            canonical_url: state.canonical_url.clone(),
            status: state.status.as_str().to_string(),
            published_at: state.published_at,
            author_id: state.author_id,
        };
        serde_json::to_string(&Written {
            format: FORMAT,
            fields: SnapshotV3 {
                v2: SnapshotV2 {
                    v1,
                    cover: state.cover,
                },
                authors: texts(&state.authors),
                references: state.references.clone(),
            },
        })
    }

    fn decode(text: &str) -> QueryResult<ArticleState> {
        let fail = |e: String| diesel::result::Error::DeserializationError(e.into());
        let snapshot: Snapshot = serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
        match snapshot.format {
            1 => {
                let v1: SnapshotV1 = serde_json::from_value(snapshot.fields.into())
                    .map_err(|e| fail(e.to_string()))?;
                Ok(from_v1(v1, None))
            }
            2 => {
                let v2: SnapshotV2 = serde_json::from_value(snapshot.fields.into())
                    .map_err(|e| fail(e.to_string()))?;
                Ok(from_v1(v2.v1, v2.cover))
            }
            3 => {
                let v3: SnapshotV3 = serde_json::from_value(snapshot.fields.into())
                    .map_err(|e| fail(e.to_string()))?;
                Ok(ArticleState {
                    authors: slugs(&v3.authors),
                    references: v3.references,
                    ..from_v1(v3.v2.v1, v3.v2.cover)
                })
            }
            newer => Err(fail(format!(
                "revision format {newer} is newer than this server reads"
            ))),
        }
    }
}

/// The state a format-1 snapshot holds, with the cover a later format adds.
fn from_v1(v1: SnapshotV1, cover: Option<i32>) -> ArticleState {
    ArticleState {
        title: v1.title,
        slug: v1.slug,
        excerpt: v1.excerpt,
        body: v1.body,
        tags: slugs(&v1.tags),
        massage_types: slugs(&v1.massage_types),
        treatments: slugs(&v1.treatments),
        related: slugs(&v1.related),
        seo_title: v1.seo_title,
        seo_description: v1.seo_description,
        canonical_url: v1.canonical_url,
        status: StoredStatus::parse(&v1.status).unwrap_or_default(),
        published_at: v1.published_at,
        author_id: v1.author_id,
        cover,
        authors: Vec::new(),
        references: Vec::new(),
    }
}

/// Saves `state` as the revision of `version`.
pub fn save(
    conn: &mut DbConnection,
    id: i32,
    version: i32,
    state: &ArticleState,
    by: Option<i32>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let snapshot =
        Snapshot::encode(state).map_err(|e| diesel::result::Error::SerializationError(e.into()))?;
    insert_row!(article_revisions: article_id = id, version, snapshot, created_by = by, created_at = at)
        .execute(conn)?;
    Ok(())
}

/// The saved versions of an article, newest first.
pub fn revisions(conn: &mut DbConnection, id: i32) -> QueryResult<Vec<Revision>> {
    let rows: Vec<(i32, String, Option<i32>, NaiveDateTime)> = article_revisions::table
        .filter(article_revisions::article_id.eq(id))
        .order(article_revisions::version.desc())
        .select((
            article_revisions::version,
            article_revisions::snapshot,
            article_revisions::created_by,
            article_revisions::created_at,
        ))
        .load(conn)?;
    let user_ids: Vec<i32> = rows.iter().filter_map(|r| r.2).collect();
    let names = User::names(conn, &user_ids)?;
    let mut steps: std::collections::HashMap<i32, ReviewStep> = review::steps(conn, id)?
        .into_iter()
        .map(|s| (s.version, s))
        .collect();
    rows.into_iter()
        .map(|(version, snapshot, created_by, created_at)| {
            Ok(Revision {
                review_step: steps.remove(&version),
                version,
                created_at: to_utc(created_at),
                created_by_name: created_by.and_then(|u| names.get(&u).cloned()),
                created_by,
                state: Snapshot::decode(&snapshot)?,
            })
        })
        .collect()
}

/// The state saved at `version`, if that revision exists.
pub fn revision_state(
    conn: &mut DbConnection,
    id: i32,
    version: i32,
) -> QueryResult<Option<ArticleState>> {
    let snapshot: Option<String> = article_revisions::table
        .filter(article_revisions::article_id.eq(id))
        .filter(article_revisions::version.eq(version))
        .select(article_revisions::snapshot)
        .first(conn)
        .optional()?;
    snapshot.as_deref().map(Snapshot::decode).transpose()
}

/// The state with relations that no longer exist left out, so an old
/// revision can always be restored.
pub fn without_missing_links(
    conn: &mut DbConnection,
    mut state: ArticleState,
) -> QueryResult<ArticleState> {
    let exists = |conn: &mut DbConnection, link: Link, slug: &str| -> QueryResult<bool> {
        macro_rules! with_slug {
            ($table:ident) => {
                $table::table
                    .filter($table::slug.eq(slug))
                    .count()
                    .get_result(conn)?
            };
        }
        let count: i64 = match link {
            Link::Tags => with_slug!(tags),
            Link::MassageTypes => with_slug!(massage_types),
            Link::Treatments => with_slug!(treatments),
            Link::Related => with_slug!(articles),
            Link::People => with_slug!(people),
        };
        Ok(count > 0)
    };
    for (link, list) in [
        (Link::Tags, &mut state.tags),
        (Link::MassageTypes, &mut state.massage_types),
        (Link::Treatments, &mut state.treatments),
        (Link::Related, &mut state.related),
        (Link::People, &mut state.authors),
    ] {
        let mut kept = Vec::with_capacity(list.len());
        for slug in list.drain(..) {
            if exists(conn, link, slug.as_str())? {
                kept.push(slug);
            }
        }
        *list = kept;
    }
    // A cover deleted since (only an image no content uses can be).
    if let Some(cover) = state.cover {
        if super::media::Media::rows(conn, &[cover])?.is_empty() {
            state.cover = None;
        }
    }
    Ok(state)
}

/// Saves the current state as the revision of the current version (the
/// content loader's articles start with one).
pub fn snapshot_current(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<()> {
    let (state, stored) = ArticleState::load(conn, id)?;
    save(conn, id, stored.version, &state, None, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A revision written before formats were named (the plain
    /// `ArticleState` of November 2026) still reads.
    #[test]
    fn revisions_of_every_format_read() {
        let before_formats = r#"{"title":"T","slug":"t","excerpt":"","body":"B","tags":["a"],
            "massage_types":[],"treatments":[],"related":[],"seo_title":null,
            "seo_description":null,"canonical_url":null,"status":"published",
            "published_at":"2026-11-01T09:00:00Z","author_id":3}"#;
        let state = Snapshot::decode(before_formats).unwrap();
        assert_eq!(state.title, "T");
        assert_eq!(state.status, StoredStatus::Published);
        assert_eq!(state.tags, ["a"]);
        let again = Snapshot::decode(&Snapshot::encode(&state).unwrap()).unwrap();
        assert_eq!(again, state);
        assert!(Snapshot::encode(&state).unwrap().contains(r#""format":3"#));
        let format_1 = before_formats.replacen('{', r#"{"format":1,"#, 1);
        assert_eq!(Snapshot::decode(&format_1).unwrap(), state);
        let format_2 = before_formats.replacen('{', r#"{"format":2,"cover":7,"#, 1);
        assert_eq!(Snapshot::decode(&format_2).unwrap().cover, Some(7));
        let covered = ArticleState {
            cover: Some(7),
            authors: vec![Slug::parse("ana-ruiz").unwrap()],
            references: vec![Reference {
                title: "A trial".into(),
                url: "https://example.org/trial".into(),
                publisher: "A journal".into(),
                published: chrono::NaiveDate::from_ymd_opt(2017, 4, 4),
                doi: Some("10.7326/M16-2367".into()),
                pmid: None,
            }],
            ..state
        };
        assert_eq!(
            Snapshot::decode(&Snapshot::encode(&covered).unwrap()).unwrap(),
            covered
        );
        assert!(Snapshot::decode(r#"{"format":99,"title":"x"}"#).is_err());
    }
}
