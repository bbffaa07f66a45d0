//! What readers learnt that holds until the next content change or the
//! next scheduled publication: when that publication is due, and per list
//! filter its total and expanded prefix (counting 100,000 matches on every
//! page costs more than the page). Small, and kept with the response cache
//! off too.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::NaiveDateTime;

use crate::content::article::{Article, FactsKey, ListFacts};
use crate::db::DbConnection;

/// Filters remembered at most; past it the remembered facts start over.
const MAX_FACTS: usize = 10_000;

#[derive(Default)]
pub struct Memo {
    inner: Mutex<Known>,
}

/// Everything known at one generation (the newest change seen).
#[derive(Default)]
struct Known {
    generation: u64,
    /// The next scheduled publication, once looked up (`Some(None)`: none).
    next_due: Option<Option<NaiveDateTime>>,
    facts: HashMap<FactsKey, ListFacts>,
}

impl Known {
    /// What is still true at `generation` and `at`: a newer change, or a
    /// publication coming due, forgets it all. `None` for a reader still at
    /// an older generation.
    fn current(&mut self, generation: u64, at: NaiveDateTime) -> Option<&mut Self> {
        let due_passed = matches!(self.next_due, Some(Some(due)) if due <= at);
        if generation > self.generation || (generation == self.generation && due_passed) {
            *self = Known {
                generation,
                ..Known::default()
            };
        }
        (generation == self.generation).then_some(self)
    }
}

impl Memo {
    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next scheduled publication, when known at `generation`.
    pub fn known_next_due(
        &self,
        generation: u64,
        at: NaiveDateTime,
    ) -> Option<Option<NaiveDateTime>> {
        self.lock().current(generation, at)?.next_due
    }

    /// The next scheduled publication (one indexed query when not known).
    pub fn next_due(
        &self,
        conn: &mut DbConnection,
        generation: u64,
        at: NaiveDateTime,
    ) -> diesel::QueryResult<Option<NaiveDateTime>> {
        if let Some(due) = self.known_next_due(generation, at) {
            return Ok(due);
        }
        let due = Article::next_due(conn, at)?;
        if let Some(known) = self.lock().current(generation, at) {
            known.next_due = Some(due);
        }
        Ok(due)
    }

    /// What lists learnt about `key`; nothing unless the next due time is
    /// known (a publication coming due changes totals).
    pub fn facts(&self, key: &FactsKey, generation: u64, at: NaiveDateTime) -> ListFacts {
        let mut known = self.lock();
        match known.current(generation, at) {
            Some(Known {
                next_due: Some(_),
                facts,
                ..
            }) => facts.get(key).cloned().unwrap_or_default(),
            _ => ListFacts::default(),
        }
    }

    pub fn put_facts(&self, key: FactsKey, generation: u64, facts: ListFacts) {
        let mut known = self.lock();
        if known.generation != generation {
            return;
        }
        if known.facts.len() >= MAX_FACTS {
            known.facts.clear();
        }
        known.facts.insert(key, facts);
    }
}
