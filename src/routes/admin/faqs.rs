//! `/api/v1/admin/faqs`.

use actix_web::{delete, get, patch, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::collection::{collection_routes, Collection};
use super::{double_option, object, object_or_null, Checks};
use crate::auth::{authorize, Action, AuthUser};
use crate::content::article::Article;
use crate::content::article_state::ArticleState;
use crate::content::faq::{Faq, FaqFields, FaqFilter};
use crate::content::{now, PageRequest, Paged};
use crate::db::DbConnection;
use crate::error::{ApiError, FieldError};
use crate::routes::faqs::FaqListParams;
use crate::routes::text;

const QUESTION_MAX: usize = 500;
const ANSWER_MAX: usize = 20_000;

/// A FAQ's answer as editors send it: Markdown, not blank.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    #[schema(schema_with = text::required::<ANSWER_MAX>)]
    pub markdown: String,
}

/// A new FAQ.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqCreate {
    #[schema(schema_with = text::required::<QUESTION_MAX>)]
    pub question: String,
    #[serde(deserialize_with = "object")]
    pub answer: AnswerInput,
    /// The slug of the article it belongs to; absent or null for a standalone FAQ.
    #[schema(schema_with = text::slug_or_null)]
    pub article: Option<String>,
    /// After the article's last FAQ when not given; an occupied position moves the others down.
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000000)]
    pub position: Option<f64>,
}

/// A JSON merge patch of a FAQ.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaqPatch {
    #[schema(schema_with = text::required_or_null::<QUESTION_MAX>)]
    pub question: Option<String>,
    #[serde(default, deserialize_with = "object_or_null")]
    pub answer: Option<AnswerInput>,
    /// Move it to another article (slug), or `null` to make it standalone.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_or_null)]
    pub article: Option<Option<String>>,
    /// Its place among its article's FAQs (or the standalone ones); an
    /// occupied position moves the others down.
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000000)]
    pub position: Option<f64>,
}

/// The article id of a slug; `404` naming `article` when there is none.
fn article_id(conn: &mut DbConnection, slug: &str) -> Result<i32, ApiError> {
    Article::id_by_slug(conn, slug)?.ok_or_else(|| {
        ApiError::unknown_references(vec![FieldError::new(
            "article",
            format!("no such slug: {slug}"),
        )])
    })
}

/// Authors may touch the FAQs of their own draft articles only.
fn authorize_faq(
    conn: &mut DbConnection,
    user: &AuthUser,
    article_id: Option<i32>,
) -> Result<(), ApiError> {
    let own_draft = match article_id {
        Some(id) => {
            let (_, stored) = ArticleState::load(conn, id)?;
            stored.is_draft() && stored.created_by == Some(user.id)
        }
        None => false,
    };
    authorize(user, Action::ChangeFaq { own_draft })
}

/// The FAQs, as a collection.
pub struct Faqs;

impl Collection for Faqs {
    type Item = Faq;
    type Create = FaqCreate;
    type Patch = FaqPatch;
    type Params = FaqListParams;
    type Filter = FaqFilter;

    const PATH: &'static str = "/api/v1/admin/faqs";
    const TABLE: &'static str = "faqs";
    const NOT_FOUND: &'static str = "no FAQ has this id";

    fn id(item: &Faq) -> i32 {
        item.id
    }

    fn version(item: &Faq) -> i32 {
        item.version
    }

    fn filter(params: &FaqListParams) -> Result<(FaqFilter, PageRequest), ApiError> {
        params.filter()
    }

    fn list(
        conn: &mut DbConnection,
        filter: FaqFilter,
        page: PageRequest,
    ) -> Result<Paged<Faq>, ApiError> {
        Ok(Faq::list(conn, &filter, page, None)?)
    }

    fn find(conn: &mut DbConnection, id: i32) -> diesel::QueryResult<Faq> {
        Faq::find(conn, id)
    }

    /// Editors may change any FAQ, authors those of their own drafts.
    /// Authors may change the FAQs of their own drafts: decided per item.
    fn authorize_collection(_user: &AuthUser) -> Result<(), ApiError> {
        Ok(())
    }

    fn authorize_change(
        conn: &mut DbConnection,
        user: &AuthUser,
        faq: &Faq,
    ) -> Result<(), ApiError> {
        let article = Faq::article_id(conn, faq.id)?;
        authorize_faq(conn, user, article)
    }

    fn create(conn: &mut DbConnection, user: &AuthUser, body: FaqCreate) -> Result<i32, ApiError> {
        let mut checks = Checks::default();
        let question = checks.required_text("question", &body.question, QUESTION_MAX);
        let answer = checks.required_text("answer", &body.answer.markdown, ANSWER_MAX);
        let answer = checks.markdown("answer.markdown", answer);
        let position = body.position.map(|p| checks.position(p));
        checks.finish()?;
        let article_id = body
            .article
            .as_deref()
            .map(|s| article_id(conn, s))
            .transpose()?;
        authorize_faq(conn, user, article_id)?;
        let fields = FaqFields {
            question,
            answer_markdown: answer,
            article_id,
            position: match position {
                Some(p) => p,
                None => Faq::next_position(conn, article_id)?,
            },
        };
        Ok(Faq::create(conn, &fields, user.id, now())?)
    }

    fn update(
        conn: &mut DbConnection,
        user: &AuthUser,
        current: Faq,
        version: i32,
        patch: FaqPatch,
    ) -> Result<(), ApiError> {
        let mut checks = Checks::default();
        let mut fields = FaqFields {
            article_id: Faq::article_id(conn, current.id)?,
            question: current.question,
            answer_markdown: current.answer.markdown,
            position: current.position,
        };
        if let Some(q) = patch.question {
            fields.question = checks.required_text("question", &q, QUESTION_MAX);
        }
        if let Some(a) = patch.answer {
            let answer = checks.required_text("answer", &a.markdown, ANSWER_MAX);
            fields.answer_markdown = checks.markdown("answer.markdown", answer);
        }
        if let Some(p) = patch.position {
            fields.position = checks.position(p);
        }
        checks.finish()?;
        if let Some(article) = patch.article {
            fields.article_id = article
                .as_deref()
                .map(|s| article_id(conn, s))
                .transpose()?;
            // Moving it needs the right over where it goes too.
            authorize_faq(conn, user, fields.article_id)?;
        }
        Ok(Faq::update(
            conn,
            current.id,
            version,
            &fields,
            user.id,
            now(),
        )?)
    }

    fn delete(
        conn: &mut DbConnection,
        user: &AuthUser,
        current: Faq,
        version: i32,
    ) -> Result<(), ApiError> {
        Ok(Faq::delete(conn, current.id, version, user.id, now())?)
    }
}

collection_routes! {
    collection: Faqs,
    item: Faq,
    create: FaqCreate,
    patch: FaqPatch,
    params: FaqListParams,
    paths: ("/faqs", "/faqs/{id}"),
    id: "The FAQ's id",
    not_found: "No FAQ has this id",
    forbidden: "The role may not change this FAQ",
    list: (list_admin_faqs, "List every FAQ, whatever its article's status.", "A page of FAQs"),
    create_fn: (create_faq, "Create a FAQ."),
    find: (find_admin_faq, "One FAQ.", "The FAQ; `ETag` is its version"),
    update: (update_faq, "Change a FAQ (JSON merge patch); needs `If-Match`.", "The changed FAQ"),
    delete: (delete_faq, "Delete a FAQ; needs `If-Match`."),
}
