//! schema.org JSON-LD for an article, serialized so it can sit inside `<script>` as is.
//!
//! Front ends embed `json_ld` in `<script type="application/ld+json">`, where
//! the HTML parser ends the script at the first `</script` whatever JSON
//! thinks of it. So every string here is written with `<`, `>` and `&`
//! (and U+2028/U+2029, line breaks to old JavaScript parsers) as JSON `\u`
//! escapes: the bytes can hold no tag, and the JSON value is unchanged.

use std::io;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::constant::constant;

constant!(SchemaOrg = "https://schema.org");
constant!(ArticleType = "Article");
constant!(FaqPageType = "FAQPage");
constant!(QuestionType = "Question");
constant!(AnswerType = "Answer");
constant!(PersonType = "Person");
constant!(OrganizationType = "Organization");
constant!(MedicalWebPageType = "MedicalWebPage");
constant!(CreativeWorkType = "CreativeWork");

/// The JSON-LD of an article page: the `Article`, the `MedicalWebPage`
/// showing it (with its medical review) and, when it has FAQs, a `FAQPage`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct JsonLd {
    #[serde(rename = "@context")]
    #[schema(inline)]
    pub context: SchemaOrg,
    #[serde(rename = "@graph")]
    pub graph: Vec<JsonLdNode>,
}

/// One node of the graph, told apart by `@type`.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[schema(discriminator(property_name = "@type", mapping(
    ("Article" = "#/components/schemas/ArticleLd"),
    ("MedicalWebPage" = "#/components/schemas/MedicalWebPageLd"),
    ("FAQPage" = "#/components/schemas/FaqPageLd"),
)))]
pub enum JsonLdNode {
    Article(ArticleLd),
    WebPage(MedicalWebPageLd),
    FaqPage(FaqPageLd),
}

/// A reference to another node of the graph.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NodeRef {
    #[serde(rename = "@id")]
    pub id: String,
}

/// The page showing the article: health content, with who reviewed it and when.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MedicalWebPageLd {
    #[serde(rename = "@type")]
    #[schema(inline)]
    pub kind: MedicalWebPageType,
    /// `{canonical URL}#webpage` (relative, `#webpage`, when the site's address is not set).
    #[serde(rename = "@id")]
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub name: String,
    /// The `Article`.
    pub main_entity: NodeRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reviewed: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<PersonLd>,
}

/// A source the article cites.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreativeWorkLd {
    #[serde(rename = "@type")]
    #[schema(inline)]
    pub kind: CreativeWorkType,
    pub name: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<OrganizationLd>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_published: Option<NaiveDate>,
    /// Its DOI and PubMed pages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub same_as: Vec<String>,
}

/// A schema.org `Article`.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleLd {
    #[serde(rename = "@type")]
    #[schema(inline)]
    pub kind: ArticleType,
    /// `{canonical URL}#article` (relative, `#article`, when the site's address is not set).
    #[serde(rename = "@id")]
    pub id: String,
    pub headline: String,
    pub description: String,
    pub date_published: Option<DateTime<Utc>>,
    pub date_modified: DateTime<Utc>,
    /// The credited people, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub author: Vec<PersonLd>,
    pub keywords: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<OrganizationLd>,
    /// The canonical URL of the page, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_entity_of_page: Option<String>,
    /// The cover image's URL (absolute when the site's address is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The references, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub citation: Vec<CreativeWorkLd>,
}

#[derive(Clone, Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonLd {
    #[serde(rename = "@type")]
    #[schema(inline)]
    pub kind: PersonType,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    /// Post-nominal credentials, e.g. `LMT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
    /// Pages about the same person (licence registry, professional profile).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub same_as: Vec<String>,
    /// The person's picture (absolute when the site's address is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrganizationLd {
    #[serde(rename = "@type")]
    #[schema(inline)]
    pub kind: OrganizationType,
    pub name: String,
}

