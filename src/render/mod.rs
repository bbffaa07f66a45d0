//! Markdown -> sanitized HTML, typed blocks and plain text, rendered once when content is written.

mod blocks;
mod image;
mod parse;

use std::collections::{HashMap, HashSet, VecDeque};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, TextMergeStream};

pub use blocks::*;
pub use image::{media_id, media_refs, FocalPoint, Image, ImageSource};
use parse::{BlockParser, BySrc};

/// What the renderer makes, as a number: stored bodies made by an older
/// version are rendered again at start (`Article::render_stale`).
/// 2: a code block's `language` is a plain token or absent.
/// 3: URLs in blocks have `"'<>` and friends percent-encoded; every image of
///    a paragraph is a block.
/// 4: images of the media library (`media:42`) become `<picture>`s and
///    `image` blocks with the image object.
pub const VERSION: u32 = 4;

/// A table a body can embed by name, e.g. `{{massage-types}}` on a line of its own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What a body may embed: tables by name, and images of the media library
/// by id (`![alt](media:42)`).
#[derive(Clone, Debug, Default)]
pub struct Embeds {
    pub tables: HashMap<String, EmbedTable>,
    pub images: HashMap<i32, Image>,
}

impl Embeds {
    pub fn new() -> Self {
        Self::default()
    }
}

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
    let mut parsed: Vec<Event> =
        TextMergeStream::new(Parser::new_ext(markdown, options())).collect();
    // Content written before the limit: its raw HTML is left out rather
    // than sanitized at a cost that grows with its square.
    if Shape::of(markdown).raw_html_tags > MAX_RAW_HTML_TAGS {
        parsed.retain(|event| !matches!(event, Event::Html(_) | Event::InlineHtml(_)));
    }
    let prepared = prepare(parsed, embeds);
    let library: BySrc = embeds
        .images
        .values()
        .map(|image| (image.src.as_str(), image))
        .collect();

    let mut unsafe_html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut unsafe_html, pictures(&prepared.events, &library));
    let html = sanitizer().clean(&unsafe_html).to_string();

    let blocks = BlockParser::new(
        prepared.events.into_iter(),
        prepared.anchors,
        prepared.table_sources,
        &library,
    )
    .blocks_until(None);
    let text = plain_text(&blocks);
    Rendered { html, blocks, text }
}

/// The events as HTML shows them: each library image a `<picture>`.
fn pictures<'a>(
    events: &'a [Event<'a>],
    library: &'a BySrc<'a>,
) -> impl Iterator<Item = Event<'a>> + 'a {
    let mut i = 0;
    std::iter::from_fn(move || {
        let event = events.get(i)?;
        i += 1;
        let Event::Start(Tag::Image { dest_url, .. }) = event else {
            return Some(event.clone());
        };
        let Some(image) = library.get(dest_url.as_ref()) else {
            return Some(event.clone());
        };
        let mut alt = String::new();
        while let Some(inner) = events.get(i) {
            i += 1;
            match inner {
                Event::End(TagEnd::Image) => break,
                Event::Text(text) | Event::Code(text) => alt.push_str(text),
                _ => {}
            }
        }
        Some(Event::InlineHtml(CowStr::from(
            image.to_html(&image.alt_for(&alt)),
        )))
    })
}

fn sanitizer() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .add_tags(["picture", "source"])
        .add_tag_attributes("source", ["type", "srcset", "sizes"])
        .add_tag_attributes("img", ["srcset", "sizes", "loading", "decoding"])
        // A `srcset` may name files of the media library only.
        .attribute_filter(|_, attribute, value| {
            if attribute == "srcset" && !image::is_library_srcset(value) {
                None
            } else {
                Some(value.into())
            }
        })
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
/// relative ones. Anything else (javascript:, data:, vbscript:) is dropped;
/// what is kept has its attribute-breaking characters percent-encoded.
pub(crate) fn safe_url(url: &str) -> Option<String> {
    let trimmed = url.trim();
    if trimmed.chars().any(char::is_control) {
        return None;
    }
    let scheme_end = trimmed.find([':', '/', '?', '#']);
    let allowed = match scheme_end {
        Some(i) if trimmed[i..].starts_with(':') => {
            let scheme = trimmed[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto" | "tel")
        }
        _ => true,
    };
    allowed.then(|| escape_url(trimmed))
}

/// A URL with the characters that could end an HTML attribute or start
/// markup (`"`, `'`, `<`, `>`, `` ` ``, `\`, space) percent-encoded, as
/// browsers would send them anyway: front ends put URLs into `href` and
/// `src`, not always escaped.
pub fn escape_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '"' | '\'' | '<' | '>' | '`' | '\\' | ' ' => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

struct Prepared<'a> {
    events: Vec<Event<'a>>,
    anchors: VecDeque<String>,
    table_sources: VecDeque<Option<String>>,
}

