//! HTTP/1.1 on tokio: accepts connections, reads each body up to [`MAX_BODY`], turns it into
//! a transport-neutral [`Request`], runs dispatch (frontends and the store are synchronous:
//! reads right here, anything else on the blocking pool) and writes the [`Response`] back. Stops accepting on the shutdown
//! signal and lets open requests finish.

use crate::app::App;
use crate::dispatch::{self, Route};
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, EXPECT};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use localsecrets_api::{Request, Response};
use localsecrets_core::Clock;
use serde_json::json;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tracing::{debug, error, info, warn};

/// The largest request body accepted: 1 MiB (AWS caps a secret at 64 KiB, the others lower).
pub const MAX_BODY: usize = 1024 * 1024;

/// How much of an oversized body is read and discarded so the client sees the 413 instead
/// of a reset connection; past this the connection is simply closed.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// How long open connections get to finish after the shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves until `shutdown` completes, then waits (up to [`SHUTDOWN_GRACE`]) for requests in
/// flight.
pub async fn serve(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(conn) => conn,
                    Err(e) => {
                        // Out of descriptors and the like: back off instead of spinning.
                        warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .serve_connection(
                        TokioIo::new(stream),
                        service_fn(move |req| answer(app.clone(), req)),
                    );
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        debug!(%peer, "connection ended: {e}");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => info!("all connections closed"),
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            warn!("connections still open after {SHUTDOWN_GRACE:?}; closing them");
        }
    }
}

/// A whole body, or one a blocking thread writes while it is sent.
type AnswerBody = Either<Full<Bytes>, Streamed>;

/// Chunks from a [`localsecrets_api::BodyStream`] producer; an `Err` cuts the body short.
pub struct Streamed(tokio::sync::mpsc::Receiver<Result<Bytes, String>>);

impl hyper::body::Body for Streamed {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        self.get_mut().0.poll_recv(cx).map(|chunk| {
            chunk.map(|c| {
                c.map(hyper::body::Frame::data)
                    .map_err(std::io::Error::other)
            })
        })
    }
}

/// Runs the producer on the blocking pool, a few chunks ahead of the client at most.
fn streamed(stream: localsecrets_api::BodyStream, request_id: &str) -> Streamed {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let request_id = request_id.to_owned();
    tokio::task::spawn_blocking(move || {
        let done = (stream.0)(&mut |chunk| tx.blocking_send(Ok(chunk)).is_ok());
        if let Err(e) = done {
            error!(%request_id, "a streamed answer stopped: {e}");
            let _ = tx.blocking_send(Err(e));
        }
    });
    Streamed(rx)
}

async fn answer(
    app: Arc<App>,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<AnswerBody>, Infallible> {
    let started = Instant::now();
    // From the thread's generator: a request id needs no system call of its own.
    let request_id = uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string();
    let received = Clock::wall();
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();

    let body = match read_body(&parts.headers, body).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            debug!(%method, %path, %request_id, status = 413, "body over {MAX_BODY} bytes");
            let r = neutral_error(
                413,
                "payload_too_large",
                &format!("request body exceeds the limit of {MAX_BODY} bytes (1 MiB)"),
            )
            .header("connection", "close");
            return Ok(to_hyper(r, &request_id));
        }
        Err(BodyError::Read(e)) => {
            debug!(%method, %path, %request_id, "body could not be read: {e}");
            let r = neutral_error(
                400,
                "bad_request",
                &format!("request body could not be read: {e}"),
            );
            return Ok(to_hyper(r, &request_id));
        }
    };

    let request = Request {
        method,
        raw_path: path,
        raw_query: parts.uri.query().unwrap_or("").to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
        request_id: request_id.clone(),
        received,
    };

    let done = if dispatch::only_reads(&app, &request) {
        // A read waits on nothing (its own reader connection, no commit), so the hand-off to
        // the blocking pool would cost more than the read itself.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            dispatch::route(&app, &request)
        }))
        .map(|(route, response)| (request, route, response))
        .map_err(|_| "the handler panicked".to_owned())
    } else {
        tokio::task::spawn_blocking(move || {
            let (route, response) = dispatch::route(&app, &request);
            (request, route, response)
        })
        .await
        .map_err(|e| e.to_string())
    };
    let response = match done {
        Ok((request, route, response)) => {
            let (by, operation) = match &route {
                Route::Admin => ("admin", None),
                Route::Cloud { cloud, operation } => (*cloud, operation.as_deref()),
                Route::NotFound => ("none", None),
            };
            debug!(
                method = %request.method,
                path = %request.raw_path,
                by,
                operation = operation.unwrap_or("-"),
                status = response.status,
                %request_id,
                micros = started.elapsed().as_micros() as u64,
                "request"
            );
            response
        }
        Err(e) => {
            error!(%request_id, "request handler failed: {e}");
            neutral_error(
                500,
                "internal",
                "the request handler failed; see the server log",
            )
        }
    };
    Ok(to_hyper(response, &request_id))
}

