//! What changed between two article states, field by field: the revision
//! diff editors read, and the studio's view of a conflicting save. Made
//! with `similar` (Patience): multi-line text by lines, the rest by words.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use similar::{Algorithm, ChangeTag, TextDiff};
use utoipa::ToSchema;

use super::article_state::ArticleState;

/// One changed field: its text before and after, and the spans between.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldDiff {
    /// The field's name in `ArticleState` (`title`, `body`, `tags`, …).
    pub field: String,
    /// The field as text: lists one item a line, objects as JSON.
    pub before: String,
    pub after: String,
    /// `before` turned into `after`: kept, deleted and inserted spans, in order.
    pub changes: Vec<DiffSpan>,
}

#[derive(Debug, Serialize, ToSchema, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum DiffOp {
    Equal,
    Delete,
    Insert,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DiffSpan {
    pub op: DiffOp,
    pub text: String,
}

/// The fields that differ between `before` and `after`, in field order.
pub fn diff(before: &ArticleState, after: &ArticleState) -> Vec<FieldDiff> {
    let (Some(Fields(before)), Some(Fields(after))) = (Fields::of(before), Fields::of(after))
    else {
        return Vec::new();
    };
    before
        .iter()
        .zip(after.iter())
        .filter_map(|((field, old), (_, new))| {
            let old = as_text(old);
            let new = as_text(new);
            (old != new).then(|| FieldDiff {
                field: field.clone(),
                changes: spans(&old, &new),
                before: old,
                after: new,
            })
        })
        .collect()
}

/// A state's fields in the order it declares them (a `Value` map would
/// sort them).
struct Fields(Vec<(String, Value)>);

impl Fields {
    fn of(state: &ArticleState) -> Option<Self> {
        serde_json::from_str(&serde_json::to_string(state).ok()?).ok()
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Fields;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    fields.push(entry);
                }
                Ok(Fields(fields))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

/// A field as text: strings as they are, lists one item a line.
fn as_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(as_text).collect::<Vec<_>>().join("\n"),
        other => other.to_string(),
    }
}

fn spans(old: &str, new: &str) -> Vec<DiffSpan> {
    let mut config = TextDiff::configure();
    // Past the deadline the diff is coarser, never slower: two huge bodies
    // cannot hold a worker.
    config
        .algorithm(Algorithm::Patience)
        .timeout(std::time::Duration::from_millis(250));
    let diff = if old.contains('\n') || new.contains('\n') {
        config.diff_lines(old, new)
    } else {
        config.diff_words(old, new)
    };
    let mut out: Vec<DiffSpan> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => DiffOp::Equal,
            ChangeTag::Delete => DiffOp::Delete,
            ChangeTag::Insert => DiffOp::Insert,
        };
        match out.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => out.push(DiffSpan {
                op,
                text: change.value().to_string(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_lines_become_spans_that_rebuild_both_sides() {
        for (old, new) in [
            ("Massage for back pain", "Massage for lower back pain"),
            ("One\nTwo\nThree\n", "One\n2\nThree\nFour\n"),
            ("", "New"),
        ] {
            let spans = spans(old, new);
            let side = |skip: DiffOp| {
                spans
                    .iter()
                    .filter(|s| s.op != skip)
                    .map(|s| s.text.as_str())
                    .collect::<String>()
            };
            assert_eq!(side(DiffOp::Insert), old);
            assert_eq!(side(DiffOp::Delete), new);
            assert!(spans.windows(2).all(|w| w[0].op != w[1].op), "merged");
        }
    }
}
