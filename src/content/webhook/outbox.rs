//! The outbox: the events a content change causes, written in the change's
//! own transaction (`Change::record` calls `record`), so there is no change
//! without its event and no event without its change. Each event gets one
//! delivery per enabled endpoint that takes it.
//!
//! Public events tell of what readers can see: a draft's edits send
//! nothing. An article's `announced` flag says whether subscribers were
//! told it is public; the write (or, for a scheduled article falling due,
//! the one node) that moves it sends `article.published` or
//! `article.unpublished`, so each is sent once.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use super::delivery::DeliveryStatus;
use super::events::subscribed;
use crate::content::article::{is_public, Article, StoredStatus};
use crate::content::change::{showing_sql, Action, Change, Item};
use crate::content::faq::Faq;
use crate::content::image::Image;
use crate::content::massage_type::MassageType;
use crate::content::media::Media;
use crate::content::person::People;
use crate::content::redirect::Redirects;
use crate::content::tag::Tag;
use crate::content::to_utc;
use crate::content::treatment::Treatment;
use crate::db::insert_row;
use crate::db::schema::{articles, site, webhook_deliveries, webhook_endpoints, webhook_events};
use crate::db::DbConnection;

/// Writes the events `action` on `item` causes, at `at`, for the endpoints
/// that take them.
pub fn record(
    conn: &mut DbConnection,
    item: Item,
    action: Action,
    at: NaiveDateTime,
) -> QueryResult<()> {
    if item == Item::Everything {
        settle(conn, at)?;
    }
    let types = event_types(conn, item, action, at)?;
    if types.is_empty() {
        return Ok(());
    }
    let endpoints: Vec<(i32, String)> = webhook_endpoints::table
        .filter(webhook_endpoints::enabled.eq(true))
        .select((webhook_endpoints::id, webhook_endpoints::events))
        .load(conn)?;
    for event_type in types {
        let takers: Vec<i32> = endpoints
            .iter()
            .filter(|(_, events)| {
                serde_json::from_str::<Vec<String>>(events)
                    .is_ok_and(|patterns| subscribed(&patterns, event_type))
            })
            .map(|(id, _)| *id)
            .collect();
        if takers.is_empty() {
            continue;
        }
        let data = describe(conn, item, event_type, at)?;
        enqueue(conn, event_type, data, &takers, at)?;
    }
    Ok(())
}

/// Writes one event with its body, and a delivery of it to each endpoint;
/// the event's id.
pub fn enqueue(
    conn: &mut DbConnection,
    event_type: &str,
    data: Value,
    endpoints: &[i32],
    at: NaiveDateTime,
) -> QueryResult<i64> {
    let payload = json!({
        "type": event_type,
        "timestamp": to_utc(at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string();
    let event_id: i64 = insert_row!(webhook_events:
        event_type = event_type, payload = &payload, created_at = at)
    .returning(webhook_events::id)
    .get_result(conn)?;
    for endpoint_id in endpoints {
        insert_row!(webhook_deliveries:
            endpoint_id = *endpoint_id,
            event_id = event_id,
            status = DeliveryStatus::Pending,
            next_attempt_at = at,
            created_at = at)
        .execute(conn)?;
    }
    Ok(event_id)
}

/// The event types a change causes (often none, sometimes two: a review
/// step on a published article is editorial and changes its public dates).
fn event_types(
    conn: &mut DbConnection,
    item: Item,
    action: Action,
    at: NaiveDateTime,
) -> QueryResult<Vec<&'static str>> {
    let verb = match action {
        Action::Created => "created",
        Action::Deleted => "deleted",
        _ => "updated",
    };
    Ok(match item {
        Item::Article(id) => {
            let mut types = Vec::new();
            types.extend(match action {
                Action::Submitted => Some("review.submitted"),
                Action::Approved => Some("review.approved"),
                Action::ChangesRequested => Some("review.changes_requested"),
                _ => None,
            });
            types.extend(article_transition(conn, id, action, at)?);
            types
        }
        Item::Tag(_) => vec![typed("tag", verb)],
        Item::MassageType(_) => vec![typed("massage_type", verb)],
        Item::Treatment(_) => vec![typed("treatment", verb)],
        Item::Faq(id) if faq_is_public(conn, id, at)? => vec![typed("faq", verb)],
        Item::Person(id) if person_is_public(conn, id, at)? => vec![typed("person", verb)],
        Item::Media(id) if media_is_visible(conn, id, at)? => vec![typed("media", verb)],
        Item::Site | Item::Everything => vec!["site.updated"],
        Item::Faq(_) | Item::Person(_) | Item::Media(_) | Item::Author(_) | Item::Redirect(_) => {
            Vec::new()
        }
    })
}

fn typed(kind: &str, verb: &str) -> &'static str {
    let wanted = format!("{kind}.{verb}");
    super::events::EVENT_TYPES
        .iter()
        .find(|t| **t == wanted)
        .copied()
        .unwrap_or("site.updated")
}

/// The public event of a write to an article, moving its `announced` flag
/// by a conditional update, so two writers never both send `published`.
fn article_transition(
    conn: &mut DbConnection,
    id: i32,
    action: Action,
    at: NaiveDateTime,
) -> QueryResult<Option<&'static str>> {
    let row: Option<(StoredStatus, Option<NaiveDateTime>, bool)> = articles::table
        .find(id)
        .select((
            articles::status,
            articles::published_at,
            articles::announced,
        ))
        .first(conn)
        .optional()?;
    let Some((status, published_at, announced)) = row else {
        return Ok(None);
    };
    if action == Action::Deleted {
        return Ok(announced.then_some("article.deleted"));
    }
    // The due job moved the flag itself, having won it.
    if action == Action::FellDue {
        return Ok(Some("article.published"));
    }
    let public = status == StoredStatus::Published && published_at.is_some_and(|p| p <= at);
    let moved = diesel::update(
        articles::table
            .filter(articles::id.eq(id))
            .filter(articles::announced.eq(!public)),
    )
    .set(articles::announced.eq(public))
    .execute(conn)?
        > 0;
    Ok(match (public, moved) {
        (true, true) => Some("article.published"),
        (true, false) => Some("article.updated"),
        (false, true) => Some("article.unpublished"),
        (false, false) => None,
    })
}

