//! Markdown -> sanitized HTML, typed blocks and plain text, rendered once when content is written.

use std::collections::{HashMap, HashSet, VecDeque};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, TextMergeStream};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One block of an article body, typed so a front end renders it without parsing HTML.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[schema(no_recursion)]
pub enum Block {
    /// A section heading; `anchor` is unique in the document and is the `id` of the HTML heading.
    Heading {
        level: u8,
        text: String,
        anchor: String,
    },
    /// Running text: `text` is the plain text, `spans` the same text with its inline marks.
    Paragraph { text: String, spans: Vec<Span> },
    /// A bulleted or numbered list.
    List {
        ordered: bool,
        /// The number of the first item of an ordered list.
        #[serde(skip_serializing_if = "Option::is_none")]
        start: Option<u64>,
        items: Vec<ListItem>,
    },
    /// A table. `source` names the collection it was drawn from (`massage-types`,
    /// `treatments`) when the Markdown embedded one with `{{massage-types}}`.
    Table {
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        source: Option<String>,
    },
    /// A block quotation and what it holds.
    Quote { text: String, blocks: Vec<Block> },
    /// A code block.
    Code {
        #[serde(skip_serializing_if = "Option::is_none")]
        language: Option<String>,
        code: String,
    },
    /// An image standing on its own line.
    Image {
        src: String,
        alt: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        title: Option<String>,
    },
    /// A link to a video standing on its own line (YouTube, Vimeo): the front end embeds it.
    Embed { url: String, provider: String },
    /// A thematic break (`---`).
    Divider,
}

/// A run of text sharing the same marks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Span {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<Mark>,
    /// The link target when this run is a link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// A table a body can embed by name, e.g. `{{massage-types}}` on a line of its own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub type Embeds = HashMap<String, EmbedTable>;

/// What one Markdown document renders to.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub html: String,
    pub blocks: Vec<Block>,
    /// Plain text, for search and reading time.
    pub text: String,
}

impl Rendered {
    pub fn blocks_json(&self) -> String {
        serde_json::to_string(&self.blocks).unwrap_or_else(|_| "[]".into())
    }

    /// Minutes at 200 words a minute, at least one.
    pub fn reading_time_minutes(&self) -> i32 {
        let words = self.text.split_whitespace().count();
        i32::try_from(words.div_ceil(200))
            .unwrap_or(i32::MAX)
            .max(1)
    }
}

/// Renders untrusted Markdown. Raw HTML, scripts, event handlers and
/// `javascript:`/`data:` URLs never survive into `html` or `blocks`.
pub fn render_markdown(markdown: &str, embeds: &Embeds) -> Rendered {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let parsed: Vec<Event> = TextMergeStream::new(Parser::new_ext(markdown, options)).collect();
    let prepared = prepare(parsed, embeds);

    let mut unsafe_html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut unsafe_html, prepared.events.iter().cloned());
    let html = sanitizer().clean(&unsafe_html).to_string();

    let mut parser = BlockParser {
        events: prepared.events.into_iter().peekable(),
        anchors: prepared.anchors,
        table_sources: prepared.table_sources,
    };
    let blocks = parser.blocks_until(None);
    let text = plain_text(&blocks);
    Rendered { html, blocks, text }
}

fn sanitizer() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .link_rel(Some("noopener noreferrer"))
        .add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"]);
    builder
}

/// Only URLs a reader can safely follow: web, mail and phone links, and
/// relative ones. Anything else (javascript:, data:, vbscript:) is dropped.
fn safe_url(url: &str) -> Option<String> {
    let trimmed = url.trim();
    let scheme_end = trimmed.find([':', '/', '?', '#']);
    let allowed = match scheme_end {
        Some(i) if trimmed[i..].starts_with(':') => {
            let scheme = trimmed[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
        }
        _ => !trimmed.chars().any(char::is_control),
    };
    allowed.then(|| trimmed.to_string())
}

struct Prepared<'a> {
    events: Vec<Event<'a>>,
    anchors: VecDeque<String>,
    table_sources: VecDeque<Option<String>>,
}