enum BodyError {
    TooLarge,
    Read(hyper::Error),
}

/// Reads the body, refusing (without buffering) anything over [`MAX_BODY`].
async fn read_body(headers: &HeaderMap, mut body: Incoming) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        // A client waiting for `100 Continue` never sends the body: answer at once.
        if !headers.contains_key(EXPECT) {
            drain(body).await;
        }
        return Err(BodyError::TooLarge);
    }
    let mut buf = BytesMut::with_capacity(declared.unwrap_or(0) as usize);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(BodyError::Read)?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > MAX_BODY {
                drain(body).await;
                return Err(BodyError::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf.freeze())
}

/// Reads and discards the rest of a body, up to [`DRAIN_LIMIT`].
async fn drain(mut body: Incoming) {
    let mut seen = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen > DRAIN_LIMIT {
                return;
            }
        }
    }
}

/// Answers the server gives itself (not a cloud's): `{"error", "message"}`.
fn neutral_error(status: u16, code: &str, message: &str) -> Response {
    Response::json(status, &json!({ "error": code, "message": message }))
}

fn to_hyper(r: Response, request_id: &str) -> hyper::Response<AnswerBody> {
    let body = match r.stream {
        Some(stream) => Either::Right(streamed(stream, request_id)),
        None => Either::Left(Full::new(r.body)),
    };
    let mut out = hyper::Response::new(body);
    *out.status_mut() = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = out.headers_mut();
    for (name, value) in &r.headers {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            // hyper computes the length from the body.
            (Ok(n), Ok(_)) if n == CONTENT_LENGTH => {}
            // Single-valued: a later value replaces an earlier one.
            (Ok(n), Ok(v)) if n == CONTENT_TYPE => {
                headers.insert(n, v);
            }
            (Ok(n), Ok(v)) => {
                headers.append(n, v);
            }
            _ => {
                warn!(%request_id, header = %name, "dropped a response header that is not valid HTTP")
            }
        }
    }
    let id = HeaderName::from_static("x-request-id");
    if !headers.contains_key(&id) {
        if let Ok(v) = HeaderValue::from_str(request_id) {
            headers.insert(id, v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_headers_are_translated_once_each() {
        let r = Response::json(400, &json!({}))
            .header("content-type", "application/x-amz-json-1.1")
            .header("content-length", "999")
            .header("x-amzn-RequestId", "abc")
            .header("bad header", "x")
            .header("set-cookie", "a=1")
            .header("set-cookie", "b=2");
        let out = to_hyper(r, "id-1");
        assert_eq!(out.status(), StatusCode::BAD_REQUEST);
        let h = out.headers();
        assert_eq!(
            h.get_all(CONTENT_TYPE).iter().collect::<Vec<_>>(),
            ["application/x-amz-json-1.1"]
        );
        assert!(h.get(CONTENT_LENGTH).is_none());
        assert_eq!(h.get("x-amzn-requestid").unwrap(), "abc");
        assert_eq!(h.get_all("set-cookie").iter().count(), 2);
        assert_eq!(h.get("x-request-id").unwrap(), "id-1");
        assert_eq!(h.len(), 5);
    }

    #[test]
    fn a_frontend_request_id_header_is_kept() {
        let r = Response::new(200).header("X-Request-Id", "cloud-id");
        let out = to_hyper(r, "server-id");
        let ids: Vec<_> = out.headers().get_all("x-request-id").iter().collect();
        assert_eq!(ids, ["cloud-id"]);
    }

    #[test]
    fn an_impossible_status_becomes_500() {
        let out = to_hyper(Response::new(42), "id");
        assert_eq!(out.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
