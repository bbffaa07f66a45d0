//! What editors send to `/api/v1/admin/articles`, and how it becomes an article's state.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{double_option, object_double_option, object_or_null, Checks};
use crate::auth::{authorize, Action, AuthUser};
use crate::content::article::{ArticleStatus, StatusRequest, StoredStatus};
use crate::content::article_state::ArticleState;
use crate::content::reference::Reference;
use crate::content::{now, WebUrl};
use crate::error::{ApiError, FieldError};
use crate::routes::articles::SortParam;
use crate::routes::list_params;
use crate::routes::text;

/// Markdown as editors send it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkdownInput {
    #[schema(schema_with = text::any)]
    pub markdown: String,
}

/// SEO fields; in a patch `null` resets one to its default (title, excerpt, site URL).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeoInput {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::optional_or_null::<SEO_MAX>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::optional_or_null::<SEO_MAX>)]
    pub description: Option<Option<String>>,
    /// An http(s) URL.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::url_or_null::<SEO_MAX>)]
    pub canonical_url: Option<Option<String>>,
}

/// One source backing an article.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceInput {
    #[schema(schema_with = text::required::<REFERENCE_TEXT_MAX>)]
    pub title: String,
    /// An http(s) URL.
    #[schema(schema_with = text::url::<SEO_MAX>)]
    pub url: String,
    #[serde(default)]
    #[schema(schema_with = text::optional::<REFERENCE_TEXT_MAX>)]
    pub publisher: String,
    /// When the source was published.
    pub published: Option<NaiveDate>,
    /// A DOI, e.g. `10.7326/M16-2367`.
    #[schema(
        pattern = r"^10\.[0-9]{4,9}/[^\u0000-\u0020\u007f-\u009f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{1,200}$"
    )]
    pub doi: Option<String>,
    /// A PubMed id, e.g. `28192789`.
    #[schema(pattern = r"^[0-9]{1,9}$")]
    pub pmid: Option<String>,
}

/// A new article. Relations are ordered lists of slugs that must exist.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleCreate {
    /// 1..=200 characters.
    #[schema(schema_with = text::required::<TITLE_MAX>)]
    pub title: String,
    /// Made from the title when not given.
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(schema_with = text::optional::<EXCERPT_MAX>)]
    pub excerpt: String,
    #[serde(default, deserialize_with = "object_or_null")]
    pub body: Option<MarkdownInput>,
    #[serde(default)]
    #[schema(schema_with = text::slug_list)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = text::slug_list)]
    pub massage_types: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = text::slug_list)]
    pub treatments: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = text::slug_list)]
    pub related: Vec<String>,
    #[serde(default, deserialize_with = "object_or_null")]
    pub seo: Option<SeoInput>,
    /// The cover image: the id of a media item (`/api/v1/admin/media`).
    #[serde(default, deserialize_with = "super::optional_id")]
    #[schema(minimum = 1)]
    pub cover: Option<i32>,
    /// The people credited as authors (profile slugs, in order); by default
    /// the profile linked to the creating account, if it has one.
    #[schema(schema_with = text::slug_list_or_null)]
    pub authors: Option<Vec<String>>,
    /// The sources backing the article, in order.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub references: Vec<ReferenceInput>,
    /// `draft` (the default); `published` or `archived` need the editor role.
    pub status: Option<StoredStatus>,
    /// With `status: published`, when it goes public (now when absent; in
    /// the future it is `scheduled`). With `draft`, a planned date that
    /// does not make it public; with `archived`, the date it had. Setting
    /// it needs the editor role.
    pub publish_at: Option<DateTime<Utc>>,
}

/// A JSON merge patch of an article: absent fields stay, `null` clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticlePatch {
    /// 1..=200 characters; cannot be `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::required::<TITLE_MAX>)]
    pub title: Option<Option<String>>,
    /// `null` makes it from the title again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::optional_or_null::<EXCERPT_MAX>)]
    pub excerpt: Option<Option<String>>,
    #[serde(default, deserialize_with = "object_double_option")]
    #[schema(value_type = Option<MarkdownInput>)]
    pub body: Option<Option<MarkdownInput>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_list_or_null)]
    pub tags: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_list_or_null)]
    pub massage_types: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_list_or_null)]
    pub treatments: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_list_or_null)]
    pub related: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "object_double_option")]
    #[schema(value_type = Option<SeoInput>)]
    pub seo: Option<Option<SeoInput>>,
    /// The cover image's media id; `null` removes it.
    #[serde(default, deserialize_with = "super::patched_id")]
    #[schema(value_type = Option<i32>, minimum = 1)]
    pub cover: Option<Option<i32>>,
    /// Profile slugs, in order; `null` credits nobody.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_list_or_null)]
    pub authors: Option<Option<Vec<String>>>,
    /// The whole list, in order; `null` empties it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<ReferenceInput>>, max_items = 100)]
    pub references: Option<Option<Vec<ReferenceInput>>>,
    /// A status change needs the editor role.
    pub status: Option<StoredStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub publish_at: Option<Option<DateTime<Utc>>>,
    /// When its medical review is due again (editors; an approval sets it
    /// from the site's interval); `null` clears it. Not content: changing it
    /// does not reopen the review.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub next_review_due: Option<Option<NaiveDate>>,
}

