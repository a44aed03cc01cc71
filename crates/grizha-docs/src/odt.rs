//! Reading OpenDocument Text (`.odt`) into the [`Document`] model.
//!
//! The package is opened under [`ReadLimits`] (entry count, unpacked size, compression ratio — each
//! entry is read through `Read::take`, its header is never trusted); `styles.xml` and the automatic
//! styles of `content.xml` give list and outline numbering and page breaks; the body of `content.xml`
//! is then walked once with quick-xml's streaming reader. A document type declaration is refused and
//! no entity is ever expanded (only the five predefined ones and character references are known).
//!
//! What becomes what:
//! - `text:h` → a heading (`text:outline-level`, else the style's default outline level, else 1; the
//!   outline number, when the outline style numbers headings, starts the text); `text:p` → a paragraph.
//! - `text:list` / `text:list-item` → paragraphs whose list label is computed, since ODT does not store
//!   it: from the list style (`text:list-level-style-number` with `style:num-format` 1, a, A, i, I and
//!   the Bulgarian а/А, prefix, suffix, `text:display-levels`, `text:start-value`, LibreOffice's
//!   `loext:num-list-format`; `text:list-level-style-bullet` → its character), continuing across
//!   `text:continue-list` and `text:continue-numbering`. An unknown style numbers `1.`, `2.`, …
//!   Only the first paragraph of an item is labelled.
//! - `text:s` → spaces, `text:tab` → a tab, `text:line-break` → a line break (a new paragraph inside
//!   a table cell; folded to a space in a body paragraph).
//! - `text:tracked-changes` (the change log, where deleted text lives), `office:annotation`
//!   (comments), `text:note-citation`, index sources, forms, images and embedded objects are left out;
//!   soft page breaks are rendering hints and are ignored.
//! - Frames and text boxes (`draw:text-box`, shapes with text), footnotes and endnotes
//!   (`text:note-body`) are read after the paragraph they are anchored in, in document order.
//! - `table:table` → a table; rows may sit in header-rows, rows or row-groups; covered cells are the
//!   slots a span covers and are not cells; nested tables go to [`Cell::with_tables`]. Repeated rows
//!   and cells are copied, but empty ones are held back until something non-empty follows, so the
//!   spreadsheet habit of repeating empty rows or cells a million times to the end of the sheet
//!   costs nothing: empty repeated rows and cells at the end are dropped (noted). Everything copied
//!   counts against [`ReadLimits::max_items`].
//! - A paragraph or table whose style (looked up through the style's parents) breaks the page
//!   before or after (`fo:break-before="page"`), or starts a new page style, gives a page break
//!   (in the body only, not inside cells or text boxes).

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::{NsReader, XmlVersion};

use crate::model::{Cell, DocumentBuilder, Row, SourceFormat, Table};
use crate::{Document, ReadError, ReadLimits};

const FORMAT: &str = "ODT";
/// Entries smaller than this are not judged by their compression ratio: a small, very regular XML
/// file compresses well and is no bomb.
const RATIO_FLOOR: u64 = 1024 * 1024;
/// The widest span accepted (the HTML limit, used for both formats).
pub(crate) const MAX_COL_SPAN: u32 = 1000;
/// The tallest span accepted (the HTML limit, used for both formats).
pub(crate) const MAX_ROW_SPAN: u32 = 65534;
/// `text:s` with a huge count gives at most this many spaces (they fold to one anyway).
const MAX_SPACES: u64 = 4;
/// How many parent styles are followed (style chains may be cyclic in a broken file).
const MAX_STYLE_CHAIN: usize = 32;

/// Reads an ODT package.
pub fn read(bytes: &[u8], limits: &ReadLimits) -> Result<Document, ReadError> {
    limits.check_input(bytes)?;
    let mut package = Package::open(bytes, limits)?;
    if let Some(manifest) = package.entry("META-INF/manifest.xml")?
        && contains(&manifest, b"encryption-data")
    {
        return Err(ReadError::Unsupported(
            "a password-protected ODT document; save it again without a password".into(),
        ));
    }
    let content =
        package.entry("content.xml")?.ok_or_else(|| ReadError::damaged(FORMAT, "the package has no content.xml"))?;
    let styles_xml = package.entry("styles.xml")?;

    let mut walker = Walker::new(limits);
    if let Some(xml) = styles_xml {
        let mut only = StylesOnly { collector: StyleCollector::default(), styles: &mut walker.styles };
        match parse(&xml, "styles.xml", limits, &mut only) {
            Ok(()) => {}
            Err(ReadError::Damaged { problem, .. }) => walker.builder.note(format!(
                "styles.xml could not be read ({problem}); list numbers and page breaks defined there may be missing"
            )),
            Err(other) => return Err(other),
        }
    }
    parse(&content, "content.xml", limits, &mut walker)?;
    Ok(walker.finish())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// The package.

struct Package<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// What may still be unpacked, all entries together.
    remaining: u64,
    max_unpacked: u64,
    max_ratio: u64,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8], limits: &ReadLimits) -> Result<Package<'a>, ReadError> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| ReadError::damaged(FORMAT, format!("not a readable ZIP package ({e})")))?;
        if archive.len() > limits.max_entries {
            return Err(ReadError::Hostile(format!(
                "the ZIP package has {} entries; the most accepted is {}",
                archive.len(),
                limits.max_entries
            )));
        }
        Ok(Package {
            archive,
            remaining: limits.max_unpacked_bytes,
            max_unpacked: limits.max_unpacked_bytes,
            max_ratio: limits.max_compression_ratio,
        })
    }

    /// The entry's bytes, or `None` when there is no such entry.
    fn entry(&mut self, name: &str) -> Result<Option<Vec<u8>>, ReadError> {
        let Some(index) = self.archive.index_for_name(name) else {
            return Ok(None);
        };
        let file = self.archive.by_index(index).map_err(|e| ReadError::damaged(FORMAT, format!("{name}: {e}")))?;
        let by_ratio = file.compressed_size().saturating_mul(self.max_ratio).max(RATIO_FLOOR);
        let limit = by_ratio.min(self.remaining);
        let too_much = |limit: u64| {
            if limit == by_ratio {
                ReadError::Hostile(format!(
                    "{name} unpacks to more than {} times its packed size (a ZIP bomb)",
                    self.max_ratio
                ))
            } else {
                ReadError::Hostile(format!(
                    "the package unpacks to more than {} bytes ({name} is past the limit)",
                    self.max_unpacked
                ))
            }
        };
        // The declared size is only a hint for an early refusal; the read below is what counts.
        if file.size() > limit {
            return Err(too_much(limit));
        }
        let capacity = usize::try_from(file.size().min(limit)).unwrap_or(0);
        let mut data = Vec::with_capacity(capacity);
        file.take(limit.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| ReadError::damaged(FORMAT, format!("{name}: {e}")))?;
        let read = data.len() as u64;
        if read > limit {
            return Err(too_much(limit));
        }
        self.remaining -= read;
        Ok(Some(data))
    }
}

// ---------------------------------------------------------------------------------------------
// The XML layer: a streaming reader feeding a handler, with namespaces resolved to the ODF ones.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Office,
    Style,
    Text,
    Table,
    Draw,
    Fo,
    Svg,
    Xml,
    Loext,
    Other,
}

fn ns_from_uri(uri: &str) -> Option<Ns> {
    Some(match uri {
        "urn:oasis:names:tc:opendocument:xmlns:office:1.0" => Ns::Office,
        "urn:oasis:names:tc:opendocument:xmlns:style:1.0" => Ns::Style,
        "urn:oasis:names:tc:opendocument:xmlns:text:1.0" => Ns::Text,
        "urn:oasis:names:tc:opendocument:xmlns:table:1.0" => Ns::Table,
        "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" => Ns::Draw,
        "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" => Ns::Fo,
        "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" => Ns::Svg,
        "http://www.w3.org/XML/1998/namespace" => Ns::Xml,
        "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0" => Ns::Loext,
        _ => return None,
    })
}

/// The conventional prefixes, for names whose namespace is undeclared or unknown.
fn ns_from_prefix(prefix: &str) -> Ns {
    match prefix {
        "office" => Ns::Office,
        "style" => Ns::Style,
        "text" => Ns::Text,
        "table" => Ns::Table,
        "draw" => Ns::Draw,
        "fo" => Ns::Fo,
        "svg" => Ns::Svg,
        "xml" => Ns::Xml,
        "loext" => Ns::Loext,
        _ => Ns::Other,
    }
}

fn resolve(result: ResolveResult<'_>, name: QName<'_>) -> Ns {
    let by_prefix = || name.prefix().map_or(Ns::Other, |p| ns_from_prefix(p.into_inner()));
    match result {
        ResolveResult::Bound(ns) => ns_from_uri(ns.0).unwrap_or_else(by_prefix),
        ResolveResult::Unbound => Ns::Other,
        ResolveResult::Unknown(_) => by_prefix(),
    }
}

#[derive(Debug, Clone, Copy)]
struct Name<'a> {
    ns: Ns,
    local: &'a str,
}

struct Attrs<'a>(Vec<(Ns, &'a str, std::borrow::Cow<'a, str>)>);

impl Attrs<'_> {
    fn get(&self, ns: Ns, local: &str) -> Option<&str> {
        self.0.iter().find(|(n, l, _)| *n == ns && *l == local).map(|(_, _, v)| v.as_ref())
    }
}

trait Handler {
    fn start(&mut self, name: Name<'_>, attrs: &Attrs<'_>) -> Result<(), ReadError>;
    fn end(&mut self) -> Result<(), ReadError>;
    fn text(&mut self, text: &str) -> Result<(), ReadError>;
}

/// Where a byte offset is, as "line L, column C" (column in bytes).
fn position(text: &str, offset: u64) -> String {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(text.len());
    let before = text.as_bytes().get(..offset).unwrap_or_default();
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = offset - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
    format!("line {line}, column {column}")
}

fn xml_damaged(part: &str, text: &str, offset: u64, problem: impl std::fmt::Display) -> ReadError {
    ReadError::damaged(FORMAT, format!("{part} is not well-formed XML at {}: {problem}", position(text, offset)))
}

fn parse(xml: &[u8], part: &'static str, limits: &ReadLimits, handler: &mut impl Handler) -> Result<(), ReadError> {
    let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let text = std::str::from_utf8(xml)
        .map_err(|e| ReadError::damaged(FORMAT, format!("{part} is not UTF-8 text (at byte {})", e.valid_up_to())))?;
    let mut reader = NsReader::from_str(text);
    let mut depth = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => return Err(xml_damaged(part, text, reader.error_position(), e)),
        };
        match event {
            Event::Start(e) => {
                depth = open(&reader, &e, depth, part, text, limits, handler)?;
            }
            Event::Empty(e) => {
                open(&reader, &e, depth, part, text, limits, handler)?;
                handler.end()?;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                handler.end()?;
            }
            Event::Text(t) => handler.text(&t.xml10_content())?,
            Event::CData(t) => handler.text(&t.xml10_content())?,
            Event::GeneralRef(r) => {
                let resolved = r
                    .resolve_char_ref()
                    .map_err(|e| xml_damaged(part, text, reader.buffer_position(), e))?
                    .map(String::from);
                let replacement = match resolved {
                    Some(c) => c,
                    None => match predefined_entity(&r) {
                        Some(s) => s.to_owned(),
                        None => {
                            return Err(xml_damaged(
                                part,
                                text,
                                reader.buffer_position(),
                                format!("the entity &{}; is not defined", &*r),
                            ));
                        }
                    },
                };
                handler.text(&replacement)?;
            }
            Event::DocType(_) => {
                return Err(ReadError::Hostile(format!(
                    "{part} has a document type declaration (DTD); entity declarations are never expanded"
                )));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if depth != 0 {
        return Err(ReadError::damaged(FORMAT, format!("{part} ends before its elements are closed")));
    }
    Ok(())
}

fn predefined_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

fn open(
    reader: &NsReader<&[u8]>,
    element: &BytesStart<'_>,
    depth: usize,
    part: &str,
    text: &str,
    limits: &ReadLimits,
    handler: &mut impl Handler,
) -> Result<usize, ReadError> {
    let depth = depth + 1;
    if depth > limits.max_depth {
        return Err(ReadError::Hostile(format!("{part} nests elements deeper than {} levels", limits.max_depth)));
    }
    let resolver = reader.resolver();
    let qname = element.name();
    let (result, local) = resolver.resolve_element(qname);
    let name = Name { ns: resolve(result, qname), local: local.into_inner() };
    let mut attrs = Attrs(Vec::new());
    for attr in element.attributes() {
        let attr = attr.map_err(|e| xml_damaged(part, text, reader.buffer_position(), e))?;
        let (result, local) = resolver.resolve_attribute(attr.key);
        let ns = resolve(result, attr.key);
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| xml_damaged(part, text, reader.buffer_position(), e))?;
        attrs.0.push((ns, local.into_inner(), value));
    }
    handler.start(name, &attrs)?;
    Ok(depth)
}

