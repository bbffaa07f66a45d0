//! `POST /api/v1/admin/render`: a body rendered as it would be published,
//! without saving it — the studio's preview, made by the server's own
//! renderer so that preview equals publish.

use actix_web::{post, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Checks;
use crate::auth::can;
use crate::content::article::Article;
use crate::render::Block;
use crate::routes::{no_store, text, Allowed, Item, Json, Reply};

/// A body to render, and the massage types and treatments (by slug, in
/// order) whose tables `{{massage-types}}` and `{{treatments}}` embed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderRequest {
    #[schema(schema_with = text::any)]
    pub markdown: String,
    #[serde(default)]
    #[schema(schema_with = text::slug_list)]
    pub massage_types: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = text::slug_list)]
    pub treatments: Vec<String>,
}

/// A body as it would be published.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenderedBody {
    /// Sanitized HTML, as `body.html` of the published article.
    pub html: String,
    /// The same document as typed blocks, as `body.blocks`.
    pub blocks: Vec<Block>,
    pub reading_time_minutes: i32,
}

/// Render Markdown as a published body would be, saving nothing.
#[utoipa::path(
    request_body = RenderRequest,
    responses(
        (status = 200, description = "The body as it would be published", body = Item<RenderedBody>),
    )
)]
#[post("/render")]
pub async fn render_body(editor: Allowed<can::ReadContent>, body: Json<RenderRequest>) -> Reply {
    let RenderRequest {
        markdown,
        massage_types,
        treatments,
    } = body.into_inner();
    let mut checks = Checks::default();
    let markdown = checks.markdown("markdown", markdown);
    let mut slugs = |field: &str, values: &[String]| -> Vec<String> {
        let list = checks.slug_list(field, values);
        list.into_iter().map(|s| s.into_inner()).collect()
    };
    let massage_types = slugs("massage_types", &massage_types);
    let treatments = slugs("treatments", &treatments);
    checks.finish()?;
    let rendered = editor
        .read(move |conn| {
            Ok(Article::render_unsaved(
                conn,
                &markdown,
                (&massage_types, &treatments),
            )?)
        })
        .await?;
    Ok(no_store(HttpResponse::Ok()).json(Item {
        data: RenderedBody {
            reading_time_minutes: rendered.reading_time_minutes(),
            html: rendered.html,
            blocks: rendered.blocks,
        },
    }))
}
