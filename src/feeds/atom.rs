//! Atom (RFC 4287), written by `atom_syndication`.

use atom_syndication::{
    CategoryBuilder, ContentBuilder, EntryBuilder, FeedBuilder, FixedDateTime, LinkBuilder,
    PersonBuilder, Text,
};

use super::Links;
use crate::content::article::ArticleSummary;

fn fixed(t: chrono::DateTime<chrono::Utc>) -> FixedDateTime {
    t.fixed_offset()
}

/// The Atom document of `articles` (newest first), of one tag when given.
pub fn atom(links: &Links, articles: &[(ArticleSummary, String)], tag: Option<&str>) -> Vec<u8> {
    let site = links.site;
    let query = tag.map(|t| format!("?tag={t}")).unwrap_or_default();
    let self_url = links.own(&format!("/api/v1/feed.atom{query}"));
    let home = tag
        .and_then(|t| links.tag(t))
        .unwrap_or_else(|| links.home());
    let updated = articles
        .iter()
        .map(|(a, _)| a.updated_at)
        .max()
        .unwrap_or_else(|| site.updated_at.and_utc());
    let entries = articles
        .iter()
        .map(|(article, html)| {
            let url = links.article(&article.slug);
            let mut entry = EntryBuilder::default();
            entry
                .id(url.clone())
                .title(Text::plain(article.title.clone()))
                .updated(fixed(article.updated_at))
                .published(Some(fixed(article.published_at)))
                .summary(Some(Text::plain(article.excerpt.clone())))
                .content(Some(
                    ContentBuilder::default()
                        .value(Some(links.absolute_images(html)))
                        .content_type(Some("html".to_string()))
                        .build(),
                ))
                .authors(
                    super::author_names(article)
                        .into_iter()
                        .map(|name| PersonBuilder::default().name(name).build())
                        .collect::<Vec<_>>(),
                )
                .categories(
                    article
                        .tags
                        .iter()
                        .map(|t| {
                            CategoryBuilder::default()
                                .term(t.slug.clone())
                                .label(Some(t.name.clone()))
                                .build()
                        })
                        .collect::<Vec<_>>(),
                );
            let mut entry_links = vec![LinkBuilder::default()
                .href(url)
                .rel("alternate")
                .mime_type(Some("text/html".to_string()))
                .build()];
            if let Some(cover) = &article.cover {
                entry_links.push(
                    LinkBuilder::default()
                        .href(links.own(&cover.src))
                        .rel("enclosure")
                        .mime_type(Some(cover.mime.clone()))
                        .title(Some(cover.alt.clone()).filter(|a| !a.is_empty()))
                        .build(),
                );
            }
            entry.links(entry_links).build()
        })
        .collect::<Vec<_>>();
    let title = match tag {
        Some(tag) => format!("{} — {tag}", site.name),
        None => site.name.clone(),
    };
    let feed = FeedBuilder::default()
        .id(self_url.clone())
        .title(Text::plain(title))
        .subtitle(
            Some(Text::plain(site.description.clone())).filter(|_| !site.description.is_empty()),
        )
        .updated(fixed(updated))
        .authors(vec![PersonBuilder::default()
            .name(site.name.clone())
            .build()])
        .links(vec![
            LinkBuilder::default()
                .href(self_url)
                .rel("self")
                .mime_type(Some("application/atom+xml".to_string()))
                .build(),
            LinkBuilder::default()
                .href(home)
                .rel("alternate")
                .mime_type(Some("text/html".to_string()))
                .build(),
        ])
        .entries(entries)
        .build();
    // `write_to` begins with the XML declaration.
    let mut out = Vec::new();
    match feed.write_to(&mut out) {
        Ok(_) => out,
        Err(e) => {
            tracing::error!(error = %e, "writing an Atom feed");
            Vec::new()
        }
    }
}
