//! The one change signal: every content write records what it changed, in
//! its own transaction. Response caches (on every node), stored article
//! documents and list facts follow it; auth, session and activity writes
//! never touch it.
//!
//! It is also the one description of what a stored article document shows
//! (`forget_sql`): a write forgets exactly the documents that showed what it
//! changed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::activity::Activity;
use crate::db::backend;
use crate::db::insert_row;
use crate::db::schema::changes;
use crate::db::DbConnection;

/// What a content write changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Article(i32),
    Tag(i32),
    MassageType(i32),
    Treatment(i32),
    Faq(i32),
    /// An image of the media library.
    Media(i32),
    /// An account's name, as articles show it in their byline.
    Author(i32),
    /// An author profile (an article's author or reviewer).
    Person(i32),
    Site,
    /// A redirect an editor added (no article document shows it).
    Redirect(i32),
    /// Everything at once: an import, bodies rendered by a new renderer.
    Everything,
}

impl Item {
    /// The kind as the change stream and the activity log name it.
    pub fn kind(self) -> &'static str {
        match self {
            Item::Article(_) => "article",
            Item::Tag(_) => "tag",
            Item::MassageType(_) => "massage_type",
            Item::Treatment(_) => "treatment",
            Item::Faq(_) => "faq",
            Item::Media(_) => "media",
            Item::Author(_) => "user",
            Item::Person(_) => "person",
            Item::Site => "site",
            Item::Redirect(_) => "redirect",
            Item::Everything => "everything",
        }
    }

    pub fn id(self) -> Option<i32> {
        match self {
            Item::Article(id)
            | Item::Tag(id)
            | Item::MassageType(id)
            | Item::Treatment(id)
            | Item::Faq(id)
            | Item::Media(id)
            | Item::Author(id)
            | Item::Person(id)
            | Item::Redirect(id) => Some(id),
            Item::Site | Item::Everything => None,
        }
    }
}

/// What happened to the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Deleted,
    Published,
    Scheduled,
    Unpublished,
    Archived,
    Restored,
    /// Content loaded from a backup.
    Imported,
    /// Derived data made again (bodies by a newer renderer).
    Rendered,
    /// Sent for medical review.
    Submitted,
    /// Approved by a reviewer.
    Approved,
    /// Sent back by a reviewer with a change request.
    ChangesRequested,
    /// A scheduled article's time came (recorded by the one node that
    /// announces it).
    FellDue,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Deleted => "deleted",
            Action::Published => "published",
            Action::Scheduled => "scheduled",
            Action::Unpublished => "unpublished",
            Action::Archived => "archived",
            Action::Restored => "restored",
            Action::Imported => "imported",
            Action::Rendered => "rendered",
            Action::Submitted => "submitted",
            Action::Approved => "approved",
            Action::ChangesRequested => "changes_requested",
            Action::FellDue => "due",
        }
    }
}

/// Who made a change and when; `label` is the item's title or name then.
#[derive(Clone, Copy, Debug)]
pub struct By<'a> {
    pub user_id: i32,
    pub label: &'a str,
    pub at: NaiveDateTime,
}

impl<'a> By<'a> {
    pub fn new(user_id: i32, label: &'a str, at: NaiveDateTime) -> Self {
        Self { user_id, label, at }
    }
}

/// Changes older than the newest this many are pruned: followers only need
/// the newest id.
const KEPT_CHANGES: i64 = 10_000;

pub struct Change;

