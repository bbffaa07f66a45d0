//! The article list: filters, facts remembered between pages, and the plan of each page.

use super::*;

/// What a reader asked the article list for.
#[derive(Clone, Debug, Default)]
pub struct ArticleFilter {
    pub tag: Option<String>,
    pub search: Option<Search>,
    pub sort: ArticleSort,
    /// Keyset paging: only articles after this one in `sort` order.
    pub after: Option<Cursor>,
    /// Only published articles whose review was due before this day.
    pub overdue_on: Option<chrono::NaiveDate>,
    /// Only articles this account created (editors' lists).
    pub created_by: Option<i32>,
    /// Only articles crediting this profile (a person's slug; editors' lists).
    pub credits: Option<String>,
}

impl ArticleFilter {
    /// What `meta.total` depends on (not the order, page or cursor).
    pub fn facts_key(&self) -> FactsKey {
        FactsKey {
            tag: self.tag.clone(),
            search: self.search.clone(),
            overdue_on: self.overdue_on,
            created_by: self.created_by,
            credits: self.credits.clone(),
        }
    }
}

/// The part of a filter that decides which articles match: what list facts
/// are remembered by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FactsKey {
    tag: Option<String>,
    search: Option<Search>,
    overdue_on: Option<chrono::NaiveDate>,
    created_by: Option<i32>,
    credits: Option<String>,
}

/// A full-text search: plain words, or text with none (which matches nothing).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Search {
    Words(search::SearchWords),
    MatchNothing,
}

/// What a public list learns about its filter that holds until the next
/// write (or due time), for callers to remember: counting 100,000 matches,
/// or expanding a prefix, costs more than the page itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFacts {
    /// `meta.total`.
    pub total: Option<i64>,
    /// On SQLite, what the search's last word expands to, once looked up.
    pub prefix_terms: Option<search::PrefixTerms>,
}

impl Article {
    /// One page of the articles readers may see at `now`, and what was
    /// learnt about the filter; `known` (remembered by the caller) saves
    /// learning it again.
    pub fn list_public(
        conn: &mut DbConnection,
        filter: &ArticleFilter,
        page: PageRequest,
        now: NaiveDateTime,
        known: ListFacts,
    ) -> QueryResult<(Paged<ArticleSummary>, ListFacts)> {
        let (paged, facts) = Self::list(conn, filter, page, Scope::Public(now), known)?;
        Ok((paged.map(Listed::public), facts))
    }

    /// One page of every article, for editors.
    pub fn list_admin(
        conn: &mut DbConnection,
        filter: &ArticleFilter,
        page: PageRequest,
        status: Option<ArticleStatus>,
        now: NaiveDateTime,
    ) -> QueryResult<Paged<AdminArticleSummary>> {
        let (paged, _) = Self::list(
            conn,
            filter,
            page,
            Scope::Admin(status, now),
            ListFacts::default(),
        )?;
        Ok(paged.map(|listed| listed.admin(now)))
    }

