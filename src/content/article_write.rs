//! Writing articles: each change is the row, its relations, its rendered body,
//! its search entry (kept by triggers), a revision and an activity entry.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::article::{Article, ArticleLinks, ArticleStatus, NewArticle, StoredStatus};
use super::article_state::{ArticleState, Stored};
use super::change::{Action, By, Change, Item};
use super::media::{Media, MediaRow};
use super::redirect::Redirects;
use super::reference::References;
use super::review;
use super::versioned::{delete_at_version, update_at_version};
use super::{ContentError, FieldError, Slug};
use crate::db::schema::{articles, massage_types, tags, treatments};
use crate::db::DbConnection;

/// Ids for the ordered slug lists; every unknown slug is a
/// field error, added to the `errors` found before (so one answer names
/// every bad field); any error refuses the write.
fn resolve_links(
    conn: &mut DbConnection,
    (state, before): (&ArticleState, Option<&ArticleState>),
    own_slug: &str,
    mut errors: Vec<FieldError>,
) -> Result<ArticleLinks, ContentError> {
    let mut unknown = Vec::new();
    let tag_ids = resolve(
        conn,
        ("tags", &state.tags, before.map(|b| b.tags.as_slice())),
        &mut unknown,
        |conn, s| {
            tags::table
                .filter(tags::slug.eq(s))
                .select(tags::id)
                .first(conn)
                .optional()
        },
    )?;
    let massage_type_ids = resolve(
        conn,
        (
            "massage_types",
            &state.massage_types,
            before.map(|b| b.massage_types.as_slice()),
        ),
        &mut unknown,
        |conn, s| {
            massage_types::table
                .filter(massage_types::slug.eq(s))
                .select(massage_types::id)
                .first(conn)
                .optional()
        },
    )?;
    let treatment_ids = resolve(
        conn,
        (
            "treatments",
            &state.treatments,
            before.map(|b| b.treatments.as_slice()),
        ),
        &mut unknown,
        |conn, s| {
            treatments::table
                .filter(treatments::slug.eq(s))
                .select(treatments::id)
                .first(conn)
                .optional()
        },
    )?;
    let related_to_itself = state.related.iter().any(|s| s.as_str() == own_slug);
    let related_ids = resolve(
        conn,
        (
            "related",
            &state.related,
            before.map(|b| b.related.as_slice()),
        ),
        &mut unknown,
        |conn, s| {
            articles::table
                .filter(articles::slug.eq(s))
                .select(articles::id)
                .first(conn)
                .optional()
        },
    )?;
    let people_ids = resolve(
        conn,
        (
            "authors",
            &state.authors,
            before.map(|b| b.authors.as_slice()),
        ),
        &mut unknown,
        super::person::People::id_by_slug,
    )?;
    check_images(conn, state, (&mut errors, &mut unknown))?;
    // Invalid values are the request's fault (422, naming unknown slugs
    // too); when the only fault is slugs that name nothing, it is a 404,
    // as JSON:API has it for references to missing resources.
    if !errors.is_empty() {
        errors.extend(unknown);
        if related_to_itself {
            errors.push(FieldError::new("related", SELF_RELATED));
        }
        return Err(ContentError::Invalid(errors));
    }
    // Valid on its own, refused for what the article is (its own slug).
    if related_to_itself {
        return Err(ContentError::Conflict(format!("related: {SELF_RELATED}")));
    }
    if !unknown.is_empty() {
        return Err(ContentError::UnknownReferences(unknown));
    }
    Ok(ArticleLinks {
        tags: tag_ids,
        massage_types: massage_type_ids,
        treatments: treatment_ids,
        related: related_ids,
        people: people_ids,
    })
}

const SELF_RELATED: &str = "an article cannot be related to itself";