impl Change {
    /// Records a content write: forgets the stored documents that showed the
    /// item, logs the activity (when a person did it) and appends to the
    /// change stream. Call it before deleting an item (its links say which
    /// documents showed it) and after writing one otherwise.
    pub fn record<'a>(
        conn: &mut DbConnection,
        item: Item,
        action: Action,
        by: impl Into<Option<By<'a>>>,
    ) -> QueryResult<()> {
        let by = by.into();
        // From here to the commit, content writers take turns (PostgreSQL),
        // so change ids commit in order and documents are never stored
        // from content older than a change being committed.
        Self::forget_documents(conn, item)?;
        let at = match by {
            Some(by) => {
                let id = item.id().unwrap_or(1);
                Activity::record(
                    conn,
                    by.user_id,
                    action.as_str(),
                    item.kind(),
                    id,
                    by.label,
                    by.at,
                )?;
                by.at
            }
            None => super::now(),
        };
        super::webhook::outbox::record(conn, item, action, at)?;
        let id: i64 = insert_row!(changes:
            kind = item.kind(), item_id = item.id(), action = action.as_str(), at)
        .returning(changes::id)
        .get_result(conn)?;
        diesel::delete(changes::table.filter(changes::id.le(id - KEPT_CHANGES))).execute(conn)?;
        Ok(())
    }

    /// Forgets the stored documents that show `item` now. `record` does
    /// this; a write that moves an item between articles (a FAQ) also calls
    /// it before the move.
    pub fn forget_documents(conn: &mut DbConnection, item: Item) -> QueryResult<()> {
        // Under the lock, so no document of the content before this write
        // can be stored after it was forgotten (taken again: a no-op).
        backend::lock_changes(conn)?;
        diesel::sql_query(forget_sql(item)).execute(conn)?;
        Ok(())
    }
}

/// The statement whose rows (`article_id`) are the articles showing
/// `item` (as `forget_sql` says); `None`: every article.
pub fn showing_sql(item: Item) -> Option<String> {
    let direct = direct_sql(item)?;
    Some(format!(
        "{direct} UNION SELECT article_id FROM article_related WHERE related_id IN ({direct})"
    ))
}

/// The statement that deletes the documents showing `item`. A document
/// shows its article, the article's tags, tables, FAQs, author, people, the
/// site, and the summaries of its related articles: so an item shows in the
/// articles linked to it and in every article relating to those. (Ids are
/// our own integers, written into the statement; a subquery, not a list,
/// so a tag on 100,000 articles is one statement.)
fn forget_sql(item: Item) -> String {
    let Some(direct) = direct_sql(item) else {
        return "DELETE FROM article_documents".into();
    };
    format!(
        "DELETE FROM article_documents WHERE article_id IN ({direct}) \
         OR article_id IN (SELECT article_id FROM article_related WHERE related_id IN ({direct}))"
    )
}

/// The articles linked to `item` (a column named `article_id`); `None`:
/// every article.
fn direct_sql(item: Item) -> Option<String> {
    Some(match item {
        Item::Article(id) => format!("SELECT {id} AS article_id"),
        Item::Tag(id) => format!("SELECT article_id FROM article_tags WHERE tag_id = {id}"),
        Item::MassageType(id) => {
            format!("SELECT article_id FROM article_massage_types WHERE massage_type_id = {id}")
        }
        Item::Treatment(id) => {
            format!("SELECT article_id FROM article_treatments WHERE treatment_id = {id}")
        }
        Item::Faq(id) => {
            format!("SELECT article_id FROM faqs WHERE id = {id} AND article_id IS NOT NULL")
        }
        Item::Author(id) => format!("SELECT id AS article_id FROM articles WHERE author_id = {id}"),
        Item::Person(id) => format!(
            "SELECT article_id FROM article_people WHERE person_id = {id} \
             UNION SELECT id AS article_id FROM articles WHERE reviewed_by = {id}"
        ),
        Item::Media(id) => format!(
            "SELECT article_id FROM article_media WHERE media_id = {id} \
             UNION SELECT article_id FROM article_massage_types WHERE massage_type_id IN \
             (SELECT id FROM massage_types WHERE image_id = {id}) \
             UNION SELECT article_id FROM article_treatments WHERE treatment_id IN \
             (SELECT id FROM treatments WHERE image_id = {id}) \
             UNION SELECT id AS article_id FROM articles WHERE author_id IN \
             (SELECT id FROM users WHERE avatar_id = {id}) \
             UNION SELECT article_id FROM article_people WHERE person_id IN \
             (SELECT id FROM people WHERE avatar_id = {id}) \
             UNION SELECT id AS article_id FROM articles WHERE reviewed_by IN \
             (SELECT id FROM people WHERE avatar_id = {id})"
        ),
        Item::Redirect(_) => "SELECT article_id FROM article_tags WHERE 1 = 0".into(),
        Item::Site | Item::Everything => return None,
    })
}
