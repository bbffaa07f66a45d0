//! Article search and the list planner: a reader's words made safe for
//! either backend's full-text index (FTS5 on SQLite, tsvector on
//! PostgreSQL), and the choice of how to drive a filtered page, from costs
//! measured per filter.

use std::sync::Arc;

use diesel::dsl::sql;
use diesel::sql_types::{Bool, Double, Text};

use crate::db::backend::{Db, DbConnection, Kind};
use crate::db::schema::articles;

/// A reader's search text reduced to plain words (at most 16): nothing in it
/// can be query syntax on either backend. `None` when no word is left.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SearchWords {
    words: Vec<String>,
    /// On SQLite, every indexed term the last word starts, when looked up
    /// (`prefix_terms`): the same matches as the prefix.
    last_terms: Option<Arc<[String]>>,
}

/// Longest expansion of a prefix worth testing term by term.
const MAX_PREFIX_TERMS: usize = 32;

/// What a last word expands to (`prefix_terms`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PrefixTerms {
    /// Every indexed term it starts (at least one).
    Terms(Arc<[String]>),
    /// None, or more than are worth testing one by one: keep the prefix.
    Keep,
}

impl SearchWords {
    /// How many words (never zero).
    pub fn word_count(&self) -> usize {
        self.words.len()
    }

    pub fn parse(q: &str) -> Option<Self> {
        let words: Vec<String> = q
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(16)
            .map(str::to_lowercase)
            .collect();
        (!words.is_empty()).then_some(Self {
            words,
            last_terms: None,
        })
    }

    /// The last word, when FTS5 indexes it as typed (ASCII letters and
    /// digits; its tokenizer folds anything else) and it is long enough to
    /// start few terms: what `prefix_terms` can expand.
    pub fn expandable_prefix(&self) -> Option<&str> {
        let last = self.words.last()?;
        (self.last_terms.is_none()
            && last.len() >= 3
            && last.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(last.as_str())
    }

    /// These words with the last standing for exactly `terms`, every
    /// indexed term it starts: the same matches, but testing one article is
    /// a seek per term instead of FTS5 merging the prefix's doclists.
    pub fn with_last_terms(&self, terms: Arc<[String]>) -> Self {
        Self {
            words: self.words.clone(),
            last_terms: Some(terms),
        }
    }

    /// How many index terms a test of one article looks up.
    fn terms_tested(&self) -> usize {
        self.words.len() - 1 + self.last_terms.as_ref().map_or(1, |t| t.len())
    }

    /// FTS5: every word must match, the last one as a prefix (or as one of
    /// the terms it starts).
    fn fts5(&self) -> String {
        let (last, init) = self.words.split_last().expect("never empty");
        let mut parts: Vec<String> = init.iter().map(|w| format!("\"{w}\"")).collect();
        parts.push(match &self.last_terms {
            Some(terms) => format!(
                "({})",
                terms
                    .iter()
                    .map(|t| format!("\"{t}\""))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
            None => format!("\"{last}\"*"),
        });
        parts.join(" ")
    }

    /// tsquery: the same semantics, `a & b & c:*`.
    fn tsquery(&self) -> String {
        let last = self.words.len() - 1;
        self.words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("'{w}':*")
                } else {
                    format!("'{w}'")
                }
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

type ArticleExpr<ST> = Box<dyn diesel::BoxableExpression<articles::table, Db, SqlType = ST>>;

/// How a filtered public list is driven. SQLite's planner cannot tell how
/// selective a tag or a search is and walks the sort index either way: a tag
/// on one article in 100,000 then tests all of them. PostgreSQL's generic
/// plan for a prepared search does the same. The list counts its matches
/// first (`meta.total`), so it can choose. On PostgreSQL the first two forms
/// are one plan (its planner walks well); collecting fetches the ids first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drive {
    /// Walk the sort index and test each article (`EXISTS`): dense matches
    /// with a cheap test.
    Probe,
    /// Collect the matches into a set once (`IN`), then walk the sort index
    /// testing membership: dense matches whose test is dear (a prefix).
    Walk,
    /// Collect the matches, look each up and sort them (`IN`, the sort
    /// index disabled): few matches.
    Collect,
}

// What the planner's steps cost, in microseconds per article, measured
// with SQLite 3.53 at 100,000 articles on this repository's 2-core
// machine (scripts/bench-scale.sh). Only their ratios matter: a faster
// machine scales them all alike.
/// `EXISTS` over the tag links of one article.
const TAG_TEST_US: f64 = 0.9;
/// One tagged article collected into a set.
const TAG_COLLECT_US: f64 = 0.4;
/// One full-text term looked up for one article.
const TERM_TEST_US: f64 = 11.0;
/// A last word left as a prefix: FTS5 merges every doclist it starts.
const PREFIX_MERGE_US: f64 = 1000.0;
/// One full-text match collected into a set.
const FULLTEXT_COLLECT_US: f64 = 0.1;
/// Testing whether a walked article is in a collected set.
const MEMBERSHIP_TEST_US: f64 = 0.1;
/// Looking up one collected match and sorting it into the page.
const LOOKUP_AND_SORT_US: f64 = 3.5;

/// What one filter costs, in microseconds (see the constants above).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FilterCost {
    /// Testing one article (`EXISTS`).
    pub test: f64,
    /// Collecting one match into a set.
    pub collect: f64,
}

impl FilterCost {
    pub const TAG: FilterCost = FilterCost {
        test: TAG_TEST_US,
        collect: TAG_COLLECT_US,
    };