/// `publish` options.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// When the article goes public; now when absent. In the future: `scheduled`.
    pub publish_at: Option<DateTime<Utc>>,
}

list_params! {
    pub struct AdminArticleListParams {
        /// Only this status.
        pub status: Option<ArticleStatus>,
        /// Only articles with this tag (a tag slug).
        #[param(
            pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$",
            min_length = 1,
            max_length = 120
        )]
        pub tag: Option<String>,
        /// Full-text search over title, excerpt and body.
        #[param(schema_with = text::optional::<200>)]
        pub q: Option<String>,
        /// As the public list; `-updated_at` is the default here.
        pub sort: Option<SortParam>,
        /// Keyset paging: `meta.next_cursor` of the previous page.
        #[param(schema_with = text::cursor)]
        pub cursor: Option<String>,
        /// `overdue`: only published articles past their `next_review_due`.
        #[param(inline)]
        pub review: Option<ReviewFilter>,
        /// `true`: only articles the signed-in account created ("my drafts").
        pub mine: Option<bool>,
        /// Only articles crediting this author profile (a person's slug).
        #[param(
            pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$",
            min_length = 1,
            max_length = 120
        )]
        pub author: Option<String>,
    }
}

/// Articles by the state of their medical review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReviewFilter {
    /// Published, and past the date their review was due.
    Overdue,
}

const TITLE_MAX: usize = 200;
const EXCERPT_MAX: usize = 2_000;
const SEO_MAX: usize = 500;
const REFERENCE_TEXT_MAX: usize = 500;
const REFERENCES_MAX: usize = 100;

/// Checks each reference: a title, an http(s) URL, a DOI and PubMed id of
/// their shapes.
fn references(checks: &mut Checks, given: Vec<ReferenceInput>) -> Vec<Reference> {
    if given.len() > REFERENCES_MAX {
        checks.fail("references", format!("at most {REFERENCES_MAX} references"));
    }
    given
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let field = |name: &str| format!("references[{i}].{name}");
            let url = checks.text(&field("url"), &r.url, SEO_MAX);
            let url = match WebUrl::parse(&url) {
                Ok(url) => url.into_inner(),
                Err(message) => {
                    checks.fail(&field("url"), message);
                    url
                }
            };
            if let Some(doi) = &r.doi {
                let ok = doi
                    .strip_prefix("10.")
                    .and_then(|rest| rest.split_once('/'))
                    .is_some_and(|(registrant, suffix)| {
                        (4..=9).contains(&registrant.len())
                            && registrant.chars().all(|c| c.is_ascii_digit())
                            && (1..=200).contains(&suffix.chars().count())
                            && !suffix.chars().any(|c| c.is_whitespace() || c.is_control())
                    });
                if !ok {
                    checks.fail(&field("doi"), "must be a DOI such as 10.7326/M16-2367");
                }
            }
            if let Some(pmid) = &r.pmid {
                if !(1..=9).contains(&pmid.len()) || !pmid.chars().all(|c| c.is_ascii_digit()) {
                    checks.fail(&field("pmid"), "must be a PubMed id: 1 to 9 digits");
                }
            }
            Reference {
                title: checks.required_text(&field("title"), &r.title, REFERENCE_TEXT_MAX),
                url,
                publisher: checks.text(&field("publisher"), &r.publisher, REFERENCE_TEXT_MAX),
                published: r.published,
                doi: r.doi,
                pmid: r.pmid,
            }
        })
        .collect()
}

fn seo_field(checks: &mut Checks, field: &str, value: Option<String>) -> Option<String> {
    value.map(|v| checks.text(field, &v, SEO_MAX))
}

