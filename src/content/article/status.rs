//! An article's status: what is stored (draft, published, archived), what
//! editors see (scheduled too), and the rules of moving between them.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::content::text_enum! {
    /// The statuses an editor can ask for (`scheduled` is `published` with a future `publish_at`).
    #[derive(Default)]
    #[schema(as = WriteStatus)]
    pub enum StoredStatus {
        #[default]
        Draft = "draft",
        Published = "published",
        Archived = "archived",
    }
}

/// An article's state as editors see it; `scheduled` is `published` with a
/// `published_at` still in the future.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl ArticleStatus {
    pub fn of(
        stored: StoredStatus,
        published_at: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> Self {
        match stored {
            StoredStatus::Published if published_at.is_some_and(|p| p > now) => Self::Scheduled,
            StoredStatus::Published => Self::Published,
            StoredStatus::Archived => Self::Archived,
            StoredStatus::Draft => Self::Draft,
        }
    }
}

/// A status request: the status asked for (`None`: keep it) and
/// `publish_at` when sent (`Some(None)`: null).
#[derive(Clone, Copy, Debug, Default)]
pub struct StatusRequest {
    pub status: Option<StoredStatus>,
    pub publish_at: Option<Option<NaiveDateTime>>,
}

impl StatusRequest {
    /// Applies the request to `(status, published_at)` at `now`; true when
    /// it touches publication (only those who may publish may send it).
    ///
    /// `publish_at` is when a published article goes (or went) public.
    /// Given with `draft` or `archived` it is kept as the article's date
    /// without making it public: a planned date on a draft (publishing it
    /// later without a time still means now), the original date on an
    /// archived article. Without `status`, the status stays.
    pub fn apply(
        self,
        status: &mut StoredStatus,
        published_at: &mut Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> bool {
        let target = match (self.status, self.publish_at) {
            (Some(s), _) => s,
            (None, Some(_)) => *status,
            (None, None) => return false,
        };
        let touches = target != *status || self.publish_at.is_some();
        *published_at = match (target, self.publish_at) {
            (StoredStatus::Published, Some(Some(t))) => Some(t),
            (StoredStatus::Published, _) if *status == StoredStatus::Published => {
                published_at.or(Some(now))
            }
            (StoredStatus::Published, _) => Some(now),
            (_, Some(t)) => t,
            (StoredStatus::Draft, None) if *status != StoredStatus::Draft => None,
            (_, None) => *published_at,
        }
        .map(|t| chrono::SubsecRound::trunc_subsecs(t, 6));
        *status = target;
        touches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    fn apply(
        request: StatusRequest,
        status: StoredStatus,
        published_at: Option<NaiveDateTime>,
    ) -> (bool, StoredStatus, Option<NaiveDateTime>) {
        let (mut status, mut published_at) = (status, published_at);
        let touches = request.apply(&mut status, &mut published_at, at(12));
        (touches, status, published_at)
    }

    #[test]
    fn the_status_machine() {
        use StoredStatus::*;
        let ask = |status, publish_at| StatusRequest { status, publish_at };
        // Nothing asked: nothing changes, no right needed.
        assert_eq!(apply(ask(None, None), Draft, None), (false, Draft, None));
        // Publishing without a time means now; a published article keeps its date.
        assert_eq!(
            apply(ask(Some(Published), None), Draft, None),
            (true, Published, Some(at(12)))
        );
        assert_eq!(
            apply(ask(Some(Published), None), Published, Some(at(9))),
            (false, Published, Some(at(9)))
        );
        // A time schedules it.
        assert_eq!(
            apply(ask(Some(Published), Some(Some(at(15)))), Draft, None),
            (true, Published, Some(at(15)))
        );
        // A date on a draft is kept as its planned date; unpublishing forgets it.
        assert_eq!(
            apply(ask(None, Some(Some(at(15)))), Draft, None),
            (true, Draft, Some(at(15)))
        );
        assert_eq!(
            apply(ask(Some(Draft), None), Published, Some(at(9))),
            (true, Draft, None)
        );
        // Archiving keeps the original date.
        assert_eq!(
            apply(ask(Some(Archived), None), Published, Some(at(9))),
            (true, Archived, Some(at(9)))
        );
    }
}