    /// A full-text test costs 11 µs a term; a last word taken as a prefix
    /// makes FTS5 merge every term it starts, about 1 ms a test, unless it
    /// was expanded to those terms.
    pub fn fulltext(words: &SearchWords) -> FilterCost {
        let prefix = if words.last_terms.is_some() {
            0.0
        } else {
            PREFIX_MERGE_US
        };
        FilterCost {
            test: TERM_TEST_US * words.terms_tested() as f64 + prefix,
            collect: FULLTEXT_COLLECT_US,
        }
    }

    pub fn plus(self, other: FilterCost) -> FilterCost {
        FilterCost {
            test: self.test + other.test,
            collect: self.collect + other.collect,
        }
    }
}

impl Drive {
    /// The cheapest drive for a page ending at `window` when `matches` of
    /// about `articles` match. Walking the index meets a match every
    /// `articles / matches` rows; looking up and sorting one costs 3.5 µs,
    /// a membership test 0.1 µs.
    pub fn choose(window: i64, articles: i64, matches: i64, cost: FilterCost) -> Drive {
        let matches = matches.max(1) as f64;
        let walked = window as f64 * articles as f64 / matches;
        let probe = walked * cost.test;
        let walk = matches * cost.collect + walked * MEMBERSHIP_TEST_US;
        let collect = matches * (cost.collect + LOOKUP_AND_SORT_US);
        if probe <= walk && probe <= collect {
            Drive::Probe
        } else if walk <= collect {
            Drive::Walk
        } else {
            Drive::Collect
        }
    }
}

/// Every term the SQLite full-text index holds that starts with `prefix`
/// (a word `SearchWords::expandable_prefix` gave). Reads the index's
/// vocabulary (`articles_fts_terms`), which counts each term's documents on
/// the way: ~8 ms for a term in 100,000 articles, so callers remember the
/// answer until the next write.
pub fn prefix_terms(conn: &mut DbConnection, prefix: &str) -> diesel::QueryResult<PrefixTerms> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Term {
        #[diesel(sql_type = Text)]
        term: String,
    }
    let DbConnection::Sqlite(sqlite) = conn else {
        return Ok(PrefixTerms::Keep);
    };
    let terms: Vec<Term> = diesel::sql_query(
        "SELECT term FROM articles_fts_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
    )
    .bind::<Text, _>(prefix)
    // U+10FFFF sorts after every character a term can continue with.
    .bind::<Text, _>(format!("{prefix}\u{10FFFF}"))
    .bind::<diesel::sql_types::BigInt, _>(MAX_PREFIX_TERMS as i64 + 1)
    .load(sqlite)?;
    Ok(match terms.len() {
        1..=MAX_PREFIX_TERMS => PrefixTerms::Terms(terms.into_iter().map(|t| t.term).collect()),
        _ => PrefixTerms::Keep,
    })
}

