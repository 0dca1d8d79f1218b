//! Answers in Alibaba's two RPC formats from one ordered tree. A field holding a list is
//! written the RPC way: in JSON an array under the field name, in XML the element repeated;
//! the wrapper objects (`VersionStages.VersionStage[]`) are plain objects of the tree, so JSON
//! and XML carry exactly the same data.

use localsecrets_api::Response;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// `Format=JSON` (the default) or `Format=XML`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Json,
    Xml,
}

impl Format {
    /// Case-insensitive, as the SDKs send `JSON` and `json`.
    pub fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("json") {
            Some(Self::Json)
        } else if s.eq_ignore_ascii_case("xml") {
            Some(Self::Xml)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json;charset=utf-8",
            Self::Xml => "text/xml;charset=utf-8",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Str(String),
    Int(i64),
    Obj(Obj),
    List(Vec<Node>),
}

impl From<Obj> for Node {
    fn from(o: Obj) -> Self {
        Node::Obj(o)
    }
}

impl From<String> for Node {
    fn from(s: String) -> Self {
        Node::Str(s)
    }
}

impl From<&str> for Node {
    fn from(s: &str) -> Self {
        Node::Str(s.to_owned())
    }
}

/// An object whose fields keep the order they were added in. Field names are static, so
/// every XML element name is one of ours.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Obj(Vec<(&'static str, Node)>);

impl Obj {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn field(mut self, key: &'static str, value: Node) -> Self {
        self.0.push((key, value));
        self
    }

    pub fn str(self, key: &'static str, value: impl Into<String>) -> Self {
        self.field(key, Node::Str(value.into()))
    }

    pub fn opt_str(self, key: &'static str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    pub fn int(self, key: &'static str, value: i64) -> Self {
        self.field(key, Node::Int(value))
    }

    pub fn obj(self, key: &'static str, value: Obj) -> Self {
        self.field(key, Node::Obj(value))
    }

    /// A plain list (BatchGetSecretValue `SecretValues[]`).
    pub fn list(self, key: &'static str, items: Vec<Node>) -> Self {
        self.field(key, Node::List(items))
    }

    /// An RPC list wrapper: `key: {item: [..]}`.
    pub fn wrapped(self, key: &'static str, item: &'static str, items: Vec<Node>) -> Self {
        self.obj(key, Obj::new().list(item, items))
    }

    /// Appends every field of `other`.
    pub fn extend(mut self, other: Obj) -> Self {
        self.0.extend(other.0);
        self
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn fields(&self) -> &[(&'static str, Node)] {
        &self.0
    }
}

pub fn json(obj: &Obj) -> String {
    let mut out = String::new();
    write_json_obj(&mut out, obj);
    out
}

fn write_json_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::Value::String(s.to_owned()).to_string());
}

fn write_json_obj(out: &mut String, obj: &Obj) {
    out.push('{');
    for (i, (k, v)) in obj.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_str(out, k);
        out.push(':');
        write_json_node(out, v);
    }
    out.push('}');
}

fn write_json_node(out: &mut String, node: &Node) {
    match node {
        Node::Str(s) => write_json_str(out, s),
        Node::Int(n) => out.push_str(&n.to_string()),
        Node::Obj(o) => write_json_obj(out, o),
        Node::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_node(out, item);
            }
            out.push(']');
        }
    }
}

/// An XML document with `root` as its root element.
pub fn xml(root: &str, obj: &Obj) -> String {
    let mut w = Writer::new(Vec::new());
    let written = w
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| write_xml_element(&mut w, root, &Node::Obj(obj.clone())));
    match written {
        Ok(()) => String::from_utf8(w.into_inner()).unwrap_or_default(),
        // Writing into a Vec cannot fail; an empty body is the safe answer if it ever did.
        Err(_) => String::new(),
    }
}

fn write_xml_element(w: &mut Writer<Vec<u8>>, name: &str, node: &Node) -> std::io::Result<()> {
    match node {
        Node::List(items) => {
            for item in items {
                write_xml_element(w, name, item)?;
            }
            Ok(())
        }
        Node::Str(s) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            w.write_event(Event::Text(BytesText::new(&xml_safe(s))))?;
            w.write_event(Event::End(BytesEnd::new(name)))
        }
        Node::Int(n) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            w.write_event(Event::Text(BytesText::new(&n.to_string())))?;
            w.write_event(Event::End(BytesEnd::new(name)))
        }
        Node::Obj(o) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            for (k, v) in &o.0 {
                write_xml_element(w, k, v)?;
            }
            w.write_event(Event::End(BytesEnd::new(name)))
        }
    }
}

/// XML 1.0 cannot carry most control characters even escaped; they become U+FFFD so the
/// document still parses.
fn xml_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    if s.chars().any(bad) {
        s.chars()
            .map(|c| if bad(c) { '\u{FFFD}' } else { c })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// A whole answer: `root` names the XML root element (`{Action}Response` or `Error`).
pub fn document(status: u16, format: Format, root: &str, obj: &Obj) -> Response {
    let body = match format {
        Format::Json => json(obj),
        Format::Xml => xml(root, obj),
    };
    Response::new(status)
        .header("content-type", format.content_type())
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Obj {
        Obj::new()
            .str("RequestId", "r-1")
            .str("SecretData", "<a & \"b\">")
            .int("PageNumber", 1)
            .wrapped(
                "VersionStages",
                "VersionStage",
                vec!["ACSCurrent".into(), "ACSPrevious".into()],
            )
            .wrapped("Tags", "Tag", vec![])
            .list(
                "Errors",
                vec![Obj::new().str("Code", "c").int("HttpStatus", 404).into()],
            )
    }

    #[test]
    fn json_keeps_order_and_wrappers() {
        assert_eq!(
            json(&sample()),
            r#"{"RequestId":"r-1","SecretData":"<a & \"b\">","PageNumber":1,"VersionStages":{"VersionStage":["ACSCurrent","ACSPrevious"]},"Tags":{"Tag":[]},"Errors":[{"Code":"c","HttpStatus":404}]}"#
        );
    }

    #[test]
    fn xml_repeats_list_elements_and_escapes_text() {
        assert_eq!(
            xml("GetSecretValueResponse", &sample()),
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                "<GetSecretValueResponse><RequestId>r-1</RequestId>",
                "<SecretData>&lt;a &amp; &quot;b&quot;&gt;</SecretData>",
                "<PageNumber>1</PageNumber>",
                "<VersionStages><VersionStage>ACSCurrent</VersionStage><VersionStage>ACSPrevious</VersionStage></VersionStages>",
                "<Tags></Tags>",
                "<Errors><Code>c</Code><HttpStatus>404</HttpStatus></Errors>",
                "</GetSecretValueResponse>"
            )
        );
    }

    #[test]
    fn control_characters_do_not_break_xml() {
        let doc = xml("R", &Obj::new().str("V", "a\u{1}b\tc"));
        assert!(doc.contains("<V>a\u{FFFD}b\tc</V>"), "{doc}");
    }

    #[test]
    fn formats_parse_case_insensitively() {
        assert_eq!(Format::parse("JSON"), Some(Format::Json));
        assert_eq!(Format::parse("json"), Some(Format::Json));
        assert_eq!(Format::parse("Xml"), Some(Format::Xml));
        assert_eq!(Format::parse("yaml"), None);
    }
}
