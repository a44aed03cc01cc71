//! Reading DOCX (Office Open XML WordprocessingML) into the document model.
//!
//! The package is opened with `zip`; `word/document.xml`, and `word/styles.xml` and
//! `word/numbering.xml` when present, are read with a streaming `quick-xml` reader — never a DOM, and
//! never with entity expansion: a part that declares a `DOCTYPE` (or an `ENTITY`) is refused as hostile.
//!
//! Decisions, so that readers of the model know what they get:
//!
//! - **Headings**: a paragraph is a heading when its direct `w:outlineLvl` (0–8) says so, or its style
//!   (through `w:basedOn`, from `styles.xml`) has an outline level, or the style's id or name is
//!   `Heading N` / `heading N` (also Bulgarian `Заглавие N`, Russian `Заголовок N`) or `Title` (level 1).
//!   A direct `w:outlineLvl w:val="9"` makes a paragraph body text. A numbered heading keeps its number
//!   at the start of its text.
//! - **Lists**: `w:numPr` (direct or from the paragraph style) is resolved through `numbering.xml` into a
//!   label (`1.1.2.`, `а)`, `•`) passed to [`DocumentBuilder::paragraph`]. Counters are kept per abstract
//!   definition, so lists sharing one continue each other, except a `w:num` with a `w:startOverride`,
//!   which counts on its own from the override. A level restarts when a higher level advances (or as its
//!   `w:lvlRestart` says). Bullets in a symbol font's private-use area become `•`. `russianLower` /
//!   `russianUpper` count а, б, в, г, д, е, ж, з, и, к, … Formats without a rendering here count in
//!   digits. Of `mc:AlternateContent` in `numbering.xml` and `styles.xml` the standard `mc:Fallback` is
//!   read. A damaged (not hostile) `styles.xml` or `numbering.xml` is noted and read around.
//! - **Text**: `w:t` (trimmed at its ends unless `xml:space="preserve"`, as Word does), `w:tab` → tab,
//!   `w:br`/`w:cr` → a line break (folded to a space in body paragraphs; in a table cell it starts a new
//!   line of the cell), `w:noBreakHyphen` → `-`; `w:sym`, soft hyphens, hidden runs (`w:vanish`),
//!   comments, footnote references, field instructions (`w:instrText`), deletions (`w:del`, `w:delText`,
//!   `w:moveFrom`) and the old properties of tracked property changes are left out. Fields show their
//!   displayed result, hyperlinks, content controls, smart tags and custom XML their content; the text
//!   of Office Math (`m:t`) is kept inline.
//! - **Text boxes** (`w:txbxContent`): their paragraphs and tables follow the paragraph that anchors
//!   them (in a table cell: the cell's lines and nested tables after the anchoring paragraph). Of
//!   `mc:AlternateContent` only the first `mc:Choice` is read (or `mc:Fallback` when there is no
//!   choice), so a text box drawn both as DrawingML and as VML is not read twice.
//! - **Tables**: a cell's paragraphs (with their list labels) become [`Cell`] paragraphs, nested tables go
//!   to [`Cell::with_tables`] and stay out of the cell's text. `w:gridSpan` and the legacy `w:hMerge`
//!   become `col_span`. A vertical merge (`w:vMerge`) becomes the `row_span` of its first cell; the
//!   continuation cells are not cells of their own (text found in one, unusual, is appended to the first
//!   cell). Cells are matched to the merge above by their grid column, counting `w:gridBefore` and spans.
//!   **`w:gridBefore`** is represented by an empty cell with that `col_span` at the start of the row, so
//!   that [`Table::grid`] places the following cells in their true columns; **`w:gridAfter`** needs no
//!   cell (the grid pads short rows). A row deleted as a tracked change is left out; a row that has cells
//!   only covered by merges from above is kept (empty), so that spans count the right rows.
//! - **Page breaks**: `w:br w:type="page"` (splitting the paragraph where it stands), `w:pageBreakBefore`
//!   (direct or from the style) and section breaks (`w:sectPr` in a paragraph, unless the next section
//!   starts `continuous` or on the next column) become [`BlockContent::PageBreak`](crate::BlockContent);
//!   `w:lastRenderedPageBreak` is a rendering hint and ignored. A page break inside a table cell only
//!   starts a new line of the cell, and one inside a text box only splits its paragraph; no page break
//!   opens or ends the document.
//! - Headers, footers, footnotes and comments are other parts and are not read into the body.
//!
//! Bounds: input over `max_input_bytes` is refused before anything else; more ZIP entries than
//! `max_entries` is refused before the central directory is read; each part read is unpacked through
//! `Read::take`, so neither its declared nor its actual size may pass `max_unpacked_bytes` (all parts read
//! together) or `max_compression_ratio` times its packed size (parts under 1 MiB are not judged by ratio);
//! XML deeper than `max_depth`, and more paragraphs, tables, cells and page breaks than `max_items`, are
//! refused; so is a table whose grid would have more than `max_items` slots. Entries that are not read
//! (images, fonts) are not judged.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use crate::model::{Cell, DocumentBuilder, Row, SourceFormat, Table};
use crate::{Document, ReadError, ReadLimits};

const FORMAT: &str = "DOCX";
const DOCUMENT_PART: &str = "word/document.xml";
const STYLES_PART: &str = "word/styles.xml";
const NUMBERING_PART: &str = "word/numbering.xml";

/// Parts smaller than this are not judged by their compression ratio: small XML compresses well and
/// cannot bomb.
const RATIO_FLOOR: u64 = 1 << 20;
/// The widest span (and skipped grid columns) taken from a cell or row; Word itself allows 63 columns.
const MAX_SPAN: u32 = 1000;
/// The longest identifier, name or level text kept from styles and numbering (longer ones are cut), so
/// that what is copied or compared per paragraph stays small.
const MAX_ID: usize = 256;
/// How many `w:basedOn` steps are followed.
const MAX_STYLE_CHAIN: usize = 32;

const W_MAIN: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";
const MATH_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/math";
const MATH_STRICT: &str = "http://purl.oclc.org/ooxml/officeDocument/math";

/// Reads a DOCX file into a [`Document`].
pub fn read(bytes: &[u8], limits: &ReadLimits) -> Result<Document, ReadError> {
    limits.check_input(bytes)?;
    let mut package = Package::open(bytes, limits)?;
    let document = package
        .part(DOCUMENT_PART)?
        .ok_or_else(|| ReadError::damaged(FORMAT, format!("there is no {DOCUMENT_PART}; it is not a Word document")))?;
    let mut notes = Vec::new();
    let styles = match package.part(STYLES_PART) {
        Ok(Some(bytes)) => auxiliary(parse_styles(&bytes, limits), STYLES_PART, &mut notes)?,
        Ok(None) => Styles::default(),
        Err(e) => auxiliary(Err(e), STYLES_PART, &mut notes)?,
    };
    let numbering = match package.part(NUMBERING_PART) {
        Ok(Some(bytes)) => auxiliary(parse_numbering(&bytes, limits), NUMBERING_PART, &mut notes)?,
        Ok(None) => Numbering::default(),
        Err(e) => auxiliary(Err(e), NUMBERING_PART, &mut notes)?,
    };
    let text = decode_xml(&document, DOCUMENT_PART)?;
    let mut body = BodyReader::new(&styles, numbering, limits);
    body.read(&text)?;
    let mut builder = DocumentBuilder::new(SourceFormat::Docx);
    for note in notes.into_iter().chain(body.notes.drain(..)) {
        builder.note(note);
    }
    body.emit(&mut builder);
    Ok(builder.finish())
}

/// A styles or numbering part that is merely damaged is noted and read around; hostile input and
/// exceeded limits still refuse the document.
fn auxiliary<T: Default>(result: Result<T, ReadError>, part: &str, notes: &mut Vec<String>) -> Result<T, ReadError> {
    match result {
        Ok(value) => Ok(value),
        Err(ReadError::Damaged { problem, .. }) => {
            notes.push(format!("{part} could not be read ({problem}); its styles or list numbers were not used"));
            Ok(T::default())
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------------
// The package

struct Package<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    limits: &'a ReadLimits,
    unpacked: u64,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8], limits: &'a ReadLimits) -> Result<Package<'a>, ReadError> {
        let max_entries = u64::try_from(limits.max_entries).unwrap_or(u64::MAX);
        if let Some(count) = declared_entry_count(bytes)
            && count > max_entries
        {
            return Err(too_many_entries(count, limits.max_entries));
        }
        let archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| ReadError::damaged(FORMAT, format!("not a readable ZIP archive ({e})")))?;
        if archive.len() > limits.max_entries {
            return Err(too_many_entries(u64::try_from(archive.len()).unwrap_or(u64::MAX), limits.max_entries));
        }
        Ok(Package { archive, limits, unpacked: 0 })
    }

    /// The unpacked bytes of a part, `None` when the archive has no such entry.
    fn part(&mut self, name: &str) -> Result<Option<Vec<u8>>, ReadError> {
        let Some(index) = self.archive.index_for_name(name) else {
            return Ok(None);
        };
        let damaged =
            |e: &dyn std::fmt::Display| ReadError::damaged(FORMAT, format!("{name} cannot be unpacked ({e})"));
        let mut entry = self.archive.by_index(index).map_err(|e| damaged(&e))?;
        let max = self.limits.max_unpacked_bytes;
        let remaining = max.saturating_sub(self.unpacked);
        let declared = entry.size();
        let packed = entry.compressed_size();
        let by_ratio = packed.saturating_mul(self.limits.max_compression_ratio).max(RATIO_FLOOR);
        // An entry too big on its own, or too big for what the parts read before it left.
        let too_much = |size: u64| {
            if size > max {
                ReadError::Hostile(format!("{name} unpacks to more than {max} bytes (a zip bomb?)"))
            } else {
                ReadError::Hostile(format!("the parts read unpack to more than {max} bytes together (a zip bomb?)"))
            }
        };
        let too_packed = || {
            ReadError::Hostile(format!(
                "{name} unpacks to more than {} times its packed size of {packed} bytes (a zip bomb?)",
                self.limits.max_compression_ratio
            ))
        };
        if declared > remaining {
            return Err(too_much(declared));
        }
        if declared > by_ratio {
            return Err(too_packed());
        }
        let cap = remaining.min(by_ratio);
        let mut data = Vec::with_capacity(usize::try_from(declared.min(cap).min(1 << 24)).unwrap_or(0));
        (&mut entry).take(cap.saturating_add(1)).read_to_end(&mut data).map_err(|e| damaged(&e))?;
        let actual = u64::try_from(data.len()).unwrap_or(u64::MAX);
        if actual > cap {
            return Err(if actual > remaining { too_much(actual) } else { too_packed() });
        }
        self.unpacked = self.unpacked.saturating_add(actual);
        Ok(Some(data))
    }
}

fn too_many_entries(count: u64, max: usize) -> ReadError {
    ReadError::Hostile(format!("the archive has {count} entries; at most {max} are accepted"))
}

/// The entry count the end-of-central-directory record declares (ZIP64 too), read before the ZIP
/// library reserves memory for that many entries. `None` when the record cannot be found.
fn declared_entry_count(bytes: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    let tail_start = bytes.len().saturating_sub(22 + 65_535);
    let tail = bytes.get(tail_start..)?;
    let at = tail.windows(EOCD.len()).rposition(|w| w == EOCD)?;
    let record = tail.get(at..)?;
    let count = u16::from_le_bytes([*record.get(10)?, *record.get(11)?]);
    if count != u16::MAX {
        return Some(u64::from(count));
    }
    let absolute = tail_start.checked_add(at)?;
    let locator = bytes.get(absolute.checked_sub(20)?..absolute)?;
    if !locator.starts_with(b"PK\x06\x07") {
        return Some(u64::from(count));
    }
    let offset = usize::try_from(u64::from_le_bytes(locator.get(8..16)?.try_into().ok()?)).ok()?;
    let zip64 = bytes.get(offset..)?;
    if !zip64.starts_with(b"PK\x06\x06") {
        return None;
    }
    Some(u64::from_le_bytes(zip64.get(32..40)?.try_into().ok()?))
}

/// XML parts are UTF-8 (a UTF-8 or UTF-16 byte order mark is honoured).
fn decode_xml<'b>(bytes: &'b [u8], part: &str) -> Result<Cow<'b, str>, ReadError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest, part, 3);
    }
    for (bom, encoding) in [(b"\xFF\xFE", encoding_rs::UTF_16LE), (b"\xFE\xFF", encoding_rs::UTF_16BE)] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return encoding
                .decode_without_bom_handling_and_without_replacement(rest)
                .map(|text| Cow::Owned(text.into_owned()))
                .ok_or_else(|| ReadError::damaged(FORMAT, format!("{part} is not valid UTF-16")));
        }
    }
    utf8(bytes, part, 0)
}

fn utf8<'b>(bytes: &'b [u8], part: &str, offset: usize) -> Result<Cow<'b, str>, ReadError> {
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        ReadError::damaged(FORMAT, format!("{part} is not valid UTF-8 (at byte {})", e.valid_up_to() + offset))
    })
}

// ---------------------------------------------------------------------------------------------------
// Streaming XML

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    W,
    Mc,
    Math,
    Other,
}

enum Ev<'a> {
    Start(Ns, BytesStart<'a>),
    End,
    Text(Cow<'a, str>),
    Eof,
}

/// A `quick-xml` namespace-aware pull reader with the depth bound, no entity expansion (only the five
/// predefined entities and character references are resolved) and errors that name the part and place.
struct Xml<'a> {
    reader: NsReader<&'a [u8]>,
    text: &'a str,
    part: &'a str,
    depth: usize,
    max_depth: usize,
}