/// Tells subscribers of the scheduled articles whose time has come, once:
/// each is claimed by a conditional update of its `announced` flag (on
/// PostgreSQL a second node waits for the first and then finds it moved).
/// Also moves the change stream, so every node's caches show them. The
/// number announced.
pub fn announce_due(conn: &mut DbConnection, at: NaiveDateTime) -> QueryResult<usize> {
    let due: Vec<i32> = articles::table
        .filter(is_public(at))
        .filter(articles::announced.eq(false))
        .order(articles::published_at)
        .limit(100)
        .select(articles::id)
        .load(conn)?;
    let mut announced = 0;
    for id in due {
        let won = diesel::update(
            articles::table
                .filter(articles::id.eq(id))
                .filter(articles::announced.eq(false)),
        )
        .set(articles::announced.eq(true))
        .execute(conn)?;
        if won > 0 {
            Change::record(conn, Item::Article(id), Action::FellDue, None)?;
            announced += 1;
        }
    }
    Ok(announced)
}

/// When the next scheduled article falls due, if one is waiting.
pub fn next_due(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
    articles::table
        .filter(articles::status.eq(StoredStatus::Published))
        .filter(articles::announced.eq(false))
        .select(diesel::dsl::min(articles::published_at))
        .first(conn)
}

/// After a bulk load (an import, the sample, synthetic articles): every
/// public article counts as announced — the load itself sends
/// `site.updated`, which asks subscribers to rebuild — so none is sent as
/// falling due. Touches only unannounced rows (a partial index holds them).
fn settle(conn: &mut DbConnection, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        articles::table
            .filter(articles::announced.eq(false))
            .filter(is_public(at)),
    )
    .set(articles::announced.eq(true))
    .execute(conn)?;
    Ok(())
}