    fn list(
        conn: &mut DbConnection,
        filter: &ArticleFilter,
        page: PageRequest,
        scope: Scope,
        known: ListFacts,
    ) -> QueryResult<(Paged<Listed>, ListFacts)> {
        let kind = backend::Kind::of(conn);
        let mut prefix_terms = known.prefix_terms;
        // Counted by walking the index against the set of matches: about
        // 10 ms at 100,000 articles, once per write (callers remember it).
        let total = match known.total {
            Some(total) => total,
            None => scoped_query(filter, scope, kind, Drive::Walk)
                .count()
                .get_result(conn)?,
        };
        // Keyset pages are not numbered: finding the number would count
        // every article before the cursor, which is what cursors avoid.
        let mut page = page;
        let offset = match filter.after {
            Some(_) => {
                page.page = 0;
                0
            }
            None => page.offset(),
        };
        // One more than the page, to know whether another follows.
        let limit = page.limit() + 1;
        let rows = match (scope, filter.sort, &filter.search) {
            (Scope::Public(_), _, _) if total == 0 => Vec::new(),
            (Scope::Public(now), ArticleSort::Relevance, Some(Search::Words(words))) => {
                let ids =
                    search::relevance_page(conn, words, filter.tag.as_deref(), now, limit, offset)?;
                let mut rows: Vec<SummaryRow> = articles::table
                    .filter(articles::id.eq_any(&ids))
                    .select(SummaryRow::as_select())
                    .load(conn)?;
                rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
                rows
            }
            _ => {
                let mut article_count = None;
                let sizes = (offset + limit, total);
                let mut drive = drive_for(conn, filter, scope, sizes, &mut article_count)?;
                // Public lists only: they remember the expansion.
                let expanded = match (scope, drive) {
                    (Scope::Admin(..), _) | (_, Drive::Collect) => None,
                    (Scope::Public(_), _) => expand_prefix(conn, filter, &mut prefix_terms)?,
                };
                let filter = match &expanded {
                    Some(expanded) => {
                        drive = drive_for(conn, expanded, scope, sizes, &mut article_count)?;
                        expanded
                    }
                    None => filter,
                };
                let filtered = || match &filter.after {
                    Some(cursor) => scoped_query(filter, cursor.narrow(scope), kind, drive)
                        .filter(cursor.condition()),
                    None => scoped_query(filter, scope, kind, drive),
                };
                let mut query = filtered();
                if drive == Drive::Collect && kind == backend::Kind::Postgres {
                    // PostgreSQL prepares a generic plan that walks the date
                    // index for any search: collect the few ids first, then
                    // sort those.
                    let ids: Vec<i32> = filtered().select(articles::id).load(conn)?;
                    query = articles::table
                        .into_boxed()
                        .filter(articles::id.eq_any(ids));
                }
                query = match (filter.sort, &filter.search) {
                    (ArticleSort::Relevance, Some(Search::Words(words))) => query
                        .order(search::fulltext_rank(kind, words).asc())
                        .then_order_by(articles::published_at.desc()),
                    (ArticleSort::PublishedAsc, _) => query.order(articles::published_at.asc()),
                    (ArticleSort::TitleAsc, _) => query.order(articles::title.asc()),
                    (ArticleSort::TitleDesc, _) => query.order(articles::title.desc()),
                    (ArticleSort::UpdatedDesc, _) => query.order(articles::updated_at.desc()),
                    (ArticleSort::UpdatedAsc, _) => query.order(articles::updated_at.asc()),
                    _ => query.order(articles::published_at.desc()),
                };
                query
                    .then_order_by(articles::id.desc())
                    .limit(limit)
                    .offset(offset)
                    .select(SummaryRow::as_select())
                    .load(conn)?
            }
        };
        let mut rows = rows;
        let has_next = rows.len() > page.per_page as usize;
        rows.truncate(page.per_page as usize);
        let next_cursor = rows
            .last()
            .filter(|_| has_next)
            .and_then(|row| Cursor::after(filter.sort, row))
            .map(|c| c.encode());
        let items = summaries(conn, rows)?;
        let facts = ListFacts {
            total: Some(total),
            prefix_terms,
        };
        Ok((
            Paged {
                items,
                total,
                page,
                next_cursor,
            },
            facts,
        ))
    }
}

/// How to drive a public list (see `search::Drive`): by the sort index
/// when a page of matches turns up sooner walking it than collecting all
/// `total` matches would take. PostgreSQL plans the walking itself; only
/// collecting is done differently there. `article_count` holds the number
/// of articles once looked up, for a second choice in the same list.
pub(super) fn drive_for(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    scope: Scope,
    (window, total): (i64, i64),
    article_count: &mut Option<i64>,
) -> QueryResult<Drive> {
    if !matches!(scope, Scope::Public(_)) {
        return Ok(Drive::Walk);
    }
    let mut cost = search::FilterCost::default();
    if filter.tag.is_some() {
        cost = cost.plus(search::FilterCost::TAG);
    }
    if let Some(Search::Words(words)) = &filter.search {
        cost = cost.plus(search::FilterCost::fulltext(words));
    }
    if cost == search::FilterCost::default() {
        return Ok(Drive::Walk);
    }
    let articles = match article_count {
        Some(count) => *count,
        None => {
            // Ids are never reused, so the highest is about how many articles there are.
            let highest: Option<i32> = articles::table
                .select(diesel::dsl::max(articles::id))
                .first(conn)?;
            *article_count.insert(i64::from(highest.unwrap_or(0)))
        }
    };
    Ok(Drive::choose(window, articles, total, cost))
}

/// On SQLite, a search whose last word starts many matches, with that word
/// expanded to the terms it starts (`known`, or looked up and kept there):
/// walking the date index then tests each article with a seek per term,
/// where a prefix made FTS5 merge the prefix's doclists at every test (1 ms).
/// `None` when there is nothing to expand or too much.
pub(super) fn expand_prefix(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    known: &mut Option<search::PrefixTerms>,
) -> QueryResult<Option<ArticleFilter>> {
    let Some(Search::Words(words)) = &filter.search else {
        return Ok(None);
    };
    let Some(prefix) = words.expandable_prefix() else {
        return Ok(None);
    };
    // PostgreSQL keeps the prefix (`prefix_terms`): its GIN index serves it.
    let terms = match known {
        Some(terms) => terms.clone(),
        None => known.insert(search::prefix_terms(conn, prefix)?).clone(),
    };
    Ok(match terms {
        search::PrefixTerms::Terms(terms) => Some(ArticleFilter {
            search: Some(Search::Words(words.with_last_terms(terms))),
            ..filter.clone()
        }),
        search::PrefixTerms::Keep => None,
    })
}

