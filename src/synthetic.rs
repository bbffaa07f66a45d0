//! `clinic-cms seed --synthetic N`: N realistic articles (bodies of the
//! sample's size, tags, both tables, FAQs) for measuring at scale.

use anyhow::Context;
use chrono::Duration;
use diesel::Connection;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::SampleContent;
use crate::content::article::{Article, ArticleLinks, NewArticle, StoredStatus};
use crate::content::change::{Action, Change, Item};
use crate::content::faq::{Faq, NewFaq};
use crate::content::tag::{NewTag, Tag};
use crate::content::{now, Slug};
use crate::db::DbConnection;
use crate::render::{render_markdown, Embeds};

const SAMPLE_BODY: &str = include_str!("sample/massage-benefits-for-back-pain-and-posture.md");
const TOPICS: &[&str] = &[
    "Massage for Neck Pain",
    "Stretching at Your Desk",
    "Sleep and Recovery",
    "Sports Injury Prevention",
    "Healthy Eating for Families",
    "Managing Chronic Back Pain",
    "Posture at Work",
    "Wound Healing Basics",
    "Stress and Muscle Tension",
    "Physical Therapy After Surgery",
    "Headaches and Tight Shoulders",
    "Staying Active After Sixty",
    "Hydration and Muscles",
    "Choosing a Massage Therapist",
];
const WORDS: &[&str] = &[
    "shoulder",
    "lumbar",
    "circulation",
    "hamstring",
    "recovery",
    "mobility",
    "tension",
    "alignment",
    "inflammation",
    "nutrition",
    "sleep",
    "hydration",
    "stretching",
    "ergonomic",
    "therapist",
    "athlete",
    "cervical",
    "fascia",
    "knot",
    "endorphin",
    "posture",
    "spine",
    "breathing",
    "fatigue",
    "wellness",
    "injury",
    "strength",
    "balance",
    "flexibility",
    "relaxation",
    "clinic",
    "pasadena",
    "family",
];
const TAG_POOL: usize = 40;
const BATCH: usize = 250;

/// A small deterministic generator: the same N gives the same site.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

/// Adds `count` published articles; loads the built-in sample first into an empty database.
pub fn seed(conn: &mut DbConnection, count: usize) -> anyhow::Result<()> {
    crate::sample::seed_if_empty(conn, &SampleContent::Builtin)?;
    let tags = ensure_tags(conn)?;
    let start = Article::count(conn)? as usize;
    let bar = ProgressBar::new(count as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} articles  {per_sec}  eta {eta}")
            .context("progress bar template")?,
    );
    let mut rng = Lcg(count as u64);
    let at = now();
    let mut done = 0;
    while done < count {
        let batch = BATCH.min(count - done);
        conn.transaction(|conn| -> anyhow::Result<()> {
            for i in done..done + batch {
                insert_one(conn, start + i, &tags, &mut rng, at)?;
            }
            // Nodes serving this database see each batch on their next poll.
            Change::record(conn, Item::Everything, Action::Imported, None)?;
            Ok(())
        })?;
        done += batch;
        bar.set_position(done as u64);
    }
    bar.finish();
    Ok(())
}

fn ensure_tags(conn: &mut DbConnection) -> anyhow::Result<Vec<i32>> {
    let at = now();
    let mut ids = Vec::with_capacity(TAG_POOL);
    for n in 0..TAG_POOL {
        let slug = format!("topic-{n}");
        let id = match Tag::id_by_slug(conn, &slug)? {
            Some(id) => id,
            None => Tag::insert(
                conn,
                &NewTag {
                    slug: &slug,
                    name: &format!("Topic {n}"),
                    created_at: at,
                    updated_at: at,
                },
            )?,
        };
        ids.push(id);
    }
    Ok(ids)
}

fn insert_one(
    conn: &mut DbConnection,
    n: usize,
    tags: &[i32],
    rng: &mut Lcg,
    at: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let title = format!("{} ({n})", TOPICS[n % TOPICS.len()]);
    let slug = Slug::from_title(&title)
        .context("a synthetic slug")?
        .into_inner();
    let words: Vec<&str> = (0..60).map(|_| WORDS[rng.next() % WORDS.len()]).collect();
    let intro = format!("{}.", words.join(" "));
    let body = format!("{intro}\n\n{SAMPLE_BODY}");
    let excerpt = words[..24].join(" ");
    // Newest first in the list: one minute apart, all in the past.
    let published_at = at - Duration::minutes(n as i64 + 1);
    let id = Article::insert(
        conn,
        &NewArticle {
            slug: &slug,
            title: &title,
            excerpt: &excerpt,
            body_markdown: &body,
            status: StoredStatus::Published,
            published_at: Some(published_at),
            author_id: None,
            seo_title: None,
            seo_description: None,
            canonical_url: None,
            cover_id: None,
            created_by: None,
            updated_by: None,
            created_at: published_at,
            updated_at: published_at,
        },
    )?;
    let mut pick = |pool: &[i32], k: usize| -> Vec<i32> {
        let mut chosen: Vec<i32> = Vec::with_capacity(k);
        while chosen.len() < k.min(pool.len()) {
            let candidate = pool[rng.next() % pool.len()];
            if !chosen.contains(&candidate) {
                chosen.push(candidate);
            }
        }
        chosen
    };
    let links = ArticleLinks {
        tags: Some(pick(tags, 3)),
        massage_types: Some(pick(&[1, 2, 3, 4, 5], 3)),
        treatments: Some(pick(&[1, 2, 3, 4], 2)),
        related: (n > 3).then(|| pick(&[1, 2, 3, 4], 2)),
        people: None,
    };
    Article::set_links(conn, id, &links)?;
    Article::render_body(conn, id)?;
    for position in 0..2 {
        let answer = format!("{} {}.", words[30 + position], words[40 + position]);
        Faq::insert(
            conn,
            &NewFaq {
                article_id: Some(id),
                question: &format!("Is {} right for me?", words[position]),
                answer_markdown: &answer,
                answer_html: &render_markdown(&answer, &Embeds::new()).html,
                position: position as i32,
                created_at: at,
                updated_at: at,
            },
        )?;
    }
    Ok(())
}
