//! Sitemaps (<https://www.sitemaps.org/protocol.html>): one `urlset` of
//! every public article (and tag page), or, past 50,000 pages, an index of
//! files: `sitemap-0.xml` the tag pages, `sitemap-1.xml` on the articles.

use chrono::NaiveDateTime;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::Links;

const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

fn date(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn document(
    root: &str,
    item: &str,
    entries: impl Iterator<Item = (String, Option<NaiveDateTime>)>,
) -> Vec<u8> {
    let mut writer = Writer::new(Vec::new());
    let written = writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|_| {
            writer
                .create_element(root)
                .with_attribute(("xmlns", NS))
                .write_inner_content(|w| {
                    for (loc, lastmod) in entries {
                        w.create_element(item).write_inner_content(|w| {
                            w.create_element("loc")
                                .write_text_content(BytesText::new(&loc))?;
                            if let Some(lastmod) = lastmod {
                                w.create_element("lastmod")
                                    .write_text_content(BytesText::new(&date(lastmod)))?;
                            }
                            Ok(())
                        })?;
                    }
                    Ok(())
                })
                .map(|_| ())
        });
    if let Err(e) = written {
        tracing::error!(error = %e, "writing a sitemap");
    }
    writer.into_inner()
}

/// A `urlset` of articles (slug, last change) and tags (slug, newest change).
pub fn urlset(
    links: &Links,
    articles: &[(String, NaiveDateTime)],
    tags: &[(String, Option<NaiveDateTime>)],
) -> Vec<u8> {
    let tag_pages = tags
        .iter()
        .filter_map(|(slug, at)| links.tag(slug).map(|url| (url, *at)));
    let article_pages = articles
        .iter()
        .map(|(slug, at)| (links.article(slug), Some(*at)));
    document("urlset", "url", tag_pages.chain(article_pages))
}

/// The index of the sitemap files numbered `files`.
pub fn index(links: &Links, files: &[i64]) -> Vec<u8> {
    document(
        "sitemapindex",
        "sitemap",
        files
            .iter()
            .map(|n| (links.own(&format!("/api/v1/sitemap-{n}.xml")), None)),
    )
}
