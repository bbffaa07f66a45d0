//! The renderer's unit tests: sanitizing, blocks, limits, anchors.

use super::*;

fn render(md: &str) -> Rendered {
    render_markdown(md, &Embeds::new())
}

#[test]
fn headings_get_unique_anchors_in_blocks_and_html() {
    let r = render("## Why It Matters\n\n## Why it matters\n");
    assert_eq!(
        r.blocks[1],
        Block::heading(2, "Why it matters", "why-it-matters-2")
    );
    assert!(r.html.contains(r#"<h2 id="why-it-matters">"#), "{}", r.html);
}

#[test]
fn paragraphs_carry_inline_marks_and_safe_links() {
    let r =
        render("Some **bold** and [a link](https://example.com) and [bad](javascript:alert(1)).");
    let Block::Paragraph(ParagraphBlock { text, spans, .. }) = &r.blocks[0] else {
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
    let Block::List(ListBlock {
        ordered,
        start,
        items,
        ..
    }) = &r.blocks[0]
    else {
        panic!("{:?}", r.blocks)
    };
    assert!(ordered);
    assert_eq!(*start, Some(1));
    assert_eq!(items[0].text, "Reduces Tension");
    assert!(
        matches!(&items[0].blocks[0], Block::Paragraph(p) if p.text == "Massage kneads muscles.")
    );
    assert_eq!(items[1].text, "Improves Flow");
}

#[test]
fn tight_bullets_are_plain_items() {
    let r = render("- one\n- two *it*\n");
    let Block::List(ListBlock { ordered, items, .. }) = &r.blocks[0] else {
        panic!()
    };
    assert!(!ordered);
    assert_eq!(items[1].text, "two it");
    assert_eq!(items[1].spans[1].marks, vec![Mark::Emphasis]);
}

#[test]
fn embedded_tables_render_in_html_and_blocks() {
    let mut embeds = Embeds::new();
    embeds.tables.insert(
        "treatments".into(),
        EmbedTable {
            columns: vec!["Treatment".into(), "Benefits".into()],
            rows: vec![vec!["Massage <b>".into(), "Relief".into()]],
        },
    );
    let r = render_markdown("Intro\n\n{{treatments}}\n\n{{unknown}}\n", &embeds);
    assert_eq!(
        r.blocks[1],
        Block::table(
            vec!["Treatment".into(), "Benefits".into()],
            vec![vec!["Massage <b>".into(), "Relief".into()]],
            Some("treatments".into())
        )
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
        Block::table(
            vec!["A".into(), "B".into()],
            vec![vec!["1".into(), "2".into()]],
            None
        )
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
        Block::image("/img/a.png", "Alt text", Some("T".into()))
    );
    assert!(matches!(&r.blocks[1], Block::Quote(q) if q.text == "quoted words"));
    assert_eq!(
        r.blocks[2],
        Block::code(Some("rust".into()), "fn main() {}\n")
    );
    assert_eq!(
        r.blocks[3],
        Block::embed("https://www.youtube.com/watch?v=abc", "youtube")
    );
    assert_eq!(r.blocks[4], Block::divider());
}

#[test]
fn every_image_of_a_paragraph_becomes_a_block() {
    let r = render("![a](/1.png) ![b](/2.png)\n\ntext ![c](/3.png) after\n");
    let images: Vec<&str> = r
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Image(i) => Some(i.alt.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(images, ["a", "b", "c"], "{:?}", r.blocks);
    assert!(matches!(&r.blocks[2], Block::Paragraph(p) if p.text.starts_with("text")));
}

#[test]
fn urls_in_blocks_cannot_break_out_of_an_attribute() {
    let r = render(
        "[x](https://a.example/\"onmouseover=\"alert(1)) <https://www.youtube.com/watch?v=abc\"onload=\"x> ![i](/a.png'onerror='x)",
    );
    let json: serde_json::Value = serde_json::from_str(&r.blocks_json()).unwrap();
    fn urls(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("href" | "src" | "url", serde_json::Value::String(u)) => {
                            out.push(u.clone())
                        }
                        _ => urls(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| urls(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    urls(&json, &mut found);
    assert_eq!(found.len(), 3, "{found:?}");
    for url in &found {
        assert!(!url.contains(['"', '\'', '<', '>', ' ']), "{url}");
    }
    assert!(found.contains(&"https://a.example/%22onmouseover=%22alert(1)".to_string()));
}

#[test]
fn deep_nesting_is_flattened_not_recursed_into() {
    for markdown in [
        format!("{} deep", ">".repeat(5000)),
        format!("{}deep", "- ".repeat(5000)),
    ] {
        assert!(Shape::of(&markdown).problem().is_some());
        let r = render(&markdown);
        fn depth(blocks: &[Block]) -> usize {
            blocks
                .iter()
                .map(|b| match b {
                    Block::Quote(q) => 1 + depth(&q.blocks),
                    Block::List(l) => {
                        1 + l.items.iter().map(|i| depth(&i.blocks)).max().unwrap_or(0)
                    }
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
        }
        assert!(depth(&r.blocks) <= MAX_NESTING, "{}", depth(&r.blocks));
        assert!(r.html.contains("deep"));
        // What front ends parse stays within serde_json's own limit.
        serde_json::from_str::<serde_json::Value>(&r.blocks_json()).unwrap();
    }
    assert_eq!(Shape::of("> a\n>\n> > b\n").nesting, 2);
    assert_eq!(Shape::of("<b>x</b> and <i>y</i>\n").raw_html_tags, 4);
    let divs = "<div>".repeat(MAX_RAW_HTML_TAGS + 1);
    assert!(Shape::of(&divs).problem().is_some());
    assert!(!render(&divs).html.contains("<div"));
}

#[test]
fn reading_time_rounds_up_to_whole_minutes() {
    let words = "word ".repeat(401);
    assert_eq!(render(&words).reading_time_minutes(), 3);
    assert_eq!(render("").reading_time_minutes(), 1);
}

fn library_image(id: i32, alt: &str, decorative: bool) -> Image {
    let base = format!("/media/{:064x}", id);
    Image {
        id,
        src: format!("{base}/640.jpg"),
        srcset: format!("{base}/320.jpg 320w, {base}/640.jpg 640w"),
        sources: vec![
            ImageSource {
                mime: "image/webp".into(),
                srcset: format!("{base}/320.webp 320w, {base}/640.webp 640w"),
            },
            ImageSource {
                mime: "image/jpeg".into(),
                srcset: format!("{base}/320.jpg 320w, {base}/640.jpg 640w"),
            },
        ],
        width: 640,
        height: 480,
        alt: alt.into(),
        decorative,
        caption: "A caption".into(),
        credit: String::new(),
        focal_point: FocalPoint::CENTER,
        mime: "image/jpeg".into(),
        animated: false,
    }
}

#[test]
fn library_images_become_pictures_and_image_blocks() {
    let mut embeds = Embeds::new();
    embeds
        .images
        .insert(7, library_image(7, "Library alt", false));
    embeds.images.insert(8, library_image(8, "ignored", true));
    let r = render_markdown(
        "Before\n\n![Written alt](media:7)\n\n![](media:8)\n\n![gone](media:9)\n\n\
         <img src=\"/x.png\" srcset=\"https://tracker.test/p.png 1x\">",
        &embeds,
    );
    assert!(
        r.html.contains("<picture><source type=\"image/webp\""),
        "{}",
        r.html
    );
    assert!(
        r.html.contains(
            "width=\"640\" height=\"480\" alt=\"Written alt\" loading=\"lazy\" decoding=\"async\""
        ),
        "{}",
        r.html
    );
    assert!(
        r.html.contains("alt=\"\" loading"),
        "decorative: {}",
        r.html
    );
    assert!(
        !r.html.contains("media:9") && !r.html.contains("tracker.test"),
        "{}",
        r.html
    );
    let images: Vec<&ImageBlock> = r
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Image(i) => Some(i),
            _ => None,
        })
        .collect();
    assert_eq!(images.len(), 2, "{:?}", r.blocks);
    assert_eq!(images[0].alt, "Written alt");
    assert_eq!(images[0].image.as_ref().unwrap().width, 640);
    assert_eq!(images[1].alt, "");
    assert!(images[1].image.as_ref().unwrap().decorative);
}
