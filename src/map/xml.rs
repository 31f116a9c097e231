//! XML escaping and a minimal element writer.
//!
//! Every piece of user text (names, ids, channels, messages) goes through
//! [`escape_into`], so the output is well-formed whatever the data holds.
//! The writer escapes attribute values and text itself, which makes it hard
//! to forget escaping at a call site.
//!
//! Not quick-xml's writer: its escaping handles the five special characters only and leaves
//! the ones XML 1.0 forbids in place (tafia/quick-xml#368), so one touchpoint named with a
//! control character would make the whole map unreadable; we would need this pass anyway.
//! quick-xml reads the output back in the tests, to prove it well-formed.

use std::fmt::{self, Display, Write as _};

/// Appends `text` to `out`, escaping the five XML special characters.
///
/// `'` becomes `&#39;` rather than `&apos;` because the same output is also
/// embedded in HTML, where the numeric form is understood everywhere.
/// Characters that XML 1.0 forbids outright (most C0 controls, U+FFFE/U+FFFF)
/// are replaced by U+FFFD: no escape can make them legal, and dropping them
/// silently would hide bad data.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Escaped copy of `text`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// `fmt::Write` adapter that escapes everything written through it, so any
/// `Display` value (numbers, strings) can be written as an attribute value.
struct Escaper<'a>(&'a mut String);

impl fmt::Write for Escaper<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        escape_into(self.0, s);
        Ok(())
    }
}

/// Builds an XML document into a `String`.
#[derive(Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            out: String::with_capacity(capacity),
        }
    }

    /// Starts `<name`; finish it with [`Tag::open`], [`Tag::empty`] or [`Tag::text`].
    pub fn tag(&mut self, name: &'static str) -> Tag<'_> {
        self.out.push('<');
        self.out.push_str(name);
        Tag { w: self, name }
    }

    pub fn close(&mut self, name: &'static str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// An escaped text node.
    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.out, text);
    }

    pub fn newline(&mut self) {
        self.out.push('\n');
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// An element whose start tag is being written.
#[must_use = "finish the tag with open(), empty() or text()"]
pub struct Tag<'w> {
    w: &'w mut XmlWriter,
    name: &'static str,
}

impl Tag<'_> {
    pub fn attr(self, name: &str, value: impl Display) -> Self {
        self.w.out.push(' ');
        self.w.out.push_str(name);
        self.w.out.push_str("=\"");
        // Writing into a String cannot fail; only a broken Display impl could
        // report an error, and then the value is simply cut short.
        let _ = write!(Escaper(&mut self.w.out), "{value}");
        self.w.out.push('"');
        self
    }

    /// Adds the attribute only when `value` is `Some`.
    pub fn attr_opt(self, name: &str, value: Option<impl Display>) -> Self {
        match value {
            Some(v) => self.attr(name, v),
            None => self,
        }
    }

    /// `<name ...>`: children follow; call [`XmlWriter::close`] afterwards.
    pub fn open(self) {
        self.w.out.push('>');
    }

    /// `<name .../>`
    pub fn empty(self) {
        self.w.out.push_str("/>");
    }

    /// `<name ...>text</name>`
    pub fn text(self, text: &str) {
        self.w.out.push('>');
        escape_into(&mut self.w.out, text);
        self.w.close(self.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_specials_and_controls() {
        assert_eq!(
            escape("a&b<c>d\"e'f\u{1}g"),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f\u{FFFD}g"
        );
    }

    #[test]
    fn writer_escapes_attributes_and_text() {
        let mut w = XmlWriter::default();
        w.tag("a").attr("x", 3).attr("n", "<\"'>").text("&");
        assert_eq!(w.finish(), "<a x=\"3\" n=\"&lt;&quot;&#39;&gt;\">&amp;</a>");
    }
}
