//! The AWS query protocol (STS, IAM, SQS…): `Action=` and its members in the query string or
//! a form body, answered in XML. STS speaks it; requests for query services not emulated here
//! get its error shape too, so their SDKs parse the error instead of choking on JSON.

use localsecrets_api::http::parse_form;
use localsecrets_api::{Request, Response, WireError};
use std::collections::BTreeMap;

pub const CONTENT_TYPE: &str = "text/xml";

/// A request's parameters: the query string, then a form body (which wins on a clash).
#[derive(Clone, Debug, Default)]
pub struct Params {
    map: BTreeMap<String, String>,
}

impl Params {
    pub fn from_request(req: &Request) -> Self {
        let mut map: BTreeMap<String, String> = req.query_pairs().into_iter().collect();
        let form = match req.content_type() {
            Some(ct) => ct == "application/x-www-form-urlencoded",
            None => !req.body.is_empty(),
        };
        if form {
            map.extend(parse_form(&String::from_utf8_lossy(&req.body)));
        }
        Self { map }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// `Action`, when the request names one.
    pub fn action(&self) -> Option<&str> {
        self.get("Action").map(str::trim).filter(|a| !a.is_empty())
    }

    pub fn version(&self) -> Option<&str> {
        self.get("Version").map(str::trim).filter(|v| !v.is_empty())
    }
}

/// Text escaped for an XML attribute.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

/// `<name>text</name>`, the text escaped (`<`, `>`, `&`: quotes stay as AWS writes them).
pub fn leaf(name: &str, text: &str) -> String {
    format!(
        "<{name}>{}</{name}>",
        quick_xml::escape::partial_escape(text)
    )
}

/// `<name>children</name>`, the children already XML.
pub fn node(name: &str, children: &[String]) -> String {
    format!("<{name}>{}</{name}>", children.concat())
}

/// A successful answer: `<{Action}Response><{Action}Result>…</…><ResponseMetadata>`.
pub fn answer(action: &str, namespace: &str, request_id: &str, result: &[String]) -> Response {
    let body = format!(
        "<{action}Response xmlns=\"{}\">{}{}</{action}Response>\n",
        escape(namespace),
        node(&format!("{action}Result"), result),
        node("ResponseMetadata", &[leaf("RequestId", request_id)]),
    );
    Response::new(200)
        .header("content-type", CONTENT_TYPE)
        .header("x-amzn-RequestId", request_id)
        .body(body)
}

/// The query protocol's error: `<ErrorResponse><Error><Type>Sender</Type><Code>…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// The service's XML namespace, as its own errors carry it.
    pub namespace: Option<&'static str>,
}

impl QueryError {
    /// An error the caller caused (`Type` `Sender`).
    pub fn sender(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            namespace: None,
        }
    }

    pub fn in_namespace(mut self, namespace: &'static str) -> Self {
        self.namespace = Some(namespace);
        self
    }
}

impl WireError for QueryError {
    fn status(&self) -> u16 {
        self.status
    }

    fn code(&self) -> &str {
        self.code
    }

    fn render(&self, request_id: &str) -> Response {
        let open = match self.namespace {
            Some(ns) => format!("<ErrorResponse xmlns=\"{}\">", escape(ns)),
            None => "<ErrorResponse>".to_owned(),
        };
        let error = node(
            "Error",
            &[
                leaf("Type", "Sender"),
                leaf("Code", self.code),
                leaf("Message", &self.message),
            ],
        );
        let body = format!(
            "{open}{error}{}</ErrorResponse>\n",
            leaf("RequestId", request_id)
        );
        Response::new(self.status)
            .header("content-type", CONTENT_TYPE)
            .header("x-amzn-RequestId", request_id)
            .body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_body_and_query_both_count() {
        let req = Request::new("POST", "/?Version=2011-06-15&Action=Old")
            .with_header(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .with_body("Action=GetCallerIdentity&RoleSessionName=a+b%2Fc");
        let p = Params::from_request(&req);
        assert_eq!(p.action(), Some("GetCallerIdentity"));
        assert_eq!(p.version(), Some("2011-06-15"));
        assert_eq!(p.get("RoleSessionName"), Some("a b/c"));
        let json = Request::new("POST", "/")
            .with_header("content-type", "application/x-amz-json-1.1")
            .with_body("Action=X");
        assert_eq!(Params::from_request(&json).action(), None);
    }

    #[test]
    fn errors_and_answers_are_escaped_xml() {
        let r = QueryError::sender(400, "ValidationError", "a <b> & 'c'")
            .in_namespace("https://sts.amazonaws.com/doc/2011-06-15/")
            .respond("rid");
        assert_eq!(r.status, 400);
        assert_eq!(r.error_code.as_deref(), Some("ValidationError"));
        assert_eq!(r.header_value("content-type"), Some("text/xml"));
        let body = std::str::from_utf8(&r.body).unwrap();
        assert_eq!(
            body,
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
             <Type>Sender</Type><Code>ValidationError</Code>\
             <Message>a &lt;b&gt; &amp; 'c'</Message></Error>\
             <RequestId>rid</RequestId></ErrorResponse>\n"
        );
        let ok = answer("Get", "urn:x", "rid", &[leaf("A", "1<2")]);
        assert_eq!(
            std::str::from_utf8(&ok.body).unwrap(),
            "<GetResponse xmlns=\"urn:x\"><GetResult><A>1&lt;2</A></GetResult>\
             <ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetResponse>\n"
        );
    }
}
