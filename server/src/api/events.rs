//! `GET /api/events`: live events as server-sent events, one `data:` line of JSON
//! ([`LiveEvent`](crate::feed::LiveEvent)) per event, named by its kind.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::{Stream, StreamExt};

use crate::AppState;

/// Streams element, incident, job and persona events as they are committed. A client too slow
/// to keep up misses events (a `lagged` event says how many) rather than slowing the engine.
#[utoipa::path(get, path = "/api/events", tag = "events", responses((status = 200, description = "text/event-stream of LiveEvent")))]
pub async fn stream(State(state): State<AppState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = BroadcastStream::new(state.feed.subscribe()).map(|item| {
        Ok(match item {
            Ok(event) => Event::default()
                .event(event.kind.clone())
                .json_data(&event)
                .unwrap_or_else(|_| Event::default().event("error").data("an event could not be encoded")),
            Err(tokio_stream::wrappers::errors::BroadcastStreamRecvError::Lagged(missed)) => {
                Event::default().event("lagged").data(missed.to_string())
            }
        })
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