fn faq_is_public(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<bool> {
    let article = Faq::find(conn, id)?.article;
    match article {
        None => Ok(true),
        Some(slug) => Ok(articles::table
            .filter(articles::slug.eq(slug))
            .filter(is_public(at))
            .count()
            .get_result::<i64>(conn)?
            > 0),
    }
}

fn person_is_public(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<bool> {
    let slug = People::find(conn, id)?.public.person.slug;
    Ok(People::find_public(conn, &slug, at).optional()?.is_some())
}

fn media_is_visible(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<bool> {
    match Media::rows(conn, &[id])?.remove(&id) {
        Some(row) => Media::is_visible(conn, &row, at, None),
        None => Ok(false),
    }
}

/// The public URLs a change affects: API paths, and the front end's pages
/// when the site names its base URL.
#[derive(Serialize)]
struct Urls {
    /// True when every page may show it (site settings, an import).
    everything: bool,
    api: Vec<String>,
    site: Vec<String>,
}

/// The event's `data`: what changed (its public form; only an id and slug
/// once it is gone or no longer public) and the URLs to purge.
fn describe(
    conn: &mut DbConnection,
    item: Item,
    event_type: &str,
    at: NaiveDateTime,
) -> QueryResult<Value> {
    let gone = event_type.ends_with(".deleted") || event_type == "article.unpublished";
    let editorial = event_type.starts_with("review.");
    let (object, own_api): (Value, Vec<String>) = match item {
        Item::Article(id) => {
            let (slug, title): (String, String) = articles::table
                .find(id)
                .select((articles::slug, articles::title))
                .first(conn)?;
            let object = match (gone, editorial) {
                (true, _) => json!({"id": id, "slug": slug}),
                (_, true) => json!({"id": id, "title": title}),
                _ => to_value(Article::public_summary(conn, id)?),
            };
            (object, vec!["/api/v1/articles".into()])
        }
        Item::Tag(id) => {
            let tag = Tag::find(conn, id, at)?;
            let api = vec!["/api/v1/tags".into()];
            (to_value(tag), api)
        }
        Item::MassageType(id) => {
            let row = MassageType::find(conn, id)?;
            let api = vec![
                format!("/api/v1/massage-types/{}", row.slug),
                "/api/v1/massage-types".into(),
            ];
            (to_value(row), api)
        }
        Item::Treatment(id) => {
            let row = Treatment::find(conn, id)?;
            let api = vec![
                format!("/api/v1/treatments/{}", row.slug),
                "/api/v1/treatments".into(),
            ];
            (to_value(row), api)
        }
        Item::Faq(id) => (to_value(Faq::find(conn, id)?), vec!["/api/v1/faqs".into()]),
        Item::Person(id) => {
            let person = People::find(conn, id)?.public;
            let api = vec![
                format!("/api/v1/authors/{}", person.person.slug),
                "/api/v1/authors".into(),
            ];
            (to_value(person), api)
        }
        Item::Media(id) => {
            let image = Media::rows(conn, &[id])?
                .remove(&id)
                .map(|row| Image::of(&row));
            let mut files: Vec<String> = Vec::new();
            if let Some(image) = &image {
                files.push(image.src.clone());
                for source in &image.sources {
                    let urls = source
                        .srcset
                        .split(", ")
                        .filter_map(|e| e.split(' ').next());
                    files.extend(urls.map(String::from));
                }
            }
            files.sort();
            files.dedup();
            (to_value(image), files)
        }
        Item::Site | Item::Everything | Item::Author(_) | Item::Redirect(_) => {
            (json!({}), vec!["/api/v1/site".into()])
        }
    };
    let urls = if editorial {
        Urls {
            everything: false,
            api: Vec::new(),
            site: Vec::new(),
        }
    } else {
        affected_urls(conn, item, own_api, at)?
    };
    Ok(json!({
        "kind": item.kind(),
        "id": item.id(),
        "object": object,
        "urls": urls,
    }))
}

fn to_value<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The item's own API paths, and those of every public article showing it
/// (as `Change::record` forgets their stored documents), as API paths and
/// front-end pages.
fn affected_urls(
    conn: &mut DbConnection,
    item: Item,
    mut api: Vec<String>,
    at: NaiveDateTime,
) -> QueryResult<Urls> {
    let (base_url, article_path): (String, String) = site::table
        .find(1)
        .select((site::base_url, site::article_path))
        .first(conn)
        .optional()?
        .unwrap_or_default();
    let Some(showing) = showing_sql(item) else {
        return Ok(Urls {
            everything: true,
            api,
            site: vec![base_url],
        });
    };
    let ids: Vec<i32> = diesel::sql_query(showing)
        .load::<ShowingId>(conn)?
        .into_iter()
        .map(|r| r.article_id)
        .collect();
    let mut slugs: Vec<String> = articles::table
        .filter(articles::id.eq_any(&ids))
        .filter(is_public(at))
        .order(articles::id)
        .select(articles::slug)
        .load(conn)?;
    // An article just unpublished or deleted is not public: its own page
    // still changed, and so did the pages of the slugs it just left.
    if let Item::Article(id) = item {
        let own: String = articles::table
            .find(id)
            .select(articles::slug)
            .first(conn)?;
        if !slugs.contains(&own) {
            slugs.insert(0, own);
        }
        let left = Redirects::left_at(conn, id, at)?;
        if !left.is_empty() {
            api.push("/api/v1/redirects".into());
            slugs.extend(left);
        }
    }
    api.extend(slugs.iter().map(|s| format!("/api/v1/articles/{s}")));
    let site = if base_url.is_empty() || article_path.is_empty() {
        Vec::new()
    } else {
        let base = base_url.trim_end_matches('/');
        slugs
            .iter()
            .map(|s| format!("{base}{}", article_path.replace("{slug}", s)))
            .collect()
    };
    Ok(Urls {
        everything: false,
        api,
        site,
    })
}

#[derive(QueryableByName)]
struct ShowingId {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    article_id: i32,
}