/// The article is among the full-text matches of `words`.
pub fn matches_fulltext(kind: Kind, words: &SearchWords, drive: Drive) -> ArticleExpr<Bool> {
    match (kind, drive) {
        (Kind::Sqlite, Drive::Probe) => Box::new(
            sql::<Bool>("EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ")
                .bind::<Text, _>(words.fts5())
                .sql(" AND articles_fts.rowid = articles.id)"),
        ),
        (Kind::Sqlite, _) => Box::new(
            sql::<Bool>("articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ")
                .bind::<Text, _>(words.fts5())
                .sql(")"),
        ),
        (Kind::Postgres, _) => Box::new(
            sql::<Bool>("articles.search @@ to_tsquery('simple', ")
                .bind::<Text, _>(words.tsquery())
                .sql(")"),
        ),
    }
}

/// The article carries the tag `slug`.
pub fn has_tag(slug: &str, drive: Drive) -> ArticleExpr<Bool> {
    match drive {
        Drive::Walk | Drive::Collect => Box::new(
            sql::<Bool>(
                "articles.id IN (SELECT article_tags.article_id FROM article_tags \
                 JOIN tags ON tags.id = article_tags.tag_id WHERE tags.slug = ",
            )
            .bind::<Text, _>(slug.to_string())
            .sql(")"),
        ),
        Drive::Probe => Box::new(
            sql::<Bool>(
                "EXISTS (SELECT 1 FROM article_tags JOIN tags ON tags.id = article_tags.tag_id \
                 WHERE article_tags.article_id = articles.id AND tags.slug = ",
            )
            .bind::<Text, _>(slug.to_string())
            .sql(")"),
        ),
    }
}

/// Published and due at `now`. When collecting on SQLite, written with
/// unary `+` so the planner cannot walk the sort index instead.
pub fn public_at(
    kind: Kind,
    now: chrono::NaiveDateTime,
    drive: Drive,
) -> ArticleExpr<diesel::sql_types::Nullable<Bool>> {
    match (kind, drive) {
        (Kind::Sqlite, Drive::Collect) => Box::new(
            sql::<diesel::sql_types::Nullable<Bool>>(
                "+articles.status = 'published' AND +articles.published_at <= ",
            )
            .bind::<diesel::sql_types::Timestamp, _>(now),
        ),
        _ => Box::new(super::is_public(now)),
    }
}

/// One page of the public articles matching `words` (and carrying `tag`),
/// most relevant first: the full-text index ranks its matches once, where a
/// rank per article in `ORDER BY` ran the search again for every match.
pub fn relevance_page(
    conn: &mut DbConnection,
    words: &SearchWords,
    tag: Option<&str>,
    now: chrono::NaiveDateTime,
    limit: i64,
    offset: i64,
) -> diesel::QueryResult<Vec<i32>> {
    use diesel::sql_types::{BigInt, Integer, Timestamp};
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = Integer)]
        id: i32,
    }
    let tagged = "articles.id IN (SELECT article_tags.article_id FROM article_tags \
                  JOIN tags ON tags.id = article_tags.tag_id WHERE tags.slug = ";
    let tag_clause = |n: &str| match tag {
        Some(_) => format!(" AND {tagged}{n})"),
        None => String::new(),
    };
    let ids: Vec<Id> = match conn {
        DbConnection::Sqlite(c) => {
            let query = diesel::sql_query(format!(
                // CROSS JOIN keeps FTS5 outside: one search, ranked once.
                "SELECT articles.id AS id FROM articles_fts \
                 CROSS JOIN articles ON articles.id = articles_fts.rowid \
                 WHERE articles_fts MATCH ? AND articles.status = 'published' \
                 AND articles.published_at <= ?{} \
                 ORDER BY bm25(articles_fts, 10.0, 4.0, 1.0), articles.published_at DESC, \
                 articles.id DESC LIMIT ? OFFSET ?",
                tag_clause("?")
            ))
            .into_boxed()
            .bind::<Text, _>(words.fts5())
            .bind::<Timestamp, _>(now);
            let query = match tag {
                Some(tag) => query.bind::<Text, _>(tag.to_string()),
                None => query,
            };
            query
                .bind::<BigInt, _>(limit)
                .bind::<BigInt, _>(offset)
                .load(c)?
        }
        DbConnection::Postgresql(c) => {
            let (limit_n, offset_n) = if tag.is_some() { (4, 5) } else { (3, 4) };
            let query = diesel::sql_query(format!(
                "SELECT id FROM articles WHERE search @@ to_tsquery('simple', $1) \
                 AND status = 'published' AND published_at <= $2{} \
                 ORDER BY ts_rank(search, to_tsquery('simple', $1)) DESC, published_at DESC, \
                 id DESC LIMIT ${limit_n} OFFSET ${offset_n}",
                tag_clause("$3")
            ))
            .into_boxed()
            .bind::<Text, _>(words.tsquery())
            .bind::<Timestamp, _>(now);
            let query = match tag {
                Some(tag) => query.bind::<Text, _>(tag.to_string()),
                None => query,
            };
            query
                .bind::<BigInt, _>(limit)
                .bind::<BigInt, _>(offset)
                .load(c)?
        }
    };
    Ok(ids.into_iter().map(|row| row.id).collect())
}