fn apply_seo(checks: &mut Checks, seo: SeoInput, state: &mut ArticleState) {
    if let Some(v) = seo.title {
        state.seo_title = seo_field(checks, "seo.title", v);
    }
    if let Some(v) = seo.description {
        state.seo_description = seo_field(checks, "seo.description", v);
    }
    if let Some(v) = seo.canonical_url {
        state.canonical_url = match v.map(|url| checks.text("seo.canonical_url", &url, SEO_MAX)) {
            Some(url) => match WebUrl::parse(&url) {
                Ok(url) => Some(url.into_inner()),
                Err(message) => {
                    checks.fail("seo.canonical_url", message);
                    None
                }
            },
            None => None,
        };
    }
}

/// Applies a status request (the rules are `StatusRequest`'s); one that
/// touches publication needs the right to publish.
fn apply_status(
    user: &AuthUser,
    state: &mut ArticleState,
    status: Option<StoredStatus>,
    publish_at: Option<Option<DateTime<Utc>>>,
) -> Result<(), ApiError> {
    let request = StatusRequest {
        status,
        publish_at: publish_at.map(|t| t.map(|t| t.naive_utc())),
    };
    if request.apply(&mut state.status, &mut state.published_at, now()) {
        authorize(user, Action::Publish)?;
    }
    Ok(())
}

impl ArticleCreate {
    /// The state to write, and the field errors found in it (the write adds
    /// those only the database can tell, then refuses with all of them).
    pub(super) fn into_state(
        self,
        user: &AuthUser,
    ) -> Result<(ArticleState, Vec<FieldError>), ApiError> {
        let mut checks = Checks::default();
        let title = checks.required_text("title", &self.title, TITLE_MAX);
        let mut state = ArticleState {
            slug: checks.slug(self.slug.as_deref(), &title),
            title,
            excerpt: checks.text("excerpt", &self.excerpt, EXCERPT_MAX),
            body: checks.markdown(
                "body.markdown",
                self.body.map(|b| b.markdown).unwrap_or_default(),
            ),
            tags: checks.slug_list("tags", &self.tags),
            massage_types: checks.slug_list("massage_types", &self.massage_types),
            treatments: checks.slug_list("treatments", &self.treatments),
            related: checks.slug_list("related", &self.related),
            status: StoredStatus::Draft,
            author_id: Some(user.id),
            cover: self.cover,
            authors: checks.slug_list("authors", self.authors.as_deref().unwrap_or_default()),
            references: references(&mut checks, self.references),
            ..ArticleState::default()
        };
        if let Some(seo) = self.seo {
            apply_seo(&mut checks, seo, &mut state);
        }
        apply_status(user, &mut state, self.status, self.publish_at.map(Some))?;
        Ok((state, checks.errors))
    }
}

impl ArticlePatch {
    /// Applies the patch; the field errors found, as `ArticleCreate::into_state`.
    pub(super) fn apply(
        self,
        user: &AuthUser,
        state: &mut ArticleState,
    ) -> Result<Vec<FieldError>, ApiError> {
        let mut checks = Checks::default();
        match self.title {
            Some(Some(title)) => state.title = checks.required_text("title", &title, TITLE_MAX),
            Some(None) => checks.fail("title", "must not be null"),
            None => {}
        }
        if let Some(given) = self.slug {
            state.slug = checks.slug(given.as_deref(), &state.title);
        }
        if let Some(excerpt) = self.excerpt {
            state.excerpt = checks.text("excerpt", &excerpt.unwrap_or_default(), EXCERPT_MAX);
        }
        if let Some(body) = self.body {
            state.body = checks.markdown(
                "body.markdown",
                body.map(|b| b.markdown).unwrap_or_default(),
            );
        }
        let lists = [
            ("tags", self.tags, &mut state.tags),
            (
                "massage_types",
                self.massage_types,
                &mut state.massage_types,
            ),
            ("treatments", self.treatments, &mut state.treatments),
            ("related", self.related, &mut state.related),
        ];
        for (field, value, target) in lists {
            if let Some(value) = value {
                *target = checks.slug_list(field, &value.unwrap_or_default());
            }
        }
        if let Some(cover) = self.cover {
            state.cover = cover;
        }
        if let Some(authors) = self.authors {
            state.authors = checks.slug_list("authors", &authors.unwrap_or_default());
        }
        if let Some(given) = self.references {
            state.references = references(&mut checks, given.unwrap_or_default());
        }
        match self.seo {
            Some(Some(seo)) => apply_seo(&mut checks, seo, state),
            Some(None) => {
                state.seo_title = None;
                state.seo_description = None;
                state.canonical_url = None;
            }
            None => {}
        }
        apply_status(user, state, self.status, self.publish_at)?;
        Ok(checks.errors)
    }
}
