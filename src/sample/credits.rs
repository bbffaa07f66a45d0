//! A content file's people and each article's credits: its author
//! profiles, references and medical review.

use std::collections::HashMap;

use anyhow::Context;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;

use super::SeedArticle;
use crate::content::person::{People, PersonFields};
use crate::content::reference::References;
use crate::content::review::ReviewState;
use crate::db::schema::articles;
use crate::db::DbConnection;

/// An author profile.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPerson {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub credentials: String,
    #[serde(default)]
    pub job_title: String,
    /// Markdown.
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub same_as: Vec<String>,
}

/// An article's medical review as it stands: approved as loaded.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedReview {
    /// A profile slug.
    pub reviewed_by: String,
    pub last_reviewed: NaiveDate,
    /// `last_reviewed` and the site's interval when not given.
    pub next_review_due: Option<NaiveDate>,
}

/// Inserts the profiles; their ids by slug.
pub fn insert_people(
    conn: &mut DbConnection,
    seeds: &[SeedPerson],
    at: NaiveDateTime,
) -> anyhow::Result<HashMap<String, i32>> {
    let mut ids = HashMap::new();
    for seed in seeds {
        super::checked_slug(&seed.slug)?;
        let fields = PersonFields {
            slug: seed.slug.clone(),
            name: seed.name.clone(),
            credentials: seed.credentials.clone(),
            job_title: seed.job_title.clone(),
            bio: seed.bio.clone(),
            avatar_id: None,
            same_as: seed.same_as.clone(),
            user_id: None,
        };
        let id = People::insert(conn, &fields, None, at)?;
        ids.insert(seed.slug.clone(), id);
    }
    Ok(ids)
}

/// Writes an article's references and review (its authors are links).
pub fn credit(
    conn: &mut DbConnection,
    id: i32,
    article: &SeedArticle,
    people: &HashMap<String, i32>,
) -> anyhow::Result<()> {
    References::set(conn, id, &article.references)?;
    let Some(review) = &article.review else {
        return Ok(());
    };
    let reviewer = *people.get(&review.reviewed_by).with_context(|| {
        format!(
            "article {}: unknown reviewer {}",
            article.slug, review.reviewed_by
        )
    })?;
    let months = crate::content::site::Site::find(conn)?
        .editorial
        .review_interval_months;
    let due = review.next_review_due.or_else(|| {
        review
            .last_reviewed
            .checked_add_months(chrono::Months::new(u32::try_from(months).unwrap_or(12)))
    });
    let version: i32 = articles::table
        .find(id)
        .select(articles::version)
        .first(conn)?;
    diesel::update(articles::table.find(id))
        .set((
            articles::review_state.eq(ReviewState::Approved),
            articles::approved_version.eq(version),
            articles::reviewed_by.eq(reviewer),
            articles::last_reviewed.eq(review.last_reviewed),
            articles::next_review_due.eq(due),
        ))
        .execute(conn)?;
    Ok(())
}
