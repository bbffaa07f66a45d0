//! Feeds and the sitemap, made from public articles: Atom, JSON Feed 1.1
//! and the sitemaps.org protocol, with absolute links — to the front end's
//! pages (the site's `base_url` and `article_path`), else to this API; and
//! to this server (`PUBLIC_URL`) for images and the feeds themselves.

pub mod atom;
pub mod json_feed;
pub mod sitemap;

use crate::content::article::ArticleSummary;
use crate::content::image::rewrite_media_urls;
use crate::content::site::Site;

/// The articles a feed shows.
pub const FEED_ITEMS: i64 = 50;

/// Absolute links, as feeds and sitemaps need them.
pub struct Links<'a> {
    pub site: &'a Site,
    /// This server, as clients reach it (no trailing slash).
    pub api: &'a str,
}

impl Links<'_> {
    fn base(&self) -> Option<&str> {
        let base = self.site.base_url.trim_end_matches('/');
        (!base.is_empty()).then_some(base)
    }

    /// The front end's home page, else this API's article list.
    pub fn home(&self) -> String {
        match self.base() {
            Some(base) => format!("{base}/"),
            None => format!("{}/api/v1/articles", self.api),
        }
    }

    /// Where readers find an article: its front-end page, else its API URL.
    pub fn article(&self, slug: &str) -> String {
        match self.base() {
            Some(base) => format!("{base}{}", self.site.article_path.replace("{slug}", slug)),
            None => format!("{}/api/v1/articles/{slug}", self.api),
        }
    }

    /// A tag's front-end page, when the site has them.
    pub fn tag(&self, slug: &str) -> Option<String> {
        let base = self.base()?;
        (!self.site.tag_path.is_empty())
            .then(|| format!("{base}{}", self.site.tag_path.replace("{slug}", slug)))
    }

    /// A path of this server, absolute.
    pub fn own(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    /// `html` with its relative image URLs made absolute (feed readers
    /// fetch them from elsewhere).
    pub fn absolute_images(&self, html: &str) -> String {
        rewrite_media_urls(html, |relative, url| {
            if relative {
                self.own(url)
            } else {
                url.to_string()
            }
        })
        .unwrap_or_else(|| html.to_string())
    }
}

/// Who wrote an article: its credited people, else its byline.
pub fn author_names(article: &ArticleSummary) -> Vec<String> {
    if article.authors.is_empty() {
        article.author.iter().map(|a| a.name.clone()).collect()
    } else {
        article.authors.iter().map(|p| p.name.clone()).collect()
    }
}
