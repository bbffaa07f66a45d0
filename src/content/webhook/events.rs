//! The event types webhooks carry, and which of them an endpoint's
//! subscription (`*`, `article.*`, `article.published`) takes.

/// Every event type, by kind. Public events tell of content readers can
/// see; `review.*` are editorial (no body, a title and a state) and go only
/// to endpoints that name them; `ping` only to the endpoint pinged.
pub const EVENT_TYPES: &[&str] = &[
    "article.published",
    "article.updated",
    "article.unpublished",
    "article.deleted",
    "tag.created",
    "tag.updated",
    "tag.deleted",
    "massage_type.created",
    "massage_type.updated",
    "massage_type.deleted",
    "treatment.created",
    "treatment.updated",
    "treatment.deleted",
    "faq.created",
    "faq.updated",
    "faq.deleted",
    "person.created",
    "person.updated",
    "person.deleted",
    "media.created",
    "media.updated",
    "media.deleted",
    "site.updated",
    "review.submitted",
    "review.approved",
    "review.changes_requested",
];

/// The test event an admin sends to one endpoint.
pub const PING: &str = "ping";

/// Kinds whose events only named subscriptions take (never `*`).
const EDITORIAL: &[&str] = &["review"];

/// Why a subscription entry is refused, or `None` when it names events.
pub fn pattern_error(pattern: &str) -> Option<String> {
    if pattern == "*" || EVENT_TYPES.contains(&pattern) {
        return None;
    }
    match pattern.strip_suffix(".*") {
        Some(kind) if EVENT_TYPES.iter().any(|t| t.split('.').next() == Some(kind)) => None,
        _ => Some(format!(
            "{pattern:?} names no event: use \"*\", a kind such as \"article.*\", or a type such as \"article.published\""
        )),
    }
}

/// Whether an endpoint subscribed to `patterns` takes `event_type`.
pub fn subscribed(patterns: &[String], event_type: &str) -> bool {
    let kind = event_type.split('.').next().unwrap_or_default();
    patterns.iter().any(|p| {
        p == event_type
            || p.strip_suffix(".*") == Some(kind)
            || (p == "*" && !EDITORIAL.contains(&kind))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_take_what_they_name_and_star_takes_no_editorial_event() {
        let star = vec!["*".to_string()];
        assert!(subscribed(&star, "article.published"));
        assert!(subscribed(&star, "site.updated"));
        assert!(!subscribed(&star, "review.approved"));
        let some = vec!["article.*".to_string(), "review.approved".to_string()];
        assert!(subscribed(&some, "article.deleted"));
        assert!(subscribed(&some, "review.approved"));
        assert!(!subscribed(&some, "review.submitted"));
        assert!(!subscribed(&some, "tag.created"));
        assert!(!subscribed(&some, PING));
        assert_eq!(pattern_error("article.*"), None);
        assert_eq!(pattern_error("review.*"), None);
        assert!(pattern_error("articles.*").is_some());
        assert!(pattern_error("article.gone").is_some());
        assert!(pattern_error("").is_some());
        assert!(pattern_error(".*").is_some());
    }
}
