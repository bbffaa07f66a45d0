//! Author profiles: the people an article credits as its authors or as its
//! medical reviewer. Apart from login accounts: a guest author or an outside
//! reviewer never logs in; an account may be linked to one profile.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::article::is_public;
use super::change::{Action, By, Change, Item};
use super::image::{resolve_images, Image};
use super::versioned::{delete_at_version, update_at_version};
use super::{escape_like, lower, to_utc, ContentError, PageRequest, Paged};
use crate::db::schema::{article_people, articles, people};
use crate::db::DbConnection;
use crate::render::{render_markdown, Block, Embeds};

/// A person as an article credits them (its authors, its reviewer).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PersonRef {
    pub slug: String,
    pub name: String,
    /// Post-nominal credentials, e.g. `LMT`, `DC`, `MD`; empty when none.
    pub credentials: String,
    /// e.g. `Licensed Massage Therapist`; empty when none.
    pub job_title: String,
    pub avatar: Option<Image>,
    /// Pages about the same person: a licence registry entry, a professional profile.
    pub same_as: Vec<String>,
}

/// A profile's biography: Markdown, and the sanitized HTML and blocks rendered from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bio {
    pub markdown: String,
    pub html: String,
    #[schema(value_type = Vec<Block>)]
    pub blocks: Box<RawValue>,
}

/// A profile as readers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicPerson {
    #[serde(flatten)]
    pub person: PersonRef,
    pub bio: Bio,
}

/// A profile as editors see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    pub id: i32,
    #[serde(flatten)]
    pub public: PublicPerson,
    /// The account linked to this profile, when there is one: the articles
    /// that account creates credit this profile.
    pub user_id: Option<i32>,
    /// Increases with every change; the `ETag` is made from it.
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = people)]
struct PersonRow {
    id: i32,
    slug: String,
    name: String,
    credentials: String,
    job_title: String,
    bio_markdown: String,
    bio_html: String,
    bio_blocks: String,
    avatar_id: Option<i32>,
    same_as: String,
    user_id: Option<i32>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = people)]
struct RefRow {
    id: i32,
    slug: String,
    name: String,
    credentials: String,
    job_title: String,
    avatar_id: Option<i32>,
    same_as: String,
}

/// What an editor writes, checked by the route.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PersonFields {
    pub slug: String,
    pub name: String,
    pub credentials: String,
    pub job_title: String,
    pub bio: String,
    pub avatar_id: Option<i32>,
    pub same_as: Vec<String>,
    pub user_id: Option<i32>,
}

/// Which profiles an editors' list shows.
#[derive(Clone, Debug, Default)]
pub struct PersonFilter {
    /// Words in the name, credentials or job title.
    pub q: Option<String>,
}

pub struct People;

impl People {
    /// The people of each given article, in the order the editor set; their
    /// avatars unresolved, for the caller to resolve with its other images
    /// in one query (`resolve_images`).
    pub fn for_articles(
        conn: &mut DbConnection,
        article_ids: &[i32],
    ) -> QueryResult<HashMap<i32, Vec<PersonRef>>> {
        let rows: Vec<(i32, RefRow)> = article_people::table
            .inner_join(people::table)
            .filter(article_people::article_id.eq_any(article_ids))
            .order((article_people::article_id, article_people::position))
            .select((article_people::article_id, RefRow::as_select()))
            .load(conn)?;
        let mut map: HashMap<i32, Vec<PersonRef>> = HashMap::new();
        for (article_id, row) in &rows {
            map.entry(*article_id).or_default().push(ref_of(row)?);
        }
        Ok(map)
    }

    /// The given people, by id.
    pub fn refs(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<HashMap<i32, PersonRef>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<RefRow> = people::table
            .filter(people::id.eq_any(ids))
            .select(RefRow::as_select())
            .load(conn)?;
        to_refs(conn, rows.iter())
    }

    /// The slug of the profile linked to an account, when one is.
    pub fn slug_for_user(conn: &mut DbConnection, user_id: i32) -> QueryResult<Option<String>> {
        people::table
            .filter(people::user_id.eq(user_id))
            .select(people::slug)
            .first(conn)
            .optional()
    }

    /// The profile linked to an account, when one is.
    pub fn id_for_user(conn: &mut DbConnection, user_id: i32) -> QueryResult<Option<i32>> {
        people::table
            .filter(people::user_id.eq(user_id))
            .select(people::id)
            .first(conn)
            .optional()
    }

    pub fn id_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<i32>> {
        people::table
            .filter(people::slug.eq(slug))
            .select(people::id)
            .first(conn)
            .optional()
    }

    pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Person> {
        let row = people::table
            .find(id)
            .select(PersonRow::as_select())
            .first(conn)?;
        Ok(whole(conn, vec![row])?.remove(0))
    }

    /// Profiles by name, for editors.
    pub fn list(
        conn: &mut DbConnection,
        filter: &PersonFilter,
        page: PageRequest,
    ) -> QueryResult<Paged<Person>> {
        let query = || {
            let mut query = people::table.into_boxed();
            if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
                query = query.filter(
                    lower(people::name)
                        .like(pattern.clone())
                        .escape('\\')
                        .or(lower(people::credentials)
                            .like(pattern.clone())
                            .escape('\\'))
                        .or(lower(people::job_title).like(pattern).escape('\\')),
                );
            }
            query
        };
        let total = query().count().get_result(conn)?;
        let rows = query()
            .order((people::name.asc(), people::id.asc()))
            .limit(page.limit())
            .offset(page.offset())
            .select(PersonRow::as_select())
            .load(conn)?;
        Ok(Paged::new(whole(conn, rows)?, total, page))
    }

    /// Readers see a profile once a public article credits it (as author or
    /// reviewer): a profile made for a draft stays as private as the draft.
    pub fn list_public(
        conn: &mut DbConnection,
        page: PageRequest,
        now: NaiveDateTime,
    ) -> QueryResult<Paged<PublicPerson>> {
        let credited = credited_at(now);
        let total = people::table
            .filter(people::id.eq_any(credited))
            .count()
            .get_result(conn)?;
        let rows = people::table
            .filter(people::id.eq_any(credited))
            .order((people::name.asc(), people::id.asc()))
            .limit(page.limit())
            .offset(page.offset())
            .select(PersonRow::as_select())
            .load(conn)?;
        let all = whole(conn, rows)?;
        Ok(Paged::new(
            all.into_iter().map(|p| p.public).collect(),
            total,
            page,
        ))
    }

    /// A profile readers may see at `now`, with its id.
    pub fn find_public(
        conn: &mut DbConnection,
        slug: &str,
        now: NaiveDateTime,
    ) -> QueryResult<(i32, PublicPerson)> {
        let row = people::table
            .filter(people::slug.eq(slug))
            .filter(people::id.eq_any(credited_at(now)))
            .select(PersonRow::as_select())
            .first(conn)?;
        let person = whole(conn, vec![row])?.remove(0);
        Ok((person.id, person.public))
    }

    /// Inserts a profile (the content loader's, which records no change,
    /// and `create`'s); its id.
    pub fn insert(
        conn: &mut DbConnection,
        fields: &PersonFields,
        by: Option<i32>,
        at: NaiveDateTime,
    ) -> QueryResult<i32> {
        diesel::insert_into(people::table)
            .values((
                &Columns::of(fields, by, at),
                people::created_by.eq(by),
                people::created_at.eq(at),
            ))
            .execute(conn)?;
        people::table
            .filter(people::slug.eq(&fields.slug))
            .select(people::id)
            .first(conn)
    }

    pub fn create(
        conn: &mut DbConnection,
        fields: &PersonFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<i32, ContentError> {
        let id = Self::insert(conn, fields, Some(user_id), at)?;
        Change::record(
            conn,
            Item::Person(id),
            Action::Created,
            By::new(user_id, &fields.name, at),
        )?;
        Ok(id)
    }

    pub fn update(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        fields: &PersonFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        let columns = Columns::of(fields, Some(user_id), at);
        update_at_version!(conn, people, id, version, (&columns,))?;
        Change::record(
            conn,
            Item::Person(id),
            Action::Updated,
            By::new(user_id, &fields.name, at),
        )?;
        Ok(())
    }

    /// Deletes a profile no article credits; `409` naming those that do.
    pub fn delete(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        let credits: Vec<(i32, String)> = articles::table
            .filter(
                articles::id
                    .eq_any(
                        article_people::table
                            .filter(article_people::person_id.eq(id))
                            .select(article_people::article_id),
                    )
                    .or(articles::reviewed_by.eq(id)),
            )
            .order(articles::id)
            .select((articles::id, articles::title))
            .load(conn)?;
        if !credits.is_empty() {
            let named: Vec<String> = credits
                .iter()
                .map(|(id, title)| format!("article {id} ({title:?})"))
                .collect();
            return Err(ContentError::Conflict(format!(
                "articles credit this person: {}; take them off those articles first",
                named.join(", ")
            )));
        }
        let name: String = people::table.find(id).select(people::name).first(conn)?;
        Change::record(
            conn,
            Item::Person(id),
            Action::Deleted,
            By::new(user_id, &name, at),
        )?;
        delete_at_version!(conn, people, id, version)?;
        Ok(())
    }
}