/// The cover and every library image of the body must exist; an article
/// going public must give each of them alt text (written beside it in the
/// body, or the image's own) unless the image is decorative.
fn check_images(
    conn: &mut DbConnection,
    state: &ArticleState,
    (errors, unknown): (&mut Vec<FieldError>, &mut Vec<FieldError>),
) -> QueryResult<()> {
    let in_body = crate::render::media_refs(&state.body);
    let ids: Vec<i32> = state
        .cover
        .into_iter()
        .chain(in_body.iter().map(|(id, _)| *id))
        .collect();
    let rows = Media::rows(conn, &ids)?;
    let public = state.status == StoredStatus::Published;
    let needs_alt = |field: &str, row: &MediaRow| {
        FieldError::new(
            field,
            format!(
                "image media:{} ({}) has no alt text: describe it, or mark it decorative, \
                 before the article is published",
                row.id, row.filename
            ),
        )
    };
    if let Some(cover) = state.cover {
        match rows.get(&cover) {
            None => unknown.push(FieldError::new(
                "cover",
                format!("no media item has the id {cover}"),
            )),
            Some(row) if public && row.lacks_alt() => errors.push(needs_alt("cover", row)),
            Some(_) => {}
        }
    }
    let mut seen = HashSet::new();
    for (id, written_alt) in &in_body {
        match rows.get(id) {
            None if seen.insert(*id) => unknown.push(FieldError::new(
                "body.markdown",
                format!("media:{id} names no item of the media library"),
            )),
            Some(row)
                if public
                    && row.lacks_alt()
                    && written_alt.trim().is_empty()
                    && seen.insert(*id) =>
            {
                errors.push(needs_alt("body.markdown", row))
            }
            _ => {}
        }
    }
    Ok(())
}

fn resolve(
    conn: &mut DbConnection,
    (field, slugs, before): (&str, &[Slug], Option<&[Slug]>),
    unknown: &mut Vec<FieldError>,
    find: impl Fn(&mut DbConnection, &str) -> QueryResult<Option<i32>>,
) -> QueryResult<Option<Vec<i32>>> {
    // A list as stored was resolved when written (a deleted target took
    // its link with it): nothing to look up, nothing to write.
    if before == Some(slugs) {
        return Ok(None);
    }
    // Each slug is named once: the request's checks refused a list naming one twice.
    let mut ids = Vec::with_capacity(slugs.len());
    for slug in slugs {
        match find(conn, slug.as_str())? {
            Some(id) => ids.push(id),
            None => unknown.push(FieldError::new(field, format!("no such slug: {slug}"))),
        }
    }
    Ok(Some(ids))
}

/// Creates an article from a complete state; returns its id. `errors`
/// are the field errors already found in the request: any refuses it.
pub fn create(
    conn: &mut DbConnection,
    state: &ArticleState,
    errors: Vec<FieldError>,
    user_id: i32,
    at: NaiveDateTime,
) -> Result<i32, ContentError> {
    let links = resolve_links(conn, (state, None), &state.slug, errors)?;
    review::check_publication(conn, None, None, state, at)?;
    let id = Article::insert(
        conn,
        &NewArticle {
            slug: &state.slug,
            title: &state.title,
            excerpt: &state.excerpt,
            body_markdown: &state.body,
            status: state.status,
            published_at: state.published_at,
            author_id: state.author_id,
            seo_title: state.seo_title.as_deref(),
            seo_description: state.seo_description.as_deref(),
            canonical_url: state.canonical_url.as_deref(),
            cover_id: state.cover,
            created_by: Some(user_id),
            updated_by: Some(user_id),
            created_at: at,
            updated_at: at,
        },
    )?;
    finish(conn, id, 1, (None, state), &links, user_id, at)?;
    Redirects::slug_taken(conn, &state.slug)?;
    let by = By::new(user_id, &state.title, at);
    Change::record(conn, Item::Article(id), Action::Created, by)?;
    Ok(id)
}

