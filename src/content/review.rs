//! Medical review: the workflow an article goes through before it is
//! published (submitted, approved or sent back with a change request), the
//! steps it took, and the review dates readers see.
//!
//! An approval is of the article's content as it was: an edit afterwards
//! (anything but its publication status) sends it back for review. When the
//! site requires review, only an approved article is published or scheduled.

use chrono::{Months, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::article::{ArticleStatus, StoredStatus};
use super::article_state::ArticleState;
use super::change::{Action, By, Change, Item};
use super::person::{People, PersonRef};
use super::site::Site;
use super::user::User;
use super::versioned::update_at_version;
use super::{to_utc, ContentError, PageRequest, Paged};
use crate::db::insert_row;
use crate::db::schema::{articles, review_steps};
use crate::db::DbConnection;

super::text_enum! {
    /// Where an article is in its review.
    #[derive(Default)]
    pub enum ReviewState {
        /// Never submitted.
        #[default]
        None = "none",
        /// Submitted, waiting for a reviewer.
        InReview = "in_review",
        /// A reviewer asked for changes (the note says which).
        ChangesRequested = "changes_requested",
        /// Approved as it is now.
        Approved = "approved",
    }
}

super::text_enum! {
    /// One step of a review.
    pub enum StepKind {
        Submitted = "submitted",
        Approved = "approved",
        ChangesRequested = "changes_requested",
        /// An edit after the approval sent it back for review.
        Reopened = "reopened",
    }
}

/// The medical review readers see: who reviewed the article, when, and when
/// it is due again.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct MedicalReview {
    pub reviewed_by: Option<PersonRef>,
    pub last_reviewed: Option<NaiveDate>,
    pub next_review_due: Option<NaiveDate>,
}

/// One step, as editors and the revisions list see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewStep {
    pub step: StepKind,
    /// The article version this step made (its revision).
    pub version: i32,
    /// The account that took the step.
    pub by: Option<i32>,
    pub by_name: Option<String>,
    /// On an approval: the profile recorded as the medical reviewer.
    pub reviewer: Option<String>,
    /// A change request's note, or the note given with a step.
    pub note: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// The workflow as editors see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewWorkflow {
    pub state: ReviewState,
    /// The version last approved.
    pub approved_version: Option<i32>,
    /// The open change request, when the state is `changes_requested`.
    pub change_request: Option<String>,
    /// Every step, oldest first.
    pub steps: Vec<ReviewStep>,
}

/// What a reviewer approves with.
#[derive(Clone, Debug, Default)]
pub struct Approval {
    /// The profile recorded as the reviewer (default: the approver's own).
    pub reviewer: Option<i32>,
    /// Overrides the site's interval.
    pub next_review_due: Option<NaiveDate>,
    pub note: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = articles)]
struct ReviewRow {
    title: String,
    status: StoredStatus,
    published_at: Option<NaiveDateTime>,
    version: i32,
    review_state: ReviewState,
    approved_version: Option<i32>,
    review_note: String,
    reviewed_by: Option<i32>,
}

fn review_row(conn: &mut DbConnection, id: i32) -> QueryResult<ReviewRow> {
    articles::table
        .find(id)
        .select(ReviewRow::as_select())
        .first(conn)
}

fn record_step(
    conn: &mut DbConnection,
    id: i32,
    step: StepKind,
    version: i32,
    (user_id, reviewer, note): (Option<i32>, Option<i32>, &str),
    at: NaiveDateTime,
) -> QueryResult<()> {
    insert_row!(review_steps:
        article_id = id, step = step.as_str(), version, user_id, reviewer_id = reviewer, note, created_at = at)
    .execute(conn)?;
    Ok(())
}

/// Whether a write may publish: refused when the site requires review and
/// the article goes public (now or scheduled) without an approval of what
/// it will show, or when an edit changes a scheduled article that was
/// approved (it would go public unreviewed at its time).
pub fn check_publication(
    conn: &mut DbConnection,
    id: Option<i32>,
    before: Option<(ArticleStatus, &ArticleState)>,
    after: &ArticleState,
    now: NaiveDateTime,
) -> Result<(), ContentError> {
    let is = ArticleStatus::of(after.status, after.published_at, now);
    let going_public = matches!(is, ArticleStatus::Published | ArticleStatus::Scheduled);
    let was = before.map(|(status, _)| status);
    // Already public: an edit is sent back for review, not refused.
    let stays_public = was == Some(is) && is == ArticleStatus::Published;
    if !going_public || stays_public {
        return Ok(());
    }
    let require = Site::find(conn)
        .optional()?
        .is_some_and(|s| s.editorial.require_review);
    if !require {
        return Ok(());
    }
    let state = match id {
        Some(id) => review_row(conn, id)?.review_state,
        None => ReviewState::None,
    };
    let edited = before.is_some_and(|(_, b)| b.content_differs(after));
    if state != ReviewState::Approved || edited {
        return Err(ContentError::Conflict(
            "this site requires a medical review: submit the article, have a reviewer approve \
             this version, then publish or schedule it"
                .into(),
        ));
    }
    Ok(())
}