/// Rewrites the event stream before HTML and blocks are made from it, so the
/// two always agree: embeds become tables, headings get unique anchors.
fn prepare<'a>(parsed: Vec<Event<'a>>, embeds: &Embeds) -> Prepared<'a> {
    let mut events = Vec::with_capacity(parsed.len());
    let mut anchors = VecDeque::new();
    let mut table_sources = VecDeque::new();
    let mut used = HashSet::new();
    let mut i = 0;
    while i < parsed.len() {
        if let Some(name) = embed_name(&parsed[i..]) {
            if let Some(table) = embeds.get(name) {
                table_sources.push_back(Some(name.to_string()));
                push_table_events(&mut events, table);
            }
            i += 3;
            continue;
        }
        match &parsed[i] {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                let text = heading_text(&parsed[i + 1..]);
                let anchor = unique_anchor(&text, &mut used);
                events.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(anchor.clone())),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
                anchors.push_back(anchor);
            }
            Event::Start(Tag::Table(_)) => {
                table_sources.push_back(None);
                events.push(parsed[i].clone());
            }
            other => events.push(other.clone()),
        }
        i += 1;
    }
    Prepared {
        events,
        anchors,
        table_sources,
    }
}

/// `{{name}}` alone in a paragraph.
fn embed_name<'e>(events: &'e [Event]) -> Option<&'e str> {
    match events {
        [Event::Start(Tag::Paragraph), Event::Text(text), Event::End(TagEnd::Paragraph), ..] => {
            let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
            let valid = !inner.is_empty()
                && inner
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            valid.then_some(inner)
        }
        _ => None,
    }
}

fn push_table_events<'a>(events: &mut Vec<Event<'a>>, table: &EmbedTable) {
    let alignments = vec![pulldown_cmark::Alignment::None; table.columns.len()];
    events.push(Event::Start(Tag::Table(alignments)));
    events.push(Event::Start(Tag::TableHead));
    for column in &table.columns {
        push_cell(events, column);
    }
    events.push(Event::End(TagEnd::TableHead));
    for row in &table.rows {
        events.push(Event::Start(Tag::TableRow));
        for cell in row {
            push_cell(events, cell);
        }
        events.push(Event::End(TagEnd::TableRow));
    }
    events.push(Event::End(TagEnd::Table));
}

fn push_cell<'a>(events: &mut Vec<Event<'a>>, text: &str) {
    events.push(Event::Start(Tag::TableCell));
    events.push(Event::Text(CowStr::from(text.to_string())));
    events.push(Event::End(TagEnd::TableCell));
}

fn heading_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

/// A URL fragment from heading text: lowercase words joined by hyphens, made
/// unique within the document with a numeric suffix.
fn unique_anchor(text: &str, used: &mut HashSet<String>) -> String {
    let mut base = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            base.push(c);
        } else if !base.is_empty() && !base.ends_with('-') {
            base.push('-');
        }
    }
    let base = match base.trim_end_matches('-') {
        "" => "section".to_string(),
        b => b.to_string(),
    };
    let mut anchor = base.clone();
    let mut n = 2;
    while !used.insert(anchor.clone()) {
        anchor = format!("{base}-{n}");
        n += 1;
    }
    anchor
}

struct BlockParser<'a, I: Iterator<Item = Event<'a>>> {
    events: std::iter::Peekable<I>,
    anchors: VecDeque<String>,
    table_sources: VecDeque<Option<String>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> BlockParser<'a, I> {
    /// Blocks until `end` (or the end of the document when `None`).
    fn blocks_until(&mut self, end: Option<TagEnd>) -> Vec<Block> {
        let mut blocks = Vec::new();
        while let Some(event) = self.events.next() {
            match event {
                Event::End(tag) if Some(tag) == end => break,
                Event::Start(tag) => {
                    if let Some(block) = self.block(tag) {
                        blocks.push(block);
                    }
                }
                Event::Rule => blocks.push(Block::Divider),
                // Raw HTML and stray inline events outside a paragraph carry nothing safe to keep.
                _ => {}
            }
        }
        blocks
    }

