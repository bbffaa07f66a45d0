//! JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::Links;
use crate::content::article::ArticleSummary;

/// A JSON Feed 1.1 document.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeed {
    /// `https://jsonfeed.org/version/1.1`.
    pub version: String,
    pub title: String,
    pub home_page_url: String,
    pub feed_url: String,
    pub description: String,
    pub language: String,
    pub items: Vec<JsonFeedItem>,
}

/// One article of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedItem {
    /// The article's page (stable: it follows the slug).
    pub id: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    /// The body, its image URLs absolute.
    pub content_html: String,
    /// The cover's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    pub date_published: DateTime<Utc>,
    pub date_modified: DateTime<Utc>,
    pub authors: Vec<JsonFeedAuthor>,
    /// The tags' names.
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedAuthor {
    pub name: String,
}

/// The feed of `articles` (newest first), of one tag when `tag` is given.
pub fn json_feed(
    links: &Links,
    articles: &[(ArticleSummary, String)],
    tag: Option<&str>,
) -> JsonFeed {
    let site = links.site;
    let query = tag.map(|t| format!("?tag={t}")).unwrap_or_default();
    JsonFeed {
        version: "https://jsonfeed.org/version/1.1".into(),
        title: match tag {
            Some(tag) => format!("{} — {tag}", site.name),
            None => site.name.clone(),
        },
        home_page_url: tag
            .and_then(|t| links.tag(t))
            .unwrap_or_else(|| links.home()),
        feed_url: links.own(&format!("/api/v1/feed.json{query}")),
        description: site.description.clone(),
        language: "en-US".into(),
        items: articles
            .iter()
            .map(|(article, html)| {
                let url = links.article(&article.slug);
                JsonFeedItem {
                    id: url.clone(),
                    url,
                    title: article.title.clone(),
                    summary: article.excerpt.clone(),
                    content_html: links.absolute_images(html),
                    image: article.cover.as_ref().map(|c| links.own(&c.src)),
                    date_published: article.published_at,
                    date_modified: article.updated_at,
                    authors: super::author_names(article)
                        .into_iter()
                        .map(|name| JsonFeedAuthor { name })
                        .collect(),
                    tags: article.tags.iter().map(|t| t.name.clone()).collect(),
                }
            })
            .collect(),
    }
}