// ---------------------------------------------------------------------------------------------
// Styles: paragraph and table styles (page breaks, list styles, outline levels), list styles and
// the outline style.

#[derive(Debug, Default)]
struct Styles {
    paragraph: HashMap<String, StyleDef>,
    table: HashMap<String, StyleDef>,
    lists: HashMap<String, ListStyle>,
    outline: Option<ListStyle>,
}

#[derive(Debug, Default, Clone)]
struct StyleDef {
    parent: Option<String>,
    break_before: Option<bool>,
    break_after: Option<bool>,
    /// The style starts a new page style (`style:master-page-name`), which starts a new page.
    master_page: bool,
    list_style: Option<String>,
    outline_level: Option<u32>,
}

/// A style's properties with its parents' filled in.
#[derive(Debug, Default)]
struct Resolved {
    break_before: bool,
    break_after: bool,
    list_style: Option<String>,
    outline_level: Option<u32>,
}

impl Styles {
    fn resolve(map: &HashMap<String, StyleDef>, name: Option<&str>) -> Resolved {
        let (mut before, mut after, mut list, mut outline) = (None, None, None, None);
        let mut master_page = false;
        let mut current = name;
        for hop in 0..MAX_STYLE_CHAIN {
            let Some(style) = current.and_then(|n| map.get(n)) else { break };
            if hop == 0 {
                master_page = style.master_page;
            }
            before = before.or(style.break_before);
            after = after.or(style.break_after);
            list = list.or_else(|| style.list_style.clone());
            outline = outline.or(style.outline_level);
            current = style.parent.as_deref();
        }
        Resolved {
            break_before: before.unwrap_or(false) || master_page,
            break_after: after.unwrap_or(false),
            list_style: list,
            outline_level: outline,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct ListStyle {
    levels: BTreeMap<u32, LevelStyle>,
}

#[derive(Debug, Clone)]
enum LevelStyle {
    Number(NumberStyle),
    Bullet(String),
    Image,
}

#[derive(Debug, Clone)]
struct NumberStyle {
    format: NumFormat,
    letter_sync: bool,
    prefix: String,
    suffix: String,
    display_levels: u32,
    start: i64,
    /// LibreOffice's whole label pattern, e.g. `%1%.%2%.`.
    list_format: Option<String>,
}

impl LevelStyle {
    /// `1.`, `2.`, … — used when a list's style is unknown.
    fn default_number() -> LevelStyle {
        LevelStyle::Number(NumberStyle {
            format: NumFormat::Decimal,
            letter_sync: false,
            prefix: String::new(),
            suffix: ".".into(),
            display_levels: 1,
            start: 1,
            list_format: None,
        })
    }
}

/// How a list number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumFormat {
    /// No number at all.
    None,
    Decimal,
    LowerLatin,
    UpperLatin,
    LowerRoman,
    UpperRoman,
    /// The Bulgarian alphabet without й and ь, as LibreOffice numbers `а, б, в, …`.
    LowerCyrillic,
    UpperCyrillic,
}

impl NumFormat {
    /// `style:num-format`, and whether it asks for `аа, бб` rather than `аа, аб` after the last letter.
    fn from_odf(value: &str) -> (NumFormat, bool) {
        match value.trim() {
            "" => (NumFormat::None, false),
            "1" => (NumFormat::Decimal, false),
            "a" => (NumFormat::LowerLatin, false),
            "A" => (NumFormat::UpperLatin, false),
            "i" => (NumFormat::LowerRoman, false),
            "I" => (NumFormat::UpperRoman, false),
            v if v.starts_with('а') => (NumFormat::LowerCyrillic, v.contains("бб")),
            v if v.starts_with('А') => (NumFormat::UpperCyrillic, v.contains("ББ") || v.contains("Бб")),
            _ => (NumFormat::Decimal, false),
        }
    }
}

const LATIN: [char; 26] = [
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w',
    'x', 'y', 'z',
];
const CYRILLIC_BG: [char; 28] = [
    'а', 'б', 'в', 'г', 'д', 'е', 'ж', 'з', 'и', 'к', 'л', 'м', 'н', 'о', 'п', 'р', 'с', 'т', 'у', 'ф', 'х', 'ц', 'ч',
    'ш', 'щ', 'ъ', 'ю', 'я',
];

/// Writes a list number: `3` as `3`, `c`, `C`, `iii`, `III`, `в`, `В`. Numbers a format cannot write
/// (zero, negatives, romans past 3999) are written in digits.
pub(crate) fn format_ordinal(n: i64, format: NumFormat, letter_sync: bool) -> String {
    match format {
        NumFormat::None => String::new(),
        NumFormat::Decimal => n.to_string(),
        NumFormat::LowerLatin => alphabetic(n, &LATIN, letter_sync),
        NumFormat::UpperLatin => alphabetic(n, &LATIN, letter_sync).to_uppercase(),
        NumFormat::LowerRoman => roman(n).map_or_else(|| n.to_string(), |r| r.to_lowercase()),
        NumFormat::UpperRoman => roman(n).unwrap_or_else(|| n.to_string()),
        NumFormat::LowerCyrillic => alphabetic(n, &CYRILLIC_BG, letter_sync),
        NumFormat::UpperCyrillic => alphabetic(n, &CYRILLIC_BG, letter_sync).to_uppercase(),
    }
}

fn alphabetic(n: i64, letters: &[char], letter_sync: bool) -> String {
    let base = letters.len() as u64;
    let Ok(value) = u64::try_from(n) else { return n.to_string() };
    if value == 0 || base == 0 {
        return n.to_string();
    }
    if letter_sync {
        // a … z, aa … zz, aaa …: one letter repeated.
        let repeat = (value - 1) / base + 1;
        let Some(&letter) = letters.get(usize::try_from((value - 1) % base).unwrap_or(0)) else {
            return n.to_string();
        };
        if repeat > 10 {
            return n.to_string();
        }
        return std::iter::repeat_n(letter, repeat as usize).collect();
    }
    // a … z, aa, ab, …: bijective base-N.
    let mut out = Vec::new();
    let mut rest = value;
    while rest > 0 {
        rest -= 1;
        let Some(&letter) = letters.get(usize::try_from(rest % base).unwrap_or(0)) else {
            return n.to_string();
        };
        out.push(letter);
        rest /= base;
    }
    out.iter().rev().collect()
}

fn roman(n: i64) -> Option<String> {
    if !(1..=3999).contains(&n) {
        return None;
    }
    const TABLE: [(i64, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut rest = n;
    let mut out = String::new();
    for (value, digits) in TABLE {
        while rest >= value {
            out.push_str(digits);
            rest -= value;
        }
    }
    Some(out)
}

/// A bullet character from a symbol font (Symbol, Wingdings: the private use area) is shown as `•`.
fn bullet(value: Option<&str>) -> String {
    match value.and_then(|v| v.trim().chars().next()) {
        Some(c) if !('\u{e000}'..='\u{f8ff}').contains(&c) => c.to_string(),
        _ => "•".into(),
    }
}

fn parse_level(value: Option<&str>) -> u32 {
    value.and_then(|v| v.trim().parse::<u32>().ok()).unwrap_or(1).clamp(1, 10)
}

fn is_page_break(value: &str) -> bool {
    matches!(value.trim(), "page" | "even-page" | "odd-page")
}

/// Collects styles from `styles.xml` or from `content.xml`'s automatic styles.
#[derive(Debug, Default)]
struct StyleCollector {
    tags: Vec<StyleTag>,
    style: Option<(Family, String, StyleDef)>,
    list: Option<(Option<String>, ListStyle)>,
}

#[derive(Debug, Clone, Copy)]
enum StyleTag {
    Style,
    List,
    Other,
}

#[derive(Debug, Clone, Copy)]
enum Family {
    Paragraph,
    Table,
    Other,
}

impl StyleCollector {
    fn start(&mut self, name: Name<'_>, attrs: &Attrs<'_>) {
        let tag = match (name.ns, name.local) {
            (Ns::Style, "style") => {
                let family = match attrs.get(Ns::Style, "family") {
                    Some("paragraph") => Family::Paragraph,
                    Some("table") => Family::Table,
                    _ => Family::Other,
                };
                self.style = attrs.get(Ns::Style, "name").map(|style_name| {
                    let def = StyleDef {
                        parent: attrs.get(Ns::Style, "parent-style-name").map(str::to_owned),
                        master_page: attrs.get(Ns::Style, "master-page-name").is_some_and(|m| !m.trim().is_empty()),
                        list_style: attrs
                            .get(Ns::Style, "list-style-name")
                            .filter(|l| !l.trim().is_empty())
                            .map(str::to_owned),
                        outline_level: attrs
                            .get(Ns::Style, "default-outline-level")
                            .and_then(|v| v.trim().parse::<u32>().ok())
                            .filter(|&l| l > 0),
                        ..StyleDef::default()
                    };
                    (family, style_name.to_owned(), def)
                });
                StyleTag::Style
            }
            (Ns::Style, "paragraph-properties" | "table-properties") => {
                if let Some((_, _, def)) = &mut self.style {
                    if let Some(v) = attrs.get(Ns::Fo, "break-before") {
                        def.break_before = Some(is_page_break(v));
                    }
                    if let Some(v) = attrs.get(Ns::Fo, "break-after") {
                        def.break_after = Some(is_page_break(v));
                    }
                }
                StyleTag::Other
            }
            (Ns::Text, "list-style") => {
                self.list = attrs.get(Ns::Style, "name").map(|n| (Some(n.to_owned()), ListStyle::default()));
                StyleTag::List
            }
            (Ns::Text, "outline-style") => {
                self.list = Some((None, ListStyle::default()));
                StyleTag::List
            }
            (Ns::Text, "list-level-style-number" | "outline-level-style") => {
                if let Some((_, list)) = &mut self.list {
                    let level = parse_level(attrs.get(Ns::Text, "level"));
                    let (format, sync_in_format) =
                        NumFormat::from_odf(attrs.get(Ns::Style, "num-format").unwrap_or(""));
                    let list_format = attrs
                        .get(Ns::Loext, "num-list-format")
                        .or_else(|| attrs.get(Ns::Style, "num-list-format"))
                        .or_else(|| attrs.get(Ns::Text, "num-list-format"))
                        .map(str::to_owned);
                    list.levels.insert(
                        level,
                        LevelStyle::Number(NumberStyle {
                            format,
                            letter_sync: sync_in_format || attrs.get(Ns::Style, "num-letter-sync") == Some("true"),
                            prefix: attrs.get(Ns::Style, "num-prefix").unwrap_or("").to_owned(),
                            suffix: attrs.get(Ns::Style, "num-suffix").unwrap_or("").to_owned(),
                            display_levels: parse_level(attrs.get(Ns::Text, "display-levels")),
                            start: attrs
                                .get(Ns::Text, "start-value")
                                .and_then(|v| v.trim().parse::<i64>().ok())
                                .unwrap_or(1),
                            list_format,
                        }),
                    );
                }
                StyleTag::Other
            }
            (Ns::Text, "list-level-style-bullet") => {
                if let Some((_, list)) = &mut self.list {
                    let level = parse_level(attrs.get(Ns::Text, "level"));
                    list.levels.insert(level, LevelStyle::Bullet(bullet(attrs.get(Ns::Text, "bullet-char"))));
                }
                StyleTag::Other
            }
            (Ns::Text, "list-level-style-image") => {
                if let Some((_, list)) = &mut self.list {
                    list.levels.insert(parse_level(attrs.get(Ns::Text, "level")), LevelStyle::Image);
                }
                StyleTag::Other
            }
            _ => StyleTag::Other,
        };
        self.tags.push(tag);
    }

    fn end(&mut self, styles: &mut Styles) {
        match self.tags.pop() {
            Some(StyleTag::Style) => match self.style.take() {
                Some((Family::Paragraph, name, def)) => {
                    styles.paragraph.insert(name, def);
                }
                Some((Family::Table, name, def)) => {
                    styles.table.insert(name, def);
                }
                _ => {}
            },
            Some(StyleTag::List) => match self.list.take() {
                Some((Some(name), list)) => {
                    styles.lists.insert(name, list);
                }
                Some((None, list)) => styles.outline = Some(list),
                None => {}
            },
            Some(StyleTag::Other) | None => {}
        }
    }
}

/// The handler for `styles.xml`: only styles are of interest there.
struct StylesOnly<'s> {
    collector: StyleCollector,
    styles: &'s mut Styles,
}

impl Handler for StylesOnly<'_> {
    fn start(&mut self, name: Name<'_>, attrs: &Attrs<'_>) -> Result<(), ReadError> {
        self.collector.start(name, attrs);
        Ok(())
    }
    fn end(&mut self) -> Result<(), ReadError> {
        self.collector.end(self.styles);
        Ok(())
    }
    fn text(&mut self, _text: &str) -> Result<(), ReadError> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// List numbering.

fn level_style(style: Option<&ListStyle>, level: u32) -> LevelStyle {
    style
        .and_then(|s| s.levels.range(..=level).next_back().or_else(|| s.levels.iter().next()))
        .map_or_else(LevelStyle::default_number, |(_, l)| l.clone())
}

/// Counts one more item at `level` (1-based) of a list whose counters are `counters`, restarting
/// the levels below it, and writes its label.
fn number_item(
    counters: &mut Vec<Option<i64>>,
    level: u32,
    start_override: Option<i64>,
    style: Option<&ListStyle>,
) -> Option<String> {
    let level = level.max(1);
    let index = usize::try_from(level - 1).unwrap_or(0);
    let own = level_style(style, level);
    let start = match &own {
        LevelStyle::Number(n) => n.start,
        _ => 1,
    };
    if counters.len() <= index {
        counters.resize(index + 1, None);
    }
    let value =
        start_override.unwrap_or_else(|| counters.get(index).copied().flatten().map_or(start, |c| c.saturating_add(1)));
    if let Some(slot) = counters.get_mut(index) {
        *slot = Some(value);
    }
    counters.truncate(index + 1);
    label(counters, level, &own, style)
}

/// The number shown for level `k` (1-based) in a label.
fn ordinal_at(counters: &[Option<i64>], k: u32, style: Option<&ListStyle>) -> String {
    let (format, sync, start) = match level_style(style, k) {
        LevelStyle::Number(n) => (n.format, n.letter_sync, n.start),
        _ => (NumFormat::Decimal, false, 1),
    };
    let value = counters.get(usize::try_from(k.saturating_sub(1)).unwrap_or(0)).copied().flatten().unwrap_or(start);
    format_ordinal(value, format, sync)
}

fn label(counters: &[Option<i64>], level: u32, own: &LevelStyle, style: Option<&ListStyle>) -> Option<String> {
    let text = match own {
        LevelStyle::Bullet(c) => c.clone(),
        LevelStyle::Image => "•".into(),
        LevelStyle::Number(n) => match &n.list_format {
            Some(pattern) => expand_list_format(pattern, counters, level, style),
            None => {
                let body = if n.format == NumFormat::None {
                    String::new()
                } else {
                    let shown = n.display_levels.clamp(1, level);
                    (level - shown + 1..=level)
                        .map(|k| ordinal_at(counters, k, style))
                        .filter(|part| !part.is_empty())
                        .collect::<Vec<_>>()
                        .join(".")
                };
                format!("{}{}{}", n.prefix, body, n.suffix)
            }
        },
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// `%1%.%2%.` with the numbers of levels 1 and 2.
fn expand_list_format(pattern: &str, counters: &[Option<i64>], level: u32, style: Option<&ListStyle>) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(pos) = rest.find('%') {
        out.push_str(rest.get(..pos).unwrap_or(""));
        let after = rest.get(pos + 1..).unwrap_or("");
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let closed = digits > 0 && after.get(digits..).is_some_and(|s| s.starts_with('%'));
        if closed {
            if let Some(k) = after.get(..digits).and_then(|d| d.parse::<u32>().ok())
                && (1..=level).contains(&k)
            {
                out.push_str(&ordinal_at(counters, k, style));
            }
            rest = after.get(digits + 1..).unwrap_or("");
        } else {
            out.push('%');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// The body walk.

/// A finished block on its way to where it belongs: the document, a table cell, a text box, or
/// the list of things read after the paragraph a frame or note is anchored in.
#[derive(Debug)]
enum Item {
    Heading { level: u8, text: String },
    Paragraph { text: String, label: Option<String> },
    Table(Table),
    PageBreak,
}

#[derive(Debug)]
struct Para {
    heading: Option<u8>,
    text: String,
    label: Option<String>,
    /// The number as the producer wrote it (`text:number`), preferred over the computed one.
    number: Option<String>,
    after: Vec<Item>,
    break_before: bool,
    break_after: bool,
}

#[derive(Debug)]
struct ListFrame {
    chain: usize,
    style: Option<String>,
}

#[derive(Debug)]
struct ItemFrame {
    /// Whether its first paragraph has been seen (only that one is labelled).
    numbered: bool,
    /// `text:list-header`: an item without a number.
    header: bool,
    start: Option<i64>,
    number: Option<String>,
}

#[derive(Debug, Default)]
struct TableBuild {
    rows: Vec<Row>,
    /// Empty rows held back, with their repeat counts.
    pending: Vec<(Row, u64)>,
    break_before: bool,
    break_after: bool,
}

#[derive(Debug)]
struct RowBuild {
    cells: Vec<Cell>,
    /// Empty cells held back, with their repeat counts.
    pending: Vec<(Cell, u64)>,
    repeat: u64,
}

#[derive(Debug)]
struct CellBuild {
    paragraphs: Vec<String>,
    tables: Vec<Table>,
    row_span: u32,
    col_span: u32,
    repeat: u64,
}

#[derive(Debug)]
enum Frame {
    /// An element with nothing to do at its end (spans, links, sections, …).
    Plain,
    Para(Para),
    Number(String),
    List(ListFrame),
    Item(ItemFrame),
    Table(TableBuild),
    Row(RowBuild),
    Cell(CellBuild),
    /// A text box, a shape with text, or a note body: its blocks go after the anchoring paragraph.
    Box(Vec<Item>),
}

/// Counts `n` more produced things against `max`.
fn bump(items: &mut usize, n: u64, max: usize) -> Result<(), ReadError> {
    let total = (*items as u64).saturating_add(n);
    if total > max as u64 {
        return Err(ReadError::Hostile(format!("the document makes more than {max} blocks and table cells")));
    }
    *items = usize::try_from(total).unwrap_or(usize::MAX);
    Ok(())
}

fn is_empty_cell(cell: &Cell) -> bool {
    cell.text.is_empty() && cell.tables.is_empty()
}

fn parse_count(value: Option<&str>) -> u64 {
    value.and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(1).max(1)
}

fn parse_span(value: Option<&str>, max: u32) -> u32 {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(1, |v| u32::try_from(v.clamp(1, u64::from(max))).unwrap_or(max))
}

impl CellBuild {
    fn accept(&mut self, item: Item, items: &mut usize, max: usize) -> Result<(), ReadError> {
        let text = match item {
            Item::Paragraph { text, label: Some(label) } => format!("{label} {text}"),
            Item::Paragraph { text, label: None } | Item::Heading { text, .. } => text,
            Item::Table(table) => {
                if !table.rows.is_empty() {
                    bump(items, 1, max)?;
                    self.tables.push(table);
                }
                return Ok(());
            }
            Item::PageBreak => return Ok(()),
        };
        for line in text.split('\n') {
            bump(items, 1, max)?;
            self.paragraphs.push(line.to_owned());
        }
        Ok(())
    }
}

impl RowBuild {
    fn add(&mut self, cell: Cell, repeat: u64, items: &mut usize, max: usize) -> Result<(), ReadError> {
        if is_empty_cell(&cell) {
            self.pending.push((cell, repeat));
            return Ok(());
        }
        self.flush(items, max)?;
        push_cells(&mut self.cells, cell, repeat, items, max)
    }

    fn flush(&mut self, items: &mut usize, max: usize) -> Result<(), ReadError> {
        for (cell, repeat) in std::mem::take(&mut self.pending) {
            push_cells(&mut self.cells, cell, repeat, items, max)?;
        }
        Ok(())
    }

    /// The row, without the empty repeated cells at its end; and whether any were dropped.
    fn finish(mut self, items: &mut usize, max: usize) -> Result<(Row, u64, bool), ReadError> {
        let mut dropped = false;
        while self.pending.last().is_some_and(|(_, n)| *n > 1) {
            self.pending.pop();
            dropped = true;
        }
        self.flush(items, max)?;
        Ok((Row { cells: self.cells }, self.repeat, dropped))
    }
}

fn push_cells(cells: &mut Vec<Cell>, cell: Cell, repeat: u64, items: &mut usize, max: usize) -> Result<(), ReadError> {
    bump(items, repeat, max)?;
    for _ in 1..repeat {
        cells.push(cell.clone());
    }
    cells.push(cell);
    Ok(())
}

impl TableBuild {
    fn add(&mut self, row: Row, repeat: u64, items: &mut usize, max: usize) -> Result<(), ReadError> {
        if row.cells.iter().all(is_empty_cell) {
            self.pending.push((row, repeat));
            return Ok(());
        }
        self.flush(items, max)?;
        push_rows(&mut self.rows, row, repeat, items, max)
    }

    fn flush(&mut self, items: &mut usize, max: usize) -> Result<(), ReadError> {
        for (row, repeat) in std::mem::take(&mut self.pending) {
            push_rows(&mut self.rows, row, repeat, items, max)?;
        }
        Ok(())
    }

    /// The table, without the empty repeated rows at its end, its row spans cut at its last row.
    fn finish(&mut self, items: &mut usize, max: usize) -> Result<(Table, bool), ReadError> {
        let mut dropped = false;
        while self.pending.last().is_some_and(|(_, n)| *n > 1) {
            self.pending.pop();
            dropped = true;
        }
        self.flush(items, max)?;
        let mut rows = std::mem::take(&mut self.rows);
        clamp_row_spans(&mut rows);
        Ok((Table::new(rows), dropped))
    }
}

/// A row's cells were counted as they were made; its further copies are counted here.
fn push_rows(rows: &mut Vec<Row>, row: Row, repeat: u64, items: &mut usize, max: usize) -> Result<(), ReadError> {
    bump(items, (repeat - 1).saturating_mul(row.cells.len().max(1) as u64), max)?;
    for _ in 1..repeat {
        rows.push(row.clone());
    }
    rows.push(row);
    Ok(())
}

/// A row span reaches no further than the table's last row.
pub(crate) fn clamp_row_spans(rows: &mut [Row]) {
    let count = rows.len();
    for (r, row) in rows.iter_mut().enumerate() {
        let left = u32::try_from(count - r).unwrap_or(u32::MAX);
        for cell in &mut row.cells {
            cell.row_span = cell.row_span.clamp(1, left.max(1));
        }
    }
}

/// Which list paragraph a new paragraph is, if it is in a list at all.
enum ListPlace {
    NotInList,
    /// In a list, not the first paragraph of its item (or in a header item): no label.
    Unlabelled,
    Labelled(Option<String>),
}

#[derive(Debug, Default)]
struct Seen {
    tracked_changes: bool,
    comments: bool,
    boxes: bool,
    notes: bool,
    dropped_repeats: bool,
}

struct Walker {
    builder: DocumentBuilder,
    styles: Styles,
    collector: StyleCollector,
    /// Depth inside a styles region of content.xml (automatic styles), 0 outside.
    collect: usize,
    /// Depth inside a subtree that is left out, 0 outside.
    skip: usize,
    stack: Vec<Frame>,
    items: usize,
    max_items: usize,
    /// The counters of each numbered list (a list and its continuations share one).
    chains: Vec<Vec<Option<i64>>>,
    list_ids: HashMap<String, usize>,
    last_list: Option<(usize, Option<String>)>,
    outline: Vec<Option<i64>>,
    seen: Seen,
}

impl Walker {
    fn new(limits: &ReadLimits) -> Walker {
        Walker {
            builder: DocumentBuilder::new(SourceFormat::Odt),
            styles: Styles::default(),
            collector: StyleCollector::default(),
            collect: 0,
            skip: 0,
            stack: Vec::new(),
            items: 0,
            max_items: limits.max_items,
            chains: Vec::new(),
            list_ids: HashMap::new(),
            last_list: None,
            outline: Vec::new(),
            seen: Seen::default(),
        }
    }

    fn finish(mut self) -> Document {
        let seen = &self.seen;
        if seen.tracked_changes {
            self.builder.note("tracked changes: the text is read with the changes accepted; deleted text is left out");
        }
        if seen.comments {
            self.builder.note("comments are left out");
        }
        if seen.boxes {
            self.builder.note("text in frames and text boxes is read after the paragraph it is anchored in");
        }
        if seen.notes {
            self.builder.note("footnotes and endnotes are read after the paragraph that cites them");
        }
        if seen.dropped_repeats {
            self.builder.note("empty repeated rows or cells at the end of a table are left out");
        }
        self.builder.finish()
    }

    /// Whether a block finished now would go straight into the document (not into a cell, a text
    /// box or a paragraph's anchored content).
    fn at_body(&self) -> bool {
        !self.stack.iter().any(|f| matches!(f, Frame::Para(_) | Frame::Cell(_) | Frame::Box(_)))
    }

    fn emit(&mut self, item: Item) -> Result<(), ReadError> {
        for frame in self.stack.iter_mut().rev() {
            match frame {
                Frame::Para(p) => {
                    p.after.push(item);
                    return Ok(());
                }
                Frame::Box(items) => {
                    items.push(item);
                    return Ok(());
                }
                Frame::Cell(cell) => return cell.accept(item, &mut self.items, self.max_items),
                _ => {}
            }
        }
        bump(&mut self.items, 1, self.max_items)?;
        match item {
            Item::Heading { level, text } => self.builder.heading(level, &text),
            Item::Paragraph { text, label } => self.builder.paragraph(&text, label.as_deref()),
            Item::Table(table) => self.builder.table(table),
            Item::PageBreak => self.builder.page_break(),
        }
        Ok(())
    }

    /// Appends text to the paragraph (or `text:number`) being read; text anywhere else is layout.
    fn append(&mut self, text: &str) {
        for frame in self.stack.iter_mut().rev() {
            match frame {
                Frame::Plain => {}
                Frame::Number(buf) | Frame::Para(Para { text: buf, .. }) => {
                    buf.push_str(text);
                    return;
                }
                _ => return,
            }
        }
    }

    fn list_place(&mut self, paragraph_list_style: Option<&str>) -> ListPlace {
        let mut item = None;
        let mut level = 0u32;
        let mut chain = None;
        let mut style: Option<&str> = None;
        for (i, frame) in self.stack.iter().enumerate().rev() {
            match frame {
                Frame::Plain | Frame::Number(_) => {}
                Frame::Item(_) => {
                    if level == 0 && item.is_none() {
                        item = Some(i);
                    }
                }
                Frame::List(list) => {
                    if item.is_none() {
                        return ListPlace::NotInList;
                    }
                    level += 1;
                    chain = Some(list.chain);
                    if list.style.is_some() {
                        style = list.style.as_deref();
                    }
                }
                _ => break,
            }
        }
        let (Some(item), Some(chain)) = (item, chain) else {
            return ListPlace::NotInList;
        };
        let style_name = style.or(paragraph_list_style).map(str::to_owned);
        let Some(Frame::Item(it)) = self.stack.get_mut(item) else {
            return ListPlace::NotInList;
        };
        if it.numbered {
            return ListPlace::Unlabelled;
        }
        it.numbered = true;
        if it.header {
            return ListPlace::Unlabelled;
        }
        let start = it.start;
        let written = it.number.take().filter(|n| !n.trim().is_empty());
        let list_style = style_name.as_deref().and_then(|n| self.styles.lists.get(n));
        let Some(counters) = self.chains.get_mut(chain) else {
            return ListPlace::NotInList;
        };
        let computed = number_item(counters, level, start, list_style);
        ListPlace::Labelled(written.or(computed))
    }

    fn outline_label(&mut self, level: u8, attrs: &Attrs<'_>) -> Option<String> {
        if attrs.get(Ns::Text, "is-list-header") == Some("true") {
            return None;
        }
        let style = self.styles.outline.as_ref()?;
        let index = usize::from(level.max(1) - 1);
        let mut start = None;
        if attrs.get(Ns::Text, "restart-numbering") == Some("true") {
            if let Some(slot) = self.outline.get_mut(index) {
                *slot = None;
            }
            start = attrs.get(Ns::Text, "start-value").and_then(|v| v.trim().parse::<i64>().ok());
        }
        number_item(&mut self.outline, u32::from(level), start, Some(style))
    }

    fn start_paragraph(&mut self, heading: bool, attrs: &Attrs<'_>) {
        let style = Styles::resolve(&self.styles.paragraph, attrs.get(Ns::Text, "style-name"));
        let level = heading.then(|| {
            let level = attrs
                .get(Ns::Text, "outline-level")
                .and_then(|v| v.trim().parse::<u32>().ok())
                .or(style.outline_level)
                .unwrap_or(1)
                .clamp(1, 10);
            u8::try_from(level).unwrap_or(10)
        });
        let label = match self.list_place(style.list_style.as_deref()) {
            ListPlace::Labelled(label) => label,
            ListPlace::Unlabelled => None,
            ListPlace::NotInList => match level {
                Some(level) => self.outline_label(level, attrs),
                None => None,
            },
        };
        self.stack.push(Frame::Para(Para {
            heading: level,
            text: String::new(),
            label,
            number: None,
            after: Vec::new(),
            break_before: style.break_before,
            break_after: style.break_after,
        }));
    }

    fn end_paragraph(&mut self, p: Para) -> Result<(), ReadError> {
        let label = p.number.filter(|n| !n.trim().is_empty()).or(p.label);
        let item = match p.heading {
            Some(level) => Item::Heading {
                level,
                text: match label {
                    Some(label) => format!("{label} {}", p.text),
                    None => p.text,
                },
            },
            None => Item::Paragraph { text: p.text, label },
        };
        let body = self.at_body();
        if body && p.break_before {
            self.emit(Item::PageBreak)?;
        }
        self.emit(item)?;
        for anchored in p.after {
            self.emit(anchored)?;
        }
        if body && p.break_after {
            self.emit(Item::PageBreak)?;
        }
        Ok(())
    }

    fn start_list(&mut self, attrs: &Attrs<'_>) {
        let style = attrs.get(Ns::Text, "style-name").filter(|s| !s.trim().is_empty()).map(str::to_owned);
        let mut outer = None;
        for frame in self.stack.iter().rev() {
            match frame {
                Frame::List(list) => {
                    outer = Some(list.chain);
                    break;
                }
                Frame::Plain | Frame::Item(_) | Frame::Number(_) => {}
                _ => break,
            }
        }
        let chain = match outer {
            Some(chain) => chain,
            None => {
                let continued = attrs.get(Ns::Text, "continue-list").and_then(|id| self.list_ids.get(id).copied());
                let previous = match (&self.last_list, attrs.get(Ns::Text, "continue-numbering")) {
                    (Some((chain, last_style)), Some("true"))
                        if last_style.is_none() || style.is_none() || *last_style == style =>
                    {
                        Some(*chain)
                    }
                    _ => None,
                };
                let chain = continued.or(previous).unwrap_or_else(|| {
                    self.chains.push(Vec::new());
                    self.chains.len() - 1
                });
                self.last_list = Some((chain, style.clone()));
                chain
            }
        };
        if let Some(id) = attrs.get(Ns::Xml, "id") {
            self.list_ids.insert(id.to_owned(), chain);
        }
        self.stack.push(Frame::List(ListFrame { chain, style }));
    }

    fn end_cell(&mut self, cell: CellBuild) -> Result<(), ReadError> {
        let repeat = cell.repeat;
        let built = Cell::new(cell.paragraphs, cell.row_span, cell.col_span).with_tables(cell.tables);
        for frame in self.stack.iter_mut().rev() {
            match frame {
                Frame::Plain => {}
                Frame::Row(row) => return row.add(built, repeat, &mut self.items, self.max_items),
                _ => break,
            }
        }
        Ok(())
    }

    fn end_row(&mut self, row: RowBuild) -> Result<(), ReadError> {
        let (row, repeat, dropped) = row.finish(&mut self.items, self.max_items)?;
        self.seen.dropped_repeats |= dropped;
        for frame in self.stack.iter_mut().rev() {
            match frame {
                Frame::Plain => {}
                Frame::Table(table) => return table.add(row, repeat, &mut self.items, self.max_items),
                _ => break,
            }
        }
        Ok(())
    }

    fn end_table(&mut self, mut table: TableBuild) -> Result<(), ReadError> {
        let (built, dropped) = table.finish(&mut self.items, self.max_items)?;
        self.seen.dropped_repeats |= dropped;
        let body = self.at_body();
        if body && table.break_before {
            self.emit(Item::PageBreak)?;
        }
        self.emit(Item::Table(built))?;
        if body && table.break_after {
            self.emit(Item::PageBreak)?;
        }
        Ok(())
    }
}

impl Handler for Walker {
    fn start(&mut self, name: Name<'_>, attrs: &Attrs<'_>) -> Result<(), ReadError> {
        if self.skip > 0 {
            self.skip += 1;
            return Ok(());
        }
        if self.collect > 0 {
            self.collect += 1;
            self.collector.start(name, attrs);
            return Ok(());
        }
        let frame = match (name.ns, name.local) {
            (Ns::Office, "automatic-styles" | "styles") => {
                self.collect = 1;
                self.collector.start(name, attrs);
                return Ok(());
            }
            (Ns::Text, "tracked-changes") => {
                self.seen.tracked_changes = true;
                self.skip = 1;
                return Ok(());
            }
            (Ns::Office, "annotation") => {
                self.seen.comments = true;
                self.skip = 1;
                return Ok(());
            }
            (
                Ns::Office,
                "annotation-end" | "forms" | "scripts" | "font-face-decls" | "master-styles" | "settings" | "meta"
                | "binary-data" | "event-listeners",
            )
            | (
                Ns::Text,
                "sequence-decls"
                | "variable-decls"
                | "user-field-decls"
                | "dde-connection-decls"
                | "note-citation"
                | "deletion"
                | "ruby-text",
            )
            | (Ns::Table, "covered-table-cell" | "shapes" | "table-source" | "tracked-changes")
            | (
                Ns::Draw,
                "image" | "object" | "object-ole" | "plugin" | "applet" | "floating-frame" | "enhanced-geometry"
                | "contour-polygon" | "contour-path" | "image-map" | "glue-point" | "param",
            )
            | (Ns::Svg, _) => {
                self.skip = 1;
                return Ok(());
            }
            (Ns::Text, local) if local.ends_with("-source") => {
                self.skip = 1;
                return Ok(());
            }
            (Ns::Text, "h") => {
                self.start_paragraph(true, attrs);
                return Ok(());
            }
            (Ns::Text, "p") => {
                self.start_paragraph(false, attrs);
                return Ok(());
            }
            (Ns::Text, "number") => Frame::Number(String::new()),
            (Ns::Text, "s") => {
                let count = parse_count(attrs.get(Ns::Text, "c")).min(MAX_SPACES);
                self.append(&" ".repeat(usize::try_from(count).unwrap_or(1)));
                Frame::Plain
            }
            (Ns::Text, "tab") => {
                self.append("\t");
                Frame::Plain
            }
            (Ns::Text, "line-break") => {
                self.append("\n");
                Frame::Plain
            }
            (Ns::Text, "list") => {
                self.start_list(attrs);
                return Ok(());
            }
            (Ns::Text, "list-item" | "list-header") => Frame::Item(ItemFrame {
                numbered: false,
                header: name.local == "list-header",
                start: attrs.get(Ns::Text, "start-value").and_then(|v| v.trim().parse::<i64>().ok()),
                number: None,
            }),
            (Ns::Text, "note-body") => {
                self.seen.notes = true;
                Frame::Box(Vec::new())
            }
            (Ns::Table, "table") => {
                let style = Styles::resolve(&self.styles.table, attrs.get(Ns::Table, "style-name"));
                Frame::Table(TableBuild {
                    break_before: style.break_before,
                    break_after: style.break_after,
                    ..TableBuild::default()
                })
            }
            (Ns::Table, "table-row") => Frame::Row(RowBuild {
                cells: Vec::new(),
                pending: Vec::new(),
                repeat: parse_count(attrs.get(Ns::Table, "number-rows-repeated")),
            }),
            (Ns::Table, "table-cell") => Frame::Cell(CellBuild {
                paragraphs: Vec::new(),
                tables: Vec::new(),
                row_span: parse_span(attrs.get(Ns::Table, "number-rows-spanned"), MAX_ROW_SPAN),
                col_span: parse_span(attrs.get(Ns::Table, "number-columns-spanned"), MAX_COL_SPAN),
                repeat: parse_count(attrs.get(Ns::Table, "number-columns-repeated")),
            }),
            (Ns::Draw, "frame" | "a" | "g") => Frame::Plain,
            (Ns::Draw, _) => {
                // A text box, or a shape whose text is paragraphs of its own.
                self.seen.boxes = true;
                Frame::Box(Vec::new())
            }
            _ => Frame::Plain,
        };
        self.stack.push(frame);
        Ok(())
    }

    fn end(&mut self) -> Result<(), ReadError> {
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        if self.collect > 0 {
            self.collect -= 1;
            self.collector.end(&mut self.styles);
            return Ok(());
        }
        match self.stack.pop() {
            None | Some(Frame::Plain | Frame::List(_) | Frame::Item(_)) => Ok(()),
            Some(Frame::Number(number)) => {
                for frame in self.stack.iter_mut().rev() {
                    match frame {
                        Frame::Plain => {}
                        Frame::Para(Para { number: slot, .. }) | Frame::Item(ItemFrame { number: slot, .. }) => {
                            slot.get_or_insert(number);
                            break;
                        }
                        _ => break,
                    }
                }
                Ok(())
            }
            Some(Frame::Para(p)) => self.end_paragraph(p),
            Some(Frame::Box(items)) => {
                for item in items {
                    self.emit(item)?;
                }
                Ok(())
            }
            Some(Frame::Cell(cell)) => self.end_cell(cell),
            Some(Frame::Row(row)) => self.end_row(row),
            Some(Frame::Table(table)) => self.end_table(table),
        }
    }

    fn text(&mut self, text: &str) -> Result<(), ReadError> {
        if self.skip > 0 || self.collect > 0 {
            return Ok(());
        }
        // Whitespace in ODF text collapses; the markup says where spaces, tabs and breaks are.
        if text.contains(['\n', '\r', '\t']) {
            self.append(&text.replace(['\n', '\r', '\t'], " "));
        } else {
            self.append(text);
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;
    use crate::model::BlockContent;

    // -----------------------------------------------------------------------------------------
    // The plan table every reader must read to the same grid.
    //
    // A plan table of 6 rows and 4 columns (`Цел | Дейност | Срок | Отговорник`), written in each
    // format (ODT here, HTML in `html::tests`; DOCX and PDF fixtures are to match it):
    //
    // | row | col 0                                   | col 1                                       | col 2            | col 3                   |
    // |-----|-----------------------------------------|---------------------------------------------|------------------|-------------------------|
    // | 0   | "Цел" (header, spans rows 0–1)          | "Дейност" (header, spans rows 0–1)          | "Изпълнение" (header, spans cols 2–3)      |
    // | 1   | (covered)                               | (covered)                                   | "Срок"           | "Отговорник"            |
    // | 2   | "Цел 1. Подкрепа за семейства с деца"   | "1.1. Разкриване на Център за обществена    | "2025 г."        | "Община Примерово"      |
    // |     |  (spans rows 2–4)                       |  подкрепа"                                  |                  |                         |
    // | 3   | (covered)                               | "1.2. Консултиране на родители" + a nested  | "постоянен"      | "ЦОП"                   |
    // |     |                                         |  table (below) after that paragraph         |                  |                         |
    // | 4   | (covered)                               | "1.3. Обучение на приемни родители"         | "до 30.06.2026 г." | "ОЗД, Д „СП“"         |
    // | 5   | "Цел 2. Деинституционализация"          | "2.1. Закриване на дом за деца"             | "2026 г."        | "Община Примерово, РДСП" |
    //
    // Every cell holds one paragraph (the nested-table cell: one paragraph, then the table). The
    // nested table, inside row 3 col 1, is 2 × 2: `Услуга | Капацитет` / `ЦОП | 20`. A cell's text
    // is its own paragraphs; a nested table is in `Cell::tables`, not in the text. `Table::grid_text`
    // shows a merged cell's text in every slot it covers, so the expected grids are:

    /// The plan table's `Table::grid_text()`, the same for every reader.
    pub(crate) const PLAN_GRID: [[&str; 4]; 6] = [
        ["Цел", "Дейност", "Изпълнение", "Изпълнение"],
        ["Цел", "Дейност", "Срок", "Отговорник"],
        [
            "Цел 1. Подкрепа за семейства с деца",
            "1.1. Разкриване на Център за обществена подкрепа",
            "2025 г.",
            "Община Примерово",
        ],
        ["Цел 1. Подкрепа за семейства с деца", "1.2. Консултиране на родители", "постоянен", "ЦОП"],
        ["Цел 1. Подкрепа за семейства с деца", "1.3. Обучение на приемни родители", "до 30.06.2026 г.", "ОЗД, Д „СП“"],
        ["Цел 2. Деинституционализация", "2.1. Закриване на дом за деца", "2026 г.", "Община Примерово, РДСП"],
    ];

    /// The grid of the table nested in row 3, column 1 of the plan table.
    pub(crate) const PLAN_NESTED_GRID: [[&str; 2]; 2] = [["Услуга", "Капацитет"], ["ЦОП", "20"]];

    /// Checks a reader's plan table against [`PLAN_GRID`] and [`PLAN_NESTED_GRID`]; cells are found
    /// through the grid, so it does not matter how a format writes covered slots.
    pub(crate) fn assert_plan_table(table: &Table) {
        assert_eq!(table.grid_text(), PLAN_GRID.map(Vec::from).to_vec());
        let grid = table.grid();
        let cell_at = |row: usize, col: usize| {
            let slot = grid[row][col].expect("a cell covers every slot of the plan table");
            &table.rows[slot.row].cells[slot.cell]
        };
        let nested_cell = cell_at(3, 1);
        assert_eq!(nested_cell.paragraphs, ["1.2. Консултиране на родители"]);
        assert_eq!(nested_cell.tables.len(), 1);
        assert_eq!(nested_cell.tables[0].table, None);
        assert_eq!(nested_cell.tables[0].grid_text(), PLAN_NESTED_GRID.map(Vec::from).to_vec());
        // The spans as written: the header spanning two columns, the goal spanning three rows.
        assert_eq!((cell_at(0, 2).col_span, cell_at(0, 2).row_span), (2, 1));
        assert_eq!((cell_at(0, 0).col_span, cell_at(0, 0).row_span), (1, 2));
        assert_eq!((cell_at(4, 0).col_span, cell_at(4, 0).row_span), (1, 3));
        assert!(std::ptr::eq(cell_at(2, 0), cell_at(4, 0)));
        // No other cell holds a table.
        let nested: usize = table.rows.iter().flat_map(|r| &r.cells).map(|c| c.tables.len()).sum();
        assert_eq!(nested, 1);
    }

    const PLAN_ODT_TABLE: &str = r#"
<table:table table:name="План">
  <table:table-column table:number-columns-repeated="4"/>
  <table:table-header-rows>
    <table:table-row>
      <table:table-cell table:number-rows-spanned="2"><text:p>Цел</text:p></table:table-cell>
      <table:table-cell table:number-rows-spanned="2"><text:p>Дейност</text:p></table:table-cell>
      <table:table-cell table:number-columns-spanned="2"><text:p>Изпълнение</text:p></table:table-cell>
      <table:covered-table-cell/>
    </table:table-row>
    <table:table-row>
      <table:covered-table-cell table:number-columns-repeated="2"/>
      <table:table-cell><text:p>Срок</text:p></table:table-cell>
      <table:table-cell><text:p>Отговорник</text:p></table:table-cell>
    </table:table-row>
  </table:table-header-rows>
  <table:table-row>
    <table:table-cell table:number-rows-spanned="3"><text:p>Цел 1. Подкрепа за семейства с деца</text:p></table:table-cell>
    <table:table-cell><text:p>1.1. Разкриване на Център за обществена подкрепа</text:p></table:table-cell>
    <table:table-cell><text:p>2025 г.</text:p></table:table-cell>
    <table:table-cell><text:p>Община Примерово</text:p></table:table-cell>
  </table:table-row>
  <table:table-row>
    <table:covered-table-cell/>
    <table:table-cell>
      <text:p>1.2. Консултиране на родители</text:p>
      <table:table table:name="Вложена">
        <table:table-column table:number-columns-repeated="2"/>
        <table:table-row>
          <table:table-cell><text:p>Услуга</text:p></table:table-cell>
          <table:table-cell><text:p>Капацитет</text:p></table:table-cell>
        </table:table-row>
        <table:table-row>
          <table:table-cell><text:p>ЦОП</text:p></table:table-cell>
          <table:table-cell><text:p>20</text:p></table:table-cell>
        </table:table-row>
      </table:table>
    </table:table-cell>
    <table:table-cell><text:p>постоянен</text:p></table:table-cell>
    <table:table-cell><text:p>ЦОП</text:p></table:table-cell>
  </table:table-row>
  <table:table-row>
    <table:covered-table-cell/>
    <table:table-cell><text:p>1.3. Обучение на приемни родители</text:p></table:table-cell>
    <table:table-cell><text:p>до 30.06.2026 г.</text:p></table:table-cell>
    <table:table-cell><text:p>ОЗД, Д „СП“</text:p></table:table-cell>
  </table:table-row>
  <table:table-row>
    <table:table-cell><text:p>Цел 2. Деинституционализация</text:p></table:table-cell>
    <table:table-cell><text:p>2.1. Закриване на дом за деца</text:p></table:table-cell>
    <table:table-cell><text:p>2026 г.</text:p></table:table-cell>
    <table:table-cell><text:p>Община Примерово, РДСП</text:p></table:table-cell>
  </table:table-row>
</table:table>"#;

    /// The plan table as an ODT package, after a heading and a paragraph.
    pub(crate) fn plan_odt() -> Vec<u8> {
        odt(
            &content(
                "",
                &format!(
                    r#"<text:h text:outline-level="1">Годишен план за развитие на социалните услуги</text:h>
                    <text:p>Таблица 1. Дейности по целите</text:p>{PLAN_ODT_TABLE}"#
                ),
            ),
            None,
        )
    }

    // -----------------------------------------------------------------------------------------
    // Fixture helpers.

    const NAMESPACES: &str = concat!(
        r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
        r#"xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" "#,
        r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
        r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
        r#"xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" "#,
        r#"xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" "#,
        r#"xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" "#,
        r#"xmlns:xlink="http://www.w3.org/1999/xlink" "#,
        r#"xmlns:dc="http://purl.org/dc/elements/1.1/" "#,
        r#"xmlns:loext="urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0" "#,
        r#"office:version="1.3""#
    );

    /// A content.xml with these automatic styles and this body text.
    pub(crate) fn content(automatic_styles: &str, body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content {NAMESPACES}><office:automatic-styles>{automatic_styles}</office:automatic-styles><office:body><office:text><text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Table"/></text:sequence-decls>{body}</office:text></office:body></office:document-content>"#
        )
    }

    /// A styles.xml with these common styles.
    fn styles(common: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {NAMESPACES}><office:styles>{common}</office:styles><office:automatic-styles/><office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles></office:document-styles>"#
        )
    }

    /// A ZIP package of these entries, in this order, each stored or deflated.
    fn package(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data, deflate) in entries {
            let method = if *deflate { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
            let options = zip::write::SimpleFileOptions::default().compression_method(method);
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    const MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.text";

    /// An ODT package: `mimetype` stored first, then content.xml and the optional styles.xml.
    pub(crate) fn odt(content: &str, styles: Option<&str>) -> Vec<u8> {
        let mut entries: Vec<(&str, &[u8], bool)> = vec![("mimetype", MIMETYPE, false)];
        entries.push(("content.xml", content.as_bytes(), true));
        if let Some(styles) = styles {
            entries.push(("styles.xml", styles.as_bytes(), true));
        }
        entries.push((
            "META-INF/manifest.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
            true,
        ));
        package(&entries)
    }

    fn read_body(automatic_styles: &str, body: &str) -> Document {
        read(&odt(&content(automatic_styles, body), None), &ReadLimits::default()).unwrap()
    }

    /// The document as short lines: `h2 text`, `[label] text`, `text`, `table RxC`, `---`.
    pub(crate) fn outline(doc: &Document) -> Vec<String> {
        doc.blocks
            .iter()
            .map(|b| match &b.content {
                BlockContent::Heading { level, text, .. } => format!("h{level} {text}"),
                BlockContent::Paragraph { text, list_label: Some(label), .. } => format!("[{label}] {text}"),
                BlockContent::Paragraph { text, .. } => text.clone(),
                BlockContent::Table(t) => format!("table {}x{}", t.rows.len(), t.width()),
                BlockContent::PageBreak => "---".into(),
            })
            .collect()
    }

    fn only_table(doc: &Document) -> &Table {
        let tables: Vec<&Table> = doc.tables().collect();
        assert_eq!(tables.len(), 1, "{:?}", outline(doc));
        tables[0]
    }

    /// A small deterministic generator for the mutation tests.
    pub(crate) struct Lcg(pub(crate) u64);

    impl Lcg {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        pub(crate) fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next()).unwrap() % n.max(1)
        }
    }

    // -----------------------------------------------------------------------------------------
    // Reading.

    #[test]
    fn the_plan_table_reads_to_the_shared_grid() {
        let doc = read(&plan_odt(), &ReadLimits::default()).unwrap();
        assert_eq!(doc.format, SourceFormat::Odt);
        assert_eq!(
            outline(&doc),
            ["h1 Годишен план за развитие на социалните услуги", "Таблица 1. Дейности по целите", "table 6x4"]
        );
        let table = only_table(&doc);
        assert_eq!(table.table, Some(0));
        assert_plan_table(table);
    }

    #[test]
    fn headings_keep_their_outline_levels_and_paragraphs_their_text() {
        let doc = read_body(
            r#"<style:style style:name="P9" style:family="paragraph" style:default-outline-level="3"/>"#,
            r#"<text:h text:outline-level="1">Стратегия за развитие на социалните услуги</text:h>
               <text:p text:style-name="Standard">Общината   предоставя <text:span text:style-name="T1">услуги</text:span> за <text:a xlink:href="https://example.org">деца</text:a>.</text:p>
               <text:h text:outline-level="2">1. Анализ</text:h>
               <text:h text:outline-level="12">Твърде дълбоко ниво</text:h>
               <text:h text:style-name="P9">Ниво от стила</text:h>
               <text:h>Без ниво</text:h>
               <text:p/>
               <text:p>   </text:p>
               <text:h text:outline-level="2"></text:h>"#,
        );
        assert_eq!(
            outline(&doc),
            [
                "h1 Стратегия за развитие на социалните услуги",
                "Общината предоставя услуги за деца.",
                "h2 1. Анализ",
                "h10 Твърде дълбоко ниво",
                "h3 Ниво от стила",
                "h1 Без ниво",
            ]
        );
        let indexes: Vec<usize> = doc.blocks.iter().map(|b| b.index).collect();
        assert_eq!(indexes, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn spaces_tabs_and_line_breaks_are_read() {
        let doc = read_body(
            "",
            "<text:p>Срок:<text:s/>31.12.2026<text:s text:c=\"5\"/>г.<text:tab/>Отговорник\n  ОЗД<text:line-break/>втори ред</text:p>
             <text:p><text:s text:c=\"999999999\"/>с много интервали</text:p>
             <table:table><table:table-row><table:table-cell><text:p>Д „СП“<text:line-break/>ОЗД</text:p></table:table-cell></table:table-row></table:table>",
        );
        assert_eq!(outline(&doc), ["Срок: 31.12.2026 г. Отговорник ОЗД втори ред", "с много интервали", "table 1x1"]);
        // Inside a cell a line break starts a new paragraph of the cell.
        assert_eq!(only_table(&doc).rows[0].cells[0].paragraphs, ["Д „СП“", "ОЗД"]);
        assert_eq!(only_table(&doc).rows[0].cells[0].text, "Д „СП“\nОЗД");
    }

    #[test]
    fn character_references_and_predefined_entities_are_decoded() {
        let doc =
            read_body("", "<text:p>Д &amp; С &lt;ЦОП&gt; &quot;Надежда&quot; &apos;1&apos; &#1041;&#x413;</text:p>");
        assert_eq!(doc.paragraphs().collect::<Vec<_>>(), ["Д & С <ЦОП> \"Надежда\" '1' БГ"]);
    }

    const LIST_STYLES: &str = r#"
        <text:list-style style:name="L1">
          <text:list-level-style-number text:level="1" style:num-suffix="." style:num-format="1"/>
          <text:list-level-style-number text:level="2" style:num-suffix="." style:num-format="1" text:display-levels="2"/>
          <text:list-level-style-number text:level="3" style:num-suffix=")" style:num-format="а, б, .., аа, аб, ... (bg)"/>
        </text:list-style>"#;

    #[test]
    fn numbered_lists_are_labelled_from_their_list_style_including_nested_levels() {
        let doc = read_body(
            LIST_STYLES,
            r#"<text:list xml:id="list1" text:style-name="L1">
                 <text:list-item><text:p>Анализ на потребностите</text:p>
                   <text:list>
                     <text:list-item><text:p>Деца и семейства</text:p></text:list-item>
                     <text:list-item><text:p>Възрастни хора</text:p>
                       <text:list>
                         <text:list-item><text:p>в общността</text:p></text:list-item>
                         <text:list-item><text:p>в институции</text:p></text:list-item>
                       </text:list>
                     </text:list-item>
                   </text:list>
                 </text:list-item>
                 <text:list-item><text:p>Цели</text:p><text:p>Втори абзац на същата точка</text:p></text:list-item>
                 <text:list-header><text:p>Заглавие без номер</text:p></text:list-header>
                 <text:list-item><text:h text:outline-level="2">Мерки</text:h></text:list-item>
               </text:list>
               <text:p>Междинен текст</text:p>
               <text:list text:continue-list="list1" text:style-name="L1">
                 <text:list-item><text:p>Дейности</text:p></text:list-item>
               </text:list>
               <text:list text:style-name="L1"><text:list-item><text:p>Нов списък</text:p></text:list-item></text:list>
               <text:list text:continue-numbering="true" text:style-name="L1">
                 <text:list-item><text:list><text:list-item><text:p>Продължение на второ ниво</text:p></text:list-item></text:list></text:list-item>
               </text:list>"#,
        );
        assert_eq!(
            outline(&doc),
            [
                "[1.] 1. Анализ на потребностите",
                "[1.1.] 1.1. Деца и семейства",
                "[1.2.] 1.2. Възрастни хора",
                "[а)] а) в общността",
                "[б)] б) в институции",
                "[2.] 2. Цели",
                "Втори абзац на същата точка",
                "Заглавие без номер",
                "h2 3. Мерки",
                "Междинен текст",
                "[4.] 4. Дейности",
                "[1.] 1. Нов списък",
                "[1.1.] 1.1. Продължение на второ ниво",
            ]
        );
    }

    #[test]
    fn list_styles_from_styles_xml_start_values_and_letter_formats_are_honoured() {
        let common = r#"
            <style:style style:name="Списък" style:family="paragraph" style:list-style-name="Букви"/>
            <text:list-style style:name="Букви">
              <text:list-level-style-number text:level="1" style:num-suffix=")" style:num-format="A" text:start-value="3"/>
              <text:list-level-style-number text:level="2" style:num-suffix="." style:num-format="i"/>
              <text:list-level-style-number text:level="3" style:num-prefix="(" style:num-suffix=")" style:num-format="a"/>
            </text:list-style>
            <text:list-style style:name="Раздели">
              <text:list-level-style-number text:level="1" style:num-format="I" style:num-prefix="Раздел " style:num-suffix=":" loext:num-list-format="Раздел %1%:"/>
              <text:list-level-style-number text:level="2" style:num-format="1" style:num-suffix="." text:display-levels="2" loext:num-list-format="%1%.%2%."/>
            </text:list-style>"#;
        let body = r#"
            <text:list text:style-name="Букви">
              <text:list-item><text:p>първа</text:p>
                <text:list>
                  <text:list-item><text:p>подточка</text:p></text:list-item>
                  <text:list-item><text:p>подточка</text:p>
                    <text:list><text:list-item text:start-value="27"><text:p>буква</text:p></text:list-item></text:list>
                  </text:list-item>
                </text:list>
              </text:list-item>
              <text:list-item text:start-value="10"><text:p>десета</text:p></text:list-item>
              <text:list-item><text:p>следваща</text:p></text:list-item>
            </text:list>
            <text:list><text:list-item><text:p text:style-name="Списък">стил от абзаца</text:p></text:list-item></text:list>
            <text:list text:style-name="Раздели">
              <text:list-item><text:p>Анализ</text:p><text:list><text:list-item><text:p>Демография</text:p></text:list-item></text:list></text:list-item>
              <text:list-item><text:p>Цели</text:p></text:list-item>
            </text:list>"#;
        let doc = read(&odt(&content("", body), Some(&styles(common))), &ReadLimits::default()).unwrap();
        assert_eq!(
            outline(&doc),
            [
                "[C)] C) първа",
                "[i.] i. подточка",
                "[ii.] ii. подточка",
                "[(aa)] (aa) буква",
                "[J)] J) десета",
                "[K)] K) следваща",
                "[C)] C) стил от абзаца",
                "[Раздел I:] Раздел I: Анализ",
                "[I.1.] I.1. Демография",
                "[Раздел II:] Раздел II: Цели",
            ]
        );
    }

    #[test]
    fn bullet_lists_use_the_bullet_character_of_their_style() {
        let doc = read_body(
            r#"<text:list-style style:name="L2">
                 <text:list-level-style-bullet text:level="1" text:bullet-char="&#xF0B7;"/>
                 <text:list-level-style-bullet text:level="2" text:bullet-char="–"/>
                 <text:list-level-style-image text:level="3" xlink:href="Pictures/bullet.png"/>
               </text:list-style>"#,
            r#"<text:list text:style-name="L2">
                 <text:list-item><text:p>Социални услуги в общността</text:p>
                   <text:list><text:list-item><text:p>Дневен център</text:p>
                     <text:list><text:list-item><text:p>за възрастни</text:p></text:list-item></text:list>
                   </text:list-item></text:list>
                 </text:list-item>
                 <text:list-item><text:p>Резидентни услуги</text:p></text:list-item>
               </text:list>"#,
        );
        assert_eq!(
            outline(&doc),
            [
                "[•] • Социални услуги в общността",
                "[–] – Дневен център",
                "[•] • за възрастни",
                "[•] • Резидентни услуги"
            ]
        );
    }

    #[test]
    fn a_list_with_an_unknown_style_is_numbered_one_two_three() {
        let doc = read_body(
            "",
            r#"<text:list text:style-name="Липсващ">
                 <text:list-item><text:p>едно</text:p><text:list><text:list-item><text:p>вложено</text:p></text:list-item></text:list></text:list-item>
                 <text:list-item><text:p>две</text:p></text:list-item>
               </text:list>
               <text:list><text:list-item><text:p>без стил</text:p></text:list-item></text:list>"#,
        );
        assert_eq!(outline(&doc), ["[1.] 1. едно", "[1.] 1. вложено", "[2.] 2. две", "[1.] 1. без стил"]);
    }

    #[test]
    fn a_number_the_producer_wrote_is_preferred_to_the_computed_one() {
        let doc = read_body(
            LIST_STYLES,
            r#"<text:list text:style-name="L1"><text:list-item><text:p><text:number>7.</text:number>Седма точка</text:p></text:list-item></text:list>"#,
        );
        assert_eq!(outline(&doc), ["[7.] 7. Седма точка"]);
    }

    #[test]
    fn outline_numbering_from_styles_xml_numbers_headings() {
        let common = r#"
            <text:outline-style style:name="Outline">
              <text:outline-level-style text:level="1" style:num-format="1" style:num-suffix="."/>
              <text:outline-level-style text:level="2" style:num-format="1" style:num-suffix="." text:display-levels="2"/>
              <text:outline-level-style text:level="3" style:num-format=""/>
            </text:outline-style>"#;
        let body = r#"
            <text:h text:outline-level="1">Въведение</text:h>
            <text:h text:outline-level="2">Обхват</text:h>
            <text:h text:outline-level="2">Методология</text:h>
            <text:h text:outline-level="3">Без номер</text:h>
            <text:h text:outline-level="1" text:is-list-header="true">Приложения</text:h>
            <text:h text:outline-level="1">Анализ</text:h>
            <text:h text:outline-level="2">Демография</text:h>"#;
        let doc = read(&odt(&content("", body), Some(&styles(common))), &ReadLimits::default()).unwrap();
        assert_eq!(
            outline(&doc),
            [
                "h1 1. Въведение",
                "h2 1.1. Обхват",
                "h2 1.2. Методология",
                "h3 Без номер",
                "h1 Приложения",
                "h1 2. Анализ",
                "h2 2.1. Демография",
            ]
        );
        // Without an outline style headings are not numbered.
        let plain = read_body("", body);
        assert_eq!(outline(&plain)[0], "h1 Въведение");
    }

    #[test]
    fn deleted_text_of_tracked_changes_is_not_read() {
        let doc = read_body(
            "",
            r#"<text:tracked-changes text:track-changes="true">
                 <text:changed-region xml:id="ct1" text:id="ct1">
                   <text:deletion><office:change-info><dc:creator>Иван Петров</dc:creator><dc:date>2025-03-01T10:00:00</dc:date></office:change-info>
                     <text:p>ИЗТРИТ СРОК 2024 г.</text:p></text:deletion>
                 </text:changed-region>
                 <text:changed-region xml:id="ct2" text:id="ct2">
                   <text:insertion><office:change-info><dc:creator>Иван Петров</dc:creator><dc:date>2025-03-01T10:00:00</dc:date></office:change-info></text:insertion>
                 </text:changed-region>
               </text:tracked-changes>
               <text:p>Срокът е <text:change text:change-id="ct1"/><text:change-start text:change-id="ct2"/>31.12.2026 г.<text:change-end text:change-id="ct2"/></text:p>"#,
        );
        assert_eq!(outline(&doc), ["Срокът е 31.12.2026 г."]);
        let all = format!("{doc:?}");
        assert!(!all.contains("ИЗТРИТ") && !all.contains("Иван Петров"));
        assert!(doc.notes.iter().any(|n| n.contains("tracked changes")));
    }

    #[test]
    fn comments_are_not_read() {
        let doc = read_body(
            "",
            r#"<text:p>Отговорник: <office:annotation office:name="a1"><dc:creator>Рецензент</dc:creator><dc:date>2025-01-10T09:00:00</dc:date><text:p>Да се уточни отговорникът</text:p></office:annotation>Община<office:annotation-end office:name="a1"/> Примерово</text:p>"#,
        );
        assert_eq!(outline(&doc), ["Отговорник: Община Примерово"]);
        assert!(!format!("{doc:?}").contains("уточни"));
        assert!(doc.notes.iter().any(|n| n.contains("comments")));
    }

    #[test]
    fn text_box_content_follows_its_paragraph_and_images_are_left_out() {
        let doc = read_body(
            "",
            r#"<text:p>Схема на услугите <draw:frame draw:name="Рамка1" text:anchor-type="as-char" svg:width="5cm"><draw:text-box><text:p>Център за настаняване от семеен тип</text:p><text:p>Капацитет 14 места</text:p></draw:text-box></draw:frame>в общината.</text:p>
               <text:p>Лого<draw:frame draw:name="Изображение1"><draw:image xlink:href="Pictures/logo.png"><svg:title>Герб на общината</svg:title><office:binary-data>iVBORw0KGgo=</office:binary-data></draw:image></draw:frame></text:p>
               <draw:frame text:anchor-type="page"><draw:text-box><text:p>Рамка към страницата</text:p></draw:text-box></draw:frame>
               <text:p>Фигура: <draw:custom-shape><text:p>Текст във фигура</text:p><draw:enhanced-geometry svg:viewBox="0 0 21600 21600"/></draw:custom-shape>край</text:p>
               <text:p>Следващ абзац</text:p>"#,
        );
        assert_eq!(
            outline(&doc),
            [
                "Схема на услугите в общината.",
                "Център за настаняване от семеен тип",
                "Капацитет 14 места",
                "Лого",
                "Рамка към страницата",
                "Фигура: край",
                "Текст във фигура",
                "Следващ абзац",
            ]
        );
        let all = format!("{doc:?}");
        assert!(!all.contains("Герб") && !all.contains("iVBOR"));
    }

    #[test]
    fn footnotes_are_read_after_the_paragraph_that_cites_them() {
        let doc = read_body(
            "",
            r#"<text:p>Законът за социалните услуги<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Обн. ДВ, бр. 24 от 22.03.2019 г.</text:p></text:note-body></text:note> урежда предоставянето им.</text:p>"#,
        );
        assert_eq!(
            outline(&doc),
            ["Законът за социалните услуги урежда предоставянето им.", "Обн. ДВ, бр. 24 от 22.03.2019 г."]
        );
    }

    #[test]
    fn page_breaks_come_from_paragraph_and_table_styles() {
        let automatic = r#"
            <style:style style:name="P1" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:break-before="page"/></style:style>
            <style:style style:name="P2" style:family="paragraph"><style:paragraph-properties fo:break-after="page"/></style:style>
            <style:style style:name="P3" style:family="paragraph" style:parent-style-name="Нов_20_раздел"/>
            <style:style style:name="P4" style:family="paragraph" style:master-page-name="Landscape"/>
            <style:style style:name="P5" style:family="paragraph" style:parent-style-name="Нов_20_раздел"><style:paragraph-properties fo:break-before="auto"/></style:style>
            <style:style style:name="Таблица1" style:family="table"><style:table-properties fo:break-before="page"/></style:style>"#;
        let common = r#"<style:style style:name="Нов_20_раздел" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/></style:style>"#;
        let body = r#"
            <text:p text:style-name="P1">Увод</text:p>
            <text:p text:style-name="P1">Раздел I</text:p>
            <text:p text:style-name="P2">Край на раздел I</text:p>
            <text:p>Раздел II<text:soft-page-break/> продължава</text:p>
            <text:soft-page-break/>
            <text:p text:style-name="P3">Раздел III</text:p>
            <text:p text:style-name="P5">Без прекъсване</text:p>
            <table:table table:style-name="Таблица1"><table:table-row><table:table-cell><text:p text:style-name="P1">в клетка</text:p></table:table-cell></table:table-row></table:table>
            <text:p text:style-name="P4">Хоризонтална страница</text:p>"#;
        let doc = read(&odt(&content(automatic, body), Some(&styles(common))), &ReadLimits::default()).unwrap();
        assert_eq!(
            outline(&doc),
            [
                "Увод",
                "---",
                "Раздел I",
                "Край на раздел I",
                "---",
                "Раздел II продължава",
                "---",
                "Раздел III",
                "Без прекъсване",
                "---",
                "table 1x1",
                "---",
                "Хоризонтална страница",
            ]
        );
    }

    #[test]
    fn repeated_rows_and_columns_are_copied_and_empty_trailing_repeats_are_dropped() {
        let doc = read_body(
            "",
            r#"<table:table>
                 <table:table-column table:number-columns-repeated="1024"/>
                 <table:table-row table:number-rows-repeated="2">
                   <table:table-cell table:number-columns-repeated="2"><text:p>x</text:p></table:table-cell><table:table-cell/>
                 </table:table-row>
                 <table:table-row>
                   <table:table-cell table:number-columns-repeated="2"/><table:table-cell><text:p>y</text:p></table:table-cell>
                   <table:table-cell table:number-columns-repeated="1021"/>
                 </table:table-row>
                 <table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="3"/></table:table-row>
                 <table:table-row><table:table-cell><text:p>z</text:p></table:table-cell></table:table-row>
                 <table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
               </table:table>"#,
        );
        assert_eq!(
            only_table(&doc).grid_text(),
            [["x", "x", ""], ["x", "x", ""], ["", "", "y"], ["", "", ""], ["", "", ""], ["", "", ""], ["z", "", ""],]
        );
        assert!(doc.notes.iter().any(|n| n.contains("empty repeated")));
    }

    #[test]
    fn spans_past_the_limits_and_past_the_table_are_clamped() {
        let doc = read_body(
            "",
            r#"<table:table>
                 <table:table-row>
                   <table:table-cell table:number-rows-spanned="99999999" table:number-columns-spanned="4294967297"><text:p>a</text:p></table:table-cell>
                   <table:table-cell table:number-columns-spanned="0" table:number-rows-spanned="-3"><text:p>b</text:p></table:table-cell>
                 </table:table-row>
                 <table:table-row><table:table-cell><text:p>c</text:p></table:table-cell></table:table-row>
               </table:table>"#,
        );
        let table = only_table(&doc);
        let a = &table.rows[0].cells[0];
        assert_eq!((a.row_span, a.col_span), (2, MAX_COL_SPAN));
        let b = &table.rows[0].cells[1];
        assert_eq!((b.row_span, b.col_span), (1, 1));
        assert_eq!(table.width(), 1001);
        assert_eq!(table.grid_text()[1][1000], "c");
    }

    #[test]
    fn a_namespace_bound_to_another_prefix_is_understood() {
        let xml = r#"<?xml version="1.0"?>
<d:document-content xmlns:d="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:t="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><d:body><d:text><t:h t:outline-level="2">Заглавие</t:h><t:p>Текст<t:s t:c="2"/>тук</t:p></d:text></d:body></d:document-content>"#;
        let doc = read(&odt(xml, None), &ReadLimits::default()).unwrap();
        assert_eq!(outline(&doc), ["h2 Заглавие", "Текст тук"]);
    }

    #[test]
    fn numbers_are_written_in_every_format() {
        assert_eq!(format_ordinal(27, NumFormat::LowerLatin, false), "aa");
        assert_eq!(format_ordinal(28, NumFormat::LowerLatin, false), "ab");
        assert_eq!(format_ordinal(28, NumFormat::UpperLatin, true), "BB");
        assert_eq!(format_ordinal(1994, NumFormat::UpperRoman, false), "MCMXCIV");
        assert_eq!(format_ordinal(4, NumFormat::LowerRoman, false), "iv");
        assert_eq!(format_ordinal(4000, NumFormat::UpperRoman, false), "4000");
        assert_eq!(format_ordinal(9, NumFormat::LowerCyrillic, false), "и");
        assert_eq!(format_ordinal(10, NumFormat::LowerCyrillic, false), "к");
        assert_eq!(format_ordinal(29, NumFormat::LowerCyrillic, false), "аа");
        assert_eq!(format_ordinal(30, NumFormat::UpperCyrillic, true), "ББ");
        assert_eq!(format_ordinal(0, NumFormat::LowerLatin, false), "0");
        assert_eq!(format_ordinal(-2, NumFormat::UpperRoman, false), "-2");
        assert_eq!(format_ordinal(10_000, NumFormat::LowerLatin, true), "10000");
        assert_eq!(format_ordinal(i64::MAX, NumFormat::LowerLatin, false).len(), 14);
        assert_eq!(format_ordinal(5, NumFormat::None, false), "");
    }

    // -----------------------------------------------------------------------------------------
    // Hostile and damaged input.

    #[test]
    fn input_over_the_size_limit_is_too_large_before_anything_else() {
        let limits = ReadLimits { max_input_bytes: 10, ..ReadLimits::default() };
        assert_eq!(read(b"not a zip at all", &limits), Err(ReadError::TooLarge { size: 16, max: 10 }));
        assert_eq!(read(b"", &ReadLimits::default()), Err(ReadError::Empty));
    }

    #[test]
    fn bytes_that_are_not_a_zip_are_damaged() {
        let err = read("Годишен план".as_bytes(), &ReadLimits::default()).unwrap_err();
        assert!(matches!(&err, ReadError::Damaged { format: "ODT", problem } if problem.contains("ZIP")), "{err}");
    }

    #[test]
    fn a_truncated_package_is_damaged() {
        let bytes = plan_odt();
        for cut in [bytes.len() / 2, bytes.len() - 10, 30] {
            let err = read(&bytes[..cut], &ReadLimits::default()).unwrap_err();
            assert!(matches!(err, ReadError::Damaged { .. }), "cut at {cut}: {err}");
        }
    }

    #[test]
    fn a_package_without_content_xml_is_damaged() {
        let bytes = package(&[("mimetype", MIMETYPE, false), ("styles.xml", styles("").as_bytes(), true)]);
        let err = read(&bytes, &ReadLimits::default()).unwrap_err();
        assert!(matches!(&err, ReadError::Damaged { problem, .. } if problem.contains("content.xml")), "{err}");
    }

    #[test]
    fn a_password_protected_package_is_unsupported() {
        let manifest = br#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>"#;
        let bytes = package(&[
            ("mimetype", MIMETYPE, false),
            ("content.xml", &[0x8f, 0x11, 0x42, 0x00, 0x99], false),
            ("META-INF/manifest.xml", manifest, true),
        ]);
        assert!(matches!(read(&bytes, &ReadLimits::default()), Err(ReadError::Unsupported(_))));
    }

    #[test]
    fn a_document_type_declaration_is_refused_before_any_entity_is_expanded() {
        let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:p>&lol9;</text:p></office:text></office:body></office:document-content>"#;
        let err = read(&odt(laughs, None), &ReadLimits::default()).unwrap_err();
        assert!(matches!(&err, ReadError::Hostile(m) if m.contains("DTD")), "{err}");
        // In styles.xml too: refused, not merely noted.
        let err = read(&odt(&content("", "<text:p>x</text:p>"), Some(laughs)), &ReadLimits::default()).unwrap_err();
        assert!(matches!(err, ReadError::Hostile(_)));
    }

    #[test]
    fn an_undefined_entity_is_damaged_xml() {
        let err = read_err_body("<text:p>&nbsp;</text:p>");
        assert!(matches!(&err, ReadError::Damaged { problem, .. } if problem.contains("nbsp")), "{err}");
    }

    fn read_err_body(body: &str) -> ReadError {
        read(&odt(&content("", body), None), &ReadLimits::default()).unwrap_err()
    }

    #[test]
    fn invalid_xml_is_damaged_with_its_position() {
        let err = read_err_body("<text:p>Цел\n<text:span>без край</text:p>");
        let ReadError::Damaged { format, problem } = &err else { panic!("{err}") };
        assert_eq!(*format, "ODT");
        assert!(problem.contains("content.xml") && problem.contains("line 3"), "{problem}");
        let err = read(&odt("<office:document-content><office:body>", None), &ReadLimits::default()).unwrap_err();
        assert!(matches!(err, ReadError::Damaged { .. }), "{err}");
        let err = read(&odt(&String::from_utf8_lossy(b"<a>\xff</a>"), None), &ReadLimits::default());
        assert!(err.is_ok(), "lossy text is still XML");
        let bytes = package(&[("mimetype", MIMETYPE, false), ("content.xml", b"<a>\xff\xfe</a>", false)]);
        assert!(
            matches!(read(&bytes, &ReadLimits::default()), Err(ReadError::Damaged { problem, .. }) if problem.contains("UTF-8"))
        );
    }

    #[test]
    fn ten_thousand_nested_elements_are_refused() {
        let deep = format!("<text:p>{}глъбина{}</text:p>", "<text:span>".repeat(10_000), "</text:span>".repeat(10_000));
        let err = read_err_body(&deep);
        assert!(matches!(&err, ReadError::Hostile(m) if m.contains("deeper than 256")), "{err}");
        let lists =
            format!("{}{}", "<text:list><text:list-item>".repeat(5_000), "</text:list-item></text:list>".repeat(5_000));
        assert!(matches!(read_err_body(&lists), ReadError::Hostile(_)));
        // Within the limit, deep nesting is fine.
        let ok = format!("<text:p>{}дълбоко{}</text:p>", "<text:span>".repeat(200), "</text:span>".repeat(200));
        assert_eq!(outline(&read_body("", &ok)), ["дълбоко"]);
    }

    #[test]
    fn a_million_repeated_empty_cells_and_rows_stay_small() {
        let doc = read_body(
            "",
            r#"<table:table>
                 <table:table-row><table:table-cell><text:p>Дейност</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1000000"/></table:table-row>
                 <table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1000000"/></table:table-row>
               </table:table>"#,
        );
        let table = only_table(&doc);
        assert_eq!(table.grid_text(), [["Дейност"]]);
    }

    #[test]
    fn repeats_that_would_make_too_many_cells_are_refused() {
        let err = read_err_body(
            r#"<table:table><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1000"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#,
        );
        assert!(matches!(&err, ReadError::Hostile(m) if m.contains("blocks and table cells")), "{err}");
        // Empty cells between full ones are real and count too.
        let limits = ReadLimits { max_items: 10_000, ..ReadLimits::default() };
        let body = r#"<table:table><table:table-row><table:table-cell table:number-columns-repeated="1000000"/><table:table-cell><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#;
        let err = read(&odt(&content("", body), None), &limits).unwrap_err();
        assert!(matches!(err, ReadError::Hostile(_)));
    }

    #[test]
    fn an_entry_packed_past_the_compression_ratio_is_refused() {
        let bomb = content("", &format!("<text:p>{}</text:p>", " ".repeat(8 * 1024 * 1024)));
        let bytes = package(&[("mimetype", MIMETYPE, false), ("content.xml", bomb.as_bytes(), true)]);
        assert!(bytes.len() < 100_000);
        let err = read(&bytes, &ReadLimits::default()).unwrap_err();
        assert!(matches!(&err, ReadError::Hostile(m) if m.contains("ZIP bomb")), "{err}");
    }

    #[test]
    fn a_package_past_the_unpacked_limit_or_with_too_many_entries_is_refused() {
        let limits = ReadLimits { max_unpacked_bytes: 1_000, ..ReadLimits::default() };
        let err = read(&plan_odt(), &limits).unwrap_err();
        assert!(matches!(&err, ReadError::Hostile(m) if m.contains("1000 bytes")), "{err}");

        let names: Vec<String> = (0..20).map(|i| format!("Pictures/{i}.png")).collect();
        let mut entries: Vec<(&str, &[u8], bool)> = vec![("mimetype", MIMETYPE, false)];
        entries.extend(names.iter().map(|n| (n.as_str(), b"png".as_slice(), false)));
        let body = content("", "<text:p>x</text:p>");
        entries.push(("content.xml", body.as_bytes(), true));
        let limits = ReadLimits { max_entries: 10, ..ReadLimits::default() };
        let err = read(&package(&entries), &limits).unwrap_err();
        assert!(matches!(&err, ReadError::Hostile(m) if m.contains("22 entries")), "{err}");
        assert!(read(&package(&entries), &ReadLimits::default()).is_ok());
    }

    #[test]
    fn a_damaged_styles_xml_is_noted_and_the_content_still_read() {
        let doc = read(
            &odt(&content("", "<text:p>Текст</text:p>"), Some("<office:document-styles><oops>")),
            &ReadLimits::default(),
        )
        .unwrap();
        assert_eq!(outline(&doc), ["Текст"]);
        assert!(doc.notes.iter().any(|n| n.contains("styles.xml")));
    }

    #[test]
    fn two_thousand_mutated_packages_never_panic() {
        let limits = ReadLimits::default();
        let valid_content = content(
            LIST_STYLES,
            &format!(
                r#"<text:h text:outline-level="1">План</text:h>
                   <text:list text:style-name="L1"><text:list-item><text:p>едно<text:s text:c="3"/>две<text:tab/></text:p>
                   <text:list><text:list-item><text:p>вложено</text:p></text:list-item></text:list></text:list-item></text:list>
                   <text:p>Рамка<draw:frame><draw:text-box><text:p>в рамка</text:p></draw:text-box></draw:frame></text:p>{PLAN_ODT_TABLE}"#
            ),
        );
        let stored = package(&[("mimetype", MIMETYPE, false), ("content.xml", valid_content.as_bytes(), false)]);
        let mut rng = Lcg(0x05ee_d0d7);
        let mut outcomes = [0usize; 2];
        for round in 0..2_000 {
            let bytes = if round % 2 == 0 {
                // Mutate the package's bytes.
                let mut bytes = stored.clone();
                mutate(&mut bytes, &mut rng);
                bytes
            } else {
                // Mutate the XML and pack it again, so the XML reader sees the damage.
                let mut xml = valid_content.clone().into_bytes();
                mutate(&mut xml, &mut rng);
                package(&[("mimetype", MIMETYPE, false), ("content.xml", &xml, round % 4 == 1)])
            };
            let result = read(&bytes, &limits);
            if let Ok(doc) = &result {
                for table in doc.tables() {
                    let _ = table.grid_text();
                }
            }
            outcomes[usize::from(result.is_ok())] += 1;
        }
        // Both outcomes occur: the mutations reach the XML and do not only break the package.
        assert!(outcomes[0] > 100 && outcomes[1] > 100, "{outcomes:?}");
    }

    /// Flips, inserts, deletes or duplicates a few bytes, or cuts the end.
    pub(crate) fn mutate(bytes: &mut Vec<u8>, rng: &mut Lcg) {
        const INTERESTING: &[u8] = b"<>/&;:\"'=\0\xff \n";
        for _ in 0..1 + rng.below(4) {
            if bytes.is_empty() {
                return;
            }
            let at = rng.below(bytes.len());
            match rng.below(6) {
                0 => bytes[at] ^= 1 << rng.below(8),
                1 => bytes[at] = INTERESTING[rng.below(INTERESTING.len())],
                2 => bytes.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
                3 => {
                    bytes.remove(at);
                }
                4 => {
                    let end = (at + 1 + rng.below(64)).min(bytes.len());
                    let chunk = bytes[at..end].to_vec();
                    let to = rng.below(bytes.len());
                    bytes.splice(to..to, chunk);
                }
                _ => bytes.truncate(at),
            }
        }
    }
}