    fn block(&mut self, tag: Tag<'a>) -> Option<Block> {
        match tag {
            Tag::Paragraph => {
                let inline = self.inlines_until(TagEnd::Paragraph);
                inline.into_block()
            }
            Tag::Heading { level, .. } => {
                let inline = self.inlines_until(TagEnd::Heading(level));
                Some(Block::Heading {
                    level: heading_level(level),
                    text: inline.text(),
                    anchor: self.anchors.pop_front().unwrap_or_default(),
                })
            }
            Tag::BlockQuote(_) => {
                let blocks = self.blocks_until(Some(TagEnd::BlockQuote(None)));
                Some(Block::Quote {
                    text: plain_text(&blocks),
                    blocks,
                })
            }
            Tag::List(start) => Some(self.list(start)),
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(str::to_string)
                        .filter(|l| !l.is_empty()),
                    pulldown_cmark::CodeBlockKind::Indented => None,
                };
                let mut code = String::new();
                for event in self.events.by_ref() {
                    match event {
                        Event::End(TagEnd::CodeBlock) => break,
                        Event::Text(t) => code.push_str(&t),
                        _ => {}
                    }
                }
                Some(Block::Code { language, code })
            }
            Tag::Table(_) => Some(self.table()),
            Tag::HtmlBlock => {
                self.skip_until(TagEnd::HtmlBlock);
                None
            }
            other => {
                // Any other container: keep its text content as blocks.
                let end = other.to_end();
                let blocks = self.blocks_until(Some(end));
                blocks.into_iter().next()
            }
        }
    }

    fn skip_until(&mut self, end: TagEnd) {
        for event in self.events.by_ref() {
            if event == Event::End(end) {
                break;
            }
        }
    }

    fn list(&mut self, start: Option<u64>) -> Block {
        let mut items = Vec::new();
        while let Some(event) = self.events.next() {
            match event {
                Event::End(TagEnd::List(_)) => break,
                Event::Start(Tag::Item) => items.push(self.item()),
                _ => {}
            }
        }
        Block::List {
            ordered: start.is_some(),
            start,
            items,
        }
    }

    /// A tight item holds inline events directly; a loose one wraps them in
    /// paragraphs. Either way the first run of text is the item's lead.
    fn item(&mut self) -> ListItem {
        let mut lead = Inline::default();
        let mut blocks = Vec::new();
        let mut lead_done = false;
        while let Some(event) = self.events.next() {
            match event {
                Event::End(TagEnd::Item) => break,
                Event::Start(Tag::Paragraph) if !lead_done => {
                    lead = self.inlines_until(TagEnd::Paragraph);
                    lead_done = true;
                }
                Event::Start(tag) if is_inline(&tag) && !lead_done => {
                    lead.start(tag);
                }
                Event::Start(tag) => {
                    lead_done = true;
                    if let Some(block) = self.block(tag) {
                        blocks.push(block);
                    }
                }
                Event::Rule => blocks.push(Block::Divider),
                other if !lead_done => lead.event(other),
                _ => {}
            }
        }
        ListItem {
            text: lead.text(),
            spans: lead.spans,
            blocks,
        }
    }

    fn table(&mut self) -> Block {
        let mut columns = Vec::new();
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut in_head = false;
        while let Some(event) = self.events.next() {
            match event {
                Event::End(TagEnd::Table) => break,
                Event::Start(Tag::TableHead) => in_head = true,
                Event::End(TagEnd::TableHead) => in_head = false,
                Event::Start(Tag::TableRow) => rows.push(Vec::new()),
                Event::Start(Tag::TableCell) => {
                    let cell = self.inlines_until(TagEnd::TableCell).text();
                    match rows.last_mut() {
                        Some(row) if !in_head => row.push(cell),
                        _ => columns.push(cell),
                    }
                }
                _ => {}
            }
        }
        Block::Table {
            columns,
            rows,
            source: self.table_sources.pop_front().flatten(),
        }
    }

    fn inlines_until(&mut self, end: TagEnd) -> Inline {
        let mut inline = Inline::default();
        for event in self.events.by_ref() {
            match event {
                Event::End(tag) if tag == end => break,
                Event::Start(tag) => inline.start(tag),
                other => inline.event(other),
            }
        }
        inline
    }
}

fn is_inline(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
    )
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Collects the inline content of one paragraph, heading, cell or item lead.
#[derive(Default)]
struct Inline {
    spans: Vec<Span>,
    marks: Vec<Mark>,
    links: Vec<Option<String>>,
    /// Inside an image: its alt text goes to the image, not to the spans.
    image: Option<(String, String, Option<String>)>,
    images: Vec<(String, String, Option<String>)>,
}

