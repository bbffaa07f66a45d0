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
        let mut shown: Vec<i32> = crate::render::media_refs(&markdown)
            .into_iter()
            .map(|(media_id, _)| media_id)
            .collect();
        let mut embeds = Embeds::new();
        embeds.images = Media::rows(conn, &shown)?
            .into_iter()
            .map(|(media_id, row)| (media_id, Image::of(&row)))
            .collect();
        shown.extend(cover);
        shown.sort_unstable();
        shown.dedup();
        shown.retain(|media_id| Some(*media_id) == cover || embeds.images.contains_key(media_id));
        diesel::delete(article_media::table.filter(article_media::article_id.eq(id)))
            .execute(conn)?;
        for media_id in shown {
            insert_row!(article_media: article_id = id, media_id).execute(conn)?;
        }
        embeds.tables.insert(
            "massage-types".into(),
            MassageType::embed_table(&MassageType::for_article(conn, id)?),
        );
        embeds.tables.insert(
            "treatments".into(),
            Treatment::embed_table(&Treatment::for_article(conn, id)?),
        );
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