impl<'a> Xml<'a> {
    fn new(text: &'a str, part: &'a str, limits: &ReadLimits) -> Xml<'a> {
        let mut reader = NsReader::from_str(text);
        reader.config_mut().expand_empty_elements = true;
        reader.config_mut().check_end_names = true;
        Xml { reader, text, part, depth: 0, max_depth: limits.max_depth }
    }

    fn next(&mut self) -> Result<Ev<'a>, ReadError> {
        loop {
            let (ns, event) = match self.reader.read_resolved_event() {
                Ok((resolved, event)) => (namespace(&resolved), event),
                Err(e) => return Err(self.malformed(&e)),
            };
            return match event {
                Event::Start(start) | Event::Empty(start) => {
                    self.depth += 1;
                    if self.depth > self.max_depth {
                        return Err(ReadError::Hostile(format!(
                            "{} nests elements deeper than {} levels",
                            self.part, self.max_depth
                        )));
                    }
                    Ok(Ev::Start(ns, start))
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    Ok(Ev::End)
                }
                Event::Text(text) => Ok(Ev::Text(text.xml10_content())),
                Event::CData(data) => Ok(Ev::Text(data.into_inner())),
                Event::GeneralRef(reference) => {
                    if reference.is_char_ref() {
                        match reference.resolve_char_ref() {
                            Ok(Some(c)) => Ok(Ev::Text(Cow::Owned(c.to_string()))),
                            Ok(None) => continue,
                            Err(e) => Err(self.malformed(&e)),
                        }
                    } else {
                        match &*reference {
                            "lt" => Ok(Ev::Text(Cow::Borrowed("<"))),
                            "gt" => Ok(Ev::Text(Cow::Borrowed(">"))),
                            "amp" => Ok(Ev::Text(Cow::Borrowed("&"))),
                            "apos" => Ok(Ev::Text(Cow::Borrowed("'"))),
                            "quot" => Ok(Ev::Text(Cow::Borrowed("\""))),
                            other => Err(self.damaged(format!("an undeclared entity &{};", cut(other, 40)))),
                        }
                    }
                }
                Event::DocType(_) => Err(ReadError::Hostile(format!(
                    "{} declares a DOCTYPE; document type and entity declarations are not accepted",
                    self.part
                ))),
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => continue,
                Event::Eof if self.depth > 0 => Err(self.damaged("it ends before its elements are closed".into())),
                Event::Eof => Ok(Ev::Eof),
            };
        }
    }

    fn malformed(&self, error: &dyn std::fmt::Display) -> ReadError {
        let at = usize::try_from(self.reader.error_position()).unwrap_or(usize::MAX);
        let rest = self.text.as_bytes().get(at..).unwrap_or_default();
        if rest.starts_with(b"<!ENTITY") || rest.starts_with(b"<!DOCTYPE") {
            return ReadError::Hostile(format!(
                "{} declares an entity; entity declarations are not accepted",
                self.part
            ));
        }
        self.damaged_at(at, error.to_string())
    }

    fn damaged(&self, problem: String) -> ReadError {
        let at = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
        self.damaged_at(at, problem)
    }

    fn damaged_at(&self, at: usize, problem: String) -> ReadError {
        let bytes = self.text.as_bytes();
        let before = bytes.get(..at).unwrap_or(bytes);
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default()).chars().count() + 1;
        ReadError::damaged(
            FORMAT,
            format!("{} is not well-formed XML at line {line}, column {column}: {problem}", self.part),
        )
    }

    /// The value of the attribute with this local name (`w:val` → `val`), entities resolved.
    fn attr(&self, start: &BytesStart, local: &str) -> Result<Option<String>, ReadError> {
        self.find_attr(start, |key| key.rsplit(':').next() == Some(local))
    }

    fn find_attr(&self, start: &BytesStart, matches: impl Fn(&str) -> bool) -> Result<Option<String>, ReadError> {
        // Duplicate names are not looked for: the first one is taken.
        for attribute in start.attributes().with_checks(false) {
            let attribute = attribute.map_err(|e| self.damaged(format!("a malformed attribute ({e})")))?;
            if matches(attribute.key.into_inner()) {
                let value = attribute
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| self.damaged(format!("a malformed attribute value ({e})")))?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    }

    fn preserves_space(&self, start: &BytesStart) -> Result<bool, ReadError> {
        Ok(self.find_attr(start, |key| key == "xml:space")?.as_deref() == Some("preserve"))
    }
}

fn namespace(resolved: &ResolveResult) -> Ns {
    match resolved {
        ResolveResult::Bound(ns) => match ns.0 {
            W_MAIN | W_STRICT => Ns::W,
            MC_NS => Ns::Mc,
            MATH_NS | MATH_STRICT => Ns::Math,
            _ => Ns::Other,
        },
        // An undeclared prefix: judge by the prefixes Word uses.
        ResolveResult::Unknown(prefix) => match prefix.as_str() {
            "w" => Ns::W,
            "mc" => Ns::Mc,
            "m" => Ns::Math,
            _ => Ns::Other,
        },
        ResolveResult::Unbound => Ns::Other,
    }
}

/// At most `max` characters of `text`.
fn cut(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => text.get(..at).unwrap_or(text),
        None => text,
    }
}

fn capped(text: String) -> String {
    if text.len() <= MAX_ID { text } else { cut(&text, MAX_ID).to_owned() }
}

/// A `w:val` of an on/off property: absent or anything but false means on.
fn on(value: Option<&str>) -> bool {
    !matches!(value.map(str::trim), Some("0" | "false" | "off"))
}

fn int(value: Option<String>) -> Option<i64> {
    value?.trim().parse().ok()
}

// ---------------------------------------------------------------------------------------------------
// Element names

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Body,
    P,
    PPr,
    PStyle,
    NumPr,
    Ilvl,
    NumId,
    OutlineLvl,
    PageBreakBefore,
    SectPr,
    SectType,
    R,
    RPr,
    Vanish,
    T,
    Tab,
    Br,
    Cr,
    NoBreakHyphen,
    FldChar,
    Del,
    Tbl,
    Tr,
    TrPr,
    GridBefore,
    GridAfter,
    Tc,
    TcPr,
    GridSpan,
    VMerge,
    HMerge,
    TxbxContent,
    AltChunk,
    AlternateContent,
    Choice,
    Fallback,
    Style,
    Name,
    BasedOn,
    AbstractNum,
    Lvl,
    Start,
    NumFmt,
    LvlText,
    LvlRestart,
    IsLgl,
    Num,
    AbstractNumId,
    LvlOverride,
    StartOverride,
    StyleLink,
    NumStyleLink,
    /// An element whose whole subtree is left out.
    Skip,
    Other,
}

fn tag(ns: Ns, start: &BytesStart) -> Tag {
    let local = start.local_name();
    let local = local.into_inner();
    match ns {
        Ns::W => match local {
            "body" => Tag::Body,
            "p" => Tag::P,
            "pPr" => Tag::PPr,
            "pStyle" => Tag::PStyle,
            "numPr" => Tag::NumPr,
            "ilvl" => Tag::Ilvl,
            "numId" => Tag::NumId,
            "outlineLvl" => Tag::OutlineLvl,
            "pageBreakBefore" => Tag::PageBreakBefore,
            "sectPr" => Tag::SectPr,
            "type" => Tag::SectType,
            "r" => Tag::R,
            "rPr" => Tag::RPr,
            "vanish" => Tag::Vanish,
            "t" => Tag::T,
            "tab" | "ptab" => Tag::Tab,
            "br" => Tag::Br,
            "cr" => Tag::Cr,
            "noBreakHyphen" => Tag::NoBreakHyphen,
            "fldChar" => Tag::FldChar,
            "del" => Tag::Del,
            "tbl" => Tag::Tbl,
            "tr" => Tag::Tr,
            "trPr" => Tag::TrPr,
            "gridBefore" => Tag::GridBefore,
            "gridAfter" => Tag::GridAfter,
            "tc" => Tag::Tc,
            "tcPr" => Tag::TcPr,
            "gridSpan" => Tag::GridSpan,
            "vMerge" => Tag::VMerge,
            "hMerge" => Tag::HMerge,
            "txbxContent" => Tag::TxbxContent,
            "altChunk" => Tag::AltChunk,
            "style" => Tag::Style,
            "name" => Tag::Name,
            "basedOn" => Tag::BasedOn,
            "abstractNum" => Tag::AbstractNum,
            "lvl" => Tag::Lvl,
            "start" => Tag::Start,
            "numFmt" => Tag::NumFmt,
            "lvlText" => Tag::LvlText,
            "lvlRestart" => Tag::LvlRestart,
            "isLgl" => Tag::IsLgl,
            "num" => Tag::Num,
            "abstractNumId" => Tag::AbstractNumId,
            "lvlOverride" => Tag::LvlOverride,
            "startOverride" => Tag::StartOverride,
            "styleLink" => Tag::StyleLink,
            "numStyleLink" => Tag::NumStyleLink,
            // Deleted and moved-away text, field instructions, ruby guide text, content-control
            // properties, and the old properties recorded by tracked changes.
            "delText" | "delInstrText" | "instrText" | "moveFrom" | "rt" | "sdtPr" | "sdtEndPr" | "pPrChange"
            | "rPrChange" | "sectPrChange" | "tblPrChange" | "tblPrExChange" | "trPrChange" | "tcPrChange"
            | "tblGridChange" | "numberingChange" => Tag::Skip,
            _ => Tag::Other,
        },
        Ns::Mc => match local {
            "AlternateContent" => Tag::AlternateContent,
            "Choice" => Tag::Choice,
            "Fallback" => Tag::Fallback,
            _ => Tag::Other,
        },
        Ns::Math => match local {
            "t" => Tag::T,
            _ => Tag::Other,
        },
        Ns::Other => Tag::Other,
    }
}

/// Counts what a part builds against `max_items`.
struct Budget {
    used: usize,
    max: usize,
    what: &'static str,
}