impl Inline {
    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Emphasis => self.marks.push(Mark::Emphasis),
            Tag::Strong => self.marks.push(Mark::Strong),
            Tag::Strikethrough => self.marks.push(Mark::Strikethrough),
            Tag::Link { dest_url, .. } => self.links.push(safe_url(&dest_url)),
            Tag::Image {
                dest_url, title, ..
            } => {
                let title = Some(title.to_string()).filter(|t| !t.is_empty());
                self.image = Some((dest_url.to_string(), String::new(), title));
            }
            _ => {}
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough) => {
                self.marks.pop();
            }
            Event::End(TagEnd::Link) => {
                self.links.pop();
            }
            Event::End(TagEnd::Image) => {
                if let Some(image) = self.image.take() {
                    self.images.push(image);
                }
            }
            Event::Text(text) => self.push_text(&text, None),
            Event::Code(text) => self.push_text(&text, Some(Mark::Code)),
            Event::SoftBreak => self.push_text(" ", None),
            Event::HardBreak => self.push_text("\n", None),
            _ => {}
        }
    }

    fn push_text(&mut self, text: &str, extra: Option<Mark>) {
        if let Some((_, alt, _)) = self.image.as_mut() {
            alt.push_str(text);
            return;
        }
        let mut marks = self.marks.clone();
        marks.extend(extra);
        let href = self.links.iter().rev().find_map(Clone::clone);
        match self.spans.last_mut() {
            Some(last) if last.marks == marks && last.href == href => last.text.push_str(text),
            _ => self.spans.push(Span {
                text: text.to_string(),
                marks,
                href,
            }),
        }
    }

    fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }

    /// A paragraph, or an image or embed when that is all it holds.
    fn into_block(self) -> Option<Block> {
        let text = self.text();
        if text.trim().is_empty() {
            let (src, alt, title) = self.images.into_iter().next()?;
            let src = safe_url(&src)?;
            return Some(Block::Image { src, alt, title });
        }
        if let [only] = self.spans.as_slice() {
            if let Some(block) = only
                .href
                .as_deref()
                .and_then(|href| embed_block(href, &only.text))
            {
                return Some(block);
            }
        }
        Some(Block::Paragraph {
            text,
            spans: self.spans,
        })
    }
}

/// A bare video link on its own line becomes an embed.
fn embed_block(href: &str, text: &str) -> Option<Block> {
    if href != text.trim() {
        return None;
    }
    let host = href
        .strip_prefix("https://")
        .or_else(|| href.strip_prefix("http://"))?
        .split('/')
        .next()?
        .trim_start_matches("www.");
    let provider = match host {
        "youtube.com" | "youtu.be" | "m.youtube.com" => "youtube",
        "vimeo.com" | "player.vimeo.com" => "vimeo",
        _ => return None,
    };
    Some(Block::Embed {
        url: href.to_string(),
        provider: provider.to_string(),
    })
}