/// The people credited as authors by public articles.
type Authors = diesel::dsl::Select<
    diesel::dsl::Filter<
        diesel::dsl::InnerJoin<article_people::table, articles::table>,
        super::article::IsPublic,
    >,
    article_people::person_id,
>;

/// The people credited as reviewers by public articles.
type Reviewers = diesel::dsl::Select<
    diesel::dsl::Filter<
        diesel::dsl::Filter<articles::table, super::article::IsPublic>,
        diesel::dsl::IsNotNull<articles::reviewed_by>,
    >,
    diesel::dsl::AssumeNotNull<articles::reviewed_by>,
>;

/// The ids of the people a public article credits at `now`.
fn credited_at(now: NaiveDateTime) -> diesel::dsl::Union<Authors, Reviewers> {
    article_people::table
        .inner_join(articles::table)
        .filter(is_public(now))
        .select(article_people::person_id)
        .union(
            articles::table
                .filter(is_public(now))
                .filter(articles::reviewed_by.is_not_null())
                .select(articles::reviewed_by.assume_not_null()),
        )
}

/// The columns an editor's fields write (the bio rendered), on insert and update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = people, treat_none_as_null = true)]
struct Columns<'a> {
    slug: &'a str,
    name: &'a str,
    credentials: &'a str,
    job_title: &'a str,
    bio_markdown: &'a str,
    bio_html: String,
    bio_blocks: String,
    avatar_id: Option<i32>,
    same_as: String,
    user_id: Option<i32>,
    updated_by: Option<i32>,
    updated_at: NaiveDateTime,
}

impl<'a> Columns<'a> {
    fn of(fields: &'a PersonFields, by: Option<i32>, at: NaiveDateTime) -> Self {
        let bio = render_markdown(&fields.bio, &Embeds::new());
        Self {
            slug: &fields.slug,
            name: &fields.name,
            credentials: &fields.credentials,
            job_title: &fields.job_title,
            bio_markdown: &fields.bio,
            bio_blocks: bio.blocks_json(),
            bio_html: bio.html,
            avatar_id: fields.avatar_id,
            same_as: serde_json::to_string(&fields.same_as).unwrap_or_else(|_| "[]".into()),
            user_id: fields.user_id,
            updated_by: by,
            updated_at: at,
        }
    }
}

fn urls(json: &str) -> QueryResult<Vec<String>> {
    serde_json::from_str(json).map_err(|e| diesel::result::Error::DeserializationError(e.into()))
}

/// A row's reference, its avatar unresolved.
fn ref_of(r: &RefRow) -> QueryResult<PersonRef> {
    Ok(PersonRef {
        slug: r.slug.clone(),
        name: r.name.clone(),
        credentials: r.credentials.clone(),
        job_title: r.job_title.clone(),
        avatar: r.avatar_id.map(Image::unresolved),
        same_as: urls(&r.same_as)?,
    })
}

fn to_refs<'a>(
    conn: &mut DbConnection,
    rows: impl Iterator<Item = &'a RefRow>,
) -> QueryResult<HashMap<i32, PersonRef>> {
    let mut refs: HashMap<i32, PersonRef> = rows
        .map(|r| Ok((r.id, ref_of(r)?)))
        .collect::<QueryResult<_>>()?;
    resolve_images(conn, refs.values_mut().map(|p| &mut p.avatar))?;
    Ok(refs)
}

fn whole(conn: &mut DbConnection, rows: Vec<PersonRow>) -> QueryResult<Vec<Person>> {
    let mut people: Vec<Person> = rows
        .into_iter()
        .map(|r| {
            Ok(Person {
                id: r.id,
                public: PublicPerson {
                    person: PersonRef {
                        slug: r.slug,
                        name: r.name,
                        credentials: r.credentials,
                        job_title: r.job_title,
                        avatar: r.avatar_id.map(Image::unresolved),
                        same_as: urls(&r.same_as)?,
                    },
                    bio: Bio {
                        markdown: r.bio_markdown,
                        html: r.bio_html,
                        blocks: RawValue::from_string(r.bio_blocks)
                            .map_err(|e| diesel::result::Error::DeserializationError(e.into()))?,
                    },
                },
                user_id: r.user_id,
                version: r.version,
                created_at: to_utc(r.created_at),
                updated_at: to_utc(r.updated_at),
            })
        })
        .collect::<QueryResult<_>>()?;
    resolve_images(conn, people.iter_mut().map(|p| &mut p.public.person.avatar))?;
    Ok(people)
}
