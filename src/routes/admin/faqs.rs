//! `/api/v1/admin/faqs`.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{
    created, double_option, item_response, no_content, object, object_or_null, parse_id, Checks,
    IfMatch,
};
use crate::app::AppState;
use crate::auth::{authorize, Action, AuthUser};
use crate::content::article::Article;
use crate::content::article_write::ArticleState;
use crate::content::faq::{Faq, FaqFields, FaqFilter};
use crate::content::{now, Slug};
use crate::db::DbConnection;
use crate::error::{ApiError, FieldError};
use crate::routes::Query;
use crate::routes::{page_request, text, Item, Json, List};

const QUESTION_MAX: usize = 500;
const ANSWER_MAX: usize = 20_000;

/// A new FAQ.
/// A FAQ's answer as editors send it: Markdown, not blank.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    #[schema(schema_with = text::required::<ANSWER_MAX>)]
    pub markdown: String,
}

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
    /// After the article's last FAQ when not given.
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
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000000)]
    pub position: Option<f64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminFaqListParams {
    /// 1-based page number.
    #[param(minimum = 1, default = 1)]
    pub page: Option<i32>,
    /// Items per page, 1..=100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<i32>,
    /// Only the FAQs of this article (any status).
    #[param(
        pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$",
        min_length = 1,
        max_length = 120
    )]
    pub article: Option<String>,
}

fn not_found(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::NotFound => ApiError::not_found("no FAQ has this id"),
        other => other.into(),
    }
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

/// List every FAQ, whatever its article's status.
#[utoipa::path(
    tag = "admin: faqs",
    params(AdminFaqListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of FAQs", body = List<Faq>),
    )
)]
#[get("/faqs")]
pub async fn list_admin_faqs(
    user: AuthUser,
    state: web::Data<AppState>,
    params: Query<AdminFaqListParams>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ReadContent)?;
    let page = page_request(params.page, params.per_page)?;
    let article = match &params.article {
        Some(raw) => Some(
            Slug::parse(raw)
                .map_err(|m| ApiError::bad_query("article", m))?
                .into_inner(),
        ),
        None => None,
    };
    let filter = FaqFilter { article };
    let paged = state
        .db
        .run(move |conn| Ok(Faq::list_all(conn, &filter, page)?))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(List::from(paged)))
}

/// Create a FAQ.
#[utoipa::path(
    tag = "admin: faqs",
    request_body = FaqCreate,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `Location` names it", body = Item<Faq>),
        (status = 403, description = "The role may not change this FAQ"),
    )
)]
#[post("/faqs")]
pub async fn create_faq(
    user: AuthUser,
    state: web::Data<AppState>,
    body: Json<FaqCreate>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut checks = Checks::default();
    let question = checks.required_text("question", &body.question, QUESTION_MAX);
    let answer = checks.required_text("answer", &body.answer.markdown, ANSWER_MAX);
    let answer = checks.markdown("answer.markdown", answer);
    let position = body.position.map(|p| checks.position(p));
    checks.finish()?;
    let item = state
        .db
        .write(move |conn| {
            let article_id = body
                .article
                .as_deref()
                .map(|s| article_id(conn, s))
                .transpose()?;
            authorize_faq(conn, &user, article_id)?;
            let fields = FaqFields {
                question,
                answer_markdown: answer,
                article_id,
                position: match position {
                    Some(p) => p,
                    None => Faq::next_position(conn, article_id)?,
                },
            };
            let id = Faq::create(conn, &fields, user.id, now())?;
            Ok(Faq::find(conn, id)?)
        })
        .await?;
    Ok(created(
        format!("/api/v1/admin/faqs/{}", item.id),
        &item,
        item.version,
    ))
}

/// One FAQ.
#[utoipa::path(
    tag = "admin: faqs",
    params(("id" = i32, Path, description = "The FAQ's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The FAQ; `ETag` is its version", body = Item<Faq>),
        (status = 404, description = "No FAQ has this id"),
    )
)]
#[get("/faqs/{id}")]
pub async fn find_admin_faq(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ReadContent)?;
    let id = parse_id(&id)?;
    let item = state
        .db
        .run(move |conn| Faq::find(conn, id).map_err(not_found))
        .await?;
    Ok(item_response(StatusCode::OK, &item, item.version))
}

/// Change a FAQ (JSON merge patch); needs `If-Match`.
#[utoipa::path(
    tag = "admin: faqs",
    params(
        ("id" = i32, Path, description = "The FAQ's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    request_body(content = FaqPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed FAQ", body = Item<Faq>),
        (status = 403, description = "The role may not change this FAQ"),
        (status = 404, description = "No FAQ has this id"),
    )
)]
#[patch("/faqs/{id}")]
pub async fn update_faq(
    if_match: IfMatch,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Json<FaqPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let patch = body.into_inner();
    let item = state
        .db
        .write(move |conn| {
            crate::db::backend::lock_row(conn, "faqs", id)?;
            let current = Faq::find(conn, id).map_err(not_found)?;
            let current_article = Faq::article_id(conn, id)?;
            authorize_faq(conn, &user, current_article)?;
            let version = if_match.version(current.version)?;
            let mut checks = Checks::default();
            let mut fields = FaqFields {
                question: current.question,
                answer_markdown: current.answer.markdown,
                article_id: current_article,
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
                authorize_faq(conn, &user, fields.article_id)?;
            }
            Faq::update(conn, id, version, &fields, user.id, now())?;
            Ok(Faq::find(conn, id)?)
        })
        .await?;
    Ok(item_response(StatusCode::OK, &item, item.version))
}

/// Delete a FAQ; needs `If-Match`.
#[utoipa::path(
    tag = "admin: faqs",
    params(
        ("id" = i32, Path, description = "The FAQ's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role may not change this FAQ"),
        (status = 404, description = "No FAQ has this id"),
    )
)]
#[delete("/faqs/{id}")]
pub async fn delete_faq(
    if_match: IfMatch,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    state
        .db
        .write(move |conn| {
            crate::db::backend::lock_row(conn, "faqs", id)?;
            let current = Faq::find(conn, id).map_err(not_found)?;
            let article = Faq::article_id(conn, id)?;
            authorize_faq(conn, &user, article)?;
            let version = if_match.version(current.version)?;
            Faq::delete(conn, id, version, user.id, now())?;
            Ok(())
        })
        .await?;
    Ok(no_content())
}