fn plain_text(blocks: &[Block]) -> String {
    let mut out = Vec::new();
    for block in blocks {
        match block {
            Block::Heading { text, .. }
            | Block::Paragraph { text, .. }
            | Block::Quote { text, .. } => out.push(text.clone()),
            Block::List { items, .. } => {
                for item in items {
                    out.push(item.text.clone());
                    out.push(plain_text(&item.blocks));
                }
            }
            Block::Table { columns, rows, .. } => {
                out.push(columns.join(" "));
                out.extend(rows.iter().map(|r| r.join(" ")));
            }
            Block::Code { code, .. } => out.push(code.clone()),
            Block::Image { alt, .. } => out.push(alt.clone()),
            Block::Embed { .. } | Block::Divider => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(md: &str) -> Rendered {
        render_markdown(md, &Embeds::new())
    }

    #[test]
    fn headings_get_unique_anchors_in_blocks_and_html() {
        let r = render("## Why It Matters\n\n## Why it matters\n");
        assert_eq!(
            r.blocks[1],
            Block::Heading {
                level: 2,
                text: "Why it matters".into(),
                anchor: "why-it-matters-2".into()
            }
        );
        assert!(r.html.contains(r#"<h2 id="why-it-matters">"#), "{}", r.html);
    }

    #[test]
    fn paragraphs_carry_inline_marks_and_safe_links() {
        let r = render(
            "Some **bold** and [a link](https://example.com) and [bad](javascript:alert(1)).",
        );
        let Block::Paragraph { text, spans } = &r.blocks[0] else {
            panic!("{:?}", r.blocks)
        };
        assert_eq!(text, "Some bold and a link and bad.");
        assert_eq!(spans[1].marks, vec![Mark::Strong]);
        assert_eq!(spans[3].href.as_deref(), Some("https://example.com"));
        assert!(spans
            .iter()
            .all(|s| s.href.as_deref() != Some("javascript:alert(1)")));
        assert!(!r.html.contains("javascript:"));
    }

    #[test]
    fn loose_ordered_list_items_have_a_lead_and_blocks() {
        let r = render("1. **Reduces Tension**\n\n   Massage kneads muscles.\n\n2. **Improves Flow**\n\n   Better circulation.\n");
        let Block::List {
            ordered,
            start,
            items,
        } = &r.blocks[0]
        else {
            panic!("{:?}", r.blocks)
        };
        assert!(ordered);
        assert_eq!(*start, Some(1));
        assert_eq!(items[0].text, "Reduces Tension");
        assert!(
            matches!(&items[0].blocks[0], Block::Paragraph { text, .. } if text == "Massage kneads muscles.")
        );
        assert_eq!(items[1].text, "Improves Flow");
    }

    #[test]
    fn tight_bullets_are_plain_items() {
        let r = render("- one\n- two *it*\n");
        let Block::List { ordered, items, .. } = &r.blocks[0] else {
            panic!()
        };
        assert!(!ordered);
        assert_eq!(items[1].text, "two it");
        assert_eq!(items[1].spans[1].marks, vec![Mark::Emphasis]);
    }

    #[test]
    fn embedded_tables_render_in_html_and_blocks() {
        let mut embeds = Embeds::new();
        embeds.insert(
            "treatments".into(),
            EmbedTable {
                columns: vec!["Treatment".into(), "Benefits".into()],
                rows: vec![vec!["Massage <b>".into(), "Relief".into()]],
            },
        );
        let r = render_markdown("Intro\n\n{{treatments}}\n\n{{unknown}}\n", &embeds);
        assert_eq!(
            r.blocks[1],
            Block::Table {
                columns: vec!["Treatment".into(), "Benefits".into()],
                rows: vec![vec!["Massage <b>".into(), "Relief".into()]],
                source: Some("treatments".into())
            }
        );
        assert_eq!(
            r.blocks.len(),
            2,
            "an unknown embed renders nothing: {:?}",
            r.blocks
        );
        assert!(r.html.contains("<td>Massage &lt;b&gt;</td>"), "{}", r.html);
    }

    #[test]
    fn markdown_tables_become_table_blocks() {
        let r = render("| A | B |\n|---|---|\n| 1 | 2 |\n");
        assert_eq!(
            r.blocks[0],
            Block::Table {
                columns: vec!["A".into(), "B".into()],
                rows: vec![vec!["1".into(), "2".into()]],
                source: None
            }
        );
    }

    #[test]
    fn scripts_handlers_and_dangerous_urls_are_removed() {
        let r = render(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) [y](data:text/html;base64,AAAA) <a href=\"JAVASCRIPT:alert(1)\" onclick=\"x()\">z</a>",
        );
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "JAVASCRIPT:",
            "data:",
        ] {
            assert!(!r.html.contains(bad), "{bad} in {}", r.html);
        }
        let json = r.blocks_json();
        assert!(
            !json.contains("javascript") && !json.contains("data:"),
            "{json}"
        );
    }

    #[test]
    fn images_quotes_code_and_embeds() {
        let r = render("![Alt text](/img/a.png \"T\")\n\n> quoted *words*\n\n```rust\nfn main() {}\n```\n\n<https://www.youtube.com/watch?v=abc>\n\n---\n");
        assert_eq!(
            r.blocks[0],
            Block::Image {
                src: "/img/a.png".into(),
                alt: "Alt text".into(),
                title: Some("T".into())
            }
        );
        assert!(matches!(&r.blocks[1], Block::Quote { text, .. } if text == "quoted words"));
        assert_eq!(
            r.blocks[2],
            Block::Code {
                language: Some("rust".into()),
                code: "fn main() {}\n".into()
            }
        );
        assert_eq!(
            r.blocks[3],
            Block::Embed {
                url: "https://www.youtube.com/watch?v=abc".into(),
                provider: "youtube".into()
            }
        );
        assert_eq!(r.blocks[4], Block::Divider);
    }

    #[test]
    fn reading_time_rounds_up_to_whole_minutes() {
        let words = "word ".repeat(401);
        assert_eq!(render(&words).reading_time_minutes(), 3);
        assert_eq!(render("").reading_time_minutes(), 1);
    }
}
