//! The sample content is the page, cell for cell: checked against the page's own text.

use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_as_shipped, SAMPLE_SLUG};

const PAGE: &str = include_str!("../fixtures/massage-benefits-for-back-pain-and-posture.txt");

fn page_lines() -> Vec<&'static str> {
    PAGE.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// The lines after `marker`, up to the next blank-line-separated block end.
fn table_rows(marker: &str) -> Vec<&'static str> {
    let lines: Vec<&str> = PAGE.lines().collect();
    let start = lines.iter().position(|l| l.trim() == marker).expect(marker);
    lines[start + 1..]
        .iter()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim())
        .collect()
}

/// Every text a reader sees in the blocks: headings, paragraphs, list items
/// (with their number when ordered) and what they hold.
fn block_texts(blocks: &Value, out: &mut Vec<String>) {
    for block in blocks.as_array().expect("blocks") {
        match block["type"].as_str().unwrap() {
            "heading" | "paragraph" => out.push(block["text"].as_str().unwrap().to_string()),
            "list" => {
                let start = block["start"].as_u64();
                for (i, item) in block["items"].as_array().unwrap().iter().enumerate() {
                    let text = item["text"].as_str().unwrap();
                    match start {
                        Some(n) => out.push(format!("{}. {text}", n + i as u64)),
                        None => out.push(text.to_string()),
                    }
                    if let Some(nested) = item.get("blocks") {
                        block_texts(nested, out);
                    }
                }
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn the_site_is_the_clinic_in_pasadena() {
    let app = spawn_app().await;
    let site = app.get_ok("/api/v1/site").await;
    assert_eq!(site["data"]["location"], page_lines()[0]);
    assert_eq!(site["data"]["location"], "Pasadena 100369, United States");
    assert!(site["data"]["name"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(site["data"]["description"].as_str().is_some());
}

#[tokio::test]
async fn every_section_numbered_item_and_bullet_of_the_page_is_in_the_body() {
    let app = spawn_app().await;
    let article = app.get_article(SAMPLE_SLUG).await;
    let lines = page_lines();
    assert_eq!(article["title"], lines[1]);

    let mut texts = Vec::new();
    block_texts(&article["body"]["blocks"], &mut texts);
    let tables: Vec<&str> = table_rows("Massage TypeBest ForBenefits")
        .into_iter()
        .chain(table_rows("TreatmentBenefitsLimitations"))
        .chain([
            "Massage TypeBest ForBenefits",
            "TreatmentBenefitsLimitations",
        ])
        .collect();
    let faq_heading = lines
        .iter()
        .position(|l| l.starts_with("FAQs About"))
        .unwrap();
    let mut checked = 0;
    for line in &lines[2..faq_heading] {
        if tables.contains(line) {
            continue;
        }
        let expected = line.trim_start_matches('•').trim();
        assert!(
            texts.iter().any(|t| t == expected),
            "the body lacks the page's line {expected:?}"
        );
        checked += 1;
    }
    assert!(checked > 40, "only {checked} lines checked");
    assert!(article["body"]["markdown"]
        .as_str()
        .unwrap()
        .contains("## Conclusion"));
    assert!(article["body"]["html"]
        .as_str()
        .unwrap()
        .contains("<h2 id=\"conclusion\">Conclusion</h2>"));
}

#[tokio::test]
async fn the_massage_types_table_is_the_page_cell_for_cell() {
    let app = spawn_app().await;
    let rows = table_rows("Massage TypeBest ForBenefits");
    assert_eq!(rows.len(), 5);
    let list = app.get_ok("/api/v1/massage-types").await;
    let article = app.get_article(SAMPLE_SLUG).await;
    for source in [&list["data"], &article["massage_types"]] {
        let joined: Vec<String> = source
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                format!(
                    "{}{}{}",
                    m["name"].as_str().unwrap(),
                    m["best_for"].as_str().unwrap(),
                    m["benefits"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(joined, rows);
    }
    let table = embedded_table(&article, "massage-types");
    assert_eq!(
        table["columns"],
        serde_json::json!(["Massage Type", "Best For", "Benefits"])
    );
    let cells: Vec<String> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(cells, rows);
    assert!(article["body"]["html"]
        .as_str()
        .unwrap()
        .contains("<td>Deep Tissue Massage</td>"));
}

#[tokio::test]
async fn the_treatment_comparison_is_the_page_cell_for_cell() {
    let app = spawn_app().await;
    let rows = table_rows("TreatmentBenefitsLimitations");
    assert_eq!(rows.len(), 4);
    let list = app.get_ok("/api/v1/treatments").await;
    let article = app.get_article(SAMPLE_SLUG).await;
    for source in [&list["data"], &article["treatments"]] {
        let joined: Vec<String> = source
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                format!(
                    "{}{}{}",
                    t["name"].as_str().unwrap(),
                    t["benefits"].as_str().unwrap(),
                    t["limitations"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(joined, rows);
    }
    let table = embedded_table(&article, "treatments");
    assert_eq!(
        table["columns"],
        serde_json::json!(["Treatment", "Benefits", "Limitations"])
    );
    assert_eq!(table["rows"].as_array().unwrap().len(), 4);
}

fn embedded_table<'a>(article: &'a Value, source: &str) -> &'a Value {
    article["body"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "table" && b["source"] == source)
        .unwrap_or_else(|| panic!("no {source} table block"))
}

#[tokio::test]
async fn the_five_faqs_are_the_page_question_and_answer() {
    let app = spawn_app().await;
    let lines = page_lines();
    let start = lines
        .iter()
        .position(|l| l.starts_with("FAQs About"))
        .unwrap()
        + 1;
    let end = lines
        .iter()
        .position(|l| *l == "More from the blog")
        .unwrap();
    let page_faqs: Vec<(String, String)> = lines[start..end]
        .chunks(2)
        .enumerate()
        .map(|(i, pair)| {
            let question = pair[0]
                .strip_prefix(&format!("{}. ", i + 1))
                .expect("numbered question");
            (question.to_string(), pair[1].to_string())
        })
        .collect();
    assert_eq!(page_faqs.len(), 5);

    let article = app.get_article(SAMPLE_SLUG).await;
    let listed = app
        .get_ok(&format!("/api/v1/faqs?article={SAMPLE_SLUG}"))
        .await;
    for faqs in [&article["faqs"], &listed["data"]] {
        let got: Vec<(String, String)> = faqs
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["question"].as_str().unwrap().into(),
                    f["answer"]["markdown"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(got, page_faqs);
    }
    let first_html = article["faqs"][0]["answer"]["html"].as_str().unwrap();
    assert_eq!(first_html.trim(), format!("<p>{}</p>", page_faqs[0].1));
}

#[tokio::test]
async fn more_from_the_blog_are_four_published_related_articles() {
    let app = spawn_app().await;
    let lines = page_lines();
    let start = lines
        .iter()
        .position(|l| *l == "More from the blog")
        .unwrap()
        + 1;
    let posts: Vec<(&str, &str)> = lines[start..].chunks(2).map(|p| (p[0], p[1])).collect();
    assert_eq!(posts.len(), 4);

    let article = app.get_article(SAMPLE_SLUG).await;
    let related = article["related"].as_array().unwrap();
    assert_eq!(related.len(), 4);
    for ((title, excerpt), summary) in posts.iter().zip(related) {
        assert_eq!(summary["title"], *title);
        assert_eq!(summary["excerpt"], *excerpt);
        let slug = summary["slug"].as_str().unwrap();
        let full = app.get_article(slug).await;
        assert_eq!(
            full["body"]["markdown"], *excerpt,
            "the excerpt is the body"
        );
    }
    let all = app.get_ok("/api/v1/articles").await;
    assert_eq!(all["meta"]["total"], 5);
}

#[tokio::test]
async fn the_article_carries_seo_and_json_ld_with_its_faqs() {
    let app = spawn_app_as_shipped().await;
    let article = app.get_article(SAMPLE_SLUG).await;
    assert_eq!(
        article["seo"]["title"],
        "Massage Benefits for Back Pain and Posture"
    );
    assert!(article["seo"]["description"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
    let graph = article["json_ld"]["@graph"].as_array().unwrap();
    assert_eq!(article["json_ld"]["@context"], "https://schema.org");
    assert_eq!(graph[0]["@type"], "Article");
    assert_eq!(graph[0]["@id"], "#article");
    assert_eq!(graph[0]["headline"], article["title"]);
    assert_eq!(graph[0]["datePublished"], article["published_at"]);
    assert_eq!(graph[0]["dateModified"], article["updated_at"]);
    assert_eq!(graph[0]["author"][0]["name"], article["author"]["name"]);
    assert_eq!(graph[2]["@type"], "FAQPage");
    assert_eq!(graph[2]["mainEntity"].as_array().unwrap().len(), 5);
    assert_eq!(
        graph[2]["mainEntity"][1]["name"],
        "Can massage fix posture permanently?"
    );
    assert!(article["reading_time_minutes"].as_i64().unwrap() >= 4);
}

/// The sample page shows who wrote it, who medically reviewed it and when,
/// its sources and the clinic's disclaimer, in the payload and in JSON-LD.
#[tokio::test]
async fn the_sample_article_shows_its_authors_review_and_sources() {
    let app = spawn_app_as_shipped().await;
    let article = app.get_article(SAMPLE_SLUG).await;
    assert_eq!(article["authors"][0]["slug"], "maya-chen");
    assert_eq!(article["authors"][0]["credentials"], "LMT");
    assert_eq!(
        article["authors"][0]["job_title"],
        "Licensed Massage Therapist"
    );
    // Old clients' byline is the first credited person.
    assert_eq!(article["author"]["name"], "Maya Chen");
    let review = &article["review"];
    assert_eq!(review["reviewed_by"]["name"], "Dr. Ana Ruiz");
    assert_eq!(review["reviewed_by"]["credentials"], "DC");
    assert_eq!(review["last_reviewed"], "2026-03-02");
    assert_eq!(
        review["next_review_due"], "2027-03-02",
        "twelve months later"
    );
    let references = article["references"].as_array().unwrap();
    assert_eq!(references.len(), 3);
    assert_eq!(references[0]["doi"], "10.7326/M16-2367");
    assert_eq!(references[0]["published"], "2017-04-04");
    assert!(article["disclaimer"]["html"]
        .as_str()
        .unwrap()
        .starts_with("<p>This article is for general information only"));

    let graph = &article["json_ld"]["@graph"];
    let page = &graph[1];
    assert_eq!(page["@type"], "MedicalWebPage");
    assert_eq!(page["mainEntity"]["@id"], graph[0]["@id"]);
    assert_eq!(page["lastReviewed"], "2026-03-02");
    assert_eq!(page["reviewedBy"]["@type"], "Person");
    assert_eq!(page["reviewedBy"]["honorificSuffix"], "DC");
    assert_eq!(page["reviewedBy"]["jobTitle"], "Doctor of Chiropractic");
    let author = &graph[0]["author"][0];
    assert_eq!(author["@type"], "Person");
    assert_eq!(author["name"], "Maya Chen");
    assert_eq!(author["honorificSuffix"], "LMT");
    assert_eq!(
        author["sameAs"][0],
        "https://www.example.org/sample-licence-registry/maya-chen"
    );
    let citation = &graph[0]["citation"];
    assert_eq!(citation.as_array().unwrap().len(), 3);
    assert_eq!(citation[0]["@type"], "CreativeWork");
    assert_eq!(citation[0]["sameAs"][0], "https://doi.org/10.7326/M16-2367");
    assert_eq!(
        citation[0]["sameAs"][1],
        "https://pubmed.ncbi.nlm.nih.gov/28192789/"
    );
    assert_eq!(
        citation[0]["publisher"]["name"],
        "Annals of Internal Medicine"
    );

    // The people, publicly: both credited by a published article.
    let people = app.get_ok("/api/v1/authors").await;
    let names: Vec<&str> = people["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Dr. Ana Ruiz", "Maya Chen"]);
    let maya = app.get_ok("/api/v1/authors/maya-chen").await["data"].clone();
    assert!(maya["bio"]["html"]
        .as_str()
        .unwrap()
        .contains("SAMPLE DATA: an invented person"));
    assert_eq!(maya["articles"][0]["slug"], SAMPLE_SLUG);
    assert_eq!(maya["articles_meta"]["total"], 1);
    let ana = app.get_ok("/api/v1/authors/ana-ruiz?per_page=1").await["data"].clone();
    assert_eq!(ana["articles"][0]["slug"], SAMPLE_SLUG, "reviewed counts");
    assert_eq!(app.get("/api/v1/authors/nobody").await.status(), 404);
}

#[tokio::test]
async fn sample_content_loads_once_and_can_be_switched_off() {
    let app = spawn_app().await;
    let db_url = app.database_url.clone();
    app.stop().await;
    // A second start on the same file must not load the sample again.
    let again = crate::helpers::spawn_app_with(&[("DATABASE_URL", &db_url)]).await;
    assert_eq!(again.get_ok("/api/v1/articles").await["meta"]["total"], 5);
    assert_eq!(
        again.get_ok("/api/v1/massage-types").await["meta"]["total"],
        5
    );

    let empty = crate::helpers::spawn_app_with(&[("SAMPLE_CONTENT", "false")]).await;
    let list = empty.get_ok("/api/v1/articles").await;
    assert_eq!(list["data"], serde_json::json!([]));
    assert_eq!(list["meta"]["total"], 0);
    assert_eq!(list["meta"]["total_pages"], 0);
}
