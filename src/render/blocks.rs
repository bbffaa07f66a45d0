//! The typed blocks an article body renders to: one named type per kind, told apart by `type`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::constant::constant;

constant!(HeadingType = "heading");
constant!(ParagraphType = "paragraph");
constant!(ListType = "list");
constant!(TableType = "table");
constant!(QuoteType = "quote");
constant!(CodeType = "code");
constant!(ImageType = "image");
constant!(EmbedType = "embed");
constant!(DividerType = "divider");

/// One block of an article body, typed so a front end renders it without
/// parsing HTML. `type` names the kind, and each kind is its own schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
#[schema(discriminator(property_name = "type", mapping(
    ("heading" = "#/components/schemas/HeadingBlock"),
    ("paragraph" = "#/components/schemas/ParagraphBlock"),
    ("list" = "#/components/schemas/ListBlock"),
    ("table" = "#/components/schemas/TableBlock"),
    ("quote" = "#/components/schemas/QuoteBlock"),
    ("code" = "#/components/schemas/CodeBlock"),
    ("image" = "#/components/schemas/ImageBlock"),
    ("embed" = "#/components/schemas/EmbedBlock"),
    ("divider" = "#/components/schemas/DividerBlock"),
)))]
pub enum Block {
    Heading(HeadingBlock),
    Paragraph(ParagraphBlock),
    List(ListBlock),
    Table(TableBlock),
    Quote(QuoteBlock),
    Code(CodeBlock),
    Image(ImageBlock),
    Embed(EmbedBlock),
    Divider(DividerBlock),
}

/// A section heading; `anchor` is unique in the document and is the `id` of the HTML heading.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HeadingBlock {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: HeadingType,
    #[schema(minimum = 1, maximum = 6)]
    pub level: u8,
    pub text: String,
    pub anchor: String,
}

/// Running text: `text` is the plain text, `spans` the same text with its inline marks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ParagraphBlock {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: ParagraphType,
    pub text: String,
    pub spans: Vec<Span>,
}

/// A bulleted or numbered list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ListBlock {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: ListType,
    pub ordered: bool,
    /// The number of the first item of an ordered list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub start: Option<u64>,
    pub items: Vec<ListItem>,
}

/// A table. `source` names the collection it was drawn from (`massage-types`,
/// `treatments`) when the Markdown embedded one with `{{massage-types}}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TableBlock {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: TableType,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub source: Option<String>,
}

/// A block quotation: its plain text and the blocks it holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuoteBlock {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: QuoteType,
    pub text: String,
    #[schema(no_recursion)]
    pub blocks: Vec<Block>,
}

/// A code block. `language` is the fence's first word when it is a plain
/// token (letters, digits and `+-#.`, e.g. `rust`, `c++`, `objective-c`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CodeBlock {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: CodeType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, pattern = r"^[A-Za-z0-9+#.\-]{1,40}$")]
    pub language: Option<String>,
    pub code: String,
}

/// An image standing on its own line.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImageBlock {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: ImageType,
    pub src: String,
    pub alt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub title: Option<String>,
    /// The image of the media library it shows (`![alt](media:42)`): its
    /// sizes, `srcset` per format, focal point and caption. Absent for an
    /// image from elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub image: Option<super::Image>,
}

/// A link to a video standing on its own line (YouTube, Vimeo): the front end embeds it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EmbedBlock {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: EmbedType,
    pub url: String,
    /// `youtube` or `vimeo`.
    pub provider: String,
}

/// A thematic break (`---`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DividerBlock {
    #[serde(rename = "type")]
    #[schema(inline)]
    pub kind: DividerType,
}

/// A run of text sharing the same marks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Span {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<Mark>,
    /// The link target when this run is a link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub href: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Strong,
    Emphasis,
    Strikethrough,
    Code,
}

/// One list item: its lead text (the first line or paragraph) and any blocks after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ListItem {
    pub text: String,
    pub spans: Vec<Span>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub blocks: Vec<Block>,
}

