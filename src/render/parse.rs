//! Turning pulldown-cmark's events into typed blocks.

use std::collections::{HashMap, VecDeque};

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use super::{code_language, plain_text, safe_url, Block, Image, ListItem, Mark, Span};

/// The library images of a body, by the `src` its events carry.
pub(super) type BySrc<'e> = HashMap<&'e str, &'e Image>;

pub(super) struct BlockParser<'a, 'e, I: Iterator<Item = Event<'a>>> {
    events: std::iter::Peekable<I>,
    anchors: VecDeque<String>,
    table_sources: VecDeque<Option<String>>,
    library: &'e BySrc<'e>,
}

impl<'a, 'e, I: Iterator<Item = Event<'a>>> BlockParser<'a, 'e, I> {
    pub(super) fn new(
        events: I,
        anchors: VecDeque<String>,
        table_sources: VecDeque<Option<String>>,
        library: &'e BySrc<'e>,
    ) -> Self {
        Self {
            events: events.peekable(),
            anchors,
            table_sources,
            library,
        }
    }
}

impl<'a, 'e, I: Iterator<Item = Event<'a>>> BlockParser<'a, 'e, I> {
    /// Blocks until `end` (or the end of the document when `None`).
    pub(super) fn blocks_until(&mut self, end: Option<TagEnd>) -> Vec<Block> {
        let mut blocks = Vec::new();
        while let Some(event) = self.events.next() {
            match event {
                Event::End(tag) if Some(tag) == end => break,
                Event::Start(tag) => blocks.extend(self.block(tag)),
                Event::Rule => blocks.push(Block::divider()),
                // Raw HTML and stray inline events outside a paragraph carry nothing safe to keep.
                _ => {}
            }
        }
        blocks
    }

    /// The block (or blocks: a paragraph's images follow it) a tag starts.
    fn block(&mut self, tag: Tag<'a>) -> Vec<Block> {
        match tag {
            Tag::Paragraph => self
                .inlines_until(TagEnd::Paragraph)
                .into_blocks(self.library),
            other => self.single_block(other).into_iter().collect(),
        }
    }

    fn single_block(&mut self, tag: Tag<'a>) -> Option<Block> {
        match tag {
            Tag::Paragraph => None,
            Tag::Heading { level, .. } => {
                let inline = self.inlines_until(TagEnd::Heading(level));
                Some(Block::heading(
                    heading_level(level),
                    inline.text(),
                    self.anchors.pop_front().unwrap_or_default(),
                ))
            }
            Tag::BlockQuote(_) => {
                let blocks = self.blocks_until(Some(TagEnd::BlockQuote(None)));
                Some(Block::quote(plain_text(&blocks), blocks))
            }
            Tag::List(start) => Some(self.list(start)),
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => code_language(&info),
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
                Some(Block::code(language, code))
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
        Block::list(start, items)
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
                    blocks.extend(self.block(tag));
                }
                Event::Rule => blocks.push(Block::divider()),
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
        Block::table(columns, rows, self.table_sources.pop_front().flatten())
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
    /// A paragraph (or an embed, when a video link is all it holds), then
    /// an image block for each image in it: none is lost.
    fn into_blocks(self, library: &BySrc) -> Vec<Block> {
        let text = self.text();
        let images = self.images.into_iter().filter_map(|(src, alt, title)| {
            Some(match library.get(src.as_str()) {
                Some(image) => Block::library_image((*image).clone(), &alt, title),
                None => Block::image(safe_url(&src)?, alt, title),
            })
        });
        if text.trim().is_empty() {
            return images.collect();
        }
        let embed = match self.spans.as_slice() {
            [only] => only
                .href
                .as_deref()
                .and_then(|href| embed_block(href, &only.text)),
            _ => None,
        };
        let lead = embed.unwrap_or_else(|| Block::paragraph(text, self.spans));
        std::iter::once(lead).chain(images).collect()
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
    Some(Block::embed(href, provider))
}
