//! Article bodies rendered from Markdown on write, and again when the renderer changes.

use super::*;

impl Article {
    /// Renders the stored Markdown, with the tables and library images it
    /// embeds, into HTML, blocks and search text, and records which images
    /// the article shows (its cover and the body's). Called after every
    /// change to the body or to what it embeds, never on a read.
    pub fn render_body(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
        let (markdown, cover): (String, Option<i32>) = articles::table
            .find(id)
            .select((articles::body_markdown, articles::cover_id))
            .first(conn)?;
        let massage_types = MassageType::for_article(conn, id)?;
        let treatments = Treatment::for_article(conn, id)?;
        let embeds = embeds(conn, &markdown, &massage_types, &treatments)?;
        let mut shown: Vec<i32> = embeds.images.keys().copied().collect();
        shown.extend(cover);
        shown.sort_unstable();
        shown.dedup();
        diesel::delete(article_media::table.filter(article_media::article_id.eq(id)))
            .execute(conn)?;
        for media_id in shown {
            insert_row!(article_media: article_id = id, media_id).execute(conn)?;
        }
        let rendered = render_markdown(&markdown, &embeds);
        diesel::update(articles::table.find(id))
            .set((
                articles::body_html.eq(&rendered.html),
                articles::body_blocks.eq(rendered.blocks_json()),
                articles::body_text.eq(&rendered.text),
                articles::reading_time_minutes.eq(rendered.reading_time_minutes()),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Renders a body that is not saved, as it would be with these massage
    /// types and treatments (by slug) chosen: what the studio previews,
    /// made by the very renderer that makes the published body.
    pub fn render_unsaved(
        conn: &mut DbConnection,
        markdown: &str,
        (massage_types, treatments): (&[String], &[String]),
    ) -> QueryResult<crate::render::Rendered> {
        let massage_types = MassageType::by_slugs(conn, massage_types)?;
        let treatments = Treatment::by_slugs(conn, treatments)?;
        let embeds = embeds(conn, markdown, &massage_types, &treatments)?;
        Ok(render_markdown(markdown, &embeds))
    }
}

/// What a body embeds: the library images it names that exist, and the
/// tables of the article's massage types and treatments.
fn embeds(
    conn: &mut DbConnection,
    markdown: &str,
    massage_types: &[MassageType],
    treatments: &[Treatment],
) -> QueryResult<Embeds> {
    let named: Vec<i32> = crate::render::media_refs(markdown)
        .into_iter()
        .map(|(media_id, _)| media_id)
        .collect();
    let mut embeds = Embeds::new();
    embeds.images = Media::rows(conn, &named)?
        .into_iter()
        .map(|(media_id, row)| (media_id, Image::of(&row)))
        .collect();
    embeds.tables.insert(
        "massage-types".into(),
        MassageType::embed_table(massage_types),
    );
    embeds
        .tables
        .insert("treatments".into(), Treatment::embed_table(treatments));
    Ok(embeds)
}

/// The `app_meta` key of the renderer version stored bodies were made with.
const RENDER_VERSION_KEY: &str = "render_version";

impl Article {
    /// Renders every stored body again when they were made by an older
    /// renderer (a security fix to what bodies may hold must reach content
    /// written before it); the number of bodies rendered.
    pub fn render_stale(conn: &mut DbConnection) -> QueryResult<usize> {
        let stored = crate::content::meta::Meta::get(conn, RENDER_VERSION_KEY)?
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        if stored >= crate::render::VERSION {
            return Ok(0);
        }
        let ids: Vec<i32> = articles::table.select(articles::id).load(conn)?;
        // In batches, each a write of its own: other nodes keep serving
        // (and see the new bodies) while a large site is rendered.
        for batch in ids.chunks(500) {
            backend::transaction(conn, |conn| {
                batch
                    .iter()
                    .try_for_each(|id| Article::render_body(conn, *id))?;
                Change::record(conn, Item::Everything, Action::Rendered, None)
            })?;
        }
        crate::content::meta::Meta::set(
            conn,
            RENDER_VERSION_KEY,
            &crate::render::VERSION.to_string(),
        )?;
        Ok(ids.len())
    }

    /// Forgets which renderer made the stored bodies (an import brings
    /// bodies made elsewhere): `render_stale` renders them all again.
    pub fn mark_bodies_stale(conn: &mut DbConnection) -> QueryResult<()> {
        crate::content::meta::Meta::set(conn, RENDER_VERSION_KEY, "0")
    }
}
