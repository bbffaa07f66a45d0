//! HTTP routes: one file per resource, plus the envelopes and conditional-GET helpers they share.

pub mod admin;
pub mod articles;
pub mod auth;
pub mod auth_cookie;
pub mod authors;
mod context;
mod envelope;
pub mod faqs;
pub mod feeds;
mod json;
pub mod massage_types;
pub mod media;
pub mod ops;
pub mod preview;
mod query;
pub mod redirects;
pub mod site;
mod table_rows;
pub mod tags;
pub mod text;
pub mod treatments;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa_actix_web::service_config::ServiceConfig;

pub use context::{Allowed, PathId, PathSlug, Public, Reply};
pub use envelope::{Item, List, ListMeta};
pub use json::{Json, OptionalJson};
pub use query::Query;

use crate::content::PageRequest;
use crate::error::ApiError;

/// Registers every documented route; `app.rs` and the `openapi` command share it.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        .service(ops::openapi_json)
        .service(media::media_file)
        .service(
            utoipa_actix_web::scope("/api/v1")
                .service(articles::list_articles)
                .service(articles::find_article)
                .service(massage_types::list_massage_types)
                .service(massage_types::find_massage_type)
                .service(treatments::list_treatments)
                .service(treatments::find_treatment)
                .service(faqs::list_faqs)
                .service(authors::list_authors)
                .service(authors::find_author)
                .service(preview::preview_article)
                .service(tags::list_tags)
                .service(feeds::atom_feed)
                .service(feeds::json_feed_route)
                .service(feeds::sitemap_xml)
                .service(feeds::sitemap_file)
                .service(redirects::list_redirects)
                .service(site::find_site)
                .service(auth::login)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::me)
                .service(auth::change_password)
                .service(auth_cookie::cookie_login)
                .service(auth_cookie::cookie_refresh)
                .service(auth_cookie::cookie_logout)
                .service(admin_scope()),
        );
}

fn admin_scope() -> utoipa_actix_web::scope::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    use admin::redirects as admin_redirects;
    use admin::*;
    utoipa_actix_web::scope("/admin")
        .service(articles::list_admin_articles)
        .service(articles::create_article)
        .service(articles::find_admin_article)
        .service(articles::update_article)
        .service(articles::delete_article)
        .service(articles::publish_article)
        .service(articles::unpublish_article)
        .service(review::submit_article)
        .service(review::approve_article)
        .service(review::request_article_changes)
        .service(review::review_queue)
        .service(render::render_body)
        .service(previews::create_preview)
        .service(previews::list_previews)
        .service(previews::revoke_preview)
        .service(revisions::list_article_revisions)
        .service(revisions::diff_article_revisions)
        .service(revisions::restore_article_revision)
        .service(tables::list_admin_massage_types)
        .service(tables::create_massage_type)
        .service(tables::find_admin_massage_type)
        .service(tables::update_massage_type)
        .service(tables::delete_massage_type)
        .service(tables::list_admin_treatments)
        .service(tables::create_treatment)
        .service(tables::find_admin_treatment)
        .service(tables::update_treatment)
        .service(tables::delete_treatment)
        .service(faqs::list_admin_faqs)
        .service(faqs::create_faq)
        .service(faqs::find_admin_faq)
        .service(faqs::update_faq)
        .service(faqs::delete_faq)
        .service(tags::list_admin_tags)
        .service(tags::create_tag)
        .service(tags::find_admin_tag)
        .service(tags::update_tag)
        .service(tags::delete_tag)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::find_user)
        .service(users::update_user)
        .service(users::delete_user)
        .service(media::upload_media)
        .service(media::list_media)
        .service(media::find_media)
        .service(media::update_media)
        .service(media::delete_media)
        .service(people::list_admin_people)
        .service(people::create_person)
        .service(people::find_admin_person)
        .service(people::update_person)
        .service(people::delete_person)
        .service(activity::list_activity)
        .service(site::find_admin_site)
        .service(site::update_site)
        .service(admin_redirects::list_admin_redirects)
        .service(admin_redirects::create_redirect)
        .service(admin_redirects::find_redirect)
        .service(admin_redirects::delete_redirect)
        .service(webhooks::list_webhooks)
        .service(webhooks::create_webhook)
        .service(webhooks::find_webhook)
        .service(webhooks::update_webhook)
        .service(webhooks::delete_webhook)
        .service(webhooks::rotate_webhook_secret)
        .service(webhooks::ping_webhook)
        .service(webhook_log::list_webhook_deliveries)
        .service(webhook_log::find_webhook_delivery)
        .service(webhook_log::replay_webhook_delivery)
        .service(webhook_log::replay_failed_webhooks)
        .service(webhook_log::list_webhook_events)
}

