//! The web console: HTML, CSS, JavaScript modules and the vendored bpmn-js viewer from
//! `server/console/`, compiled into the binary ([`rust_embed`]), served at `/` (the page) and
//! `/console/...` (its files).
//!
//! The files hold no data and no secret, so they are served without a token; the page asks for
//! the token once, keeps it in the tab's `sessionStorage` and sends it as
//! `Authorization: Bearer` on every API call and on the live event stream (read with `fetch`,
//! so the token never goes into a URL or a server log). A strict content security policy lets
//! the page run only its own scripts.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

use crate::error::ApiError;

/// The console's files, embedded at build time.
#[derive(Embed)]
#[folder = "console/"]
struct Assets;

/// Scripts and connections from this origin only; styles may be inline (the diagram viewer
/// sets them); images may be data URLs (the viewer's logo).
const POLICY: &str = "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; \
     style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

/// `GET /`: the console page.
pub async fn index() -> Response {
    file("index.html")
}

/// `GET /console/{*path}`: one of its files, or 404.
pub async fn asset(Path(path): Path<String>) -> Response {
    file(&path)
}

fn file(path: &str) -> Response {
    let Some(found) = Assets::get(path) else {
        return ApiError::not_found(format!("the console has no file `{path}`")).into_response();
    };
    let mut response = found.data.into_owned().into_response();
    let headers = response.headers_mut();
    if let Ok(mime) = HeaderValue::from_str(found.metadata.mimetype()) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_the_modules_and_the_vendored_viewer_are_embedded() {
        for path in ["index.html", "app.js", "console.css", "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"] {
            assert!(Assets::get(path).is_some(), "{path} is not embedded");
        }
        assert_eq!(Assets::get("app.js").expect("app.js").metadata.mimetype(), "text/javascript");
    }
}