impl Budget {
    fn take(&mut self) -> Result<(), ReadError> {
        self.used += 1;
        if self.used > self.max {
            return Err(ReadError::Hostile(format!("the document has more than {} {}", self.max, self.what)));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------------
// styles.xml

#[derive(Debug, Default, Clone)]
struct StyleDef {
    name: Option<String>,
    based_on: Option<String>,
    outline: Option<i64>,
    num_id: Option<i64>,
    ilvl: Option<i64>,
    page_break_before: Option<bool>,
}

/// What a paragraph style gives a paragraph, resolved through `w:basedOn`.
#[derive(Debug, Default, Clone)]
struct StyleInfo {
    heading: Option<u8>,
    numbering: Option<(i64, Option<i64>)>,
    page_break_before: bool,
}

#[derive(Debug, Default)]
struct Styles {
    resolved: HashMap<String, StyleInfo>,
    default_paragraph: Option<String>,
}

impl Styles {
    fn info(&self, id: &str) -> Option<StyleInfo> {
        match self.resolved.get(id) {
            Some(info) => Some(info.clone()),
            // A style styles.xml does not define (or no styles.xml): judged by its id.
            None => name_level(id).map(|level| StyleInfo { heading: Some(level), ..StyleInfo::default() }),
        }
    }
}

/// The heading level a style's id or name means: `Heading1`, `heading 1`, `Заглавие 1` → 1, `Title` → 1.
fn name_level(name: &str) -> Option<u8> {
    let lower = name.trim().to_lowercase();
    if matches!(lower.as_str(), "title" | "заглавие" | "заголовок") {
        return Some(1);
    }
    for prefix in ["heading", "заглавие", "заголовок"] {
        if let Some(rest) = lower.strip_prefix(prefix)
            && let Ok(level) = rest.trim().parse::<u8>()
            && (1..=9).contains(&level)
        {
            return Some(level);
        }
    }
    None
}

fn parse_styles(bytes: &[u8], limits: &ReadLimits) -> Result<Styles, ReadError> {
    let text = decode_xml(bytes, STYLES_PART)?;
    let mut xml = Xml::new(&text, STYLES_PART, limits);
    let mut budget = Budget { used: 0, max: limits.max_items, what: "styles" };
    let mut defs: HashMap<String, StyleDef> = HashMap::new();
    let mut default_paragraph = None;
    let mut open: Vec<Tag> = Vec::new();
    let mut skip = 0usize;
    let mut current: Option<(String, StyleDef)> = None;
    loop {
        match xml.next()? {
            Ev::Eof => break,
            Ev::Text(_) => {}
            Ev::Start(ns, start) => {
                if skip > 0 {
                    skip += 1;
                    continue;
                }
                let tag = tag(ns, &start);
                let parent = open.last().copied();
                let grandparent = open.len().checked_sub(2).and_then(|i| open.get(i)).copied();
                match tag {
                    // Only the standard branch of markup compatibility is read here.
                    Tag::Skip | Tag::Choice | Tag::Del => {
                        skip = 1;
                        continue;
                    }
                    Tag::Style => {
                        budget.take()?;
                        let kind = xml.attr(&start, "type")?;
                        if kind.is_none() || kind.as_deref() == Some("paragraph") {
                            let id = capped(xml.attr(&start, "styleId")?.unwrap_or_default());
                            let default = xml.attr(&start, "default")?;
                            if default.is_some() && on(default.as_deref()) {
                                default_paragraph = Some(id.clone());
                            }
                            current = Some((id, StyleDef::default()));
                        }
                    }
                    _ => {
                        if let Some((_, def)) = current.as_mut() {
                            let value = || xml.attr(&start, "val");
                            match (tag, parent, grandparent) {
                                (Tag::Name, Some(Tag::Style), _) => def.name = value()?.map(capped),
                                (Tag::BasedOn, Some(Tag::Style), _) => def.based_on = value()?.map(capped),
                                (Tag::OutlineLvl, Some(Tag::PPr), Some(Tag::Style)) => def.outline = int(value()?),
                                (Tag::PageBreakBefore, Some(Tag::PPr), Some(Tag::Style)) => {
                                    def.page_break_before = Some(on(value()?.as_deref()));
                                }
                                (Tag::NumId, Some(Tag::NumPr), Some(Tag::PPr)) => def.num_id = int(value()?),
                                (Tag::Ilvl, Some(Tag::NumPr), Some(Tag::PPr)) => def.ilvl = int(value()?),
                                _ => {}
                            }
                        }
                    }
                }
                open.push(tag);
            }
            Ev::End => {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                if open.pop() == Some(Tag::Style)
                    && let Some((id, def)) = current.take()
                {
                    defs.insert(id, def);
                }
            }
        }
    }
    Ok(Styles { resolved: resolve_styles(&defs), default_paragraph })
}

/// What a style says itself, each field `None` when it leaves it to the style it is based on.
#[derive(Debug, Default, Clone, Copy)]
struct Partial {
    heading: Option<Option<u8>>,
    numbering: Option<(i64, Option<i64>)>,
    page_break_before: Option<bool>,
}

impl Partial {
    fn of(id: &str, def: &StyleDef) -> Partial {
        let heading = match def.outline {
            Some(level) => Some((0..9).contains(&level).then(|| u8::try_from(level + 1).unwrap_or(1))),
            None => name_level(id).or_else(|| def.name.as_deref().and_then(name_level)).map(Some),
        };
        Partial { heading, numbering: def.num_id.map(|num| (num, def.ilvl)), page_break_before: def.page_break_before }
    }
    fn over(self, base: Partial) -> Partial {
        Partial {
            heading: self.heading.or(base.heading),
            numbering: self.numbering.or(base.numbering),
            page_break_before: self.page_break_before.or(base.page_break_before),
        }
    }
}

/// Resolves every style through `w:basedOn`, at most [`MAX_STYLE_CHAIN`] steps (a loop ends there).
/// Chains that end are resolved once and reused, so the work stays linear.
fn resolve_styles(defs: &HashMap<String, StyleDef>) -> HashMap<String, StyleInfo> {
    let own: HashMap<&str, (Partial, Option<&str>)> =
        defs.iter().map(|(id, def)| (id.as_str(), (Partial::of(id, def), def.based_on.as_deref()))).collect();
    let mut ended: HashMap<&str, Partial> = HashMap::with_capacity(defs.len());
    let mut resolved = HashMap::with_capacity(defs.len());
    for id in defs.keys() {
        let mut path: Vec<(&str, Partial)> = Vec::new();
        let mut base = Partial::default();
        let mut ends = true;
        let mut next = Some(id.as_str());
        while let Some(current) = next {
            if let Some(known) = ended.get(current) {
                base = *known;
                break;
            }
            let Some((key, (partial, parent))) = own.get_key_value(current) else { break };
            if path.len() >= MAX_STYLE_CHAIN {
                ends = false;
                break;
            }
            path.push((*key, *partial));
            next = *parent;
        }
        for (key, partial) in path.into_iter().rev() {
            base = partial.over(base);
            if ends {
                ended.insert(key, base);
            }
        }
        let info = StyleInfo {
            heading: base.heading.flatten(),
            numbering: base.numbering,
            page_break_before: base.page_break_before.unwrap_or(false),
        };
        resolved.insert(id.clone(), info);
    }
    resolved
}

// ---------------------------------------------------------------------------------------------------
// numbering.xml

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumFmt {
    Decimal,
    DecimalZero,
    LowerLetter,
    UpperLetter,
    LowerRoman,
    UpperRoman,
    RussianLower,
    RussianUpper,
    Bullet,
    None,
}

fn num_fmt(value: &str) -> NumFmt {
    match value {
        "decimalZero" => NumFmt::DecimalZero,
        "lowerLetter" => NumFmt::LowerLetter,
        "upperLetter" => NumFmt::UpperLetter,
        "lowerRoman" => NumFmt::LowerRoman,
        "upperRoman" => NumFmt::UpperRoman,
        "russianLower" => NumFmt::RussianLower,
        "russianUpper" => NumFmt::RussianUpper,
        "bullet" => NumFmt::Bullet,
        "none" => NumFmt::None,
        // decimal and every format without a rendering of its own here (ordinal, cardinalText, …).
        _ => NumFmt::Decimal,
    }
}

#[derive(Debug, Clone)]
struct Level {
    start: i64,
    fmt: NumFmt,
    text: String,
    restart: Option<i64>,
    legal: bool,
    style: Option<String>,
}

impl Default for Level {
    fn default() -> Level {
        Level { start: 0, fmt: NumFmt::Decimal, text: String::new(), restart: None, legal: false, style: None }
    }
}

#[derive(Debug, Default)]
struct AbstractNum {
    levels: Vec<(usize, Level)>,
    style_link: Option<String>,
    num_style_link: Option<String>,
}

#[derive(Debug, Default)]
struct Num {
    abstract_id: Option<i64>,
    /// Per level: the start override and the level redefinition.
    overrides: Vec<(usize, Option<i64>, Option<Level>)>,
}

impl Num {
    /// Records an override, at most one per level.
    fn set_override(&mut self, level: usize, start: Option<i64>, def: Option<Level>) {
        match self.overrides.iter_mut().find(|(l, ..)| *l == level) {
            Some(entry) => {
                if start.is_some() {
                    entry.1 = start;
                }
                if def.is_some() {
                    entry.2 = def;
                }
            }
            None => self.overrides.push((level, start, def)),
        }
    }
    fn start_override(&self, level: usize) -> Option<i64> {
        self.overrides.iter().find(|(l, ..)| *l == level).and_then(|(_, start, _)| *start)
    }
    fn level(&self, level: usize) -> Option<&Level> {
        self.overrides.iter().find(|(l, ..)| *l == level).and_then(|(_, _, def)| def.as_ref())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Counter {
    Abstract(i64),
    Num(i64),
}

#[derive(Debug, Default)]
struct Numbering {
    abstracts: HashMap<i64, AbstractNum>,
    nums: HashMap<i64, Num>,
    /// `w:styleLink` → the abstract definition that carries the levels.
    style_links: HashMap<String, i64>,
}

/// The current number of each level, per list.
type Counters = HashMap<Counter, [Option<i64>; 9]>;

impl Numbering {
    fn abstract_for(&self, num: &Num) -> Option<(i64, &AbstractNum)> {
        let id = num.abstract_id?;
        let def = self.abstracts.get(&id)?;
        if let Some(link) = &def.num_style_link
            && let Some(linked) = self.style_links.get(link)
            && let Some(linked_def) = self.abstracts.get(linked)
        {
            return Some((*linked, linked_def));
        }
        Some((id, def))
    }

    /// The level a paragraph style is attached to in a list, for a paragraph numbered by its style.
    fn level_of_style(&self, num_id: i64, style: &str) -> Option<i64> {
        let num = self.nums.get(&num_id)?;
        let (_, def) = self.abstract_for(num)?;
        def.levels.iter().find(|(_, l)| l.style.as_deref() == Some(style)).and_then(|(i, _)| i64::try_from(*i).ok())
    }

    /// Advances the list's counters for a paragraph at `ilvl` and renders its label.
    fn label(&self, counters: &mut Counters, num_id: i64, ilvl: i64) -> Option<String> {
        let num = self.nums.get(&num_id)?;
        let (abstract_id, def) = self.abstract_for(num)?;
        let level = usize::try_from(ilvl.clamp(0, 8)).unwrap_or(0);
        let levels: Vec<Option<&Level>> =
            (0..9).map(|l| num.level(l).or_else(|| def.levels.iter().find(|(i, _)| *i == l).map(|(_, d)| d))).collect();
        let this = levels.get(level).copied().flatten()?;
        let own_counter = num.overrides.iter().any(|(_, start, _)| start.is_some());
        let key = if own_counter { Counter::Num(num_id) } else { Counter::Abstract(abstract_id) };
        let start_of = |l: usize| {
            let overridden = if own_counter { num.start_override(l) } else { None };
            overridden.or_else(|| levels.get(l).copied().flatten().map(|d| d.start)).unwrap_or(0)
        };
        let values = counters.entry(key).or_insert([None; 9]);
        if let Some(slot) = values.get_mut(level) {
            *slot = Some(match *slot {
                Some(value) => value.saturating_add(1),
                None => start_of(level),
            });
        }
        for (deeper, slot) in values.iter_mut().enumerate().skip(level + 1) {
            let reset = match levels.get(deeper).copied().flatten().and_then(|d| d.restart) {
                None => true,
                Some(0) => false,
                Some(after) => i64::try_from(level).unwrap_or(0) < after,
            };
            if reset {
                *slot = None;
            }
        }
        let label = if this.fmt == NumFmt::Bullet {
            bullet(&this.text)
        } else {
            let mut out = String::new();
            let mut chars = this.text.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '%'
                    && let Some(digit) = chars.peek().and_then(|d| d.to_digit(10)).filter(|d| (1..=9).contains(d))
                {
                    chars.next();
                    let l = usize::try_from(digit - 1).unwrap_or(0);
                    let value = values.get(l).copied().flatten().unwrap_or_else(|| start_of(l));
                    let fmt = levels.get(l).copied().flatten().map_or(NumFmt::Decimal, |d| d.fmt);
                    let fmt =
                        if this.legal && !matches!(fmt, NumFmt::Bullet | NumFmt::None) { NumFmt::Decimal } else { fmt };
                    out.push_str(&format_number(value, fmt));
                } else {
                    out.push(c);
                }
            }
            out
        };
        let label = label.trim().to_owned();
        (!label.is_empty()).then_some(label)
    }
}

/// A bullet as text: symbol-font characters (private use area) become `•`.
fn bullet(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() || text.chars().any(|c| ('\u{E000}'..='\u{F8FF}').contains(&c)) {
        "•".to_owned()
    } else {
        text.to_owned()
    }
}

const RUSSIAN_LOWER: &[char] = &[
    'а', 'б', 'в', 'г', 'д', 'е', 'ж', 'з', 'и', 'к', 'л', 'м', 'н', 'о', 'п', 'р', 'с', 'т', 'у', 'ф', 'х', 'ц', 'ч',
    'ш', 'щ', 'э', 'ю', 'я',
];
const LATIN_LOWER: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w',
    'x', 'y', 'z',
];

fn format_number(value: i64, fmt: NumFmt) -> String {
    match fmt {
        NumFmt::Decimal => value.to_string(),
        NumFmt::DecimalZero if (0..10).contains(&value) => format!("0{value}"),
        NumFmt::DecimalZero => value.to_string(),
        NumFmt::LowerLetter => letters(value, LATIN_LOWER, false),
        NumFmt::UpperLetter => letters(value, LATIN_LOWER, true),
        NumFmt::RussianLower => letters(value, RUSSIAN_LOWER, false),
        NumFmt::RussianUpper => letters(value, RUSSIAN_LOWER, true),
        NumFmt::LowerRoman => roman(value).to_lowercase(),
        NumFmt::UpperRoman => roman(value),
        NumFmt::Bullet | NumFmt::None => String::new(),
    }
}

/// a … z, then aa … zz, as Word counts; numbers out of reach are written in digits.
fn letters(value: i64, alphabet: &[char], upper: bool) -> String {
    let len = i64::try_from(alphabet.len()).unwrap_or(1);
    if value < 1 || value > len * 30 {
        return value.to_string();
    }
    let index = usize::try_from((value - 1) % len).unwrap_or(0);
    let times = usize::try_from((value - 1) / len + 1).unwrap_or(1);
    let Some(letter) = alphabet.get(index) else { return value.to_string() };
    let text: String = std::iter::repeat_n(*letter, times).collect();
    if upper { text.to_uppercase() } else { text }
}

fn roman(value: i64) -> String {
    if !(1..4000).contains(&value) {
        return value.to_string();
    }
    let mut rest = value;
    let mut out = String::new();
    const DIGITS: [(i64, &str); 13] = [
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
    for (amount, digits) in DIGITS {
        while rest >= amount {
            out.push_str(digits);
            rest -= amount;
        }
    }
    out
}

fn parse_numbering(bytes: &[u8], limits: &ReadLimits) -> Result<Numbering, ReadError> {
    let text = decode_xml(bytes, NUMBERING_PART)?;
    let mut xml = Xml::new(&text, NUMBERING_PART, limits);
    let mut budget = Budget { used: 0, max: limits.max_items, what: "list definitions" };
    let mut numbering = Numbering::default();
    let mut open: Vec<Tag> = Vec::new();
    let mut skip = 0usize;
    let mut abstract_num: Option<(i64, AbstractNum)> = None;
    let mut num: Option<(i64, Num)> = None;
    let mut override_level: Option<usize> = None;
    let mut level: Option<(usize, Level)> = None;
    let level_index = |value: Option<i64>| value.and_then(|v| usize::try_from(v).ok()).filter(|v| *v < 9);
    loop {
        match xml.next()? {
            Ev::Eof => break,
            Ev::Text(_) => {}
            Ev::Start(ns, start) => {
                if skip > 0 {
                    skip += 1;
                    continue;
                }
                let tag = tag(ns, &start);
                let parent = open.last().copied();
                let value = || xml.attr(&start, "val");
                match (tag, parent) {
                    // Only the standard branch of markup compatibility is read here.
                    (Tag::Skip | Tag::Choice | Tag::Del, _) => {
                        skip = 1;
                        continue;
                    }
                    (Tag::AbstractNum, _) => {
                        budget.take()?;
                        abstract_num = int(xml.attr(&start, "abstractNumId")?).map(|id| (id, AbstractNum::default()));
                    }
                    (Tag::Num, _) => {
                        budget.take()?;
                        num = int(xml.attr(&start, "numId")?).map(|id| (id, Num::default()));
                    }
                    (Tag::Lvl, Some(Tag::AbstractNum | Tag::LvlOverride)) => {
                        budget.take()?;
                        level = level_index(int(xml.attr(&start, "ilvl")?)).map(|l| (l, Level::default()));
                    }
                    (Tag::LvlOverride, Some(Tag::Num)) => {
                        override_level = level_index(int(xml.attr(&start, "ilvl")?));
                    }
                    (Tag::StartOverride, Some(Tag::LvlOverride)) => {
                        if let (Some((_, num)), Some(l)) = (num.as_mut(), override_level) {
                            let start = int(value()?).map(|v| v.clamp(0, 1_000_000_000));
                            num.set_override(l, start, None);
                        }
                    }
                    (Tag::AbstractNumId, Some(Tag::Num)) => {
                        if let Some((_, num)) = num.as_mut() {
                            num.abstract_id = int(value()?);
                        }
                    }
                    (Tag::StyleLink, Some(Tag::AbstractNum)) => {
                        if let Some((_, def)) = abstract_num.as_mut() {
                            def.style_link = value()?.map(capped);
                        }
                    }
                    (Tag::NumStyleLink, Some(Tag::AbstractNum)) => {
                        if let Some((_, def)) = abstract_num.as_mut() {
                            def.num_style_link = value()?.map(capped);
                        }
                    }
                    (_, Some(Tag::Lvl)) => {
                        if let Some((_, def)) = level.as_mut() {
                            match tag {
                                Tag::Start => def.start = int(value()?).unwrap_or(0).clamp(0, 1_000_000_000),
                                Tag::NumFmt => def.fmt = num_fmt(value()?.as_deref().unwrap_or("decimal")),
                                Tag::LvlText => def.text = cut(&value()?.unwrap_or_default(), MAX_ID).to_owned(),
                                Tag::LvlRestart => def.restart = int(value()?),
                                Tag::IsLgl => def.legal = on(value()?.as_deref()),
                                Tag::PStyle => def.style = value()?.map(capped),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
                open.push(tag);
            }
            Ev::End => {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                match open.pop() {
                    Some(Tag::Lvl) => {
                        if let Some((l, def)) = level.take() {
                            if open.last() == Some(&Tag::LvlOverride) {
                                if let (Some((_, num)), Some(o)) = (num.as_mut(), override_level) {
                                    num.set_override(o, None, Some(def));
                                }
                            } else if let Some((_, abstract_num)) = abstract_num.as_mut() {
                                abstract_num.levels.retain(|(i, _)| *i != l);
                                abstract_num.levels.push((l, def));
                            }
                        }
                    }
                    Some(Tag::LvlOverride) => override_level = None,
                    Some(Tag::AbstractNum) => {
                        if let Some((id, def)) = abstract_num.take() {
                            if let Some(link) = &def.style_link {
                                numbering.style_links.insert(link.clone(), id);
                            }
                            numbering.abstracts.insert(id, def);
                        }
                    }
                    Some(Tag::Num) => {
                        if let Some((id, def)) = num.take() {
                            numbering.nums.insert(id, def);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(numbering)
}

// ---------------------------------------------------------------------------------------------------
// document.xml

/// What a paragraph, table or text box leaves for its container.
#[derive(Debug)]
enum Item {
    Heading(u8, String),
    Paragraph(String, Option<String>),
    Table(Table),
    PageBreak,
    /// The end of the section with this index; a page break unless the next section is continuous.
    SectionBreak(usize),
}

#[derive(Debug, Default)]
struct Para {
    /// Directly in the body (or in a content control there), not in a table or text box.
    top_level: bool,
    style: Option<String>,
    num_id: Option<i64>,
    ilvl: Option<i64>,
    outline: Option<i64>,
    page_break_before: Option<bool>,
    section: Option<usize>,
    run_hidden: bool,
    /// The text before each page break in the paragraph.
    pages: Vec<String>,
    /// The text after the last page break.
    current: String,
    /// The list label, once resolved (it is resolved when the properties end, to count in order).
    label: Option<Option<String>>,
    /// Text boxes anchored here.
    trailing: Vec<Item>,
}

impl Para {
    fn page_break(&mut self) {
        self.pages.push(std::mem::take(&mut self.current));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Merge {
    #[default]
    None,
    Restart,
    Continue,
}

fn merge(value: Option<String>) -> Merge {
    match value.as_deref().map(str::trim) {
        Some("restart") => Merge::Restart,
        _ => Merge::Continue,
    }
}

#[derive(Debug)]
struct CellBuild {
    paragraphs: Vec<String>,
    tables: Vec<Table>,
    span: u32,
    v_merge: Merge,
    h_merge: Merge,
}

impl CellBuild {
    fn add(&mut self, items: Vec<Item>) {
        for item in items {
            match item {
                Item::Heading(_, text) | Item::Paragraph(text, None) => self.lines(&text),
                Item::Paragraph(text, Some(label)) => self.lines(&with_label(Some(label), text)),
                Item::Table(table) => self.tables.push(table),
                Item::PageBreak | Item::SectionBreak(_) => {}
            }
        }
    }
    fn lines(&mut self, text: &str) {
        self.paragraphs.extend(text.split('\n').map(str::to_owned));
    }
    /// Takes in the content of a cell merged into this one.
    fn absorb(&mut self, other: CellBuild) {
        self.paragraphs.extend(other.paragraphs.into_iter().filter(|p| !p.trim().is_empty()));
        self.tables.extend(other.tables);
    }
}

#[derive(Debug, Default)]
struct RowBuild {
    before: u32,
    after: u32,
    deleted: bool,
    cells: Vec<CellBuild>,
}

#[derive(Debug)]
enum Frame {
    Para(Box<Para>),
    Table(Vec<RowBuild>),
    Row(RowBuild),
    Cell(CellBuild),
    TextBox(Vec<Item>),
}

struct BodyReader<'s> {
    styles: &'s Styles,
    numbering: Numbering,
    counters: Counters,
    limits: &'s ReadLimits,
    budget: Budget,
    open: Vec<Tag>,
    frames: Vec<Frame>,
    body: Vec<Item>,
    skip: usize,
    /// Per open `mc:AlternateContent`: whether a branch has been taken.
    alternates: Vec<bool>,
    /// Open complex fields: `true` once past `separate` (showing the result).
    fields: Vec<bool>,
    in_instruction: usize,
    /// The `w:t` being read, and whether it keeps its edge spaces; `None` when its text is not shown.
    text: Option<(String, bool)>,
    /// Per section: whether it starts on a new page.
    sections: Vec<bool>,
    notes: Vec<String>,
}

impl<'s> BodyReader<'s> {
    fn new(styles: &'s Styles, numbering: Numbering, limits: &'s ReadLimits) -> BodyReader<'s> {
        BodyReader {
            styles,
            numbering,
            counters: Counters::new(),
            limits,
            budget: Budget { used: 0, max: limits.max_items, what: "paragraphs, tables, cells and page breaks" },
            open: Vec::new(),
            frames: Vec::new(),
            body: Vec::new(),
            skip: 0,
            alternates: Vec::new(),
            fields: Vec::new(),
            in_instruction: 0,
            text: None,
            sections: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn read(&mut self, text: &str) -> Result<(), ReadError> {
        let mut xml = Xml::new(text, DOCUMENT_PART, self.limits);
        loop {
            match xml.next()? {
                Ev::Start(ns, start) => self.start(&xml, ns, &start)?,
                Ev::End => self.end()?,
                Ev::Text(text) => {
                    if self.skip == 0
                        && let Some((buffer, _)) = self.text.as_mut()
                    {
                        // Line ends inside `w:t` are spaces; breaks are `w:br`.
                        buffer.extend(text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }));
                    }
                }
                Ev::Eof => break,
            }
        }
        if !self.fields.is_empty() {
            self.notes.push("a field was never closed; text after it may be missing".into());
        }
        Ok(())
    }

    fn para(&mut self) -> Option<&mut Para> {
        match self.frames.last_mut() {
            Some(Frame::Para(para)) => Some(para),
            _ => None,
        }
    }

    fn row(&mut self) -> Option<&mut RowBuild> {
        match self.frames.last_mut() {
            Some(Frame::Row(row)) => Some(row),
            _ => None,
        }
    }

    fn cell(&mut self) -> Option<&mut CellBuild> {
        match self.frames.last_mut() {
            Some(Frame::Cell(cell)) => Some(cell),
            _ => None,
        }
    }

    /// Whether run content here is shown: in a paragraph, outside field instructions and hidden runs.
    fn visible(&self) -> bool {
        self.in_instruction == 0 && matches!(self.frames.last(), Some(Frame::Para(p)) if !p.run_hidden)
    }

    fn push_text(&mut self, text: &str) {
        if self.visible()
            && let Some(para) = self.para()
        {
            para.current.push_str(text);
        }
    }

    fn start(&mut self, xml: &Xml, ns: Ns, start: &BytesStart) -> Result<(), ReadError> {
        if self.skip > 0 {
            self.skip += 1;
            return Ok(());
        }
        let mut tag = tag(ns, start);
        let parent = self.open.last().copied();
        let grandparent = self.open.len().checked_sub(2).and_then(|i| self.open.get(i)).copied();
        let value = || xml.attr(start, "val");
        match tag {
            Tag::Skip => {
                self.skip = 1;
                return Ok(());
            }
            Tag::Del => {
                if parent == Some(Tag::TrPr)
                    && let Some(row) = self.row()
                {
                    row.deleted = true;
                }
                self.skip = 1;
                return Ok(());
            }
            Tag::Choice | Tag::Fallback if parent == Some(Tag::AlternateContent) => {
                if let Some(taken) = self.alternates.last_mut() {
                    if *taken {
                        self.skip = 1;
                        return Ok(());
                    }
                    *taken = true;
                }
            }
            Tag::AlternateContent => self.alternates.push(false),
            Tag::P => {
                self.budget.take()?;
                let top_level = self.frames.is_empty();
                self.frames.push(Frame::Para(Box::new(Para { top_level, ..Para::default() })));
            }
            Tag::PStyle if parent == Some(Tag::PPr) => {
                let style = value()?.map(capped);
                if let Some(para) = self.para() {
                    para.style = style;
                }
            }
            Tag::NumId | Tag::Ilvl if parent == Some(Tag::NumPr) && grandparent == Some(Tag::PPr) => {
                let number = int(value()?);
                if let Some(para) = self.para() {
                    if tag == Tag::NumId {
                        para.num_id = number;
                    } else {
                        para.ilvl = number;
                    }
                }
            }
            Tag::OutlineLvl if parent == Some(Tag::PPr) => {
                let level = int(value()?);
                if let Some(para) = self.para() {
                    para.outline = level;
                }
            }
            Tag::PageBreakBefore if parent == Some(Tag::PPr) => {
                let page_break = on(value()?.as_deref());
                if let Some(para) = self.para() {
                    para.page_break_before = Some(page_break);
                }
            }
            Tag::SectPr => {
                let index = self.sections.len();
                let counted = if parent == Some(Tag::PPr) {
                    match self.para() {
                        Some(para) if para.top_level && para.section.is_none() => {
                            para.section = Some(index);
                            true
                        }
                        _ => false,
                    }
                } else {
                    parent == Some(Tag::Body) && self.frames.is_empty()
                };
                if counted {
                    self.sections.push(true);
                } else {
                    tag = Tag::Other;
                }
            }
            Tag::SectType if parent == Some(Tag::SectPr) => {
                let new_page = !matches!(value()?.as_deref(), Some("continuous" | "nextColumn"));
                if let Some(section) = self.sections.last_mut() {
                    *section = new_page;
                }
            }
            Tag::R => {
                if let Some(para) = self.para() {
                    para.run_hidden = false;
                }
            }
            Tag::Vanish if parent == Some(Tag::RPr) && grandparent == Some(Tag::R) => {
                let hidden = on(value()?.as_deref());
                if let Some(para) = self.para() {
                    para.run_hidden = hidden;
                }
            }
            Tag::T => {
                self.text = if self.visible() { Some((String::new(), xml.preserves_space(start)?)) } else { None };
            }
            Tag::Tab if parent == Some(Tag::R) => self.push_text("\t"),
            Tag::Cr if parent == Some(Tag::R) => self.push_text("\n"),
            Tag::NoBreakHyphen if parent == Some(Tag::R) => self.push_text("-"),
            Tag::Br if parent == Some(Tag::R) => match xml.attr(start, "type")?.as_deref() {
                Some("page") => {
                    if self.visible() {
                        self.budget.take()?;
                        if let Some(para) = self.para() {
                            para.page_break();
                        }
                    }
                }
                Some("column") => self.push_text(" "),
                _ => self.push_text("\n"),
            },
            Tag::FldChar => match xml.attr(start, "fldCharType")?.as_deref() {
                Some("begin") => {
                    self.fields.push(false);
                    self.in_instruction += 1;
                }
                Some("separate") => {
                    if let Some(result) = self.fields.last_mut()
                        && !*result
                    {
                        *result = true;
                        self.in_instruction = self.in_instruction.saturating_sub(1);
                    }
                }
                Some("end") => self.close_field(),
                _ => {}
            },
            Tag::Tbl => {
                self.budget.take()?;
                self.frames.push(Frame::Table(Vec::new()));
            }
            Tag::Tr => self.frames.push(Frame::Row(RowBuild::default())),
            Tag::GridBefore | Tag::GridAfter if parent == Some(Tag::TrPr) => {
                let columns = span(value()?, 0);
                if let Some(row) = self.row() {
                    if tag == Tag::GridBefore {
                        row.before = columns;
                    } else {
                        row.after = columns;
                    }
                }
            }
            Tag::Tc => {
                self.budget.take()?;
                self.frames.push(Frame::Cell(CellBuild {
                    paragraphs: Vec::new(),
                    tables: Vec::new(),
                    span: 1,
                    v_merge: Merge::None,
                    h_merge: Merge::None,
                }));
            }
            Tag::GridSpan if parent == Some(Tag::TcPr) => {
                let columns = span(value()?, 1);
                if let Some(cell) = self.cell() {
                    cell.span = columns;
                }
            }
            Tag::VMerge | Tag::HMerge if parent == Some(Tag::TcPr) => {
                let kind = merge(value()?);
                if let Some(cell) = self.cell() {
                    if tag == Tag::VMerge {
                        cell.v_merge = kind;
                    } else {
                        cell.h_merge = kind;
                    }
                }
            }
            Tag::TxbxContent => self.frames.push(Frame::TextBox(Vec::new())),
            Tag::AltChunk => {
                self.notes.push("the document embeds content in another format (altChunk) that was not read".into());
            }
            _ => {}
        }
        self.open.push(tag);
        Ok(())
    }

    fn end(&mut self) -> Result<(), ReadError> {
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        let Some(tag) = self.open.pop() else { return Ok(()) };
        match tag {
            Tag::T => {
                if let Some((text, preserve)) = self.text.take()
                    && let Some(para) = self.para()
                {
                    let text = if preserve { text.as_str() } else { text.trim_matches([' ', '\t', '\n', '\r']) };
                    para.current.push_str(text);
                }
            }
            Tag::PPr => self.resolve_label(),
            Tag::AlternateContent => {
                self.alternates.pop();
            }
            Tag::P => {
                self.resolve_label();
                if let Some(Frame::Para(para)) = self.pop_frame(|f| matches!(f, Frame::Para(_))) {
                    let items = self.finish_para(*para);
                    self.deliver(items);
                }
            }
            Tag::Tbl => {
                if let Some(Frame::Table(rows)) = self.pop_frame(|f| matches!(f, Frame::Table(_))) {
                    let table = build_table(rows, self.limits)?;
                    if !table.rows.is_empty() {
                        self.deliver(vec![Item::Table(table)]);
                    }
                }
            }
            Tag::Tr => {
                if let Some(Frame::Row(row)) = self.pop_frame(|f| matches!(f, Frame::Row(_)))
                    && let Some(Frame::Table(rows)) = self.frames.last_mut()
                {
                    rows.push(row);
                }
            }
            Tag::Tc => {
                if let Some(Frame::Cell(cell)) = self.pop_frame(|f| matches!(f, Frame::Cell(_))) {
                    match self.frames.last_mut() {
                        Some(Frame::Row(row)) => row.cells.push(cell),
                        // A cell outside a row (a broken table): its text is kept as paragraphs.
                        _ => {
                            let mut items: Vec<Item> =
                                cell.paragraphs.into_iter().map(|p| Item::Paragraph(p, None)).collect();
                            items.extend(cell.tables.into_iter().map(Item::Table));
                            self.deliver(items);
                        }
                    }
                }
            }
            Tag::TxbxContent => {
                if let Some(Frame::TextBox(items)) = self.pop_frame(|f| matches!(f, Frame::TextBox(_))) {
                    // Pages do not break inside a text box.
                    let items = items.into_iter().filter(|i| !matches!(i, Item::PageBreak | Item::SectionBreak(_)));
                    self.deliver(items.collect());
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn close_field(&mut self) {
        if self.fields.pop() == Some(false) {
            self.in_instruction = self.in_instruction.saturating_sub(1);
        }
    }

    fn pop_frame(&mut self, expected: impl Fn(&Frame) -> bool) -> Option<Frame> {
        if self.frames.last().is_some_and(expected) { self.frames.pop() } else { None }
    }

    /// Resolves the list label of the paragraph being read, once, so that lists count in reading order.
    fn resolve_label(&mut self) {
        let Some(Frame::Para(para)) = self.frames.last_mut() else { return };
        if para.label.is_some() {
            return;
        }
        let style_id = para.style.as_deref().or(self.styles.default_paragraph.as_deref());
        let from_style = style_id.and_then(|s| self.styles.info(s)).and_then(|info| info.numbering);
        let num_id = para.num_id.or(from_style.map(|(num, _)| num));
        let label = match num_id {
            None | Some(0) => None,
            Some(num_id) => {
                let ilvl = para
                    .ilvl
                    .or(from_style.and_then(|(_, ilvl)| ilvl))
                    .or_else(|| style_id.and_then(|s| self.numbering.level_of_style(num_id, s)))
                    .unwrap_or(0);
                self.numbering.label(&mut self.counters, num_id, ilvl)
            }
        };
        para.label = Some(label);
    }

    fn finish_para(&self, para: Para) -> Vec<Item> {
        let style =
            para.style.as_deref().or(self.styles.default_paragraph.as_deref()).and_then(|s| self.styles.info(s));
        let level = match para.outline {
            Some(level) => (0..9).contains(&level).then(|| u8::try_from(level + 1).unwrap_or(1)),
            None => style.as_ref().and_then(|s| s.heading),
        };
        let page_break_before =
            para.page_break_before.unwrap_or_else(|| style.as_ref().is_some_and(|s| s.page_break_before));
        let label = para.label.flatten();
        let mut items = Vec::new();
        if page_break_before && para.top_level {
            items.push(Item::PageBreak);
        }
        let mut segments = para.pages;
        segments.push(para.current);
        let label_at = segments.iter().position(|s| !s.trim().is_empty()).unwrap_or(0);
        for (i, segment) in segments.into_iter().enumerate() {
            if i > 0 {
                items.push(Item::PageBreak);
            }
            let label = if i == label_at { label.clone() } else { None };
            items.push(match level {
                Some(level) => Item::Heading(level, with_label(label, segment)),
                None => Item::Paragraph(segment, label),
            });
        }
        items.extend(para.trailing);
        if let Some(section) = para.section {
            items.push(Item::SectionBreak(section));
        }
        items
    }

    /// Hands finished items to the innermost container that takes them.
    fn deliver(&mut self, items: Vec<Item>) {
        for frame in self.frames.iter_mut().rev() {
            match frame {
                Frame::TextBox(sink) => return sink.extend(items),
                Frame::Para(para) => return para.trailing.extend(items),
                Frame::Cell(cell) => return cell.add(items),
                Frame::Table(_) | Frame::Row(_) => {}
            }
        }
        self.body.extend(items);
    }

    fn emit(self, builder: &mut DocumentBuilder) {
        let mut pending_break = false;
        for item in self.body {
            let content = match &item {
                Item::PageBreak => {
                    pending_break = true;
                    continue;
                }
                Item::SectionBreak(section) => {
                    pending_break |= self.sections.get(section.saturating_add(1)).copied().unwrap_or(true);
                    continue;
                }
                Item::Heading(_, text) => has_text(text),
                // An empty list item still shows its number.
                Item::Paragraph(text, label) => has_text(text) || label.as_deref().is_some_and(has_text),
                Item::Table(table) => !table.rows.is_empty(),
            };
            if !content {
                continue;
            }
            if pending_break {
                builder.page_break();
                pending_break = false;
            }
            match item {
                Item::Heading(level, text) => builder.heading(level, &text),
                Item::Paragraph(text, label) => builder.paragraph(&text, label.as_deref()),
                Item::Table(table) => builder.table(table),
                Item::PageBreak | Item::SectionBreak(_) => {}
            }
        }
    }
}

/// Whether anything but whitespace is left once the model folds it.
fn has_text(text: &str) -> bool {
    text.chars().any(|c| !c.is_whitespace() && c != '\u{a0}')
}

fn with_label(label: Option<String>, text: String) -> String {
    match label {
        Some(label) if text.trim().is_empty() => label,
        Some(label) => format!("{label} {text}"),
        None => text,
    }
}

fn span(value: Option<String>, default: u32) -> u32 {
    match int(value) {
        Some(n) => u32::try_from(n.clamp(0, i64::from(MAX_SPAN))).unwrap_or(default),
        None => default,
    }
}

/// A cell placed in the grid, before it becomes a [`Cell`].
struct Placed {
    paragraphs: Vec<String>,
    tables: Vec<Table>,
    row_span: u32,
    col_span: u32,
}

#[derive(Debug, Clone, Copy)]
struct OpenMerge {
    span: u32,
    row: usize,
    cell: usize,
}

fn build_table(rows_in: Vec<RowBuild>, limits: &ReadLimits) -> Result<Table, ReadError> {
    let mut rows: Vec<Vec<Placed>> = Vec::new();
    // Vertical merges still open, by the grid column they start in.
    let mut open: HashMap<u64, OpenMerge> = HashMap::new();
    let mut width: u64 = 0;
    for row in rows_in {
        if row.deleted || row.cells.is_empty() {
            continue;
        }
        let r = rows.len();
        let mut placed: Vec<Placed> = Vec::new();
        let mut still_open = HashMap::new();
        let mut column: u64 = 0;
        if row.before > 0 {
            placed.push(Placed { paragraphs: Vec::new(), tables: Vec::new(), row_span: 1, col_span: row.before });
            column += u64::from(row.before);
        }
        // Legacy horizontal merges: a continuing cell widens the cell before it.
        let mut cells: Vec<CellBuild> = Vec::with_capacity(row.cells.len());
        for cell in row.cells {
            match cells.last_mut() {
                Some(previous) if cell.h_merge == Merge::Continue => {
                    previous.span = previous.span.saturating_add(cell.span).min(MAX_SPAN);
                    previous.absorb(cell);
                }
                _ => cells.push(cell),
            }
        }
        for cell in cells {
            let start = column;
            column += u64::from(cell.span);
            if cell.v_merge == Merge::Continue
                && let Some(merge) = open.get(&start).copied()
                && merge.span == cell.span
                && let Some(origin) = rows.get_mut(merge.row).and_then(|cells| cells.get_mut(merge.cell))
            {
                origin.row_span = origin.row_span.saturating_add(1);
                origin.paragraphs.extend(cell.paragraphs.into_iter().filter(|p| !p.trim().is_empty()));
                origin.tables.extend(cell.tables);
                still_open.insert(start, merge);
                continue;
            }
            // A continuation with nothing to continue starts a merge of its own.
            if cell.v_merge != Merge::None {
                still_open.insert(start, OpenMerge { span: cell.span, row: r, cell: placed.len() });
            }
            placed.push(Placed { paragraphs: cell.paragraphs, tables: cell.tables, row_span: 1, col_span: cell.span });
        }
        open = still_open;
        width = width.max(column);
        rows.push(placed);
    }
    let slots = u64::try_from(rows.len()).unwrap_or(u64::MAX).saturating_mul(width);
    if slots > u64::try_from(limits.max_items).unwrap_or(u64::MAX) {
        return Err(ReadError::Hostile(format!(
            "a table of {} rows and {width} columns has more grid slots than the {} accepted",
            rows.len(),
            limits.max_items
        )));
    }
    Ok(Table::new(
        rows.into_iter()
            .map(|cells| Row {
                cells: cells
                    .into_iter()
                    .map(|c| {
                        let tables: Vec<Table> = c.tables.into_iter().filter(|t| !t.rows.is_empty()).collect();
                        Cell::new(c.paragraphs, c.row_span, c.col_span).with_tables(tables)
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use serde_json::{Value, json};
    use zip::CompressionMethod;
    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::BlockContent;

    // ---- fixtures ----------------------------------------------------------------------------------

    const NS: &str = concat!(
        r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
        r#"xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" "#,
        r#"xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" "#,
        r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" "#,
        r#"xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" "#,
        r#"xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" "#,
        r#"xmlns:v="urn:schemas-microsoft-com:vml" "#,
        r#"xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" "#,
        r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#,
        r#"mc:Ignorable="w14""#
    );

    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

    const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {NS}><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134"/></w:sectPr></w:body></w:document>"#
        )
    }

    fn styles(inner: &str) -> String {
        format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {NS}>{inner}</w:styles>"#)
    }

    fn numbering(inner: &str) -> String {
        format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering {NS}>{inner}</w:numbering>"#)
    }

    fn zip_of(parts: &[(&str, &[u8])], method: CompressionMethod) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(method);
        for (name, data) in parts {
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    /// A DOCX package with the given parts besides `[Content_Types].xml` and `_rels/.rels`.
    fn package_with(parts: &[(&str, &[u8])], method: CompressionMethod) -> Vec<u8> {
        let mut all: Vec<(&str, &[u8])> =
            vec![("[Content_Types].xml", CONTENT_TYPES.as_bytes()), ("_rels/.rels", RELS.as_bytes())];
        all.extend_from_slice(parts);
        zip_of(&all, method)
    }

    fn package(parts: &[(&str, &str)]) -> Vec<u8> {
        let parts: Vec<(&str, &[u8])> = parts.iter().map(|(name, text)| (*name, text.as_bytes())).collect();
        package_with(&parts, CompressionMethod::Deflated)
    }

    fn docx(body: &str) -> Vec<u8> {
        package(&[("word/document.xml", &document(body))])
    }

    fn read_ok(bytes: &[u8]) -> Document {
        match read(bytes, &ReadLimits::default()) {
            Ok(document) => document,
            Err(e) => panic!("the fixture should read: {e}"),
        }
    }

    fn p(text: &str) -> String {
        format!(r#"<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    fn styled(style: &str, text: &str) -> String {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#
        )
    }

    fn numbered(num: i64, ilvl: i64, text: &str) -> String {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr><w:ind w:left="720"/></w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#
        )
    }

    /// A cell with these `w:tcPr` children and this block content.
    fn tc(props: &str, content: &str) -> String {
        format!(r#"<w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/>{props}</w:tcPr>{content}</w:tc>"#)
    }

    fn tc_text(props: &str, text: &str) -> String {
        tc(props, &p(text))
    }

    fn tr(props: &str, cells: &[String]) -> String {
        let props = if props.is_empty() { String::new() } else { format!("<w:trPr>{props}</w:trPr>") };
        format!(r#"<w:tr w:rsidR="00A1">{props}{}</w:tr>"#, cells.concat())
    }

    fn tbl(columns: usize, rows: &[String]) -> String {
        let grid = r#"<w:gridCol w:w="2000"/>"#.repeat(columns);
        format!(
            r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/><w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{}</w:tbl>"#,
            rows.concat()
        )
    }

    fn cells(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| tc_text("", t)).collect()
    }

    const RESTART: &str = r#"<w:vMerge w:val="restart"/>"#;
    const CONTINUE: &str = r#"<w:vMerge w:val="continue"/>"#;
    const CONTINUE_BARE: &str = "<w:vMerge/>";

    fn texts(document: &Document) -> Vec<&str> {
        document.paragraphs().collect()
    }

    fn tables(document: &Document) -> Vec<&Table> {
        document.tables().collect()
    }

    fn json(document: &Document) -> Value {
        serde_json::to_value(document).unwrap()
    }

    fn kinds(document: &Document) -> Vec<String> {
        json(document)["blocks"].as_array().unwrap().iter().map(|b| b["kind"].as_str().unwrap().to_owned()).collect()
    }

    fn labels(document: &Document) -> Vec<Option<&str>> {
        document
            .blocks
            .iter()
            .filter_map(|b| match &b.content {
                BlockContent::Paragraph { list_label, .. } => Some(list_label.as_deref()),
                _ => None,
            })
            .collect()
    }

    fn err(bytes: &[u8], limits: &ReadLimits) -> ReadError {
        match read(bytes, limits) {
            Ok(document) => panic!("expected an error, got {document:?}"),
            Err(e) => e,
        }
    }

    fn hostile(error: &ReadError) -> &str {
        match error {
            ReadError::Hostile(message) => message,
            other => panic!("expected a refusal as hostile, got {other:?}"),
        }
    }

    fn damaged(error: &ReadError) -> &str {
        match error {
            ReadError::Damaged { format: "DOCX", problem } => problem,
            other => panic!("expected a damaged DOCX, got {other:?}"),
        }
    }

    /// A multi-level decimal list (numId 1), bullets (2), Cyrillic letters (3, 5 with a restart, 6),
    /// Roman numbers with Latin letters below (4).
    fn plan_numbering() -> String {
        numbering(concat!(
            r#"<w:abstractNum w:abstractNumId="0" w15:restartNumberingAfterBreak="0" xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"><w:nsid w:val="1A2B3C4D"/><w:multiLevelType w:val="multilevel"/>"#,
            r#"<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="360" w:hanging="360"/></w:pPr></w:lvl>"#,
            r#"<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/><w:pPr><w:tabs><w:tab w:val="num" w:pos="792"/></w:tabs></w:pPr></w:lvl>"#,
            r#"<w:lvl w:ilvl="2"><w:start w:val="1"/><mc:AlternateContent><mc:Choice Requires="w14"><w:numFmt w:val="custom" w:format="01, 02, 03, ..."/></mc:Choice><mc:Fallback><w:numFmt w:val="decimal"/></mc:Fallback></mc:AlternateContent><w:pStyle w:val="Tochka"/><w:lvlText w:val="%1.%2.%3."/></w:lvl>"#,
            r#"</w:abstractNum>"#,
            r#"<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>"#,
            r#"<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="&#xF0B7;"/><w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol" w:hint="default"/></w:rPr></w:lvl>"#,
            r#"<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="o"/></w:lvl>"#,
            r#"</w:abstractNum>"#,
            r#"<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="russianLower"/><w:lvlText w:val="%1)"/></w:lvl></w:abstractNum>"#,
            r#"<w:abstractNum w:abstractNumId="3">"#,
            r#"<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="Раздел %1."/></w:lvl>"#,
            r#"<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl>"#,
            r#"</w:abstractNum>"#,
            r#"<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#,
            r#"<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>"#,
            r#"<w:num w:numId="3"><w:abstractNumId w:val="2"/></w:num>"#,
            r#"<w:num w:numId="4"><w:abstractNumId w:val="3"/></w:num>"#,
            r#"<w:num w:numId="5"><w:abstractNumId w:val="2"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>"#,
            r#"<w:num w:numId="6"><w:abstractNumId w:val="2"/></w:num>"#,
        ))
    }

    /// Paragraph styles as Bulgarian Word writes them: localized ids, English names.
    fn plan_styles() -> String {
        styles(concat!(
            r#"<w:docDefaults><w:pPrDefault><w:pPr><w:spacing w:after="160"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
            r#"<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/><w:qFormat/></w:style>"#,
            r#"<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/><w:next w:val="a"/><w:link w:val="10"/></w:style>"#,
            r#"<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/><w:basedOn w:val="a"/><w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr></w:style>"#,
            r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="a5"><w:name w:val="Заглавие на мярка"/><w:basedOn w:val="2"/></w:style>"#,
            r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="Razdel"><w:name w:val="Раздел"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>"#,
            r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="Heading1"><w:name w:val="Body Heading"/><w:pPr><w:outlineLvl w:val="9"/></w:pPr></w:style>"#,
            r#"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:pPr><w:pageBreakBefore/><w:pPrChange w:id="9" w:author="А"><w:pPr><w:outlineLvl w:val="4"/></w:pPr></w:pPrChange></w:pPr></w:style>"#,
            r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="Merki"><w:name w:val="Мерки"/><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>"#,
            r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="Tochka"><w:name w:val="Точка"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>"#,
            r#"<w:style w:type="paragraph" w:customStyle="1" w:styleId="RazdelNomer"><w:name w:val="heading 1 numbered"/><w:pPr><w:numPr><w:numId w:val="4"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style>"#,
            r#"<w:style w:type="character" w:styleId="10"><w:name w:val="Заглавие 1 Знак"/></w:style>"#,
            r#"<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/></w:style>"#,
        ))
    }

    /// The plan table of a municipal annual plan: a goal merged over three rows.
    fn plan_table() -> String {
        tbl(
            4,
            &[
                tr(r#"<w:tblHeader/>"#, &cells(&["Цел", "Дейност", "Срок", "Отговорник"])),
                tr(
                    "",
                    &[
                        tc_text(RESTART, "Цел 1. Деинституционализация"),
                        tc_text("", "Разкриване на ЦНСТ"),
                        tc_text("", "2025"),
                        tc_text("", "Община Хасково"),
                    ],
                ),
                tr(
                    "",
                    &[
                        tc_text(CONTINUE, ""),
                        tc_text("", "Преглед на капацитета"),
                        tc_text("", "ежегодно"),
                        tc_text("", "Д „СП“"),
                    ],
                ),
                tr(
                    "",
                    &[
                        tc(CONTINUE_BARE, "<w:p/>"),
                        tc_text("", "Обучение на персонала"),
                        tc_text("", "2026"),
                        tc_text("", "НПО"),
                    ],
                ),
                tr("", &cells(&["Цел 2. Мобилни услуги", "Патронажна грижа", "2027", "Община"])),
            ],
        )
    }

    // ---- paragraphs, headings, runs ------------------------------------------------------------------

    #[test]
    fn paragraphs_and_headings_by_style_id_come_in_reading_order() {
        let document = read_ok(&docx(
            &[
                styled("Title", "Годишен план за развитие на социалните услуги"),
                styled("Heading1", "Въведение"),
                p("Планът е изготвен съгласно чл. 36 от Закона за социалните услуги."),
                styled("Heading2", "Цели"),
                p("Осигуряване на достъп до услуги в общността."),
            ]
            .concat(),
        ));
        assert_eq!(document.format, SourceFormat::Docx);
        assert_eq!(kinds(&document), ["heading", "heading", "paragraph", "heading", "paragraph"]);
        let json = json(&document);
        assert_eq!(
            json["blocks"][0],
            json!({"index": 0, "kind": "heading", "level": 1, "text": "Годишен план за развитие на социалните услуги", "paragraph": 0})
        );
        assert_eq!(json["blocks"][1]["level"], 1);
        assert_eq!(json["blocks"][3]["level"], 2);
        assert_eq!(json["blocks"][4]["paragraph"], 4);
        assert_eq!(crate::detect(&docx(&p("x"))).unwrap(), crate::Detected::Docx);
    }

    #[test]
    fn a_localized_heading_style_is_told_by_its_name_or_outline_level_in_styles_xml() {
        let body = [
            styled("1", "Раздел I. Анализ"),
            styled("a5", "Мярка 1"),
            styled("Razdel", "Подраздел"),
            styled("Heading1", "Не е заглавие въпреки името"),
            r#"<w:p><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:r><w:t>Пряко заглавие</w:t></w:r></w:p>"#.to_owned(),
            r#"<w:p><w:pPr><w:pStyle w:val="2"/><w:outlineLvl w:val="9"/></w:pPr><w:r><w:t>Основен текст</w:t></w:r></w:p>"#
                .to_owned(),
            styled("NoSuchStyle", "Обикновен абзац"),
        ]
        .concat();
        let document =
            read_ok(&package(&[("word/document.xml", &document(&body)), ("word/styles.xml", &plan_styles())]));
        let headings: Vec<(u8, &str)> = document
            .blocks
            .iter()
            .filter_map(|b| match &b.content {
                BlockContent::Heading { level, text, .. } => Some((*level, text.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(headings, [(1, "Раздел I. Анализ"), (2, "Мярка 1"), (3, "Подраздел"), (1, "Пряко заглавие")]);
        assert_eq!(
            kinds(&document),
            ["heading", "heading", "heading", "paragraph", "heading", "paragraph", "paragraph"]
        );
    }

    #[test]
    fn a_style_chain_that_loops_ends_instead_of_hanging() {
        let looping = styles(concat!(
            r#"<w:style w:type="paragraph" w:styleId="A"><w:name w:val="Първи"/><w:basedOn w:val="B"/></w:style>"#,
            r#"<w:style w:type="paragraph" w:styleId="B"><w:name w:val="Втори"/><w:basedOn w:val="A"/><w:pPr><w:outlineLvl w:val="3"/></w:pPr></w:style>"#,
            r#"<w:style w:type="paragraph" w:styleId="C"><w:name w:val="Трети"/><w:basedOn w:val="C"/></w:style>"#,
        ));
        let body = [styled("A", "наследено ниво"), styled("C", "без ниво")].concat();
        let document = read_ok(&package(&[("word/document.xml", &document(&body)), ("word/styles.xml", &looping)]));
        assert_eq!(kinds(&document), ["heading", "paragraph"]);
        assert_eq!(json(&document)["blocks"][0]["level"], 4);
    }

    #[test]
    fn other_namespace_prefixes_and_the_strict_namespace_read_the_same() {
        let strict = concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?><x:document xmlns:x="http://purl.oclc.org/ooxml/wordprocessingml/main">"#,
            r#"<x:body><x:p><x:pPr><x:pStyle x:val="Heading2"/></x:pPr><x:r><x:t>Анализ</x:t></x:r></x:p>"#,
            r#"<x:p><x:r><x:t xml:space="preserve">Текст </x:t></x:r><w:r xmlns:w="urn:not-word"><w:t>чужд</w:t></w:r></x:p></x:body></x:document>"#
        );
        let document = read_ok(&package(&[("word/document.xml", strict)]));
        assert_eq!(kinds(&document), ["heading", "paragraph"]);
        assert_eq!(texts(&document), ["Анализ", "Текст"]);
    }

    #[test]
    fn runs_hyperlinks_content_controls_and_smart_tags_join_into_one_paragraph() {
        let body = concat!(
            r#"<w:p><w:pPr><w:jc w:val="both"/><w:rPr><w:b/></w:rPr></w:pPr>"#,
            r#"<w:r><w:t>Годи</w:t></w:r><w:r><w:rPr><w:b/><w:lang w:val="bg-BG"/></w:rPr><w:t>шен</w:t></w:r>"#,
            r#"<w:r><w:t xml:space="preserve"> план</w:t><w:tab/><w:t>за</w:t></w:r>"#,
            r#"<w:hyperlink r:id="rId5" w:history="1"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t xml:space="preserve"> социалните услуги</w:t></w:r></w:hyperlink>"#,
            r#"<w:sdt><w:sdtPr><w:alias w:val="Община"/><w:tag w:val="obshtina"/><w:text/></w:sdtPr><w:sdtContent><w:r><w:t xml:space="preserve"> в община Хасково</w:t></w:r></w:sdtContent></w:sdt>"#,
            r#"<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="metricconverter"><w:smartTagPr><w:attr w:name="ProductID" w:val="2025 г"/></w:smartTagPr><w:r><w:t xml:space="preserve"> за 2025</w:t></w:r></w:smartTag>"#,
            r#"<w:customXml w:element="period"><w:r><w:noBreakHyphen/><w:t>2026 г.</w:t></w:r></w:customXml>"#,
            r#"<w:r><w:sym w:font="Wingdings" w:char="F0FC"/><w:softHyphen/><w:br/><w:t>(&lt;проект&gt; &amp; &#1088;&#x435;дакция)</w:t></w:r>"#,
            r#"<m:oMath><m:r><m:t>N=25</m:t></m:r></m:oMath>"#,
            r#"</w:p>"#
        );
        let document = read_ok(&docx(body));
        assert_eq!(
            texts(&document),
            ["Годишен план за социалните услуги в община Хасково за 2025-2026 г. (<проект> & редакция)N=25"]
        );
    }

    #[test]
    fn edge_spaces_of_a_text_run_are_kept_only_where_xml_space_says_preserve() {
        let body = concat!(
            r#"<w:p><w:r><w:t xml:space="preserve">Социални </w:t></w:r><w:r><w:t>услуги</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><w:t>Дей </w:t></w:r><w:r><w:t> ност</w:t></w:r></w:p>"#,
            "<w:p><w:r><w:t>\n      Център\n    </w:t></w:r><w:r><w:t>за деца</w:t></w:r></w:p>",
        );
        let document = read_ok(&docx(body));
        assert_eq!(texts(&document), ["Социални услуги", "Дейност", "Центърза деца"]);
    }

    #[test]
    fn a_field_shows_its_result_and_drops_its_instruction() {
        let begin = r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r>"#;
        let separate = r#"<w:r><w:fldChar w:fldCharType="separate"/></w:r>"#;
        let end = r#"<w:r><w:fldChar w:fldCharType="end"/></w:r>"#;
        let instr = |text: &str| format!(r#"<w:r><w:instrText xml:space="preserve">{text}</w:instrText></w:r>"#);
        let run = |text: &str| format!(r#"<w:r><w:t xml:space="preserve">{text}</w:t></w:r>"#);
        let body = [
            "<w:p>".to_owned(),
            run("Виж "),
            begin.to_owned(),
            instr(r#" HYPERLINK "https://www.haskovo.bg" \o "сайт" "#),
            separate.to_owned(),
            run("сайта на общината"),
            end.to_owned(),
            run(", стр. "),
            r#"<w:fldSimple w:instr=" PAGE \* MERGEFORMAT "><w:r><w:t>7</w:t></w:r></w:fldSimple>"#.to_owned(),
            run(" ("),
            begin.to_owned(),
            instr(" IF "),
            begin.to_owned(),
            instr(" MERGEFIELD Статус "),
            separate.to_owned(),
            run("«Статус»"),
            end.to_owned(),
            instr(r#" = "одобрен" "#),
            separate.to_owned(),
            run("одобрен"),
            end.to_owned(),
            run(")"),
            begin.to_owned(),
            instr(r#" XE "услуги" "#),
            end.to_owned(),
            "</w:p>".to_owned(),
            // A table of contents: one field over several paragraphs.
            "<w:p>".to_owned(),
            begin.to_owned(),
            instr(r#" TOC \o "1-3" \h \z \u "#),
            separate.to_owned(),
            run("Въведение 3"),
            "</w:p>".to_owned(),
            "<w:p>".to_owned(),
            run("Цели 5"),
            end.to_owned(),
            "</w:p>".to_owned(),
        ]
        .concat();
        let document = read_ok(&docx(&body));
        assert_eq!(texts(&document), ["Виж сайта на общината, стр. 7 (одобрен)", "Въведение 3", "Цели 5"]);
        assert!(document.notes.is_empty(), "{:?}", document.notes);
    }

    #[test]
    fn tracked_insertions_are_kept_and_deletions_and_old_properties_dropped() {
        let body = concat!(
            r#"<w:p><w:pPr><w:pStyle w:val="Normal"/><w:pPrChange w:id="1" w:author="Иван" w:date="2025-01-10T10:00:00Z"><w:pPr><w:pStyle w:val="Heading1"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:pPrChange></w:pPr>"#,
            r#"<w:r><w:t xml:space="preserve">Срок: </w:t></w:r>"#,
            r#"<w:del w:id="2" w:author="Иван"><w:r><w:delText>2024</w:delText></w:r></w:del>"#,
            r#"<w:ins w:id="3" w:author="Иван"><w:r><w:t>2025</w:t></w:r></w:ins>"#,
            r#"<w:moveFrom w:id="4" w:author="Иван"><w:r><w:t xml:space="preserve"> стар текст</w:t></w:r></w:moveFrom>"#,
            r#"<w:moveTo w:id="5" w:author="Иван"><w:r><w:t xml:space="preserve"> преместен текст</w:t></w:r></w:moveTo>"#,
            r#"<w:r><w:rPr><w:b/><w:rPrChange w:id="6" w:author="Иван"><w:rPr><w:vanish/></w:rPr></w:rPrChange></w:rPr><w:t>.</w:t></w:r>"#,
            r#"</w:p>"#,
        );
        let document =
            read_ok(&package(&[("word/document.xml", &document(body)), ("word/numbering.xml", &plan_numbering())]));
        assert_eq!(kinds(&document), ["paragraph"]);
        assert_eq!(texts(&document), ["Срок: 2025 преместен текст."]);
        assert_eq!(labels(&document), [None]);
    }

    #[test]
    fn comments_notes_bookmarks_hidden_text_and_rendering_hints_leave_no_trace() {
        let body = concat!(
            r#"<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>Доставчик</w:t></w:r><w:commentRangeEnd w:id="0"/>"#,
            r#"<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="0"/></w:r>"#,
            r#"<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="1"/></w:r>"#,
            r#"<w:bookmarkStart w:id="0" w:name="_Toc1"/><w:r><w:lastRenderedPageBreak/><w:t xml:space="preserve"> на услугата</w:t></w:r><w:bookmarkEnd w:id="0"/>"#,
            r#"<w:proofErr w:type="spellStart"/><w:r><w:rPr><w:vanish/></w:rPr><w:t>скрит текст</w:t></w:r><w:proofErr w:type="spellEnd"/>"#,
            r#"<w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t xml:space="preserve"> е общината</w:t></w:r>"#,
            r#"<w:r><w:rPr><w:rStyle w:val="Ruby"/></w:rPr><w:ruby><w:rubyPr/><w:rt><w:r><w:t>рт</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>.</w:t></w:r></w:rubyBase></w:ruby></w:r>"#,
            r#"</w:p>"#
        );
        let comments = format!(
            r#"<w:comments {NS}><w:comment w:id="0" w:author="А"><w:p><w:r><w:t>Да се провери</w:t></w:r></w:p></w:comment></w:comments>"#
        );
        let document = read_ok(&package(&[("word/document.xml", &document(body)), ("word/comments.xml", &comments)]));
        assert_eq!(kinds(&document), ["paragraph"]);
        assert_eq!(texts(&document), ["Доставчик на услугата е общината."]);
    }

    #[test]
    fn a_text_box_follows_its_paragraph_once_even_with_a_fallback_copy() {
        let inner = concat!(
            r#"<w:txbxContent><w:p><w:r><w:t>Център за настаняване от семеен тип</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><w:t>капацитет 14</w:t></w:r></w:p></w:txbxContent>"#
        );
        let body = [
            r#"<w:p><w:r><w:t>Схема на услугите</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0"><wp:extent cx="1" cy="1"/><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:txbx>"#,
            inner,
            r#"</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>"#,
            inner,
            r#"</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t xml:space="preserve"> (2025)</w:t></w:r></w:p>"#,
            &p("След схемата"),
            r#"<w:p><w:r><w:pict><v:rect><v:textbox><w:txbxContent><w:p><w:r><w:t>Бележка в рамка</w:t></w:r></w:p></w:txbxContent></v:textbox></v:rect></w:pict></w:r></w:p>"#,
        ]
        .concat();
        let document = read_ok(&docx(&body));
        assert_eq!(
            texts(&document),
            [
                "Схема на услугите (2025)",
                "Център за настаняване от семеен тип",
                "капацитет 14",
                "След схемата",
                "Бележка в рамка"
            ]
        );
    }

    // ---- numbering ------------------------------------------------------------------------------------

    fn with_numbering(body: &str) -> Document {
        read_ok(&package(&[
            ("word/document.xml", &document(body)),
            ("word/numbering.xml", &plan_numbering()),
            ("word/styles.xml", &plan_styles()),
        ]))
    }

    #[test]
    fn numbered_items_count_per_level_and_restart_below_a_higher_level() {
        let document = with_numbering(
            &[
                numbered(1, 0, "Приоритет"),
                numbered(1, 1, "Цел"),
                numbered(1, 2, "Дейност А"),
                numbered(1, 2, "Дейност Б"),
                numbered(1, 1, "Втора цел"),
                numbered(1, 2, "Дейност В"),
                numbered(1, 0, "Втори приоритет"),
                numbered(1, 1, "Цел"),
                numbered(1, 2, "Дейност"),
            ]
            .concat(),
        );
        assert_eq!(
            labels(&document),
            [
                Some("1."),
                Some("1.1."),
                Some("1.1.1."),
                Some("1.1.2."),
                Some("1.2."),
                Some("1.2.1."),
                Some("2."),
                Some("2.1."),
                Some("2.1.1.")
            ]
        );
        assert_eq!(texts(&document)[3], "1.1.2. Дейност Б");
        assert_eq!(json(&document)["blocks"][3]["list_label"], "1.1.2.");
    }

    #[test]
    fn a_bullet_list_gets_a_bullet_label() {
        let document = with_numbering(
            &[numbered(2, 0, "Дневен център за деца с увреждания"), numbered(2, 1, "почасови услуги")].concat(),
        );
        assert_eq!(labels(&document), [Some("•"), Some("o")]);
        assert_eq!(texts(&document), ["• Дневен център за деца с увреждания", "o почасови услуги"]);
    }

    #[test]
    fn cyrillic_letters_roman_numbers_and_latin_letters_are_rendered() {
        let document = with_numbering(
            &[
                numbered(3, 0, "първо"),
                numbered(3, 0, "второ"),
                numbered(3, 0, "трето"),
                numbered(4, 0, "Анализ"),
                numbered(4, 1, "демография"),
                numbered(4, 1, "услуги"),
                numbered(4, 0, "Цели"),
                numbered(4, 1, "стратегически"),
            ]
            .concat(),
        );
        assert_eq!(
            labels(&document),
            [
                Some("а)"),
                Some("б)"),
                Some("в)"),
                Some("Раздел I."),
                Some("a)"),
                Some("b)"),
                Some("Раздел II."),
                Some("a)")
            ]
        );
        assert_eq!(format_number(10, NumFmt::RussianLower), "к");
        assert_eq!(format_number(29, NumFmt::RussianUpper), "АА");
        assert_eq!(format_number(27, NumFmt::LowerLetter), "aa");
        assert_eq!(format_number(1994, NumFmt::LowerRoman), "mcmxciv");
        assert_eq!(format_number(5, NumFmt::DecimalZero), "05");
        assert_eq!(format_number(1_000_000_000, NumFmt::UpperLetter), "1000000000");
    }

    #[test]
    fn a_start_override_restarts_a_list_that_shares_its_abstract_definition() {
        let document = with_numbering(
            &[
                numbered(3, 0, "а"),
                numbered(3, 0, "б"),
                numbered(5, 0, "отначало"),
                numbered(5, 0, "продължение"),
                numbered(6, 0, "споделен брояч"),
                numbered(99, 0, "несъществуващ списък"),
                numbered(0, 0, "без номер"),
            ]
            .concat(),
        );
        assert_eq!(labels(&document), [Some("а)"), Some("б)"), Some("а)"), Some("б)"), Some("в)"), None, None]);
    }

    #[test]
    fn numbering_comes_from_the_paragraph_style_when_the_paragraph_has_none() {
        let document = with_numbering(
            &[
                styled("Merki", "Мярка по стил"),
                styled("Merki", "Втора мярка"),
                styled("Tochka", "Точка по стил на ниво"),
                r#"<w:p><w:pPr><w:pStyle w:val="Merki"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr><w:r><w:t>Без номер</w:t></w:r></w:p>"#.to_owned(),
            ]
            .concat(),
        );
        assert_eq!(labels(&document), [Some("1.1."), Some("1.2."), Some("1.2.1."), None]);
    }

    #[test]
    fn a_numbered_heading_keeps_its_number_in_its_text() {
        let document = with_numbering(
            &[styled("RazdelNomer", "Анализ на потребностите"), p("Текст"), styled("RazdelNomer", "Цели")].concat(),
        );
        assert_eq!(kinds(&document), ["heading", "paragraph", "heading"]);
        assert_eq!(texts(&document), ["Раздел I. Анализ на потребностите", "Текст", "Раздел II. Цели"]);
    }

    // ---- tables ---------------------------------------------------------------------------------------

    #[test]
    fn a_goal_merged_over_three_rows_shows_in_each_row_of_the_grid() {
        let document = read_ok(&docx(&plan_table()));
        let tables = tables(&document);
        assert_eq!(tables.len(), 1);
        let goal = "Цел 1. Деинституционализация";
        assert_eq!(
            tables[0].grid_text(),
            [
                ["Цел", "Дейност", "Срок", "Отговорник"],
                [goal, "Разкриване на ЦНСТ", "2025", "Община Хасково"],
                [goal, "Преглед на капацитета", "ежегодно", "Д „СП“"],
                [goal, "Обучение на персонала", "2026", "НПО"],
                ["Цел 2. Мобилни услуги", "Патронажна грижа", "2027", "Община"],
            ]
        );
        let json = json(&document);
        let table = &json["blocks"][0];
        assert_eq!(table["kind"], "table");
        assert_eq!(table["table"], 0);
        assert_eq!(
            table["rows"][1]["cells"][0],
            json!({"text": goal, "paragraphs": [goal], "row_span": 3, "col_span": 1})
        );
        assert_eq!(table["rows"][2]["cells"].as_array().unwrap().len(), 3);
        assert_eq!(table["rows"][2]["cells"][0]["text"], "Преглед на капацитета");
        assert_eq!(table["rows"][3]["cells"].as_array().unwrap().len(), 3);
        assert_eq!(table["rows"][4]["cells"][0]["row_span"], 1);
        assert!(!tables[0].grid()[2][0].unwrap().origin);
    }

    #[test]
    fn a_header_cell_spanning_two_columns_covers_both() {
        let span2 = r#"<w:gridSpan w:val="2"/>"#;
        let table = tbl(
            4,
            &[
                tr(
                    "<w:tblHeader/>",
                    &[tc_text(RESTART, "Цел"), tc_text(RESTART, "Дейност"), tc_text(span2, "Изпълнение")],
                ),
                tr(
                    "<w:tblHeader/>",
                    &[
                        tc_text(CONTINUE, ""),
                        tc_text(CONTINUE_BARE, ""),
                        tc_text("", "Срок"),
                        tc_text("", "Отговорник"),
                    ],
                ),
                tr("", &cells(&["Цел 1", "Консултиране", "2025", "ДСП"])),
            ],
        );
        let document = read_ok(&docx(&table));
        assert_eq!(
            tables(&document)[0].grid_text(),
            [
                ["Цел", "Дейност", "Изпълнение", "Изпълнение"],
                ["Цел", "Дейност", "Срок", "Отговорник"],
                ["Цел 1", "Консултиране", "2025", "ДСП"],
            ]
        );
        let json = json(&document);
        assert_eq!(
            json["blocks"][0]["rows"][0]["cells"][2],
            json!({"text": "Изпълнение", "paragraphs": ["Изпълнение"], "row_span": 1, "col_span": 2})
        );
        assert_eq!(json["blocks"][0]["rows"][0]["cells"][0]["row_span"], 2);
        assert_eq!(json["blocks"][0]["rows"][1]["cells"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_row_starting_after_skipped_grid_columns_places_its_cells_in_the_right_columns() {
        let table = tbl(
            4,
            &[
                tr("", &cells(&["Услуга", "Капацитет", "Заети", "Персонал"])),
                tr(r#"<w:gridBefore w:val="1"/><w:wBefore w:w="2000" w:type="dxa"/>"#, &cells(&["25", "20", "8"])),
                tr(r#"<w:gridAfter w:val="2"/>"#, &cells(&["ЦНСТ", "14"])),
                tr(
                    r#"<w:gridBefore w:val="1"/><w:gridAfter w:val="1"/>"#,
                    &[tc_text(r#"<w:gridSpan w:val="2"/>"#, "общо 34")],
                ),
            ],
        );
        let document = read_ok(&docx(&table));
        assert_eq!(
            tables(&document)[0].grid_text(),
            [
                ["Услуга", "Капацитет", "Заети", "Персонал"],
                ["", "25", "20", "8"],
                ["ЦНСТ", "14", "", ""],
                ["", "общо 34", "общо 34", ""],
            ]
        );
        let json = json(&document);
        assert_eq!(
            json["blocks"][0]["rows"][1]["cells"][0],
            json!({"text": "", "paragraphs": [], "row_span": 1, "col_span": 1})
        );
        assert_eq!(json["blocks"][0]["rows"][2]["cells"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_merge_below_rows_with_skipped_grid_columns_still_lines_up() {
        let before = r#"<w:gridBefore w:val="1"/>"#;
        let table = tbl(
            3,
            &[
                tr(before, &[tc_text(RESTART, "Приемна грижа"), tc_text("", "2025")]),
                tr(before, &[tc_text(CONTINUE_BARE, ""), tc_text("", "2026")]),
                // A full row continues the merge in grid column 1, where the rows above had it.
                tr("", &[tc_text("", "Общо"), tc_text(CONTINUE_BARE, ""), tc_text("", "2027")]),
                // A continuation in a column without a merge above starts a merge of its own.
                tr("", &[tc_text("", "a"), tc_text("", "b"), tc_text(CONTINUE, "ново")]),
                tr("", &[tc_text("", "c"), tc_text("", "d"), tc_text(CONTINUE, "")]),
            ],
        );
        let document = read_ok(&docx(&table));
        assert_eq!(
            tables(&document)[0].grid_text(),
            [
                ["", "Приемна грижа", "2025"],
                ["", "Приемна грижа", "2026"],
                ["Общо", "Приемна грижа", "2027"],
                ["a", "b", "ново"],
                ["c", "d", "ново"],
            ]
        );
        assert_eq!(tables(&document)[0].rows[0].cells[1].row_span, 3);
    }

    #[test]
    fn a_continuation_of_another_width_does_not_join_the_merge_above() {
        let table = tbl(
            3,
            &[
                tr("", &[tc_text(&format!(r#"{RESTART}<w:gridSpan w:val="2"/>"#), "широка"), tc_text("", "1")]),
                tr("", &[tc_text(CONTINUE, ""), tc_text("", "тясна"), tc_text("", "2")]),
            ],
        );
        let document = read_ok(&docx(&table));
        assert_eq!(tables(&document)[0].grid_text(), [["широка", "широка", "1"], ["", "тясна", "2"]]);
    }

    #[test]
    fn a_legacy_horizontal_merge_becomes_a_column_span() {
        let table = tbl(
            3,
            &[
                tr(
                    "",
                    &[
                        tc_text(r#"<w:hMerge w:val="restart"/>"#, "Обхват"),
                        tc_text(r#"<w:hMerge/>"#, ""),
                        tc_text("", "Бележка"),
                    ],
                ),
                tr("", &cells(&["деца", "възрастни", "—"])),
            ],
        );
        let document = read_ok(&docx(&table));
        assert_eq!(tables(&document)[0].grid_text(), [["Обхват", "Обхват", "Бележка"], ["деца", "възрастни", "—"]]);
        assert_eq!(json(&document)["blocks"][0]["rows"][0]["cells"][0]["col_span"], 2);
    }

    #[test]
    fn a_nested_table_stays_in_its_cell_and_out_of_the_cell_text() {
        let nested = tbl(2, &[tr("", &cells(&["Показател", "Стойност"])), tr("", &cells(&["Брой потребители", "25"]))]);
        let outer = tbl(
            2,
            &[
                tr("", &cells(&["Мярка", "Индикатори"])),
                tr(
                    "",
                    &[tc_text("", "Дневен център"), tc("", &[p("Показатели:"), nested, p("Източник: ДСП")].concat())],
                ),
            ],
        );
        let body = [outer, p("Между таблиците"), tbl(1, &[tr("", &cells(&["Втора таблица"]))])].concat();
        let document = read_ok(&docx(&body));
        let tables = tables(&document);
        assert_eq!(tables.len(), 2);
        assert_eq!(tables.iter().map(|t| t.table).collect::<Vec<_>>(), [Some(0), Some(1)]);
        let cell = &tables[0].rows[1].cells[1];
        assert_eq!(cell.text, "Показатели:\nИзточник: ДСП");
        assert_eq!(cell.tables.len(), 1);
        assert_eq!(cell.tables[0].grid_text(), [["Показател", "Стойност"], ["Брой потребители", "25"]]);
        let json = json(&document);
        let nested_json = &json["blocks"][0]["rows"][1]["cells"][1]["tables"][0];
        assert_eq!(nested_json["rows"][1]["cells"][1]["text"], "25");
        assert!(nested_json.get("table").is_none());
        assert!(json["blocks"][0]["rows"][1]["cells"][0].get("tables").is_none());
        assert_eq!(kinds(&document), ["table", "paragraph", "table"]);
    }

    #[test]
    fn cell_paragraphs_keep_their_list_labels_and_line_breaks() {
        let content = [
            numbered(3, 0, "консултации"),
            numbered(3, 0, "застъпничество"),
            r#"<w:p><w:r><w:t>ред 1</w:t><w:br/><w:t>ред 2</w:t></w:r></w:p>"#.to_owned(),
            styled("1", "Заглавие в клетка"),
            r#"<w:p><w:r><w:t>преди</w:t><w:br w:type="page"/><w:t>след</w:t></w:r></w:p>"#.to_owned(),
        ]
        .concat();
        let table = tbl(1, &[tr("", &[tc("", &content)])]);
        let document = with_numbering(&table);
        assert_eq!(
            tables(&document)[0].rows[0].cells[0].paragraphs,
            ["а) консултации", "б) застъпничество", "ред 1", "ред 2", "Заглавие в клетка", "преди", "след"]
        );
        assert_eq!(kinds(&document), ["table"]);
    }

    #[test]
    fn content_controls_around_rows_and_cells_are_transparent() {
        let sdt = |inner: &str| {
            format!(r#"<w:sdt><w:sdtPr><w:id w:val="1"/></w:sdtPr><w:sdtContent>{inner}</w:sdtContent></w:sdt>"#)
        };
        let table = tbl(
            2,
            &[
                tr("", &cells(&["Услуга", "Места"])),
                sdt(&tr("", &[tc_text("", "ЦНСТ"), sdt(&tc_text("", "14"))])),
                format!(r#"<w:customXml w:element="row">{}</w:customXml>"#, tr("", &cells(&["ЗЖ", "8"]))),
            ],
        );
        let document = read_ok(&docx(&sdt(&table)));
        assert_eq!(tables(&document)[0].grid_text(), [["Услуга", "Места"], ["ЦНСТ", "14"], ["ЗЖ", "8"]]);
    }

    #[test]
    fn a_row_deleted_as_a_tracked_change_is_left_out() {
        let table = tbl(
            2,
            &[
                tr("", &cells(&["Услуга", "Срок"])),
                tr(
                    r#"<w:del w:id="7" w:author="Иван" w:date="2025-02-01T00:00:00Z"/>"#,
                    &cells(&["Закрита услуга", "2024"]),
                ),
                tr(r#"<w:ins w:id="8" w:author="Иван"/>"#, &cells(&["Нова услуга", "2025"])),
            ],
        );
        let document = read_ok(&docx(&table));
        assert_eq!(tables(&document)[0].grid_text(), [["Услуга", "Срок"], ["Нова услуга", "2025"]]);
    }

    #[test]
    fn a_row_covered_only_by_merges_from_above_is_kept_so_spans_count_right() {
        let table = tbl(
            2,
            &[
                tr("", &[tc_text(RESTART, "Цел"), tc_text(RESTART, "Мярка")]),
                tr("", &[tc_text(CONTINUE, ""), tc_text(CONTINUE, "")]),
                tr("", &cells(&["a", "b"])),
                tr("", &[]),
            ],
        );
        let document = read_ok(&docx(&table));
        let table = tables(&document)[0];
        assert_eq!(table.rows.len(), 3, "a row without cells at all is dropped, one only of continuations is not");
        assert!(table.rows[1].cells.is_empty());
        assert_eq!(table.grid_text(), [["Цел", "Мярка"], ["Цел", "Мярка"], ["a", "b"]]);
        assert_eq!(json(&document)["blocks"][0]["rows"][1], json!({"cells": []}));
    }

    #[test]
    fn text_in_a_continuation_cell_is_kept_in_the_merged_cell() {
        let table = tbl(
            2,
            &[
                tr("", &[tc_text(RESTART, "Община"), tc_text("", "1")]),
                tr("", &[tc_text(CONTINUE, "и НПО"), tc_text("", "2")]),
            ],
        );
        let document = read_ok(&docx(&table));
        assert_eq!(tables(&document)[0].rows[0].cells[0].text, "Община\nи НПО");
    }

    #[test]
    fn a_huge_grid_span_is_cut_so_the_grid_stays_small() {
        let table = tbl(2, &[tr("", &[tc_text(r#"<w:gridSpan w:val="4000000000"/>"#, "широко"), tc_text("", "x")])]);
        let document = read_ok(&docx(&table));
        let table = tables(&document)[0];
        assert_eq!(table.rows[0].cells[0].col_span, MAX_SPAN);
        assert_eq!(table.width(), MAX_SPAN as usize + 1);
        let wide = tbl(1, &vec![tr("", &[tc_text(r#"<w:gridSpan w:val="1000"/>"#, "ред")]); 20]);
        let limits = ReadLimits { max_items: 10_000, ..ReadLimits::default() };
        assert!(hostile(&err(&docx(&wide), &limits)).contains("grid slots"));
    }

    // ---- page breaks, furniture -----------------------------------------------------------------------

    #[test]
    fn page_breaks_come_where_the_pages_break() {
        let body = [
            p("Първа страница"),
            r#"<w:p><w:r><w:t>Преди</w:t></w:r><w:r><w:br w:type="page"/></w:r><w:r><w:t>След</w:t></w:r></w:p>"#.to_owned(),
            r#"<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:r><w:t>Нова страница</w:t></w:r></w:p>"#.to_owned(),
            r#"<w:p><w:pPr><w:pageBreakBefore w:val="0"/></w:pPr><w:r><w:lastRenderedPageBreak/><w:t>Без прекъсване</w:t></w:r></w:p>"#.to_owned(),
            r#"<w:p><w:pPr><w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:pPr><w:r><w:t>Край на раздел 1</w:t></w:r></w:p>"#.to_owned(),
            r#"<w:p><w:pPr><w:sectPr><w:type w:val="continuous"/><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/></w:sectPr></w:pPr><w:r><w:t>Продължава на същата страница</w:t></w:r></w:p>"#.to_owned(),
            tbl(1, &[tr("", &[tc("", r#"<w:p><w:r><w:t>а</w:t><w:br w:type="page"/><w:t>б</w:t></w:r></w:p>"#)])]),
            p("Последен раздел"),
            r#"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#.to_owned(),
        ]
        .concat();
        let document = read_ok(&docx(&body));
        assert_eq!(
            kinds(&document),
            [
                "paragraph",
                "paragraph",
                "page_break",
                "paragraph",
                "page_break",
                "paragraph",
                "paragraph",
                "paragraph",
                "paragraph",
                "page_break",
                "table",
                "paragraph"
            ]
        );
        assert_eq!(
            texts(&document),
            [
                "Първа страница",
                "Преди",
                "След",
                "Нова страница",
                "Без прекъсване",
                "Край на раздел 1",
                "Продължава на същата страница",
                "Последен раздел"
            ]
        );
    }

    #[test]
    fn a_page_break_inside_a_list_item_leaves_the_label_on_its_text() {
        let body = [
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:br w:type="page"/><w:t>Мярка</w:t></w:r></w:p>"#,
            r#"<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Приложение</w:t></w:r></w:p>"#,
        ]
        .concat();
        let document = with_numbering(&body);
        assert_eq!(kinds(&document), ["paragraph", "page_break", "heading"]);
        assert_eq!(labels(&document), [Some("а)")]);
        assert_eq!(texts(&document), ["а) Мярка", "Приложение"]);
    }

    #[test]
    fn headers_and_footers_are_not_part_of_the_body() {
        let header = format!(r#"<w:hdr {NS}><w:p><w:r><w:t>Община Хасково</w:t></w:r></w:p></w:hdr>"#);
        let footer = format!(
            r#"<w:ftr {NS}><w:p><w:r><w:t xml:space="preserve">стр. </w:t></w:r><w:fldSimple w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:ftr>"#
        );
        let document = read_ok(&package(&[
            ("word/document.xml", &document(&p("Съдържание"))),
            ("word/header1.xml", &header),
            ("word/footer1.xml", &footer),
        ]));
        assert_eq!(texts(&document), ["Съдържание"]);
    }

    #[test]
    fn an_embedded_foreign_chunk_is_noted() {
        let document = read_ok(&docx(&[p("Преди"), r#"<w:altChunk r:id="rId9"/>"#.to_owned()].concat()));
        assert_eq!(texts(&document), ["Преди"]);
        assert!(document.notes.iter().any(|n| n.contains("altChunk")), "{:?}", document.notes);
    }

    #[test]
    fn a_utf16_part_with_a_byte_order_mark_is_read() {
        let xml = document(&p("Социално предприятие")).replace("UTF-8", "UTF-16");
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(xml.encode_utf16().flat_map(u16::to_le_bytes));
        let document = read_ok(&package_with(&[("word/document.xml", &bytes)], CompressionMethod::Deflated));
        assert_eq!(texts(&document), ["Социално предприятие"]);
    }

    #[test]
    fn a_damaged_styles_part_is_noted_and_the_body_still_read() {
        let document = read_ok(&package(&[
            ("word/document.xml", &document(&styled("Heading1", "Въведение"))),
            ("word/styles.xml", "<w:styles><w:style></w:styles>"),
        ]));
        assert_eq!(kinds(&document), ["heading"]);
        assert!(document.notes.iter().any(|n| n.contains("word/styles.xml")), "{:?}", document.notes);
    }

    // ---- hostile and broken input ---------------------------------------------------------------------

    #[test]
    fn input_over_the_size_limit_is_refused_before_reading() {
        let bytes = docx(&p("текст"));
        let limits = ReadLimits { max_input_bytes: 100, ..ReadLimits::default() };
        assert_eq!(err(&bytes, &limits), ReadError::TooLarge { size: bytes.len() as u64, max: 100 });
        assert_eq!(err(b"", &ReadLimits::default()), ReadError::Empty);
    }

    #[test]
    fn bytes_that_are_not_a_zip_archive_are_damaged() {
        for bytes in ["Годишен план".as_bytes(), b"PK\x03\x04garbage that is no archive", b"PK\x05\x06"] {
            assert!(damaged(&err(bytes, &ReadLimits::default())).contains("ZIP"));
        }
        let mut seed = 7u64;
        let random: Vec<u8> = (0..4096).map(|_| (lcg(&mut seed) >> 24) as u8).collect();
        assert!(matches!(err(&random, &ReadLimits::default()), ReadError::Damaged { .. }));
    }

    #[test]
    fn a_truncated_archive_is_damaged() {
        let bytes = docx(&plan_table());
        for cut in [bytes.len() / 2, bytes.len() - 10, 30] {
            damaged(&err(&bytes[..cut], &ReadLimits::default()));
        }
    }

    #[test]
    fn an_archive_without_word_document_xml_is_not_a_docx() {
        let bytes = package(&[("word/styles.xml", &plan_styles())]);
        assert!(damaged(&err(&bytes, &ReadLimits::default())).contains("word/document.xml"));
    }

    #[test]
    fn more_entries_than_allowed_are_refused() {
        let names: Vec<String> = (0..30).map(|i| format!("word/media/image{i}.png")).collect();
        let doc = document(&p("x"));
        let mut parts: Vec<(&str, &[u8])> = vec![("word/document.xml", doc.as_bytes())];
        parts.extend(names.iter().map(|n| (n.as_str(), &b"\x89PNG"[..])));
        let bytes = package_with(&parts, CompressionMethod::Stored);
        let limits = ReadLimits { max_entries: 10, ..ReadLimits::default() };
        assert!(hostile(&err(&bytes, &limits)).contains("33 entries"));
        assert!(read(&bytes, &ReadLimits::default()).is_ok());
    }

    fn lcg(state: &mut u64) -> u64 {
        *state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        *state >> 16
    }

    /// A raw DEFLATE stream (fixed Huffman codes) that inflates to `len` zero bytes: one literal and
    /// then back-references of 258 bytes, 13 bits each — made in milliseconds, unlike compressing.
    fn deflated_zeros(len: u64) -> Vec<u8> {
        struct Bits {
            out: Vec<u8>,
            acc: u64,
            count: u32,
        }
        impl Bits {
            fn raw(&mut self, value: u64, bits: u32) {
                self.acc |= value << self.count;
                self.count += bits;
                while self.count >= 8 {
                    self.out.push(self.acc as u8);
                    self.acc >>= 8;
                    self.count -= 8;
                }
            }
            /// Huffman codes go most significant bit first.
            fn code(&mut self, code: u64, bits: u32) {
                let reversed = (0..bits).fold(0, |r, i| (r << 1) | ((code >> i) & 1));
                self.raw(reversed, bits);
            }
        }
        let mut bits = Bits { out: Vec::new(), acc: 0, count: 0 };
        bits.raw(1, 1); // the final block
        bits.raw(1, 2); // fixed Huffman codes
        bits.code(0x30, 8); // the literal 0
        let mut left = len - 1;
        while left >= 258 {
            bits.code(0b1100_0101, 8); // length 258
            bits.code(0, 5); // distance 1
            left -= 258;
        }
        for _ in 0..left {
            bits.code(0x30, 8);
        }
        bits.code(0, 7); // end of block
        bits.raw(0, 7);
        bits.out
    }

    /// Rewrites an entry's compression method and declared unpacked size in both its headers.
    fn patch_entry(zip: &mut [u8], name: &str, method: u16, size: u32) {
        for i in 0..zip.len().saturating_sub(46) {
            let name_at = |len_at: usize, at: usize, zip: &[u8]| {
                let len = u16::from_le_bytes([zip[i + len_at], zip[i + len_at + 1]]) as usize;
                zip.get(i + at..i + at + len) == Some(name.as_bytes())
            };
            if zip[i..].starts_with(b"PK\x03\x04") && name_at(26, 30, zip) {
                zip[i + 8..i + 10].copy_from_slice(&method.to_le_bytes());
                zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
            }
            if zip[i..].starts_with(b"PK\x01\x02") && name_at(28, 46, zip) {
                zip[i + 10..i + 12].copy_from_slice(&method.to_le_bytes());
                zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
            }
        }
    }

    /// A DOCX whose `word/document.xml` inflates to 300 MB of zeros, declaring `declared` bytes.
    fn bomb(declared: u32) -> Vec<u8> {
        let stream = deflated_zeros(300_000_000);
        assert!(stream.len() < 2_000_000);
        let mut bytes = package_with(&[("word/document.xml", &stream)], CompressionMethod::Stored);
        patch_entry(&mut bytes, "word/document.xml", 8, declared);
        bytes
    }

    #[test]
    fn the_handmade_deflate_stream_inflates_to_zeros() {
        let mut bytes = package_with(&[("zeros", &deflated_zeros(1000))], CompressionMethod::Stored);
        patch_entry(&mut bytes, "zeros", 8, 1000);
        let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let mut out = Vec::new();
        let _ = archive.by_name("zeros").unwrap().read_to_end(&mut out);
        assert_eq!(out.len(), 1000);
        assert!(out.iter().all(|b| *b == 0));
    }

    #[test]
    fn a_zip_bomb_is_refused_by_its_declared_size_or_ratio_without_inflating_it() {
        let bytes = bomb(300_000_000);
        assert!(hostile(&err(&bytes, &ReadLimits::default())).contains("unpacks to more than 209715200 bytes"));
        let limits = ReadLimits { max_unpacked_bytes: 1 << 30, max_compression_ratio: 50, ..ReadLimits::default() };
        assert!(hostile(&err(&bytes, &limits)).contains("times its packed size"));
    }

    #[test]
    fn a_header_that_understates_the_unpacked_size_is_caught_while_inflating() {
        // The ZIP library stops at the declared size itself; the reader's own `take` bound is the
        // second guard. Either way the answer is a clean error after little work.
        let bytes = bomb(1000);
        for limits in [
            ReadLimits::default(),
            ReadLimits { max_unpacked_bytes: 4 << 20, ..ReadLimits::default() },
            ReadLimits { max_unpacked_bytes: 1 << 30, max_compression_ratio: 2, ..ReadLimits::default() },
        ] {
            match err(&bytes, &limits) {
                ReadError::Damaged { problem, .. } => assert!(problem.contains("declared"), "{problem}"),
                ReadError::Hostile(problem) => assert!(problem.contains("unpacks to more than"), "{problem}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn parts_that_together_unpack_too_much_are_refused() {
        let filler = "<w:p/>".repeat(100_000);
        let bytes = package(&[
            ("word/document.xml", &document(&filler)),
            ("word/styles.xml", &styles(&"<w:latentStyles/>".repeat(40_000))),
        ]);
        let limits = ReadLimits { max_unpacked_bytes: 1_000_000, ..ReadLimits::default() };
        assert!(hostile(&err(&bytes, &limits)).contains("together"));
    }

    #[test]
    fn a_doctype_with_entities_is_refused_as_hostile() {
        let laughs = concat!(
            r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">"#,
            r#"<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">"#,
            r#"<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>"#,
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"#
        );
        assert!(hostile(&err(&package(&[("word/document.xml", laughs)]), &ReadLimits::default())).contains("DOCTYPE"));
        let in_styles = package(&[("word/document.xml", &document(&p("x"))), ("word/styles.xml", laughs)]);
        assert!(hostile(&err(&in_styles, &ReadLimits::default())).contains("word/styles.xml"));
        let bare_entity = document(r#"<!ENTITY x "y"><w:p/>"#);
        assert!(
            hostile(&err(&package(&[("word/document.xml", &bare_entity)]), &ReadLimits::default())).contains("entity")
        );
        let undeclared = docx(r#"<w:p><w:r><w:t>&lol;</w:t></w:r></w:p>"#);
        assert!(damaged(&err(&undeclared, &ReadLimits::default())).contains("&lol;"));
    }

    #[test]
    fn nesting_ten_thousand_deep_is_refused() {
        let deep = format!("{}{}", "<w:sdt><w:sdtContent>".repeat(5_000), "</w:sdtContent></w:sdt>".repeat(5_000));
        let message = hostile(&err(&docx(&deep), &ReadLimits::default())).to_owned();
        assert!(message.contains("deeper than 256"), "{message}");
        let deep_numbering = numbering(&"<w:abstractNum>".repeat(10_000));
        let bytes = package(&[("word/document.xml", &document(&p("x"))), ("word/numbering.xml", &deep_numbering)]);
        assert!(hostile(&err(&bytes, &ReadLimits::default())).contains("word/numbering.xml"));
    }

    #[test]
    fn more_blocks_and_cells_than_allowed_are_refused() {
        let limits = ReadLimits { max_items: 50, ..ReadLimits::default() };
        assert!(hostile(&err(&docx(&p("абзац").repeat(60)), &limits)).contains("more than 50"));
        let many_cells = tbl(1, &vec![tr("", &cells(&["клетка"])); 40]);
        assert!(hostile(&err(&docx(&many_cells), &limits)).contains("more than 50"));
        assert!(read(&docx(&p("абзац").repeat(20)), &limits).is_ok());
    }

    #[test]
    fn malformed_xml_is_damaged_with_its_position() {
        let bytes = docx("<w:p><w:r><w:t>текст</w:r></w:p>");
        let problem = damaged(&err(&bytes, &ReadLimits::default())).to_owned();
        assert!(problem.contains("word/document.xml") && problem.contains("line 2"), "{problem}");
        let unclosed = package(&[("word/document.xml", &document("<w:p><w:r>")[..200])]);
        damaged(&err(&unclosed, &ReadLimits::default()));
    }

    #[test]
    fn invalid_utf8_in_a_part_is_damaged() {
        let mut xml = document(&p("текст")).into_bytes();
        let at = xml.len() - 60;
        xml[at] = 0xFF;
        let bytes = package_with(&[("word/document.xml", &xml)], CompressionMethod::Deflated);
        assert!(damaged(&err(&bytes, &ReadLimits::default())).contains("UTF-8"));
    }

    /// A fixture with most of what the reader handles, for the mutation test.
    fn rich_parts() -> (String, String, String) {
        let body = [
            styled("Title", "Годишен план"),
            numbered(1, 0, "Приоритет"),
            numbered(1, 1, "Цел"),
            plan_table(),
            r#"<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>"#.to_owned(),
            r#"<w:p><w:r><w:pict><v:rect><v:textbox><w:txbxContent><w:p><w:r><w:t>рамка</w:t></w:r></w:p></w:txbxContent></v:textbox></v:rect></w:pict></w:r><w:r><w:br w:type="page"/></w:r></w:p>"#.to_owned(),
            tbl(2, &[tr(r#"<w:gridBefore w:val="1"/>"#, &[tc_text(r#"<w:hMerge w:val="restart"/>"#, "a")])]),
        ]
        .concat();
        (document(&body), plan_styles(), plan_numbering())
    }

    #[test]
    fn two_thousand_mutated_archives_and_a_thousand_mutated_parts_never_panic() {
        let (document_xml, styles_xml, numbering_xml) = rich_parts();
        let parts = [
            ("word/document.xml", document_xml.as_bytes()),
            ("word/styles.xml", styles_xml.as_bytes()),
            ("word/numbering.xml", numbering_xml.as_bytes()),
        ];
        let deflated = package_with(&parts, CompressionMethod::Deflated);
        let stored = package_with(&parts, CompressionMethod::Stored);
        assert!(read(&deflated, &ReadLimits::default()).is_ok());
        let limits = ReadLimits { max_unpacked_bytes: 8 << 20, ..ReadLimits::default() };
        let mut seed = 2025u64;
        let mut outcomes = [0usize; 2];
        for round in 0..2_000 {
            let mut bytes = if round % 2 == 0 { deflated.clone() } else { stored.clone() };
            let mode = lcg(&mut seed) % 3;
            if mode != 1 {
                for _ in 0..1 + lcg(&mut seed) % 8 {
                    let at = (lcg(&mut seed) as usize) % bytes.len();
                    bytes[at] ^= 1 << (lcg(&mut seed) % 8);
                }
            }
            if mode != 0 {
                let keep = (lcg(&mut seed) as usize) % bytes.len();
                bytes.truncate(keep);
            }
            outcomes[usize::from(read(&bytes, &limits).is_ok())] += 1;
        }
        // Mutations inside the XML, zipped again so that checksums hold and the parser sees them.
        let tokens: [&[u8]; 10] = [b"<", b">", b"/", b"\"", b"&", b"w:", b"\xFF", b"<w:p>", b"</w:tc>", b"<!DOCTYPE"];
        for round in 0..1_000 {
            let which = round % 3;
            let mut xml = parts[which].1.to_vec();
            for _ in 0..1 + lcg(&mut seed) % 4 {
                let at = (lcg(&mut seed) as usize) % xml.len();
                match lcg(&mut seed) % 3 {
                    0 => xml[at] ^= 1 << (lcg(&mut seed) % 8),
                    1 => {
                        let token = tokens[(lcg(&mut seed) as usize) % tokens.len()];
                        xml.splice(at..at, token.iter().copied());
                    }
                    _ => xml.truncate(at),
                }
            }
            let mut mutated = parts;
            mutated[which].1 = &xml;
            let bytes = package_with(&mutated, CompressionMethod::Stored);
            outcomes[usize::from(read(&bytes, &limits).is_ok())] += 1;
        }
        assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
        let zero = ReadLimits {
            max_input_bytes: u64::MAX,
            max_unpacked_bytes: 0,
            max_entries: 0,
            max_compression_ratio: 0,
            max_depth: 0,
            max_items: 0,
            max_pages: 0,
        };
        assert!(read(&deflated, &zero).is_err());
    }
}