/// Quotes and lists nested deeper than this are flattened by the renderer
/// (and refused when an editor writes them, see `nesting_depth`): blocks are
/// built recursively, and a front end's JSON parser recurses too.
pub const MAX_NESTING: usize = 16;

/// Raw HTML tags a body may hold: sanitizing nested raw HTML costs time in
/// the square of its tags (30,000 `<div>`s: a second, inside the write).
pub const MAX_RAW_HTML_TAGS: usize = 5_000;

/// What limits a body's rendering cost: how deep quotes and lists nest, and
/// how many raw HTML tags it holds (read without recursion, whatever the depth).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    pub nesting: usize,
    pub raw_html_tags: usize,
}

impl Shape {
    pub fn of(markdown: &str) -> Self {
        let mut shape = Shape::default();
        let mut depth = 0usize;
        for event in Parser::new_ext(markdown, options()) {
            match event {
                Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => {
                    depth += 1;
                    shape.nesting = shape.nesting.max(depth);
                }
                Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => {
                    depth = depth.saturating_sub(1)
                }
                Event::Html(html) | Event::InlineHtml(html) => {
                    shape.raw_html_tags += html.matches('<').count();
                }
                _ => {}
            }
        }
        shape
    }

    /// What is wrong with it, if anything.
    pub fn problem(&self) -> Option<String> {
        if self.nesting > MAX_NESTING {
            Some(format!(
                "nests quotes and lists more than {MAX_NESTING} deep"
            ))
        } else if self.raw_html_tags > MAX_RAW_HTML_TAGS {
            Some(format!("holds more than {MAX_RAW_HTML_TAGS} raw HTML tags"))
        } else {
            None
        }
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Whether a container event opens or closes nesting that counts towards
/// `MAX_NESTING` (list items travel with their list).
fn nesting(event: &Event) -> Option<(bool, bool)> {
    match event {
        Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => Some((true, true)),
        Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => Some((false, true)),
        Event::Start(Tag::Item) => Some((true, false)),
        Event::End(TagEnd::Item) => Some((false, false)),
        _ => None,
    }
}

/// Rewrites the event stream before HTML and blocks are made from it, so the
/// two always agree: embeds become tables, headings get unique anchors, and
/// quotes and lists past `MAX_NESTING` lose their frames (their text stays).
fn prepare<'a>(parsed: Vec<Event<'a>>, embeds: &Embeds) -> Prepared<'a> {
    let mut events = Vec::with_capacity(parsed.len());
    let mut anchors = VecDeque::new();
    let mut table_sources = VecDeque::new();
    let mut used = HashSet::new();
    // Per open container: whether it was kept; and how many kept ones count.
    let mut open: Vec<bool> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < parsed.len() {
        if let Some((opens, counts)) = nesting(&parsed[i]) {
            let keep = if opens {
                let parent_kept = open.last().copied().unwrap_or(true);
                let keep = parent_kept && (!counts || depth < MAX_NESTING);
                open.push(keep);
                if keep && counts {
                    depth += 1;
                }
                keep
            } else {
                let keep = open.pop().unwrap_or(true);
                if keep && counts {
                    depth = depth.saturating_sub(1);
                }
                keep
            };
            if keep {
                events.push(parsed[i].clone());
            }
            i += 1;
            continue;
        }
        if let Some(name) = embed_name(&parsed[i..]) {
            if let Some(table) = embeds.tables.get(name) {
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
            // A library image carries its `src` from here on (HTML and
            // blocks look it up by that); an unknown id is left to the
            // sanitizer, which drops the `media:` URL.
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let known = media_id(dest_url).and_then(|n| embeds.images.get(&n));
                events.push(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: known
                        .map_or(dest_url.clone(), |image| CowStr::from(image.src.clone())),
                    title: title.clone(),
                    id: id.clone(),
                }));
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

pub(crate) fn plain_text(blocks: &[Block]) -> String {
    let mut out = Vec::new();
    for block in blocks {
        match block {
            Block::Heading(HeadingBlock { text, .. })
            | Block::Paragraph(ParagraphBlock { text, .. })
            | Block::Quote(QuoteBlock { text, .. }) => out.push(text.clone()),
            Block::List(list) => {
                for item in &list.items {
                    out.push(item.text.clone());
                    out.push(plain_text(&item.blocks));
                }
            }
            Block::Table(table) => {
                out.push(table.columns.join(" "));
                out.extend(table.rows.iter().map(|r| r.join(" ")));
            }
            Block::Code(code) => out.push(code.code.clone()),
            Block::Image(image) => out.push(image.alt.clone()),
            Block::Embed(_) | Block::Divider(_) => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out.join("\n")
}

#[cfg(test)]
mod tests;