/// The filtered query, before ordering; built twice (count, page) because
/// boxed queries cannot be cloned.
pub(super) fn scoped_query(
    filter: &ArticleFilter,
    scope: Scope,
    kind: backend::Kind,
    drive: Drive,
) -> articles::BoxedQuery<'static, backend::Db> {
    let mut query = articles::table.into_boxed();
    query = match scope {
        Scope::Public(now) => query.filter(search::public_at(kind, now, drive)),
        Scope::Admin(None, _) => query,
        Scope::Admin(Some(ArticleStatus::Draft), _) => {
            query.filter(articles::status.eq(StoredStatus::Draft))
        }
        Scope::Admin(Some(ArticleStatus::Archived), _) => {
            query.filter(articles::status.eq(StoredStatus::Archived))
        }
        Scope::Admin(Some(ArticleStatus::Published), now) => query.filter(is_public(now)),
        Scope::Admin(Some(ArticleStatus::Scheduled), now) => query
            .filter(articles::status.eq(StoredStatus::Published))
            .filter(articles::published_at.gt(now)),
    };
    if let Some(tag) = &filter.tag {
        query = query.filter(search::has_tag(tag, drive));
    }
    if let Some(user) = filter.created_by {
        query = query.filter(articles::created_by.eq(user));
    }
    if let Some(person) = &filter.credits {
        let crediting = article_people::table
            .inner_join(crate::db::schema::people::table)
            .filter(crate::db::schema::people::slug.eq(person.clone()))
            .select(article_people::article_id);
        query = query.filter(articles::id.eq_any(crediting));
    }
    if let Some(today) = filter.overdue_on {
        let (Scope::Public(now) | Scope::Admin(_, now)) = scope;
        query = query
            .filter(is_public(now))
            .filter(articles::next_review_due.lt(today));
    }
    match &filter.search {
        Some(Search::Words(words)) => {
            query = query.filter(search::matches_fulltext(kind, words, drive))
        }
        Some(Search::MatchNothing) => {
            query = query.filter(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 0"))
        }
        None => {}
    }
    query
}

/// Lists of given articles: by id, by the person they credit.
impl Article {
    /// An article's summary as readers see it in lists, whatever its status.
    pub fn public_summary(conn: &mut DbConnection, id: i32) -> QueryResult<Option<ArticleSummary>> {
        let rows: Vec<SummaryRow> = articles::table
            .find(id)
            .select(SummaryRow::as_select())
            .load(conn)?;
        Ok(summaries(conn, rows)?
            .into_iter()
            .next()
            .map(Listed::public))
    }

    /// Editors' summaries of the given articles, in the order given.
    pub fn admin_summaries(
        conn: &mut DbConnection,
        ids: &[i32],
        now: NaiveDateTime,
    ) -> QueryResult<Vec<AdminArticleSummary>> {
        let rows: Vec<SummaryRow> = articles::table
            .filter(articles::id.eq_any(ids))
            .select(SummaryRow::as_select())
            .load(conn)?;
        let mut listed: HashMap<i32, Listed> = summaries(conn, rows)?
            .into_iter()
            .map(|l| (l.id, l))
            .collect();
        Ok(ids
            .iter()
            .filter_map(|id| listed.remove(id))
            .map(|l| l.admin(now))
            .collect())
    }

    /// The public articles crediting a person (as author or reviewer), newest first.
    pub fn by_person(
        conn: &mut DbConnection,
        person_id: i32,
        page: PageRequest,
        now: NaiveDateTime,
    ) -> QueryResult<Paged<ArticleSummary>> {
        let query = || {
            articles::table.filter(is_public(now)).filter(
                articles::id
                    .eq_any(
                        article_people::table
                            .filter(article_people::person_id.eq(person_id))
                            .select(article_people::article_id),
                    )
                    .or(articles::reviewed_by.eq(person_id)),
            )
        };
        let total = query().count().get_result(conn)?;
        let rows = query()
            .order((articles::published_at.desc(), articles::id.desc()))
            .limit(page.limit())
            .offset(page.offset())
            .select(SummaryRow::as_select())
            .load(conn)?;
        let items = summaries(conn, rows)?
            .into_iter()
            .map(Listed::public)
            .collect();
        Ok(Paged::new(items, total, page))
    }
}
