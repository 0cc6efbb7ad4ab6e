//! The captcha's image and its spoken version, rendered from the code kept server-side.

use crate::app::AppState;
use crate::http::errors::WebError;
use crate::security::captcha;
use actix_web::{HttpResponse, web};

async fn serve(
    state: &AppState,
    id: &str,
    render: fn(&str) -> Option<Vec<u8>>,
    content_type: &str,
) -> Result<HttpResponse, WebError> {
    let Some(code) = captcha::code_of(&state.kv, id).await? else {
        return Ok(HttpResponse::NotFound().finish());
    };
    match tokio::task::spawn_blocking(move || render(&code))
        .await
        .ok()
        .flatten()
    {
        Some(bytes) => Ok(HttpResponse::Ok()
            .content_type(content_type)
            .insert_header(("Cache-Control", "no-store"))
            .body(bytes)),
        None => Ok(HttpResponse::InternalServerError().finish()),
    }
}

pub async fn image(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    serve(&state, &id, captcha::render_png, "image/png").await
}

pub async fn audio(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    serve(&state, &id, captcha::render_wav, "audio/wav").await
}
