//! A whole article assembled from its rows: relations, summaries, SEO and JSON-LD.

use super::*;
use crate::content::image::resolve_images;

/// The full article from its rows: relations resolved, related articles
/// limited to the visible ones when `visible_at` is given.
pub(super) fn assemble(
    conn: &mut DbConnection,
    row: SummaryRow,
    body: BodyRow,
    visible_at: Option<NaiveDateTime>,
) -> QueryResult<(Listed, ArticleContent, Vec<Listed>)> {
    let id = row.id;
    let slug = row.slug.clone();

    let summary = summaries(conn, vec![row])?
        .pop()
        .ok_or(diesel::result::Error::NotFound)?;
    let mut related_query = articles::table
        .inner_join(article_related::table.on(article_related::related_id.eq(articles::id)))
        .filter(article_related::article_id.eq(id))
        .into_boxed();
    if let Some(now) = visible_at {
        related_query = related_query.filter(is_public(now));
    }
    let related_rows = related_query
        .order(article_related::position)
        .select(SummaryRow::as_select())
        .load(conn)?;
    let faqs = Faq::for_article(conn, id)?;
    let site = Site::find(conn).optional()?;
    let seo = Seo {
        title: body.seo_title.unwrap_or_else(|| summary.title.clone()),
        description: body
            .seo_description
            .unwrap_or_else(|| summary.excerpt.clone()),
        canonical_url: body
            .canonical_url
            .or_else(|| site.as_ref().and_then(|s| s.article_url(&slug))),
    };
    let review = MedicalReview {
        reviewed_by: match body.reviewed_by {
            Some(person) => People::refs(conn, &[person])?.remove(&person),
            None => None,
        },
        last_reviewed: body.last_reviewed,
        next_review_due: body.next_review_due,
    };
    let references = References::for_article(conn, id)?;
    let page = PageFacts {
        summary: &summary,
        seo: &seo,
        review: &review,
        references: &references,
        site: site.as_ref(),
    };
    let json_ld = article_json_ld(&page, &faqs).to_embeddable();
    let disclaimer = site
        .as_ref()
        .map(|s| s.disclaimer.clone())
        .filter(|d| !d.markdown.trim().is_empty());
    let content = ArticleContent {
        body: Body {
            markdown: body.body_markdown,
            html: body.body_html,
            blocks: RawValue::from_string(body.body_blocks)
                .map_err(|e| diesel::result::Error::DeserializationError(e.into()))?,
        },
        massage_types: MassageType::for_article(conn, id)?,
        treatments: Treatment::for_article(conn, id)?,
        faqs,
        review,
        references,
        disclaimer,
        seo,
        json_ld,
    };
    Ok((summary, content, summaries(conn, related_rows)?))
}

/// Resolves tags, people, bylines and images for a batch of rows: four
/// queries whatever the batch size (three when every article credits
/// someone), every image of the batch in one.
pub(super) fn summaries(
    conn: &mut DbConnection,
    rows: Vec<SummaryRow>,
) -> QueryResult<Vec<Listed>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut tags = Tag::for_articles(conn, &ids)?;
    let mut people = People::for_articles(conn, &ids)?;
    // Old clients' byline: the first credited person, else the account.
    let author_ids: Vec<i32> = rows
        .iter()
        .filter(|r| !people.contains_key(&r.id))
        .filter_map(|r| r.author_id)
        .collect();
    let bylines = User::bylines(conn, &author_ids)?;
    let mut listed: Vec<Listed> = rows
        .into_iter()
        .map(|r| {
            let authors = people.remove(&r.id).unwrap_or_default();
            let author = match authors.first() {
                Some(first) => Some(Author {
                    name: first.name.clone(),
                    avatar: first.avatar.clone(),
                }),
                None => r
                    .author_id
                    .and_then(|a| bylines.get(&a))
                    .map(|(name, avatar)| Author {
                        name: name.clone(),
                        avatar: avatar.clone(),
                    }),
            };
            Listed {
                tags: tags.remove(&r.id).unwrap_or_default(),
                author,
                authors,
                cover: r.cover_id.map(Image::unresolved),
                id: r.id,
                slug: r.slug,
                title: r.title,
                excerpt: r.excerpt,
                published_at: r.published_at,
                updated_at: r.updated_at,
                reading_time_minutes: r.reading_time_minutes,
                status: r.status,
                version: r.version,
            }
        })
        .collect();
    resolve_images(
        conn,
        listed.iter_mut().flat_map(|l| {
            let Listed {
                cover,
                author,
                authors,
                ..
            } = l;
            std::iter::once(cover)
                .chain(author.iter_mut().map(|a| &mut a.avatar))
                .chain(authors.iter_mut().map(|p| &mut p.avatar))
        }),
    )?;
    Ok(listed)
}