/// What an extractor wrapping a `T` gives: `into_inner`, and `T`'s methods.
macro_rules! wrapper {
    ($name:ident) => {
        impl<T> $name<T> {
            pub fn into_inner(self) -> T {
                self.0
            }
        }

        impl<T> std::ops::Deref for $name<T> {
            type Target = T;

            fn deref(&self) -> &T {
                &self.0
            }
        }
    };
}
use wrapper;

/// A request part that did not deserialize, as a `400` that says where
/// (`errors` names the field) and what was wrong.
fn invalid_at<E: std::fmt::Display>(e: &serde_path_to_error::Error<E>, what: &str) -> ApiError {
    let field = e.path().to_string();
    let message = e.inner().to_string();
    if field == "." {
        ApiError::bad_request(format!("{what} is invalid: {message}"))
    } else {
        ApiError::BadRequest {
            detail: format!("{what} is invalid at {field}: {message}"),
            errors: vec![crate::error::FieldError::new(field, message)],
        }
    }
}

/// A list's query parameters: `page` and `per_page`, which every list
/// takes, then its own. (serde's `flatten` cannot read numbers from a query
/// string, so the two are declared here once instead of nested.)
macro_rules! list_params {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($(#[$field_meta:meta])* pub $field:ident : $ty:ty),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// 1-based page number.
            #[param(minimum = 1, default = 1)]
            pub page: Option<i32>,
            /// Items per page, 1..=100.
            #[param(minimum = 1, maximum = 100, default = 20)]
            pub per_page: Option<i32>,
            $($(#[$field_meta])* pub $field: $ty,)*
        }

        impl $name {
            /// `page` and `per_page`, checked.
            pub fn page_request(
                &self,
            ) -> Result<crate::content::PageRequest, crate::error::ApiError> {
                crate::routes::page_request(self.page, self.per_page)
            }
        }
    };
}
pub(crate) use list_params;

list_params! {
    /// `page` and `per_page`, as every list takes them.
    pub struct PageParams {}
}

/// Validates `page` and `per_page`.
pub fn page_request(page: Option<i32>, per_page: Option<i32>) -> Result<PageRequest, ApiError> {
    let page = u32::try_from(page.unwrap_or(1))
        .ok()
        .filter(|p| *p >= 1)
        .ok_or_else(|| ApiError::bad_query("page", "must be 1 or more"))?;
    let per_page = per_page.map_or(Some(PageRequest::DEFAULT_PER_PAGE), |p| {
        u32::try_from(p).ok()
    });
    let per_page = per_page
        .filter(|p| (1..=PageRequest::MAX_PER_PAGE).contains(p))
        .ok_or_else(|| ApiError::bad_query("per_page", "must be between 1 and 100"))?;
    Ok(PageRequest { page, per_page })
}

/// A strong validator for exact response bytes.
/// An answer no cache may keep (tokens, editors' renderings and diffs).
pub fn no_store(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder.insert_header((header::CACHE_CONTROL, "no-store"));
    builder
}

pub fn etag_for(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex = hex::encode(&digest[..16]);
    format!("\"{hex}\"")
}

/// A public JSON response: strong `ETag`, `Cache-Control`, and `304` when
/// the client already holds these bytes.
pub fn public_json<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    max_age: u32,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(public_bytes(req, body, max_age))
}

/// `public_json` for bytes that are already JSON.
pub fn public_bytes(req: &HttpRequest, body: Vec<u8>, max_age: u32) -> HttpResponse {
    let etag = etag_for(&body);
    public_tagged_bytes(req, body, &etag, max_age)
}

/// `public_bytes` whose ETag (`etag_for` of them) is already known.
pub fn public_tagged_bytes(
    req: &HttpRequest,
    body: Vec<u8>,
    etag: &str,
    max_age: u32,
) -> HttpResponse {
    public_typed(req, (body, "application/json"), etag, max_age)
}

/// A public response of any type: strong `ETag` (known already),
/// `Cache-Control`, `304` when the client holds these bytes.
pub fn public_typed(
    req: &HttpRequest,
    (body, content_type): (Vec<u8>, &'static str),
    etag: &str,
    max_age: u32,
) -> HttpResponse {
    let cache_control = format!("public, max-age={max_age}");
    let condition = crate::conditional::if_none_match(req);
    let mut response = if crate::conditional::not_modified(condition.as_ref(), etag) {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok().content_type(content_type).body(body)
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&cache_control) {
        headers.insert(header::CACHE_CONTROL, v);
    }
    response
}