/// A schema.org `FAQPage` of the article's questions.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FaqPageLd {
    #[serde(rename = "@type")]
    #[schema(inline)]
    pub kind: FaqPageType,
    pub main_entity: Vec<QuestionLd>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuestionLd {
    #[serde(rename = "@type")]
    #[schema(inline)]
    pub kind: QuestionType,
    pub name: String,
    pub accepted_answer: AnswerLd,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AnswerLd {
    #[serde(rename = "@type")]
    #[schema(inline)]
    pub kind: AnswerType,
    /// The answer as sanitized HTML.
    pub text: String,
}

impl JsonLd {
    /// The JSON text, every string escaped for a `<script>` element.
    pub fn to_embeddable(&self) -> Box<RawValue> {
        let mut bytes = Vec::with_capacity(1024);
        let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, ScriptSafe);
        // Plain structs of strings and times: serializing cannot fail, and
        // the formatter only ever writes ASCII escapes into valid UTF-8.
        let written = self.serialize(&mut serializer).is_ok();
        String::from_utf8(bytes)
            .ok()
            .filter(|_| written)
            .and_then(|text| RawValue::from_string(text).ok())
            .unwrap_or_default()
    }
}

/// serde_json's compact output, with the characters that mean something to
/// an HTML parser (or an old JavaScript one) inside strings written as escapes.
struct ScriptSafe;

impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escape = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..i])?;
            writer.write_all(escape.as_bytes())?;
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(headline: &str) -> JsonLd {
        JsonLd {
            context: SchemaOrg,
            graph: vec![
                JsonLdNode::Article(ArticleLd {
                    kind: ArticleType,
                    id: "#article".into(),
                    headline: headline.into(),
                    description: "a & b\u{2028}c\u{2029}".into(),
                    date_published: None,
                    date_modified: DateTime::<Utc>::default(),
                    author: vec![PersonLd {
                        name: "<b>".into(),
                        honorific_suffix: Some("L&MT".into()),
                        ..PersonLd::default()
                    }],
                    keywords: vec!["x>y".into()],
                    publisher: None,
                    main_entity_of_page: None,
                    image: None,
                    citation: vec![CreativeWorkLd {
                        kind: CreativeWorkType,
                        name: "</script>".into(),
                        url: "https://example.org/?a=1&b=2".into(),
                        publisher: None,
                        date_published: NaiveDate::from_ymd_opt(2017, 4, 4),
                        same_as: Vec::new(),
                    }],
                }),
                JsonLdNode::WebPage(MedicalWebPageLd {
                    kind: MedicalWebPageType,
                    id: "#webpage".into(),
                    url: None,
                    name: headline.into(),
                    main_entity: NodeRef {
                        id: "#article".into(),
                    },
                    last_reviewed: NaiveDate::from_ymd_opt(2026, 3, 2),
                    reviewed_by: None,
                }),
                JsonLdNode::FaqPage(FaqPageLd {
                    kind: FaqPageType,
                    main_entity: vec![QuestionLd {
                        kind: QuestionType,
                        name: "Q</script>".into(),
                        accepted_answer: AnswerLd {
                            kind: AnswerType,
                            text: "<p>A</p>".into(),
                        },
                    }],
                }),
            ],
        }
    }

    #[test]
    fn the_bytes_hold_no_markup_and_the_value_is_unchanged() {
        let hostile = "Hi </script><script>alert(1)</script> & <!--";
        let value = ld(hostile);
        let raw = value.to_embeddable();
        let text = raw.get();
        for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!text.contains(bad), "{bad:?} in {text}");
        }
        let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(parsed, serde_json::to_value(&value).unwrap());
        assert_eq!(parsed["@graph"][0]["headline"], hostile);
        assert_eq!(parsed["@graph"][0]["@type"], "Article");
        assert_eq!(parsed["@graph"][1]["@type"], "MedicalWebPage");
        assert_eq!(parsed["@graph"][1]["lastReviewed"], "2026-03-02");
        assert_eq!(parsed["@graph"][1]["mainEntity"]["@id"], "#article");
        assert_eq!(parsed["@graph"][2]["@type"], "FAQPage");
        assert_eq!(parsed["@graph"][0]["citation"][0]["name"], "</script>");
        assert_eq!(parsed["@context"], "https://schema.org");
    }

    #[test]
    fn constants_read_back_only_themselves() {
        assert!(serde_json::from_str::<ArticleType>("\"Article\"").is_ok());
        assert!(serde_json::from_str::<ArticleType>("\"FAQPage\"").is_err());
    }
}