/// Replaces the article's state (`before` as it was) when it is still at
/// `version`; `action` names the change in the activity log. `errors` as
/// for `create`. An edit of an approved article's content sends it back
/// for review; publishing needs what `review::check_publication` asks.
#[allow(clippy::too_many_arguments)]
pub fn update(
    conn: &mut DbConnection,
    id: i32,
    version: i32,
    before: (&Stored, &ArticleState),
    state: &ArticleState,
    errors: Vec<FieldError>,
    user_id: i32,
    action: Action,
    at: NaiveDateTime,
) -> Result<(), ContentError> {
    let (stored, old) = before;
    let links = resolve_links(conn, (state, Some(old)), &state.slug, errors)?;
    let was = ArticleStatus::of(stored.status, stored.published_at, at);
    review::check_publication(conn, Some(id), Some((was, old)), state, at)?;
    update_at_version!(
        conn,
        articles,
        id,
        version,
        (
            articles::slug.eq(&state.slug),
            articles::title.eq(&state.title),
            articles::excerpt.eq(&state.excerpt),
            articles::body_markdown.eq(&state.body),
            articles::status.eq(state.status),
            articles::published_at.eq(state.published_at),
            articles::author_id.eq(state.author_id),
            articles::seo_title.eq(&state.seo_title),
            articles::seo_description.eq(&state.seo_description),
            articles::canonical_url.eq(&state.canonical_url),
            articles::cover_id.eq(state.cover),
            articles::updated_by.eq(user_id),
            articles::updated_at.eq(at),
        )
    )?;
    finish(
        conn,
        id,
        version + 1,
        (Some(old), state),
        &links,
        user_id,
        at,
    )?;
    if old.slug != state.slug {
        let was_public = was == ArticleStatus::Published;
        Redirects::slug_changed(conn, id, (&old.slug, &state.slug), was_public, at)?;
    }
    if old.content_differs(state) {
        review::reopen_if_approved(conn, id, version + 1, user_id, at)?;
    }
    let by = By::new(user_id, &state.title, at);
    Change::record(conn, Item::Article(id), action, by)?;
    Ok(())
}

/// What a write that takes an article from `before` to `after` is called
/// in the activity log and the change stream.
pub fn action_for(before: &Stored, after: &ArticleState) -> Action {
    let now = super::now();
    let was = ArticleStatus::of(before.status, before.published_at, now);
    let is = ArticleStatus::of(after.status, after.published_at, now);
    match (was == is, is) {
        (true, _) => Action::Updated,
        (false, ArticleStatus::Published) => Action::Published,
        (false, ArticleStatus::Scheduled) => Action::Scheduled,
        (false, ArticleStatus::Draft) => Action::Unpublished,
        (false, ArticleStatus::Archived) => Action::Archived,
    }
}

/// Relations, rendering and the revision: the part every write shares.
/// What is as it was `before` is not written again: an edit of the
/// excerpt rewrites no link table and renders no body.
fn finish(
    conn: &mut DbConnection,
    id: i32,
    version: i32,
    (before, state): (Option<&ArticleState>, &ArticleState),
    links: &ArticleLinks,
    user_id: i32,
    at: NaiveDateTime,
) -> Result<(), ContentError> {
    Article::set_links(conn, id, links)?;
    if before.is_none_or(|b| b.references != state.references) {
        References::set(conn, id, &state.references)?;
    }
    if before.is_none_or(|b| !b.renders_as(state)) {
        Article::render_body(conn, id)?;
    }
    super::revision::save(conn, id, version, state, Some(user_id), at)?;
    Ok(())
}

/// Deletes the article when still at `version`. Its FAQs stay, detached.
pub fn delete(
    conn: &mut DbConnection,
    id: i32,
    version: i32,
    title: &str,
    user_id: i32,
    at: NaiveDateTime,
) -> Result<(), ContentError> {
    let by = By::new(user_id, title, at);
    Change::record(conn, Item::Article(id), Action::Deleted, by)?;
    delete_at_version!(conn, articles, id, version)?;
    Ok(())
}
