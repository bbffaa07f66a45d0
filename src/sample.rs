//! Loads a content file (the built-in clinic sample, or one given by path) into an empty database.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use diesel::Connection;
use serde::Deserialize;

use crate::config::SampleContent;
use crate::content::article::{ids_for_slugs, Article, ArticleLinks, NewArticle, StoredStatus};
use crate::content::change::{Action, Change, Item};
use crate::content::faq::{Faq, NewFaq};
use crate::content::massage_type::{MassageType, MassageTypeFields};
use crate::content::site::{Site, SiteChanges};
use crate::content::tag::{NewTag, Tag};
use crate::content::treatment::{Treatment, TreatmentFields};
use crate::content::user::{NewUser, Role, User};
use crate::content::{now, Slug};
use crate::db::DbConnection;
use crate::render::{render_markdown, Embeds};

mod credits;

const BUILTIN_CONTENT: &str = include_str!("sample/content.json");
const BUILTIN_BODIES: &[(&str, &str)] = &[(
    "massage-benefits-for-back-pain-and-posture.md",
    include_str!("sample/massage-benefits-for-back-pain-and-posture.md"),
)];

/// A content file: everything a site needs to start with.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedContent {
    pub site: SeedSite,
    #[serde(default)]
    pub authors: Vec<SeedAuthor>,
    /// Author profiles: the people articles credit.
    #[serde(default)]
    pub people: Vec<credits::SeedPerson>,
    #[serde(default)]
    pub tags: Vec<SeedTag>,
    #[serde(default)]
    pub massage_types: Vec<SeedMassageType>,
    #[serde(default)]
    pub treatments: Vec<SeedTreatment>,
    #[serde(default)]
    pub articles: Vec<SeedArticle>,
    /// FAQs that belong to no article.
    #[serde(default)]
    pub faqs: Vec<SeedFaq>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSite {
    pub name: String,
    pub location: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub base_url: String,
    /// The medical disclaimer, Markdown.
    #[serde(default)]
    pub disclaimer: String,
    #[serde(default)]
    pub require_review: bool,
    #[serde(default = "twelve_months")]
    pub review_interval_months: i32,
}

fn twelve_months() -> i32 {
    12
}