/// Shorthands for building blocks (the renderer and tests).
impl Block {
    pub fn heading(level: u8, text: impl Into<String>, anchor: impl Into<String>) -> Self {
        Self::Heading(HeadingBlock {
            kind: HeadingType,
            level,
            text: text.into(),
            anchor: anchor.into(),
        })
    }

    pub fn paragraph(text: impl Into<String>, spans: Vec<Span>) -> Self {
        Self::Paragraph(ParagraphBlock {
            kind: ParagraphType,
            text: text.into(),
            spans,
        })
    }

    pub fn list(start: Option<u64>, items: Vec<ListItem>) -> Self {
        Self::List(ListBlock {
            kind: ListType,
            ordered: start.is_some(),
            start,
            items,
        })
    }

    pub fn table(columns: Vec<String>, rows: Vec<Vec<String>>, source: Option<String>) -> Self {
        Self::Table(TableBlock {
            kind: TableType,
            columns,
            rows,
            source,
        })
    }

    pub fn quote(text: impl Into<String>, blocks: Vec<Block>) -> Self {
        Self::Quote(QuoteBlock {
            kind: QuoteType,
            text: text.into(),
            blocks,
        })
    }

    pub fn code(language: Option<String>, code: impl Into<String>) -> Self {
        Self::Code(CodeBlock {
            kind: CodeType,
            language,
            code: code.into(),
        })
    }

    pub fn image(src: impl Into<String>, alt: impl Into<String>, title: Option<String>) -> Self {
        Self::Image(ImageBlock {
            kind: ImageType,
            src: src.into(),
            alt: alt.into(),
            title,
            image: None,
        })
    }

    /// An image of the media library: `src` and `alt` as the body shows
    /// them, and the whole image object.
    pub fn library_image(image: super::Image, written_alt: &str, title: Option<String>) -> Self {
        Self::Image(ImageBlock {
            kind: ImageType,
            src: image.src.clone(),
            alt: image.alt_for(written_alt),
            title,
            image: Some(image),
        })
    }

    pub fn embed(url: impl Into<String>, provider: impl Into<String>) -> Self {
        Self::Embed(EmbedBlock {
            kind: EmbedType,
            url: url.into(),
            provider: provider.into(),
        })
    }

    pub fn divider() -> Self {
        Self::Divider(DividerBlock { kind: DividerType })
    }
}

/// A fenced code block's language when it is a plain token, else none: the
/// value ends up in class names and highlighter lookups on front ends.
pub fn code_language(info: &str) -> Option<String> {
    let word = info.split_whitespace().next()?;
    let is_token = (1..=40).contains(&word.len())
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '#' | '.'));
    is_token.then(|| word.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_languages_are_tokens() {
        for good in ["rust", "c++", "objective-c", "c#", "vb.net", "F#"] {
            assert_eq!(code_language(good).as_deref(), Some(good));
        }
        assert_eq!(code_language("js {linenos}").as_deref(), Some("js"));
        for bad in [
            "",
            "\"><script>alert(1)</script>",
            "a\"b",
            "x'y",
            "lang<",
            "a&b",
            "ünï",
            &"x".repeat(41),
        ] {
            assert_eq!(code_language(bad), None, "{bad}");
        }
    }

    #[test]
    fn blocks_serialize_with_their_type_first_and_read_back() {
        let block = Block::heading(2, "Why", "why");
        let json = serde_json::to_string(&block).unwrap();
        assert_eq!(
            json,
            r#"{"type":"heading","level":2,"text":"Why","anchor":"why"}"#
        );
        assert_eq!(serde_json::from_str::<Block>(&json).unwrap(), block);
        let divider = serde_json::to_string(&Block::divider()).unwrap();
        assert_eq!(divider, r#"{"type":"divider"}"#);
        assert_eq!(
            serde_json::from_str::<Block>(&divider).unwrap(),
            Block::divider()
        );
    }
}