/// After an edit of an approved article's content: back to `in_review`.
pub fn reopen_if_approved(
    conn: &mut DbConnection,
    id: i32,
    version: i32,
    user_id: i32,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let reopened = diesel::update(
        articles::table
            .filter(articles::id.eq(id))
            .filter(articles::review_state.eq(ReviewState::Approved)),
    )
    .set(articles::review_state.eq(ReviewState::InReview))
    .execute(conn)?;
    if reopened > 0 {
        record_step(
            conn,
            id,
            StepKind::Reopened,
            version,
            (Some(user_id), None, ""),
            at,
        )?;
    }
    Ok(())
}

/// A step that changes the workflow: it makes a new version (and revision)
/// of the unchanged content, so caches and `ETag`s follow it.
fn take_step(
    conn: &mut DbConnection,
    id: i32,
    row: &ReviewRow,
    step: StepKind,
    user_id: i32,
    at: NaiveDateTime,
    set: (ReviewState, Option<i32>, String),
) -> Result<i32, ContentError> {
    let (state, approved_version, note) = set;
    update_at_version!(
        conn,
        articles,
        id,
        row.version,
        (
            articles::review_state.eq(state),
            articles::approved_version.eq(approved_version),
            articles::review_note.eq(&note),
        )
    )?;
    let version = row.version + 1;
    let (current, _) = ArticleState::load(conn, id)?;
    super::revision::save(conn, id, version, &current, Some(user_id), at)?;
    let action = match step {
        StepKind::Submitted | StepKind::Reopened => Action::Submitted,
        StepKind::Approved => Action::Approved,
        StepKind::ChangesRequested => Action::ChangesRequested,
    };
    Change::record(
        conn,
        Item::Article(id),
        action,
        By::new(user_id, &row.title, at),
    )?;
    Ok(version)
}

/// An author (or editor) submits the article for review.
pub fn submit(
    conn: &mut DbConnection,
    id: i32,
    user_id: i32,
    note: &str,
    at: NaiveDateTime,
) -> Result<(), ContentError> {
    let row = review_row(conn, id)?;
    if !matches!(
        row.review_state,
        ReviewState::None | ReviewState::ChangesRequested
    ) {
        return Err(ContentError::Conflict(format!(
            "the article is {} already",
            row.review_state.as_str().replace('_', " ")
        )));
    }
    let set = (ReviewState::InReview, row.approved_version, String::new());
    let version = take_step(conn, id, &row, StepKind::Submitted, user_id, at, set)?;
    record_step(
        conn,
        id,
        StepKind::Submitted,
        version,
        (Some(user_id), None, note),
        at,
    )?;
    Ok(())
}

/// A reviewer (or editor) approves the article as it is now. A published
/// article already approved (or from before reviews) may be approved again:
/// a re-review, which only moves its review dates.
pub fn approve(
    conn: &mut DbConnection,
    id: i32,
    user_id: i32,
    approval: Approval,
    at: NaiveDateTime,
) -> Result<(), ContentError> {
    let row = review_row(conn, id)?;
    let public = ArticleStatus::of(row.status, row.published_at, at) == ArticleStatus::Published;
    let allowed = match row.review_state {
        ReviewState::InReview => true,
        ReviewState::None | ReviewState::Approved => public,
        ReviewState::ChangesRequested => false,
    };
    if !allowed {
        return Err(ContentError::Conflict(format!(
            "the article is {}: it is approved once submitted for review",
            row.review_state.as_str().replace('_', " ")
        )));
    }
    let reviewer = match approval.reviewer {
        Some(person) => Some(person),
        None => People::id_for_user(conn, user_id)?.or(row.reviewed_by),
    };
    let today = at.date();
    let months = Site::find(conn)
        .optional()?
        .map_or(12, |s| s.editorial.review_interval_months);
    let due = approval
        .next_review_due
        .or_else(|| today.checked_add_months(Months::new(u32::try_from(months).unwrap_or(12))));
    diesel::update(articles::table.find(id))
        .set((
            articles::reviewed_by.eq(reviewer),
            articles::last_reviewed.eq(today),
            articles::next_review_due.eq(due),
        ))
        .execute(conn)?;
    let set = (ReviewState::Approved, Some(row.version), String::new());
    let version = take_step(conn, id, &row, StepKind::Approved, user_id, at, set)?;
    record_step(
        conn,
        id,
        StepKind::Approved,
        version,
        (Some(user_id), reviewer, &approval.note),
        at,
    )?;
    Ok(())
}