/// What an article page's JSON-LD is made from.
struct PageFacts<'a> {
    summary: &'a Listed,
    seo: &'a Seo,
    review: &'a MedicalReview,
    references: &'a [Reference],
    site: Option<&'a Site>,
}

impl PageFacts<'_> {
    /// A site path as an absolute URL, when the site's address is known.
    fn absolute(&self, path: &str) -> String {
        let base = self.site.map_or("", |s| s.base_url.trim_end_matches('/'));
        format!("{base}{path}")
    }

    fn person(&self, person: &PersonRef) -> PersonLd {
        let given = |text: &str| (!text.is_empty()).then(|| text.to_string());
        PersonLd {
            kind: json_ld::PersonType,
            name: person.name.clone(),
            job_title: given(&person.job_title),
            honorific_suffix: given(&person.credentials),
            same_as: person.same_as.clone(),
            image: person.avatar.as_ref().map(|a| self.absolute(&a.src)),
        }
    }
}

fn article_json_ld(page: &PageFacts, faqs: &[Faq]) -> JsonLd {
    let PageFacts {
        summary,
        seo,
        review,
        references,
        site,
    } = page;
    let base = seo.canonical_url.clone().unwrap_or_default();
    let (article_id, page_id) = (format!("{base}#article"), format!("{base}#webpage"));
    let author = if summary.authors.is_empty() {
        summary
            .author
            .iter()
            .map(|a| PersonLd {
                kind: json_ld::PersonType,
                name: a.name.clone(),
                ..PersonLd::default()
            })
            .collect()
    } else {
        summary.authors.iter().map(|p| page.person(p)).collect()
    };
    let article = ArticleLd {
        kind: json_ld::ArticleType,
        id: article_id.clone(),
        headline: summary.title.clone(),
        description: seo.description.clone(),
        date_published: summary.published_at.map(to_utc),
        date_modified: to_utc(summary.updated_at),
        author,
        keywords: summary.tags.iter().map(|t| t.name.clone()).collect(),
        publisher: site.map(|site| OrganizationLd {
            kind: json_ld::OrganizationType,
            name: site.name.clone(),
        }),
        main_entity_of_page: seo.canonical_url.clone(),
        image: summary
            .cover
            .as_ref()
            .map(|cover| page.absolute(&cover.src)),
        citation: references
            .iter()
            .map(|r| CreativeWorkLd {
                kind: json_ld::CreativeWorkType,
                name: r.title.clone(),
                url: r.url.clone(),
                publisher: (!r.publisher.is_empty()).then(|| OrganizationLd {
                    kind: json_ld::OrganizationType,
                    name: r.publisher.clone(),
                }),
                date_published: r.published,
                same_as: r.identifiers(),
            })
            .collect(),
    };
    let web_page = MedicalWebPageLd {
        kind: json_ld::MedicalWebPageType,
        id: page_id,
        url: seo.canonical_url.clone(),
        name: seo.title.clone(),
        main_entity: NodeRef { id: article_id },
        last_reviewed: review.last_reviewed,
        reviewed_by: review.reviewed_by.as_ref().map(|p| page.person(p)),
    };
    let mut graph = vec![JsonLdNode::Article(article), JsonLdNode::WebPage(web_page)];
    if !faqs.is_empty() {
        graph.push(JsonLdNode::FaqPage(FaqPageLd {
            kind: json_ld::FaqPageType,
            main_entity: faqs
                .iter()
                .map(|f| QuestionLd {
                    kind: json_ld::QuestionType,
                    name: f.question.clone(),
                    accepted_answer: AnswerLd {
                        kind: json_ld::AnswerType,
                        text: f.answer.html.clone(),
                    },
                })
                .collect(),
        }));
    }
    JsonLd {
        context: json_ld::SchemaOrg,
        graph,
    }
}