/// The relevance of an article for `words`, lower is better on both backends,
/// with the title weighted above the excerpt and the excerpt above the body.
pub fn fulltext_rank(kind: Kind, words: &SearchWords) -> ArticleExpr<Double> {
    match kind {
        Kind::Sqlite => Box::new(
            sql::<Double>(
                "(SELECT bm25(articles_fts, 10.0, 4.0, 1.0) FROM articles_fts WHERE articles_fts MATCH ",
            )
            .bind::<Text, _>(words.fts5())
            .sql(" AND articles_fts.rowid = articles.id)"),
        ),
        Kind::Postgres => Box::new(
            sql::<Double>("(-ts_rank(articles.search, to_tsquery('simple', ")
                .bind::<Text, _>(words.tsquery())
                .sql("))::float8)"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Drive, FilterCost, SearchWords};

    #[test]
    fn each_filter_is_driven_the_cheapest_way() {
        let words = SearchWords::parse("posture").unwrap();
        let search = FilterCost::fulltext(&words);
        // 100,000 articles, a first page (window 21).
        assert_eq!(
            Drive::choose(21, 100_000, 7_500, FilterCost::TAG),
            Drive::Probe
        );
        assert_eq!(
            Drive::choose(21, 100_000, 1, FilterCost::TAG),
            Drive::Collect
        );
        assert_eq!(Drive::choose(21, 100_000, 100_000, search), Drive::Walk);
        assert_eq!(Drive::choose(21, 100_000, 30, search), Drive::Collect);
        // The prefix expanded to its terms is cheap to test one by one.
        let terms: Arc<[String]> = vec!["posture".to_string(), "postures".to_string()].into();
        let expanded = FilterCost::fulltext(&words.with_last_terms(terms));
        assert_eq!(Drive::choose(21, 100_000, 100_000, expanded), Drive::Probe);
        // A deep offset page tests thousands of articles: a set is cheaper.
        assert_eq!(
            Drive::choose(4_000, 100_000, 7_500, FilterCost::TAG),
            Drive::Walk
        );
    }

    #[test]
    fn search_text_becomes_safe_queries_for_both_backends() {
        let w = SearchWords::parse("Back pain").unwrap();
        assert_eq!(w.fts5(), "\"back\" \"pain\"*");
        assert_eq!(w.tsquery(), "'back' & 'pain':*");
        let hostile = SearchWords::parse("\"); DROP TABLE x; -- ' &|!:*").unwrap();
        assert_eq!(hostile.fts5(), "\"drop\" \"table\" \"x\"*");
        assert_eq!(hostile.tsquery(), "'drop' & 'table' & 'x':*");
        assert_eq!(SearchWords::parse("  -- ** "), None);
        let terms: Arc<[String]> = vec!["pain".to_string(), "pains".to_string()].into();
        let expanded = w.with_last_terms(terms);
        assert_eq!(expanded.fts5(), "\"back\" (\"pain\" OR \"pains\")");
        assert_eq!(expanded.tsquery(), w.tsquery());
        assert_eq!(expanded.expandable_prefix(), None, "expanded once");
        assert_eq!(w.expandable_prefix(), Some("pain"));
        assert_eq!(SearchWords::parse("ca").unwrap().expandable_prefix(), None);
        assert_eq!(
            SearchWords::parse("café").unwrap().expandable_prefix(),
            None
        );
    }
}
