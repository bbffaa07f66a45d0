//! What a handler is given instead of plumbing: the public reader, the
//! signed-in editor already allowed to act, and the id or slug in the path.
//!
//! A handler then reads as its contract: parse → one content call → response.

use std::future::{ready, Future, Ready};
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::app::AppState;
use crate::auth::{authorize, AuthUser, Permission};
use crate::db::DbConnection;
use crate::error::ApiError;

/// What every handler answers.
pub type Reply = Result<HttpResponse, ApiError>;

fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))
}

/// A public read: the request (for `If-None-Match`) and the app.
pub struct Public {
    req: HttpRequest,
    state: web::Data<AppState>,
}

impl FromRequest for Public {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(app_state(req).map(|state| Self {
            req: req.clone(),
            state,
        }))
    }
}

impl Public {
    /// Runs `f` on a pooled connection.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.state.db.run(f).await
    }

    /// `value` as a public JSON response: strong `ETag`, the site's
    /// `Cache-Control`, `304` when the client holds it already.
    pub fn respond<T: Serialize>(&self, value: &T) -> Reply {
        super::public_json(&self.req, value, self.state.config.cache_max_age)
    }

    /// Bytes of another type (a feed, a sitemap) as a public response.
    pub fn respond_typed(&self, body: Vec<u8>, content_type: &'static str) -> HttpResponse {
        let etag = super::etag_for(&body);
        super::public_typed(
            &self.req,
            (body, content_type),
            &etag,
            self.state.config.cache_max_age,
        )
    }

    /// A page of a list as a public response, with `Link` headers to the
    /// next and previous pages beside `meta`.
    pub fn respond_list<T: Serialize>(&self, list: &super::List<T>) -> Reply {
        let mut res = self.respond(list)?;
        if let Some(link) = super::envelope::link_header(&self.req, &list.meta) {
            res.headers_mut()
                .insert(actix_web::http::header::LINK, link);
        }
        Ok(res)
    }

    /// `respond` for JSON bytes whose `ETag` is known already.
    pub fn respond_tagged(&self, body: Vec<u8>, etag: &str) -> HttpResponse {
        super::public_tagged_bytes(&self.req, body, etag, self.state.config.cache_max_age)
    }
}

impl Deref for Public {
    type Target = AppState;

    fn deref(&self) -> &AppState {
        &self.state
    }
}

/// A signed-in user whom the permission matrix allows `P`, checked before
/// the handler runs; with the app, to read and write through.
pub struct Allowed<P> {
    pub user: AuthUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    permission: PhantomData<P>,
}

impl<P: Permission> FromRequest for Allowed<P> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = app_state(req);
        let user = AuthUser::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let state = state?;
            let user = user.await?;
            authorize(&user, P::ACTION)?;
            Ok(Self {
                user,
                state,
                req,
                permission: PhantomData,
            })
        })
    }
}

impl<P> Allowed<P> {
    /// A page of a list for editors: never stored by caches, with `Link`
    /// headers to the next and previous pages.
    pub fn respond_list<T: Serialize>(&self, paged: crate::content::Paged<T>) -> HttpResponse {
        super::admin::list_response(&self.req, paged)
    }

    /// Runs `f` on a pooled connection.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.state.db.run(f).await
    }

    /// Runs `f` in one transaction, given who asks.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &AuthUser) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let user = self.user.clone();
        self.state.db.write(move |conn| f(conn, &user)).await
    }
}

impl<P> Deref for Allowed<P> {
    type Target = AppState;

    fn deref(&self) -> &AppState {
        &self.state
    }
}

/// The `{id}` of the path: a positive integer, else `404` (no item can
/// have it).
#[derive(Clone, Copy, Debug)]
pub struct PathId(pub i32);

impl PathId {
    pub fn parse(raw: &str) -> Result<i32, ApiError> {
        raw.parse::<i32>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| ApiError::not_found(format!("no item has the id {raw:?}")))
    }
}

impl FromRequest for PathId {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(req.match_info().get("id").unwrap_or_default()).map(Self))
    }
}

/// The `{slug}` of the path: a slug that cannot exist is simply not found.
#[derive(Clone, Debug)]
pub struct PathSlug(pub String);

impl FromRequest for PathSlug {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let raw = req.match_info().get("slug").unwrap_or_default();
        ready(
            crate::content::Slug::parse(raw)
                .map(|slug| Self(slug.into_inner()))
                .map_err(|_| ApiError::not_found(format!("nothing is published at {raw:?}"))),
        )
    }
}
