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
            w.write_event(Event::Text(BytesText::from_escaped(xml_text(s))))?;
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

/// Whether XML 1.0 can carry `c` at all (its `Char` production; Rust strings hold no
/// surrogates).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Element text, escaped so every parser reads back exactly `s`: markup characters as
/// entities and CR as a character reference (a raw CR would be read as LF). What XML 1.0
/// cannot carry even as a reference (most C0 controls, U+FFFE, U+FFFF) becomes U+FFFD, so
/// the document still parses.
fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c if xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
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
        let doc = xml("R", &Obj::new().str("V", "a\u{1}b\tc\r\nd\u{FFFE}\u{FFFF}"));
        assert!(
            doc.contains("<V>a\u{FFFD}b\tc&#13;\nd\u{FFFD}\u{FFFD}</V>"),
            "{doc}"
        );
    }

    /// Reads back the text of `<V>` the way an XML parser does, checking on the way that the
    /// document holds only characters XML 1.0 allows.
    fn parsed_text(doc: &str) -> String {
        assert!(doc.chars().all(xml_char), "a character XML forbids");
        let mut r = quick_xml::Reader::from_str(doc);
        let mut text = String::new();
        loop {
            match r.read_event().expect("well-formed") {
                Event::Text(t) => text.push_str(&t.unescape().expect("known references")),
                Event::Eof => return text,
                _ => {}
            }
        }
    }

    /// Every Unicode scalar value, in chunks: each comes back exactly, or as U+FFFD when XML
    /// 1.0 cannot carry it.
    #[test]
    fn every_character_round_trips_or_is_replaced() {
        let all: Vec<char> = (0..=0x10FFFF).filter_map(char::from_u32).collect();
        for chunk in all.chunks(4096) {
            let value: String = chunk.iter().collect();
            let doc = xml("R", &Obj::new().str("V", value.as_str()));
            let want: String = chunk
                .iter()
                .map(|&c| if xml_char(c) { c } else { '\u{FFFD}' })
                .collect();
            assert_eq!(parsed_text(&doc), want, "from U+{:04X}", chunk[0] as u32);
        }
    }

    #[test]
    fn formats_parse_case_insensitively() {
        assert_eq!(Format::parse("JSON"), Some(Format::Json));
        assert_eq!(Format::parse("json"), Some(Format::Json));
        assert_eq!(Format::parse("Xml"), Some(Format::Xml));
        assert_eq!(Format::parse("yaml"), None);
    }
}