/// A byline. Authors from a content file cannot log in until given a password.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAuthor {
    pub email: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTag {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMassageType {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub best_for: String,
    #[serde(default)]
    pub benefits: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTreatment {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub benefits: String,
    #[serde(default)]
    pub limitations: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedArticle {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub excerpt: String,
    /// The Markdown body, inline...
    pub body: Option<String>,
    /// ...or in a file beside the content file.
    pub body_file: Option<String>,
    /// `published` when not given.
    #[serde(default = "default_status")]
    pub status: StoredStatus,
    pub published_at: Option<DateTime<Utc>>,
    /// The author's email, one of `authors`.
    pub author: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub massage_types: Vec<String>,
    #[serde(default)]
    pub treatments: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub seo: SeedSeo,
    #[serde(default)]
    pub faqs: Vec<SeedFaq>,
    /// Profile slugs, in order.
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub references: Vec<crate::content::reference::Reference>,
    pub review: Option<credits::SeedReview>,
}

fn default_status() -> StoredStatus {
    StoredStatus::Published
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSeo {
    pub title: Option<String>,
    pub description: Option<String>,
    pub canonical_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFaq {
    pub question: String,
    /// Markdown.
    pub answer: String,
}

/// Where `body_file`s are read from.
enum Bodies {
    Builtin,
    Folder(PathBuf),
}

impl Bodies {
    fn read(&self, name: &str) -> anyhow::Result<String> {
        match self {
            Bodies::Builtin => BUILTIN_BODIES
                .iter()
                .find(|(file, _)| *file == name)
                .map(|(_, body)| body.to_string())
                .with_context(|| format!("no built-in body file {name}")),
            Bodies::Folder(dir) => {
                let path = dir.join(name);
                std::fs::read_to_string(&path)
                    .with_context(|| format!("reading body file {}", path.display()))
            }
        }
    }
}

/// Loads the configured content when the database holds no article yet.
/// Returns whether anything was loaded.
pub fn seed_if_empty(conn: &mut DbConnection, source: &SampleContent) -> anyhow::Result<bool> {
    let (json, bodies) = match source {
        SampleContent::Off => return Ok(false),
        SampleContent::Builtin => (BUILTIN_CONTENT.to_string(), Bodies::Builtin),
        SampleContent::File(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("reading content file {}", path.display()))?,
            Bodies::Folder(path.parent().map(Path::to_path_buf).unwrap_or_default()),
        ),
    };
    if Article::count(conn)? > 0 {
        return Ok(false);
    }
    let content: SeedContent = serde_json::from_str(&json).context("parsing the content file")?;
    conn.transaction(|conn| {
        load(conn, &content, &bodies)?;
        // Other nodes serving this database see it on their next poll.
        Change::record(conn, Item::Everything, Action::Imported, None)?;
        anyhow::Ok(())
    })?;
    tracing::info!(articles = content.articles.len(), "loaded sample content");
    Ok(true)
}

/// Inserts everything in one transaction: a bad file loads nothing.
fn load(conn: &mut DbConnection, content: &SeedContent, bodies: &Bodies) -> anyhow::Result<()> {
    let at = now();
    let site = &content.site;
    Site::save(
        conn,
        &SiteChanges {
            name: &site.name,
            location: &site.location,
            description: &site.description,
            base_url: &site.base_url,
            article_path: "/articles/{slug}",
            tag_path: "",
            disclaimer_markdown: &site.disclaimer,
            disclaimer_html: &render_markdown(&site.disclaimer, &Embeds::new()).html,
            require_review: site.require_review,
            review_interval_months: site.review_interval_months,
            preview_url: "",
            updated_at: at,
        },
    )?;
    let people = credits::insert_people(conn, &content.people, at)?;

    let mut authors = HashMap::new();
    for author in &content.authors {
        let id = match User::id_by_email(conn, &author.email)? {
            Some(id) => id,
            None => User::insert(
                conn,
                &NewUser {
                    email: &author.email,
                    name: &author.name,
                    role: Role::Author,
                    password_hash: None,
                    created_at: at,
                    updated_at: at,
                },
            )?,
        };
        authors.insert(author.email.to_lowercase(), id);
    }

    let mut tags = HashMap::new();
    for tag in &content.tags {
        let slug = checked_slug(&tag.slug)?;
        let id = Tag::insert(
            conn,
            &NewTag {
                slug,
                name: &tag.name,
                created_at: at,
                updated_at: at,
            },
        )?;
        tags.insert(tag.slug.clone(), id);
    }
    let mut massage_types = HashMap::new();
    for (position, m) in (0..).zip(&content.massage_types) {
        let fields = MassageTypeFields {
            slug: checked_slug(&m.slug)?.into(),
            name: m.name.clone(),
            best_for: m.best_for.clone(),
            benefits: m.benefits.clone(),
            description: m.description.clone(),
            position,
            image_id: None,
        };
        massage_types.insert(m.slug.clone(), MassageType::insert(conn, &fields, at)?);
    }
    let mut treatments = HashMap::new();
    for (position, t) in (0..).zip(&content.treatments) {
        let fields = TreatmentFields {
            slug: checked_slug(&t.slug)?.into(),
            name: t.name.clone(),
            benefits: t.benefits.clone(),
            limitations: t.limitations.clone(),
            position,
            image_id: None,
        };
        treatments.insert(t.slug.clone(), Treatment::insert(conn, &fields, at)?);
    }

    // Articles first, links second: related articles may point forward in the file.
    let mut articles = HashMap::new();
    for article in &content.articles {
        let id = insert_article(conn, article, bodies, &authors, at)?;
        articles.insert(article.slug.clone(), id);
    }
    for article in &content.articles {
        let id = articles[&article.slug];
        let field = |name: &str, slugs: &[String], lookup: &HashMap<String, i32>| {
            ids_for_slugs(slugs, lookup)
                .map_err(|s| anyhow::anyhow!("article {}: unknown {name} {s}", article.slug))
        };
        let links = ArticleLinks {
            tags: Some(field("tag", &article.tags, &tags)?),
            massage_types: Some(field(
                "massage type",
                &article.massage_types,
                &massage_types,
            )?),
            treatments: Some(field("treatment", &article.treatments, &treatments)?),
            related: Some(field("related article", &article.related, &articles)?),
            people: Some(field("author profile", &article.authors, &people)?),
        };
        Article::set_links(conn, id, &links)?;
        credits::credit(conn, id, article, &people)?;
        Article::render_body(conn, id)?;
        crate::content::revision::snapshot_current(conn, id, at)?;
        insert_faqs(conn, Some(id), &article.faqs)?;
    }
    insert_faqs(conn, None, &content.faqs)?;
    Ok(())
}

fn insert_article(
    conn: &mut DbConnection,
    article: &SeedArticle,
    bodies: &Bodies,
    authors: &HashMap<String, i32>,
    at: chrono::NaiveDateTime,
) -> anyhow::Result<i32> {
    let body = match (&article.body, &article.body_file) {
        (Some(body), None) => body.clone(),
        (None, Some(file)) => bodies.read(file)?,
        (None, None) => String::new(),
        (Some(_), Some(_)) => bail!("article {}: give body or body_file, not both", article.slug),
    };
    let status = article.status;
    let published_at = match (status, article.published_at) {
        (StoredStatus::Published, None) => Some(at),
        (_, t) => t.map(|t| t.naive_utc()),
    };
    let author_id = match &article.author {
        Some(email) => Some(
            *authors
                .get(&email.to_lowercase())
                .with_context(|| format!("article {}: unknown author {email}", article.slug))?,
        ),
        None => None,
    };
    // Sample articles read as written when they were published, not when loaded.
    let written_at = published_at.map_or(at, |p| p.min(at));
    let new = NewArticle {
        slug: checked_slug(&article.slug)?,
        title: &article.title,
        excerpt: &article.excerpt,
        body_markdown: &body,
        status,
        published_at,
        author_id,
        seo_title: article.seo.title.as_deref(),
        seo_description: article.seo.description.as_deref(),
        canonical_url: article.seo.canonical_url.as_deref(),
        cover_id: None,
        created_by: None,
        updated_by: None,
        created_at: written_at,
        updated_at: written_at,
    };
    Ok(Article::insert(conn, &new)?)
}

fn insert_faqs(
    conn: &mut DbConnection,
    article_id: Option<i32>,
    faqs: &[SeedFaq],
) -> anyhow::Result<()> {
    let at = now();
    for (position, faq) in (0..).zip(faqs) {
        let answer = render_markdown(&faq.answer, &Embeds::new());
        Faq::insert(
            conn,
            &NewFaq {
                article_id,
                question: &faq.question,
                answer_markdown: &faq.answer,
                answer_html: &answer.html,
                position,
                created_at: at,
                updated_at: at,
            },
        )?;
    }
    Ok(())
}

fn checked_slug(raw: &str) -> anyhow::Result<&str> {
    Slug::parse(raw).map_err(|e| anyhow::anyhow!("slug {raw:?} {e}"))?;
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_content_parses_and_every_body_file_exists() {
        let content: SeedContent = serde_json::from_str(BUILTIN_CONTENT).unwrap();
        assert_eq!(content.site.location, "Pasadena 100369, United States");
        for article in &content.articles {
            if let Some(file) = &article.body_file {
                assert!(Bodies::Builtin.read(file).is_ok(), "{file}");
            }
        }
    }
}
