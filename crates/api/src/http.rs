//! Transport-neutral request and response: frontends never see hyper, so they are tested by
//! building these directly.

use bytes::Bytes;
use localsecrets_core::Timestamp;
use percent_encoding::percent_decode_str;

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The path exactly as sent, still percent-encoded, without the query.
    pub raw_path: String,
    /// The query exactly as sent, without `?`.
    pub raw_query: String,
    /// Header names in lowercase, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// The id this request is answered under (`x-amzn-RequestId`, `RequestId`, `X-Request-Id`).
    pub request_id: String,
    /// When the server received it (wall clock: signature skew is checked against it).
    pub received: Timestamp,
}

impl Request {
    /// A request with an empty body and no headers; convenient in tests.
    pub fn new(method: &str, target: &str) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Self {
            method: method.to_owned(),
            raw_path: path.to_owned(),
            raw_query: query.to_owned(),
            headers: Vec::new(),
            body: Bytes::new(),
            request_id: "00000000-0000-4000-8000-000000000000".to_owned(),
            received: Timestamp::from_millis(0),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// The first value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Query parameters decoded (`+` as space), in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        parse_form(&self.raw_query)
    }

    /// The path split on `/` with each segment percent-decoded.
    pub fn path_segments(&self) -> Vec<String> {
        self.raw_path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect()
    }

    /// The media type of the body, lowercased, without parameters.
    pub fn content_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }
}

/// Decodes `application/x-www-form-urlencoded` text: `+` is a space, pairs without `=` get
/// an empty value.
pub fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    let plus = s.replace('+', " ");
    percent_decode_str(&plus).decode_utf8_lossy().into_owned()
}

/// A body written while it is sent, for answers too large to hold (an export): run on a
/// blocking thread, it hands chunks to `emit` until done or until `emit` returns `false`
/// (the client went away). An `Err` after the first chunk can only cut the body short.
pub type Produce = dyn Fn(&mut dyn FnMut(Bytes) -> bool) -> Result<(), String> + Send + Sync;

#[derive(Clone)]
pub struct BodyStream(pub std::sync::Arc<Produce>);

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyStream")
    }
}

impl PartialEq for BodyStream {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// When set, the body is produced while it is sent and `body` is unused.
    pub stream: Option<BodyStream>,
    /// The cloud's error code when this answers an error (set by [`crate::WireError::respond`]);
    /// recorded by the request journal, never sent.
    pub error_code: Option<String>,
}

impl Response {
    pub fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            stream: None,
            error_code: None,
        }
    }

    /// A body produced while it is sent (see [`BodyStream`]).
    pub fn stream(
        mut self,
        produce: impl Fn(&mut dyn FnMut(Bytes) -> bool) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.stream = Some(BodyStream(std::sync::Arc::new(produce)));
        self
    }

    /// The streamed body run to its end into `body`, for callers in the same process (tests).
    pub fn collected(mut self) -> Result<Self, String> {
        if let Some(stream) = self.stream.take() {
            let mut body = Vec::new();
            (stream.0)(&mut |chunk| {
                body.extend_from_slice(&chunk);
                true
            })?;
            self.body = body.into();
        }
        Ok(self)
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::new(status)
            .header("content-type", "application/json")
            .body(json_bytes(value))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (tests and the journal).
    pub fn json_body(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A JSON document as bytes, written straight into its buffer (`Value`'s `Display` goes
/// through the formatter token by token). Serialising a `Value` cannot fail: its keys are
/// strings and its numbers finite.
pub fn json_bytes(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_path_decoding() {
        let r = Request::new("GET", "/v1/p/secrets/a%20b/versions?x=1+2&y=%2F&flag");
        assert_eq!(
            r.query_pairs(),
            vec![
                ("x".into(), "1 2".into()),
                ("y".into(), "/".into()),
                ("flag".into(), String::new())
            ]
        );
        assert_eq!(
            r.path_segments(),
            vec!["v1", "p", "secrets", "a b", "versions"]
        );
    }

    #[test]
    fn headers_match_case_insensitively() {
        let r = Request::new("POST", "/")
            .with_header("Content-Type", "Application/JSON; charset=utf-8");
        assert_eq!(r.header("content-type").map(|_| ()), Some(()));
        assert_eq!(r.content_type().as_deref(), Some("application/json"));
    }
}