/// A reviewer (or editor) sends the article back to its author with a note.
pub fn request_changes(
    conn: &mut DbConnection,
    id: i32,
    user_id: i32,
    note: &str,
    at: NaiveDateTime,
) -> Result<(), ContentError> {
    let row = review_row(conn, id)?;
    if !matches!(
        row.review_state,
        ReviewState::InReview | ReviewState::Approved
    ) {
        return Err(ContentError::Conflict(format!(
            "the article is {}: changes are requested of a submitted or approved article",
            row.review_state.as_str().replace('_', " ")
        )));
    }
    let set = (
        ReviewState::ChangesRequested,
        row.approved_version,
        note.to_string(),
    );
    let version = take_step(conn, id, &row, StepKind::ChangesRequested, user_id, at, set)?;
    record_step(
        conn,
        id,
        StepKind::ChangesRequested,
        version,
        (Some(user_id), None, note),
        at,
    )?;
    Ok(())
}

/// The steps of an article, oldest first.
pub fn steps(conn: &mut DbConnection, id: i32) -> QueryResult<Vec<ReviewStep>> {
    type StepRow = (String, i32, Option<i32>, Option<i32>, String, NaiveDateTime);
    let rows: Vec<StepRow> = review_steps::table
        .filter(review_steps::article_id.eq(id))
        .order(review_steps::id)
        .select((
            review_steps::step,
            review_steps::version,
            review_steps::user_id,
            review_steps::reviewer_id,
            review_steps::note,
            review_steps::created_at,
        ))
        .load(conn)?;
    let user_ids: Vec<i32> = rows.iter().filter_map(|r| r.2).collect();
    let names = User::names(conn, &user_ids)?;
    let reviewer_ids: Vec<i32> = rows.iter().filter_map(|r| r.3).collect();
    let reviewers = People::refs(conn, &reviewer_ids)?;
    Ok(rows
        .into_iter()
        .filter_map(|(step, version, by, reviewer, note, at)| {
            Some(ReviewStep {
                step: StepKind::parse(&step)?,
                version,
                by_name: by.and_then(|u| names.get(&u).cloned()),
                by,
                reviewer: reviewer.and_then(|p| reviewers.get(&p).map(|r| r.slug.clone())),
                note,
                at: to_utc(at),
            })
        })
        .collect())
}

/// The workflow of an article, for editors.
pub fn workflow(conn: &mut DbConnection, id: i32) -> QueryResult<ReviewWorkflow> {
    let row = review_row(conn, id)?;
    Ok(ReviewWorkflow {
        state: row.review_state,
        approved_version: row.approved_version,
        change_request: (row.review_state == ReviewState::ChangesRequested)
            .then_some(row.review_note),
        steps: steps(conn, id)?,
    })
}

/// Articles waiting for review, the longest-waiting first.
pub fn queue(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Paged<i32>> {
    // When each was last sent for review: its newest submit or reopen.
    let mut since: Vec<(Option<NaiveDateTime>, i32)> = review_steps::table
        .inner_join(articles::table)
        .filter(articles::review_state.eq(ReviewState::InReview))
        .filter(
            review_steps::step
                .eq(StepKind::Submitted.as_str())
                .or(review_steps::step.eq(StepKind::Reopened.as_str())),
        )
        .group_by(review_steps::article_id)
        .select((
            diesel::dsl::max(review_steps::created_at),
            review_steps::article_id,
        ))
        .load(conn)?;
    since.sort();
    Ok(Paged::slice(
        since.into_iter().map(|(_, id)| id).collect(),
        page,
    ))
}

/// An editor's own date for the next review (in the same write as the
/// article's version, which the caller made).
pub fn set_next_review_due(
    conn: &mut DbConnection,
    id: i32,
    due: Option<NaiveDate>,
) -> QueryResult<()> {
    diesel::update(articles::table.find(id))
        .set(articles::next_review_due.eq(due))
        .execute(conn)?;
    Ok(())
}
