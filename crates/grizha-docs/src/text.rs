//! Plain-text renderings of Word and PDF documents (what converters and "save as text" leave behind)
//! read into the [`Document`] model.
//!
//! The caller has decoded the bytes already (see [`crate::detect::decode_text`]). Reading is linear in
//! the input and never panics. It refuses input beyond [`ReadLimits::max_input_bytes`], a text of more
//! than four times [`ReadLimits::max_items`] lines (two million at most; checked before anything is
//! built) and documents of more than [`ReadLimits::max_items`] blocks and table cells
//! ([`ReadError::Hostile`]); a text with nothing to read is [`ReadError::Empty`].
//!
//! # What is removed first
//!
//! - Word artefacts: `[bookmark: …]` (a `_Toc…` bookmark marks the line as a table-of-contents
//!   heading), bold `**…**` (also when it opens on one line and closes on a later one), italic `*…*`
//!   paired on one line, simple HTML tags (`<p>`, `</p>`, `<br>` end a paragraph; `<i>`, `<b>`, `<span>`
//!   and the like are dropped; entities are decoded on lines that had tags), soft hyphens, zero-width
//!   and control characters. A run of asterisks standing alone (`*****`, the schedule mark of activity
//!   plans) is content and is kept.
//! - Form feeds are page breaks: [`DocumentBuilder::page_break`] blocks, and every block then carries its
//!   page (a page break block the page it ends). Page breaks inside a table are put after the table.
//! - Page furniture: with form feeds, a line among the first or last two lines of at least 40 % of the
//!   pages (three at least; digits compared as one) is a running header or footer, and a page number at
//!   a page edge is dropped. Without form feeds only an isolated page number (`12`, `- 12 -`,
//!   `Стр. 12 от 40`; seen twice or more) and an isolated title-like line (no final punctuation, no list
//!   label, prose around it) repeated four times or more are dropped. Lines with tabs, and so table rows,
//!   are never furniture. Every drop is noted.
//!
//! # Tables
//!
//! Two layouts are recognised.
//!
//! **Rows of tab-separated cells** (a line with a tab after its first text). The first row that is not
//! a title row is the header and fixes the column count `N` (trailing empty cells do not count). A
//! row is complete once it has `N - 1` tabs; a shorter line opens a row that the following lines
//! continue: the first piece of a continuation line goes on in the cell where the break happened,
//! further tab-separated pieces fill the following cells. Between complete rows:
//! - a blank line or page break does not end the table when the next text line has tabs; such a line
//!   whose first text starts in lower case (and is no list label like `в.` or `а)`) is the rest of a row
//!   split by the page break and is joined cell by cell to the row above;
//! - a line without tabs that starts in lower case, standing between rows, is a fragment of the row
//!   above and goes to the first cell that ends in a dangling word (`на`, `за`, …) or hyphen;
//! - lines without tabs directly followed by a row continue the last cell (or, when they start with a
//!   capital and the row below starts in lower case, begin the first cell of the row below);
//! - any other line ends the table.
//!
//! A row whose only text is in its first cell and that ends in two tabs or more is a title row (a
//! merged row in the original): one cell spanning the table. `--\t---` separator rows are dropped. A
//! row repeating the header (same first cell, 60 % of the cells equal) is a header repeated on a new
//! page: it is dropped with a note, so the table stays one table — unless a title row stands right
//! above it, in which case a new table begins with that title and header. `<p>` items in a cell become
//! the cell's paragraphs. A run of rows in which no row has two cells with text is not a table.
//!
//! **One cell per line**: each cell starts on a line beginning with a tab; lines without a tab continue
//! the cell. Such a run is a table only when at least three of its cells are short (30 characters or
//! fewer; indented prose has long ones). Blank lines before a cell split the cells into groups; rows are
//! unions of consecutive groups, chosen by a small dynamic programme that prefers rows of exactly `N`
//! cells (`N` from the first two groups, the header), then one-cell rows (merged section rows; cheap when
//! the cell's text starts on the line after its tab, dear when its first word is the one most rows start
//! with), then short and over-long rows. A later row equal to the header is dropped. Five blank lines or
//! more before a cell start a new table; a numbered heading after a blank line ends the table, and so
//! does a line longer than 40 characters after a blank line at its very end. Without blank lines between
//! rows the cells cannot be grouped, and the run is read as paragraphs.
//!
//! # Headings, paragraphs, lists
//!
//! Headings (conservative; anything else is a paragraph):
//! - a `_Toc` bookmarked line: level from its numbering (`2.2.1.` → 3), else 1 for capitals and
//!   `Раздел`/`Приложение`/…, else one below the last numbered heading; not when it is a bullet, or
//!   unnumbered and ends in `.`, `:`, `;` or `,`;
//! - a line in capitals (four letters or more, not ending in `:`, `,` or `;`, not a signature like
//!   `/ИМЕ/` or `… (П)`): level 1;
//! - `Приложение 1`, `Раздел А: …`, `Глава …`, `Част …` (short, no final `.` or `;`): level 1;
//! - a numbered title without final punctuation and starting with a capital: `1.2. Title` (up to 120
//!   characters) at its depth, `1. Title` only when short (60 characters, eight words);
//! - a plan label alone or followed by capitals: `Стратегическа цел 1. ТИТЛА` (2), `Специфична цел 1.1.`
//!   (3), `Мярка 1.1.1.` (4); with a sentence after it, it is a paragraph.
//!
//! Paragraphs: every line is a paragraph (the renderings put one paragraph on a line), except that a
//! line continues the line above when it starts in lower case and the line above has no final
//! punctuation and is not in capitals, or when the line above ends in a dangling word (`на`, `за`, `и`,
//! …); across blank lines or a page break only when it starts in lower case and the line above ends in
//! a dangling word or a hyphen. A word hyphenated across the break (`соци-` + `ални`, lower-case
//! Cyrillic) is joined. A list item (`1.`, `2.1.`, `а)`, `Б)`, `в.`, `Д.1.`, `IV.`, `-`, `•`, `·`, …)
//! becomes `paragraph(text without the label, Some(label))`.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::model::{Cell, Document, DocumentBuilder, Row, SourceFormat, Table, fold_whitespace};
use crate::{ReadError, ReadLimits};

/// Reads a plain-text rendering into the document model.
pub fn read(text: &str, limits: &ReadLimits) -> Result<Document, ReadError> {
    let size = text.len() as u64;
    if size > limits.max_input_bytes {
        return Err(ReadError::TooLarge { size, max: limits.max_input_bytes });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line_cap = limits.max_items.saturating_mul(4).clamp(10_000, 2_000_000);
    let (mut lines, pages) = build_lines(text, line_cap)?;
    if !lines.iter().any(|l| matches!(l.kind, Kind::Text | Kind::TabOnly)) {
        return Err(ReadError::Empty);
    }
    let mut notes = Vec::new();
    compact(&mut lines);
    if mark_furniture(&mut lines, pages, &mut notes) {
        compact(&mut lines);
    }
    let mut reader = Reader::new(&lines, limits.max_items, pages);
    for note in notes {
        reader.out.b.note(note);
    }
    reader.run()?;
    let document = reader.finish();
    if document.blocks.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(document)
}

// ---------------------------------------------------------------------------------------------------
// Lines

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// One or more blank lines (`blanks` says how many).
    Blank,
    /// A form feed.
    PageBreak,
    /// A line that had only markers (a bookmark) or was dropped as furniture.
    Skip,
    /// A line of only tabs (an empty cell in the one-cell-per-line layout).
    TabOnly,
    Text,
}

#[derive(Debug)]
struct Line<'a> {
    kind: Kind,
    /// The cleaned line: markers removed, `<p>` and `<br>` turned into `\n`; tabs kept.
    text: Cow<'a, str>,
    /// Tabs in the leading whitespace.
    indent: u32,
    /// For [`Kind::Blank`], how many blank lines.
    blanks: u32,
    /// A `_Toc` bookmark was on the line.
    toc: bool,
    /// A tab after the first text (a row of tab-separated cells).
    inner_tab: bool,
}

impl<'a> Line<'a> {
    fn marker(kind: Kind) -> Line<'a> {
        Line {
            kind,
            text: Cow::Borrowed(""),
            indent: 0,
            blanks: u32::from(kind == Kind::Blank),
            toc: false,
            inner_tab: false,
        }
    }

    /// The text without leading and trailing whitespace (tabs included).
    fn content(&self) -> &str {
        self.text.trim()
    }

    fn has_tab(&self) -> bool {
        self.indent > 0 || self.inner_tab
    }

    /// A text line that is neither a row of cells nor the start of a cell.
    fn is_plain_text(&self) -> bool {
        self.kind == Kind::Text && !self.has_tab()
    }
}

fn build_lines(text: &str, cap: usize) -> Result<(Vec<Line<'_>>, bool), ReadError> {
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut texts = 0usize;
    let mut pages = false;
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\n' | '\u{b}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                push_line(&mut lines, text.get(start..i).unwrap_or(""), &mut texts, cap)?;
                start = i + c.len_utf8();
            }
            '\r' => {
                push_line(&mut lines, text.get(start..i).unwrap_or(""), &mut texts, cap)?;
                start = i + 1;
                if let Some(&(j, '\n')) = chars.peek() {
                    chars.next();
                    start = j + 1;
                }
            }
            '\u{c}' => {
                let before = text.get(start..i).unwrap_or("");
                if !before.is_empty() {
                    push_line(&mut lines, before, &mut texts, cap)?;
                }
                pages = true;
                count_line(&mut texts, cap)?;
                lines.push(Line::marker(Kind::PageBreak));
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < text.len() {
        push_line(&mut lines, text.get(start..).unwrap_or(""), &mut texts, cap)?;
    }
    Ok((lines, pages))
}

fn count_line(texts: &mut usize, cap: usize) -> Result<(), ReadError> {
    *texts += 1;
    if *texts > cap {
        return Err(ReadError::Hostile(format!("more than {cap} lines of text")));
    }
    Ok(())
}

fn push_line<'a>(lines: &mut Vec<Line<'a>>, raw: &'a str, texts: &mut usize, cap: usize) -> Result<(), ReadError> {
    let line = make_line(raw);
    if line.kind == Kind::Blank {
        if let Some(last) = lines.last_mut().filter(|l| l.kind == Kind::Blank) {
            last.blanks = last.blanks.saturating_add(1);
            return Ok(());
        }
    } else {
        count_line(texts, cap)?;
    }
    lines.push(line);
    Ok(())
}

fn make_line(raw: &str) -> Line<'_> {
    let (text, toc) = clean_line(raw);
    if text.trim().is_empty() {
        let tabs = text.chars().filter(|&c| c == '\t').count();
        if tabs > 0 {
            let indent = u32::try_from(tabs).unwrap_or(u32::MAX);
            return Line { kind: Kind::TabOnly, text, indent, blanks: 0, toc, inner_tab: false };
        }
        let kind = if raw.trim().is_empty() { Kind::Blank } else { Kind::Skip };
        return Line::marker(kind);
    }
    let lead_len = text.len() - text.trim_start().len();
    let lead = text.get(..lead_len).unwrap_or("");
    let indent = u32::try_from(lead.chars().filter(|&c| c == '\t').count()).unwrap_or(u32::MAX);
    let inner_tab = text.get(lead_len..).unwrap_or("").contains('\t');
    Line { kind: Kind::Text, text, indent, blanks: 0, toc, inner_tab }
}

/// Removes the Word artefacts of one line; says whether a `_Toc` bookmark was there.
fn clean_line(raw: &str) -> (Cow<'_, str>, bool) {
    let needs = raw.chars().any(|c| {
        matches!(c, '[' | '*' | '<' | '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}')
            || (c.is_control() && c != '\t')
    });
    if !needs {
        return (Cow::Borrowed(raw), false);
    }
    let (s, toc) = strip_bookmarks(raw);
    let s = strip_tags(&s);
    let s = strip_emphasis(&s);
    let s: String = s
        .chars()
        .filter(|&c| {
            !matches!(c, '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}')
                && (!c.is_control() || c == '\t' || c == '\n')
        })
        .collect();
    (Cow::Owned(s), toc)
}

fn strip_bookmarks(s: &str) -> (String, bool) {
    const MARK: &str = "[bookmark:";
    let mut out = String::with_capacity(s.len());
    let mut toc = false;
    let mut rest = s;
    while let Some(at) = rest.find(MARK) {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at + MARK.len()..).unwrap_or("");
        let name_end = match after.find(']') {
            Some(close) => close,
            None => {
                let trimmed = after.trim_start();
                let lead = after.len() - trimmed.len();
                lead + trimmed.find(char::is_whitespace).unwrap_or(trimmed.len())
            }
        };
        let name = after.get(..name_end).unwrap_or("").trim();
        toc |= name.starts_with("_Toc");
        let skip = if after.get(name_end..).is_some_and(|r| r.starts_with(']')) { name_end + 1 } else { name_end };
        rest = after.get(skip..).unwrap_or("");
    }
    out.push_str(rest);
    (out, toc)
}

/// Tags that end a paragraph (`\n`) and tags dropped silently; anything else in angle brackets is text.
const BREAK_TAGS: &[&str] = &["p", "br", "div", "li", "tr", "hr"];
const DROP_TAGS: &[&str] = &[
    "i", "b", "u", "em", "strong", "span", "sup", "sub", "s", "strike", "font", "a", "small", "big", "mark", "del",
    "ins", "tt", "code", "ul", "ol", "td", "th", "table", "tbody", "thead",
];

fn strip_tags(s: &str) -> String {
    if !s.contains('<') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut any = false;
    let mut rest = s;
    while let Some(at) = rest.find('<') {
        out.push_str(rest.get(..at).unwrap_or(""));
        let tail = rest.get(at..).unwrap_or("");
        match tag_at(tail) {
            Some((len, brk)) => {
                any = true;
                if brk {
                    out.push('\n');
                }
                rest = tail.get(len..).unwrap_or("");
            }
            None => {
                out.push('<');
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    if any { decode_entities(&out) } else { out }
}

/// A known tag at the start of `s`: its byte length and whether it ends a paragraph.
fn tag_at(s: &str) -> Option<(usize, bool)> {
    let inner = s.strip_prefix('<')?;
    let (close, c) = inner.char_indices().take(200).find(|&(_, c)| c == '>' || c == '<')?;
    if c != '>' {
        return None;
    }
    let body = inner.get(..close)?;
    let body = body.strip_prefix('/').unwrap_or(body).trim_end_matches('/').trim();
    let name_len = body.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(body.len());
    let name = body.get(..name_len)?.to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    let len = close + 2;
    if BREAK_TAGS.contains(&name.as_str()) {
        Some((len, true))
    } else if DROP_TAGS.contains(&name.as_str()) {
        Some((len, false))
    } else {
        None
    }
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at).unwrap_or(""));
        let tail = rest.get(at..).unwrap_or("");
        let end = tail.get(..tail.len().min(12)).and_then(|t| t.find(';'));
        let decoded = end.and_then(|e| {
            let name = tail.get(1..e)?;
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" | "#39" => '\'',
                "nbsp" => ' ',
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = tail.get(len..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// Runs of asterisks in `s`: (byte start, byte end).
fn star_runs(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = i + bytes.get(i..)?.iter().position(|&b| b == b'*')?;
        let len = bytes.get(start..)?.iter().take_while(|&&b| b == b'*').count();
        i = start + len;
        Some((start, i))
    })
}

/// Drops `**`/`***` attached to a word and `*…*` pairs on the line; keeps asterisks standing alone.
fn strip_emphasis(s: &str) -> String {
    if !s.contains('*') {
        return s.to_owned();
    }
    let before = |i: usize| s.get(..i).and_then(|p| p.chars().next_back());
    let after = |i: usize| s.get(i..).and_then(|p| p.chars().next());
    let solid = |c: Option<char>| c.is_some_and(|c| !c.is_whitespace());
    // One flag per run, decided in a first pass (a closing `*` also removes its opener).
    let mut remove: Vec<bool> = Vec::new();
    let mut opener: Option<usize> = None;
    for (k, (a, b)) in star_runs(s).enumerate() {
        remove.push(false);
        let (prev, next) = (before(a), after(b));
        if !solid(prev) && !solid(next) {
            continue; // standing alone: a mark, not emphasis
        }
        match b - a {
            2 | 3 => {
                if let Some(r) = remove.get_mut(k) {
                    *r = true;
                }
            }
            1 => {
                let can_open = solid(next) && prev.is_none_or(|c| c.is_whitespace() || is_open_punct(c));
                let can_close = solid(prev) && next.is_none_or(|c| c.is_whitespace() || c.is_ascii_punctuation());
                match opener {
                    Some(o) if can_close => {
                        for r in [o, k] {
                            if let Some(r) = remove.get_mut(r) {
                                *r = true;
                            }
                        }
                        opener = None;
                    }
                    _ if can_open => opener = Some(k),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (k, (a, b)) in star_runs(s).enumerate() {
        if remove.get(k).copied().unwrap_or(false) {
            out.push_str(s.get(last..a).unwrap_or(""));
            last = b;
        }
    }
    out.push_str(s.get(last..).unwrap_or(""));
    out
}

fn is_open_punct(c: char) -> bool {
    matches!(c, '(' | '[' | '„' | '"' | '«' | '“' | '\'' | '-' | '–' | '—' | '/')
}

/// Removes skipped lines and merges neighbouring blank runs.
fn compact(lines: &mut Vec<Line<'_>>) {
    let mut out: Vec<Line<'_>> = Vec::with_capacity(lines.len());
    for line in lines.drain(..) {
        match line.kind {
            Kind::Skip => {}
            Kind::Blank => match out.last_mut() {
                Some(last) if last.kind == Kind::Blank => last.blanks = last.blanks.saturating_add(line.blanks),
                _ => out.push(line),
            },
            _ => out.push(line),
        }
    }
    *lines = out;
}

// ---------------------------------------------------------------------------------------------------
// Page furniture

const FURNITURE_KEYS: usize = 100_000;

/// Marks running headers, footers and page numbers as [`Kind::Skip`]; says whether any was marked.
fn mark_furniture(lines: &mut [Line<'_>], pages: bool, notes: &mut Vec<String>) -> bool {
    let (repeated, numbers, example) = if pages { furniture_by_pages(lines) } else { furniture_by_isolation(lines) };
    if numbers > 0 {
        notes.push(format!("{numbers} page-number lines were dropped"));
    }
    if repeated > 0 {
        notes.push(format!(
            "{repeated} lines repeated as a page header or footer were dropped (e.g. «{}»)",
            example.unwrap_or_default()
        ));
    }
    repeated + numbers > 0
}

fn furniture_by_pages(lines: &mut [Line<'_>]) -> (usize, usize, Option<String>) {
    // The first two and last two plain text lines of every page.
    let mut edges: Vec<(usize, usize)> = Vec::new(); // (page, line)
    let mut page = 0usize;
    let mut on_page: Vec<usize> = Vec::new();
    let flush = |page: usize, on_page: &mut Vec<usize>, edges: &mut Vec<(usize, usize)>| {
        let n = on_page.len();
        for (k, &i) in on_page.iter().enumerate() {
            if k < 2 || k + 2 >= n {
                edges.push((page, i));
            }
        }
        on_page.clear();
    };
    for (i, line) in lines.iter().enumerate() {
        match line.kind {
            Kind::PageBreak => {
                flush(page, &mut on_page, &mut edges);
                page += 1;
            }
            Kind::Text if line.is_plain_text() => on_page.push(i),
            _ => {}
        }
    }
    flush(page, &mut on_page, &mut edges);
    let pages = page + 1;
    let mut numbers = 0;
    let mut keys: HashMap<String, (Vec<usize>, Vec<usize>)> = HashMap::new(); // key -> (pages, lines)
    for &(p, i) in &edges {
        let Some(line) = lines.get(i) else { continue };
        let content = line.content();
        if is_page_number(content) {
            numbers += 1;
            if let Some(l) = lines.get_mut(i) {
                l.kind = Kind::Skip;
            }
            continue;
        }
        if content.chars().count() > 150 {
            continue;
        }
        let key = furniture_key(content, true);
        if keys.len() >= FURNITURE_KEYS && !keys.contains_key(&key) {
            continue;
        }
        let entry = keys.entry(key).or_default();
        if entry.0.last() != Some(&p) {
            entry.0.push(p);
        }
        entry.1.push(i);
    }
    let mut drop: Vec<usize> = Vec::new();
    if pages >= 3 {
        let need = (pages * 2).div_ceil(5).max(3);
        for (on, at) in keys.values() {
            if on.len() >= need {
                drop.extend(at);
            }
        }
    }
    let (repeated, example) = skip_lines(lines, drop);
    (repeated, numbers, example)
}

fn furniture_by_isolation(lines: &mut [Line<'_>]) -> (usize, usize, Option<String>) {
    let isolated = |lines: &[Line<'_>], i: usize| {
        let gap = |l: Option<&Line<'_>>| l.is_none_or(|l| matches!(l.kind, Kind::Blank | Kind::PageBreak));
        gap(i.checked_sub(1).and_then(|p| lines.get(p))) && gap(lines.get(i + 1))
    };
    let mut numbers: Vec<usize> = Vec::new();
    let mut keys: HashMap<String, Vec<usize>> = HashMap::new();
    for i in 0..lines.len() {
        let Some(line) = lines.get(i) else { continue };
        if !line.is_plain_text() || !isolated(lines, i) {
            continue;
        }
        let content = line.content();
        if is_page_number(content) {
            numbers.push(i);
            continue;
        }
        if content.chars().count() > 100 || ends_terminal(content) || content.ends_with(',') {
            continue;
        }
        if split_list_label(content).is_some() {
            continue;
        }
        let is_text = |l: &&Line<'_>| matches!(l.kind, Kind::Text | Kind::TabOnly);
        let prev_plain = lines.get(..i).and_then(|b| b.iter().rev().find(is_text)).is_none_or(Line::is_plain_text);
        let next_plain = lines.get(i + 1..).and_then(|a| a.iter().find(is_text)).is_none_or(Line::is_plain_text);
        if !prev_plain || !next_plain {
            continue;
        }
        let key = furniture_key(content, false);
        if keys.len() >= FURNITURE_KEYS && !keys.contains_key(&key) {
            continue;
        }
        keys.entry(key).or_default().push(i);
    }
    let mut dropped_numbers = 0;
    if numbers.len() >= 2 {
        for &i in &numbers {
            if let Some(l) = lines.get_mut(i) {
                l.kind = Kind::Skip;
                dropped_numbers += 1;
            }
        }
    }
    let drop: Vec<usize> = keys.into_values().filter(|at| at.len() >= 4).flatten().collect();
    let (repeated, example) = skip_lines(lines, drop);
    (repeated, dropped_numbers, example)
}

/// Marks the lines as skipped: how many, and the text of the first one.
fn skip_lines(lines: &mut [Line<'_>], mut drop: Vec<usize>) -> (usize, Option<String>) {
    drop.sort_unstable();
    let example = drop.first().and_then(|&i| lines.get(i)).map(|l| fold_whitespace(l.content()));
    let mut n = 0;
    for i in drop {
        if let Some(l) = lines.get_mut(i) {
            l.kind = Kind::Skip;
            n += 1;
        }
    }
    (n, example)
}

fn furniture_key(s: &str, digits_alike: bool) -> String {
    let folded = fold_whitespace(s).to_lowercase();
    if digits_alike { folded.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect() } else { folded }
}

/// `12`, `- 12 -`, `12/40`, `12 от 40`, `Стр. 12`, `Страница 12 от 40`, `Page 12 of 40`.
fn is_page_number(s: &str) -> bool {
    let s = fold_whitespace(s).to_lowercase();
    let mut t = s.as_str();
    for prefix in ["страница", "стр.", "стр", "page", "p."] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim_start();
            break;
        }
    }
    let dashed = t.strip_prefix(['-', '–', '—']).and_then(|r| r.strip_suffix(['-', '–', '—']));
    if let Some(inner) = dashed {
        t = inner.trim();
    }
    let digits = |t: &str| -> Option<usize> {
        let n = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        (1..=4).contains(&n).then_some(n)
    };
    let Some(n) = digits(t) else { return false };
    let rest = t.get(n..).unwrap_or("").trim_start();
    if rest.is_empty() {
        // A bare number of four digits is more likely a year than a page.
        return n <= 3 || t.len() != s.len();
    }
    for sep in ["/", "от", "of"] {
        if let Some(r) = rest.strip_prefix(sep) {
            let r = r.trim_start();
            return digits(r).is_some_and(|m| m == r.len());
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------------
// Output with the item limit

struct Out {
    b: DocumentBuilder,
    items: usize,
    max_items: usize,
    page: Option<u32>,
}

impl Out {
    fn count(&mut self, n: usize) -> Result<(), ReadError> {
        self.items = self.items.saturating_add(n);
        if self.items > self.max_items {
            return Err(ReadError::Hostile(format!("more than {} blocks and table cells", self.max_items)));
        }
        Ok(())
    }

    fn refund(&mut self, n: usize) {
        self.items = self.items.saturating_sub(n);
    }

    fn page_break(&mut self) -> Result<(), ReadError> {
        self.count(1)?;
        self.b.page_break();
        if let Some(p) = self.page {
            self.b.set_page(p);
        }
        Ok(())
    }
}

#[derive(Default)]
struct Stats {
    joined_rows: usize,
    fragments: usize,
    repeated_headers: usize,
    breaks_in_tables: usize,
    cell_per_line_tables: usize,
}

// ---------------------------------------------------------------------------------------------------
// The reader

struct Pending {
    text: String,
    toc: bool,
}

struct Reader<'l, 'a> {
    lines: &'l [Line<'a>],
    out: Out,
    stats: Stats,
    last_num_level: u8,
    pending: Option<Pending>,
    /// Page breaks met while a paragraph was pending (it may continue on the next page).
    deferred_breaks: usize,
    /// Lines before this index that start a tab-led run already judged to be prose.
    prose_until: usize,
    /// Lines before this index with tabs already judged not to be a table.
    flat_until: usize,
}

impl<'l, 'a> Reader<'l, 'a> {
    fn new(lines: &'l [Line<'a>], max_items: usize, pages: bool) -> Reader<'l, 'a> {
        let mut b = DocumentBuilder::new(SourceFormat::Text);
        let page = pages.then_some(1);
        if let Some(p) = page {
            b.set_page(p);
        }
        Reader {
            lines,
            out: Out { b, items: 0, max_items, page },
            stats: Stats::default(),
            last_num_level: 1,
            pending: None,
            deferred_breaks: 0,
            prose_until: 0,
            flat_until: 0,
        }
    }

    fn finish(mut self) -> Document {
        let s = &self.stats;
        let notes = [
            (s.joined_rows, "table rows continued after a page break were joined to the row above"),
            (s.fragments, "text fragments between table rows were put in the cell they continue"),
            (s.repeated_headers, "table header rows repeated on a new page were dropped; the table goes on"),
            (s.breaks_in_tables, "page breaks inside tables are placed after the table"),
            (
                s.cell_per_line_tables,
                "tables laid out one cell per line were regrouped into rows by their column count",
            ),
        ];
        for (n, what) in notes {
            if n > 0 {
                self.out.b.note(format!("{n} {what}"));
            }
        }
        self.out.b.finish()
    }

    fn run(&mut self) -> Result<(), ReadError> {
        let mut i = 0;
        let mut gap = false;
        while let Some(line) = self.lines.get(i) {
            match line.kind {
                Kind::Blank | Kind::Skip => {
                    gap = true;
                    i += 1;
                }
                Kind::PageBreak => {
                    gap = true;
                    self.page_break()?;
                    i += 1;
                }
                Kind::TabOnly if i >= self.prose_until => match self.try_cell_per_line(i)? {
                    Some(end) => {
                        i = end;
                        gap = true;
                    }
                    None => {
                        gap = true;
                        i += 1;
                    }
                },
                Kind::TabOnly => {
                    gap = true;
                    i += 1;
                }
                Kind::Text => {
                    if line.inner_tab
                        && !line.toc
                        && i >= self.flat_until
                        && let Some(end) = self.try_rows(i)?
                    {
                        i = end;
                        gap = true;
                        continue;
                    }
                    if line.indent > 0
                        && !line.inner_tab
                        && !line.toc
                        && i >= self.prose_until
                        && let Some(end) = self.try_cell_per_line(i)?
                    {
                        i = end;
                        gap = true;
                        continue;
                    }
                    self.prose_line(line, gap)?;
                    gap = false;
                    i += 1;
                }
            }
        }
        self.flush()
    }

    /// Page breaks consumed inside a table: the blocks after it are on a later page.
    fn advance_pages(&mut self, breaks: usize) {
        if breaks == 0 {
            return;
        }
        if let Some(p) = self.out.page.as_mut() {
            *p = p.saturating_add(u32::try_from(breaks).unwrap_or(u32::MAX));
            let p = *p;
            self.out.b.set_page(p);
        }
    }

    fn page_break(&mut self) -> Result<(), ReadError> {
        if let Some(p) = self.out.page.as_mut() {
            *p = p.saturating_add(1);
        }
        if self.pending.is_some() {
            self.deferred_breaks += 1;
            Ok(())
        } else {
            self.out.page_break()
        }
    }

    fn prose_line(&mut self, line: &Line<'_>, gap: bool) -> Result<(), ReadError> {
        // A row judged not to be a table reads as its cells' text.
        let flat;
        let content = if line.inner_tab {
            flat = line.content().replace('\t', " ");
            flat.as_str()
        } else {
            line.content()
        };
        if content.is_empty() {
            return Ok(());
        }
        if let Some(p) = self.pending.as_mut() {
            let joins = line.indent == 0
                && !line.toc
                && !p.toc
                && if gap { joins_across_gap(&p.text, content) } else { joins_adjacent(&p.text, content) };
            if joins {
                append_text(&mut p.text, content);
                return Ok(());
            }
        }
        self.flush()?;
        self.pending = Some(Pending { text: content.to_owned(), toc: line.toc });
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ReadError> {
        if let Some(p) = self.pending.take() {
            self.emit_text(&p.text, p.toc)?;
        }
        if self.deferred_breaks > 0 {
            self.deferred_breaks = 0;
            self.out.page_break()?;
        }
        Ok(())
    }

    fn emit_text(&mut self, text: &str, toc: bool) -> Result<(), ReadError> {
        let text = fold_whitespace(text);
        if text.is_empty() {
            return Ok(());
        }
        self.out.count(1)?;
        if let Some((level, depth)) = heading_level(&text, toc, self.last_num_level) {
            if let Some(d) = depth {
                self.last_num_level = d;
            }
            self.out.b.heading(level, &text);
        } else if let Some((label, rest)) = split_list_label(&text) {
            self.out.b.paragraph(rest, Some(label));
        } else {
            self.out.b.paragraph(&text, None);
        }
        Ok(())
    }

    fn emit_table(&mut self, table: Table, breaks: usize) -> Result<(), ReadError> {
        self.flush()?;
        let cells: usize = table.rows.iter().map(|r| r.cells.len()).sum();
        self.out.count(1usize.saturating_add(cells))?;
        self.out.b.table(table);
        if breaks > 0 {
            self.stats.breaks_in_tables += breaks;
            self.out.page_break()?;
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------------
    // Rows of tab-separated cells

    fn try_rows(&mut self, start: usize) -> Result<Option<usize>, ReadError> {
        let mut parser = RowParser::new(self.lines, start);
        let end = parser.parse(&mut self.out)?;
        let counted = parser.counted;
        let drafts = parser.tables();
        if !drafts.iter().any(|t| t.rows.iter().any(|r| !r.title && r.filled() >= 2)) {
            self.out.refund(counted);
            self.flat_until = end.max(start + 1);
            return Ok(None);
        }
        self.out.refund(counted);
        self.stats.joined_rows += parser.joined_rows;
        self.stats.fragments += parser.fragments;
        self.stats.repeated_headers += parser.repeated_headers;
        let breaks = parser.breaks;
        let tables: Vec<Table> = drafts.into_iter().filter_map(RowTable::into_table).collect();
        let last = tables.len().saturating_sub(1);
        for (k, table) in tables.into_iter().enumerate() {
            self.emit_table(table, if k == last { breaks } else { 0 })?;
        }
        self.advance_pages(breaks);
        Ok(Some(end))
    }

    // -----------------------------------------------------------------------------------------------
    // One cell per line

    fn try_cell_per_line(&mut self, start: usize) -> Result<Option<usize>, ReadError> {
        let scan = scan_cells(self.lines, start, self.out.max_items)?;
        let end = scan.end.max(start + 1);
        let Some((table, repeated_headers)) = cells_to_table(self.lines, &scan.cells) else {
            self.prose_until = end;
            return Ok(None);
        };
        self.stats.cell_per_line_tables += 1;
        self.stats.repeated_headers += repeated_headers;
        let breaks = scan.breaks;
        self.emit_table(table, breaks)?;
        self.advance_pages(breaks);
        Ok(Some(end))
    }
}

// ---------------------------------------------------------------------------------------------------
// Rows of tab-separated cells

#[derive(Debug, Default)]
struct RowDraft {
    /// Paragraphs of each cell.
    cells: Vec<Vec<String>>,
    title: bool,
    complete: bool,
}

impl RowDraft {
    /// Cells up to the last one with text.
    fn effective(&self) -> usize {
        self.cells.iter().rposition(|c| !cell_empty(c)).map_or(0, |p| p + 1)
    }
    fn filled(&self) -> usize {
        self.cells.iter().filter(|c| !cell_empty(c)).count()
    }
    fn tabs(&self) -> usize {
        self.cells.len().saturating_sub(1)
    }
}

fn cell_empty(c: &[String]) -> bool {
    c.iter().all(|p| p.trim().is_empty())
}

#[derive(Debug, Default)]
struct RowTable {
    rows: Vec<RowDraft>,
    header: Option<usize>,
    /// Columns, from the header.
    n: usize,
}

impl RowTable {
    fn last_data_row(&mut self) -> Option<&mut RowDraft> {
        let header = self.header?;
        let last = self.rows.len().checked_sub(1)?;
        if last <= header {
            return None;
        }
        self.rows.last_mut().filter(|r| !r.title && r.complete)
    }

    fn into_table(self) -> Option<Table> {
        let width = self.rows.iter().filter(|r| !r.title).map(RowDraft::effective).max().unwrap_or(1).max(1);
        let span = u32::try_from(width).unwrap_or(u32::MAX);
        let rows: Vec<Row> = self
            .rows
            .into_iter()
            .filter_map(|r| {
                let keep = r.effective();
                if keep == 0 {
                    return None;
                }
                if r.title {
                    let paragraphs = r.cells.into_iter().next().unwrap_or_default();
                    return Some(Row { cells: vec![Cell::new(paragraphs, 1, span)] });
                }
                Some(Row { cells: r.cells.into_iter().take(keep).map(|p| Cell::new(p, 1, 1)).collect() })
            })
            .collect();
        (!rows.is_empty()).then(|| Table::new(rows))
    }
}

struct RowParser<'l, 'a> {
    lines: &'l [Line<'a>],
    pos: usize,
    /// Tables finished (a title and header began a new one) and the table being read.
    done: Vec<RowTable>,
    current: RowTable,
    /// Paragraphs waiting to begin the first cell of the next row.
    prefix: Vec<String>,
    counted: usize,
    joined_rows: usize,
    fragments: usize,
    repeated_headers: usize,
    breaks: usize,
}

/// Cells of a line of tab-separated cells, each as its paragraphs.
fn split_cells(text: &str) -> Vec<Vec<String>> {
    text.split('\t').map(paragraphs_of).collect()
}

/// The paragraphs of a piece of a line (`<p>` and `<br>` are `\n` by now).
fn paragraphs_of(piece: &str) -> Vec<String> {
    piece.split('\n').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
}

/// The first text of a line of tab-separated cells, without splitting it into cells.
fn first_piece_text(text: &str) -> Option<&str> {
    text.split(['\t', '\n']).map(str::trim).find(|p| !p.is_empty())
}

fn first_text(cells: &[Vec<String>]) -> Option<&str> {
    cells.iter().find_map(|c| c.iter().map(|p| p.trim()).find(|p| !p.is_empty()))
}

fn is_title(cells: &[Vec<String>]) -> bool {
    cells.len() >= 3 && cells.first().is_some_and(|c| !cell_empty(c)) && cells.iter().skip(1).all(|c| cell_empty(c))
}

fn is_separator(cells: &[Vec<String>]) -> bool {
    let mut any_rule = false;
    for p in cells.iter().flatten() {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        if !p.chars().all(|c| matches!(c, '-' | '=' | '+' | ':' | '_' | ' ')) {
            return false;
        }
        any_rule |= p.contains("--") || p.contains("==") || p.contains("__");
    }
    any_rule
}

fn header_key(p: &[String]) -> String {
    fold_whitespace(&p.join(" ")).to_lowercase()
}

/// Whether a row repeats the header: same first cell, 60 % of the cells with text equal.
fn repeats_header(row: &RowDraft, header: &RowDraft) -> bool {
    let (Some(a), Some(b)) = (row.cells.first(), header.cells.first()) else { return false };
    if cell_empty(a) || header_key(a) != header_key(b) {
        return false;
    }
    let equal =
        row.cells.iter().zip(&header.cells).filter(|(x, y)| !cell_empty(x) && header_key(x) == header_key(y)).count();
    let most = row.filled().max(header.filled());
    equal >= 2 && equal * 5 >= most * 3
}

/// Appends continuation text to the last paragraph of a cell (joining a hyphenated word); a `\n`
/// in the text (a `<p>` or `<br>`) starts a new paragraph.
fn continue_cell(cell: &mut Vec<String>, text: &str, new_paragraph: bool) {
    for (k, part) in text.split('\n').map(str::trim).filter(|p| !p.is_empty()).enumerate() {
        match cell.last_mut() {
            Some(last) if k == 0 && !new_paragraph => append_text(last, part),
            _ => cell.push(part.to_owned()),
        }
    }
}

impl<'l, 'a> RowParser<'l, 'a> {
    fn new(lines: &'l [Line<'a>], start: usize) -> RowParser<'l, 'a> {
        RowParser {
            lines,
            pos: start,
            done: Vec::new(),
            current: RowTable::default(),
            prefix: Vec::new(),
            counted: 0,
            joined_rows: 0,
            fragments: 0,
            repeated_headers: 0,
            breaks: 0,
        }
    }

    fn table(&mut self) -> &mut RowTable {
        &mut self.current
    }

    /// The tables read, in order.
    fn tables(&mut self) -> Vec<RowTable> {
        let mut tables = std::mem::take(&mut self.done);
        tables.push(std::mem::take(&mut self.current));
        tables
    }

    fn open_row(&mut self) -> Option<&mut RowDraft> {
        self.table().rows.last_mut().filter(|r| !r.complete)
    }

    /// The next text line after `i` (skipping blank lines and page breaks).
    fn next_text(&self, i: usize) -> Option<(usize, &'l Line<'a>)> {
        let lines = self.lines;
        (i..lines.len())
            .find_map(|k| lines.get(k).filter(|l| matches!(l.kind, Kind::Text | Kind::TabOnly)).map(|l| (k, l)))
    }

    fn parse(&mut self, out: &mut Out) -> Result<usize, ReadError> {
        let mut gap = false;
        let mut cell_break = false;
        while let Some(line) = self.lines.get(self.pos) {
            match line.kind {
                Kind::Blank | Kind::PageBreak | Kind::Skip => {
                    let next = self.next_text(self.pos + 1);
                    let upto = next.map_or(self.lines.len(), |(k, _)| k);
                    let breaks = self
                        .lines
                        .get(self.pos..upto)
                        .map_or(0, |ls| ls.iter().filter(|l| l.kind == Kind::PageBreak).count());
                    let next_has_tab = next.is_some_and(|(_, l)| (l.has_tab() || l.kind == Kind::TabOnly) && !l.toc);
                    if next_has_tab {
                        self.breaks += breaks;
                        gap = true;
                        cell_break = true;
                        self.pos = upto;
                        continue;
                    }
                    if self.open_row().is_none()
                        && let Some((k, l)) = next
                        && self.try_fragment(k, l)
                    {
                        self.breaks += breaks;
                        gap = true;
                        self.pos = k + 1;
                        continue;
                    }
                    break;
                }
                Kind::TabOnly => {
                    gap = true;
                    cell_break = true;
                    self.pos += 1;
                }
                Kind::Text if line.has_tab() => {
                    self.row_line(line, gap, cell_break, out)?;
                    gap = false;
                    cell_break = false;
                    self.pos += 1;
                }
                Kind::Text => {
                    if gap {
                        break;
                    }
                    let content = line.content();
                    if let Some(row) = self.open_row() {
                        if let Some(cell) = row.cells.last_mut() {
                            let joins = !cell_break && cell.last().is_some_and(|p| joins_adjacent(p, content));
                            continue_cell(cell, content, !joins);
                        }
                        cell_break = false;
                        self.pos += 1;
                        continue;
                    }
                    if !self.text_between_rows() {
                        break;
                    }
                }
            }
        }
        // A row left open at the end is kept as it is.
        if let Some(row) = self.open_row() {
            row.complete = true;
        }
        for text in std::mem::take(&mut self.prefix) {
            self.append_to_last_cell(&text);
        }
        Ok(self.pos)
    }

    /// Lines without tabs right after a complete row: they continue its last cell, or begin the next
    /// row; one starting in lower case followed by a blank line continues the row. Otherwise the
    /// table ends (returns false).
    fn text_between_rows(&mut self) -> bool {
        let start = self.pos;
        let mut k = start;
        while self.lines.get(k).is_some_and(|l| l.is_plain_text() && !l.toc && !is_strong_heading(l.content())) {
            k += 1;
        }
        if k == start {
            return false;
        }
        let lines = self.lines;
        let followed_by_row = lines.get(k).is_some_and(|l| l.kind == Kind::Text && l.has_tab());
        if self.table().rows.is_empty() {
            return false;
        }
        if !followed_by_row {
            // Lines starting in lower case continue the row; the first other line ends the table.
            let mut m = start;
            while m < k && lines.get(m).is_some_and(|l| starts_lowercase(l.content())) {
                if let Some(l) = lines.get(m) {
                    self.append_to_last_cell(l.content());
                }
                m += 1;
            }
            self.pos = m;
            return m > start;
        }
        // Split: a capitalised line followed by a row starting in lower case begins that row.
        let next_starts_lower = lines.get(k).and_then(|l| first_piece_text(&l.text)).is_some_and(starts_lowercase);
        let split = if next_starts_lower {
            (start..k).rev().find(|&m| lines.get(m).is_some_and(|l| !starts_lowercase(l.content()))).unwrap_or(k)
        } else {
            k
        };
        for m in start..split {
            if let Some(l) = lines.get(m) {
                self.append_to_last_cell(l.content());
            }
        }
        for m in split..k {
            if let Some(l) = lines.get(m) {
                let text = l.content().to_owned();
                match self.prefix.last_mut() {
                    Some(last) if starts_lowercase(&text) => append_text(last, &text),
                    _ => self.prefix.push(text),
                }
            }
        }
        self.pos = k;
        true
    }

    fn append_to_last_cell(&mut self, text: &str) {
        let Some(row) = self.table().rows.last_mut() else { return };
        let target = row.cells.iter().rposition(|c| !cell_empty(c)).unwrap_or(0);
        if let Some(cell) = row.cells.get_mut(target) {
            let joins = cell.last().is_some_and(|p| joins_adjacent(p, text));
            continue_cell(cell, text, !joins);
        }
    }

    /// A line without tabs between blank lines, starting in lower case, with a row after it: a
    /// fragment of the row above (a page break cut it off).
    fn try_fragment(&mut self, k: usize, line: &Line<'_>) -> bool {
        if !line.is_plain_text() || !starts_lowercase(line.content()) || starts_with_list_label(line.content()) {
            return false;
        }
        let row_after = self.next_text(k + 1).is_some_and(|(_, l)| l.kind == Kind::Text && l.has_tab());
        if !row_after {
            return false;
        }
        let text = line.content().to_owned();
        let Some(row) = self.table().last_data_row() else { return false };
        let dangling = row.cells.iter().position(|c| c.last().is_some_and(|p| ends_dangling(p) || ends_hyphen(p)));
        let target = dangling.or_else(|| row.cells.iter().rposition(|c| !cell_empty(c))).unwrap_or(0);
        if let Some(cell) = row.cells.get_mut(target) {
            continue_cell(cell, &text, false);
        }
        self.fragments += 1;
        true
    }

    fn row_line(&mut self, line: &Line<'_>, gap: bool, cell_break: bool, out: &mut Out) -> Result<(), ReadError> {
        // Counted before the cells are made, so a line of a million tabs is refused first.
        let n_cells = line.text.bytes().filter(|&b| b == b'\t').count() + 1;
        self.counted += n_cells;
        out.count(n_cells)?;
        let mut pieces = split_cells(&line.text);
        if is_separator(&pieces) {
            return Ok(());
        }
        if pieces.iter().all(|c| cell_empty(c)) {
            return Ok(());
        }
        let n = self.table().n;
        // Continuing an open row: the first piece goes on in the cell where the line broke.
        if let Some(row) = self.open_row() {
            let mut iter = pieces.into_iter();
            if let Some(first) = iter.next()
                && let Some(cell) = row.cells.last_mut()
            {
                for (k, p) in first.into_iter().enumerate() {
                    let joins = k == 0 && !cell_break && cell.last().is_some_and(|last| joins_adjacent(last, &p));
                    continue_cell(cell, &p, !joins);
                }
            }
            row.cells.extend(iter);
            if n > 0 && row.tabs() + 1 >= n {
                row.complete = true;
            }
            if self.open_row().is_none() {
                self.row_completed();
            }
            return Ok(());
        }
        // The rest of a row that a page break split.
        if gap
            && first_text(&pieces).is_some_and(|t| starts_lowercase(t) && !starts_with_list_label(t))
            && let Some(row) = self.table().last_data_row()
        {
            let last_filled = row.cells.iter().rposition(|c| !cell_empty(c)).unwrap_or(0);
            for (k, piece) in pieces.into_iter().enumerate() {
                if cell_empty(&piece) {
                    continue;
                }
                let target = if k < row.cells.len() { k } else { last_filled };
                if let Some(cell) = row.cells.get_mut(target) {
                    for (m, p) in piece.into_iter().enumerate() {
                        continue_cell(cell, &p, m > 0);
                    }
                }
            }
            self.joined_rows += 1;
            return Ok(());
        }
        if !self.prefix.is_empty() {
            let mut prefix = std::mem::take(&mut self.prefix);
            if let Some(first) = pieces.first_mut() {
                let mut rest = std::mem::take(first).into_iter();
                if let (Some(last), Some(next)) = (prefix.last_mut(), rest.next()) {
                    if starts_lowercase(&next) {
                        append_text(last, &next);
                    } else {
                        prefix.push(next);
                    }
                }
                prefix.extend(rest);
                *first = prefix;
            }
        }
        let title = is_title(&pieces);
        let mut row = RowDraft { cells: pieces, title, complete: false };
        if title || n == 0 || row.tabs() + 1 >= n {
            row.complete = true;
        }
        self.table().rows.push(row);
        if self.open_row().is_none() {
            self.row_completed();
        }
        Ok(())
    }

    /// Settles the row just completed: the header fixes the columns; a repeated header is dropped or
    /// (under a title row) begins a new table.
    fn row_completed(&mut self) {
        let table = self.table();
        let Some(row) = table.rows.last() else { return };
        if row.title {
            return;
        }
        let index = table.rows.len() - 1;
        match table.header {
            None => {
                table.header = Some(index);
                table.n = row.effective().max(1);
            }
            Some(h) => {
                let repeats = table.rows.get(h).is_some_and(|header| repeats_header(row, header));
                if !repeats {
                    return;
                }
                let Some(row) = table.rows.pop() else { return };
                let title_above = index > h + 1 && table.rows.last().is_some_and(|r| r.title);
                if title_above {
                    let title = table.rows.pop();
                    let n = row.effective().max(1);
                    let rows: Vec<RowDraft> = title.into_iter().chain(std::iter::once(row)).collect();
                    let header = Some(rows.len() - 1);
                    let finished = std::mem::replace(&mut self.current, RowTable { rows, header, n });
                    self.done.push(finished);
                } else {
                    self.repeated_headers += 1;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// One cell per line

#[derive(Debug)]
struct CellDraft {
    /// The line the cell starts on.
    line: usize,
    /// Blank lines came before the cell.
    gap: bool,
    /// Following lines without tabs: (line, blank lines before it).
    more: Vec<(usize, bool)>,
    /// An empty cell made by an extra leading tab.
    empty: bool,
}

struct CellScan {
    cells: Vec<CellDraft>,
    end: usize,
    breaks: usize,
}

/// Collects the cells of a run of tab-led lines starting at `start`.
fn scan_cells(lines: &[Line<'_>], start: usize, limit: usize) -> Result<CellScan, ReadError> {
    let mut cells: Vec<CellDraft> = Vec::new();
    let mut blanks = 0u32;
    let mut i = start;
    let mut end_at_gap: Option<usize> = None;
    while let Some(line) = lines.get(i) {
        match line.kind {
            Kind::Blank | Kind::Skip => {
                if blanks == 0 {
                    end_at_gap = Some(i);
                }
                blanks = blanks.saturating_add(line.blanks.max(1));
            }
            Kind::PageBreak => {
                if blanks == 0 {
                    end_at_gap = Some(i);
                }
                blanks = blanks.saturating_add(1);
            }
            Kind::Text if line.inner_tab || line.toc => break,
            Kind::Text | Kind::TabOnly if line.indent > 0 => {
                if blanks >= 5 && !cells.is_empty() {
                    break;
                }
                for _ in 1..line.indent.min(64) {
                    cells.push(CellDraft { line: i, gap: blanks > 0, more: Vec::new(), empty: true });
                    blanks = 0;
                }
                cells.push(CellDraft { line: i, gap: blanks > 0, more: Vec::new(), empty: line.kind == Kind::TabOnly });
                blanks = 0;
                end_at_gap = None;
                if cells.len() > limit {
                    return Err(ReadError::Hostile(format!("more than {limit} blocks and table cells")));
                }
            }
            Kind::Text | Kind::TabOnly => {
                if blanks > 0 && line.kind == Kind::Text && is_strong_heading(line.content()) {
                    break;
                }
                if let Some(cell) = cells.last_mut() {
                    cell.more.push((i, blanks > 0));
                }
                blanks = 0;
                end_at_gap = None;
            }
        }
        i += 1;
    }
    let mut end = if blanks > 0 { end_at_gap.unwrap_or(i) } else { i };
    // A long paragraph after a blank line at the very end is the text after the table.
    if let Some(last) = cells.last_mut() {
        let long = |k: usize| lines.get(k).is_some_and(|l| l.content().chars().count() > 40);
        let mut cut = None;
        let mut long_after = false;
        for (m, &(k, gap)) in last.more.iter().enumerate().rev() {
            long_after |= long(k);
            if gap && long_after {
                cut = Some(m);
            }
        }
        if let Some(m) = cut {
            if let Some(&(k, _)) = last.more.get(m) {
                end = k;
            }
            last.more.truncate(m);
        }
    }
    let breaks = lines.get(start..end).map_or(0, |ls| ls.iter().filter(|l| l.kind == Kind::PageBreak).count());
    Ok(CellScan { cells, end, breaks })
}

/// A numbered heading (`2. Title`, `2.1. Title`): it ends a cell-per-line table when it follows a
/// blank line.
fn is_strong_heading(s: &str) -> bool {
    numeric_label(s).is_some() && heading_level(s, false, 1).is_some()
}

fn cell_paragraphs(lines: &[Line<'_>], cell: &CellDraft) -> Vec<String> {
    let mut paragraphs: Vec<String> = Vec::new();
    if cell.empty && cell.more.is_empty() {
        return paragraphs;
    }
    if !cell.empty
        && let Some(line) = lines.get(cell.line)
    {
        paragraphs.extend(paragraphs_of(line.content()));
    }
    let mut first_empty = paragraphs.is_empty();
    for &(k, gap) in &cell.more {
        let Some(line) = lines.get(k) else { continue };
        let mut parts = paragraphs_of(line.content()).into_iter();
        if let Some(first) = parts.next() {
            let joins = !gap && !first_empty && paragraphs.last().is_some_and(|p| joins_adjacent(p, &first));
            continue_cell(&mut paragraphs, &first, !joins);
            first_empty = false;
        }
        paragraphs.extend(parts);
    }
    paragraphs
}

/// Groups cells into rows; `None` when the run is indented prose rather than a table. Also says how
/// many repeats of the header row were dropped.
fn cells_to_table(lines: &[Line<'_>], drafts: &[CellDraft]) -> Option<(Table, usize)> {
    let cells: Vec<Vec<String>> = drafts.iter().map(|d| cell_paragraphs(lines, d)).collect();
    let lens: Vec<usize> = cells.iter().map(|c| c.iter().map(|p| p.chars().count() + 1).sum::<usize>()).collect();
    let nonempty = lens.iter().filter(|&&l| l > 0).count();
    let short = lens.iter().filter(|&&l| l > 0 && l <= 31).count();
    if nonempty < 4 || short < 3 || short * 20 < nonempty {
        return None;
    }
    // Groups: runs of cells with no blank line between them.
    let mut groups: Vec<(usize, usize)> = Vec::new(); // (first cell, count)
    for (k, d) in drafts.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if !d.gap => g.1 += 1,
            _ => groups.push((k, 1)),
        }
    }
    if groups.len() < 2 {
        return None;
    }
    let header_n = groups.iter().take(2).map(|g| g.1).max().unwrap_or(1);
    if !(2..=64).contains(&header_n) {
        return None;
    }
    // The first word most groups start with (the first column's usual word).
    let first_word = |cell: &[String]| -> String {
        cell.first().and_then(|p| p.split_whitespace().next()).unwrap_or("").to_lowercase()
    };
    let mut words: HashMap<String, usize> = HashMap::new();
    for g in &groups {
        if let Some(c) = cells.get(g.0) {
            *words.entry(first_word(c)).or_default() += 1;
        }
    }
    let dominant = words
        .into_iter()
        .filter(|(w, c)| !w.is_empty() && *c >= 3 && c * 5 >= groups.len())
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(w, _)| w);
    let starts_next_line = |k: usize| {
        drafts.get(k).is_some_and(|d| {
            let first_empty = d.empty || lines.get(d.line).is_none_or(|l| l.content().is_empty());
            first_empty && !d.more.is_empty()
        })
    };
    let single_cost = |k: usize| -> u64 {
        let mut cost = if starts_next_line(k) { 3 } else { 15 };
        if dominant.as_deref().is_some_and(|w| cells.get(k).is_some_and(|c| first_word(c) == w)) {
            cost += 20;
        }
        cost
    };
    let plan = |n: usize| row_plan(&groups, n, &single_cost);
    let (mut n, mut rows, cost) = {
        let (rows, cost) = plan(header_n);
        (header_n, rows, cost)
    };
    // The most frequent group size may fit better than the header's.
    let mut sizes: HashMap<usize, usize> = HashMap::new();
    for g in &groups {
        if (2..=64).contains(&g.1) {
            *sizes.entry(g.1).or_default() += 1;
        }
    }
    if let Some((alt, _)) = sizes.into_iter().max_by_key(|&(s, c)| (c, s))
        && alt != header_n
    {
        let (alt_rows, alt_cost) = plan(alt);
        if alt_cost.saturating_mul(2) < cost {
            n = alt;
            rows = alt_rows;
        }
    }
    let span = u32::try_from(n).unwrap_or(1);
    let mut cells: Vec<Option<Vec<String>>> = cells.into_iter().map(Some).collect();
    let mut out_rows = Vec::with_capacity(rows.len());
    for (first_group, end_group) in rows {
        let from = groups.get(first_group).map_or(0, |g| g.0);
        let to = groups.get(end_group).map_or(cells.len(), |g| g.0);
        let row_cells: Vec<Vec<String>> = (from..to).filter_map(|k| cells.get_mut(k).and_then(Option::take)).collect();
        let row = if row_cells.len() == 1 {
            row_cells.into_iter().map(|p| Cell::new(p, 1, span)).collect()
        } else {
            row_cells.into_iter().map(|p| Cell::new(p, 1, 1)).collect()
        };
        out_rows.push(Row { cells: row });
    }
    // The header row repeated on a new page.
    let key = |r: &Row| -> Vec<String> { r.cells.iter().map(|c| c.text.to_lowercase()).collect() };
    let mut repeated = 0;
    if let Some(header) = out_rows.first().filter(|r| r.cells.len() >= 2).map(key) {
        let before = out_rows.len();
        let mut first = true;
        out_rows.retain(|r| std::mem::take(&mut first) || key(r) != header);
        repeated = before - out_rows.len();
    }
    Some((Table::new(out_rows), repeated))
}

/// The cheapest way to cut the groups into rows of `n` cells: (rows as group ranges, cost).
fn row_plan(groups: &[(usize, usize)], n: usize, single_cost: &dyn Fn(usize) -> u64) -> (Vec<(usize, usize)>, u64) {
    let g = groups.len();
    let mut best = vec![u64::MAX; g + 1];
    let mut back = vec![0usize; g + 1];
    if let Some(b) = best.first_mut() {
        *b = 0;
    }
    let limit = n.saturating_mul(2).saturating_add(2);
    for start in 0..g {
        let Some(&base) = best.get(start) else { continue };
        if base == u64::MAX {
            continue;
        }
        let mut total = 0usize;
        for end in start..g {
            let Some(&(first_cell, count)) = groups.get(end) else { break };
            total = total.saturating_add(count);
            if total > limit && end > start {
                break;
            }
            let cost = if total == n {
                0
            } else if total == 1 {
                single_cost(first_cell)
            } else if total < n {
                10 + 5 * (n - total) as u64
            } else {
                20 + 10 * (total - n) as u64
            };
            let candidate = base.saturating_add(cost);
            if let Some(slot) = best.get_mut(end + 1)
                && candidate < *slot
            {
                *slot = candidate;
                if let Some(b) = back.get_mut(end + 1) {
                    *b = start;
                }
            }
        }
    }
    let mut rows = Vec::new();
    let mut end = g;
    while end > 0 {
        let start = back.get(end).copied().unwrap_or(0).min(end - 1);
        rows.push((start, end));
        end = start;
    }
    rows.reverse();
    (rows, best.get(g).copied().unwrap_or(u64::MAX))
}

// ---------------------------------------------------------------------------------------------------
// Text rules

fn starts_lowercase(s: &str) -> bool {
    s.trim_start().chars().next().is_some_and(char::is_lowercase)
}

fn starts_uppercase(s: &str) -> bool {
    s.trim_start().chars().find(|c| !matches!(c, '„' | '"' | '«' | '“' | '(' | '\'')).is_some_and(char::is_uppercase)
}

/// Ends in `.`, `!`, `?`, `;` or `:` (also before closing quotes or brackets).
fn ends_terminal(s: &str) -> bool {
    let t = s.trim_end().trim_end_matches(['"', '“', '”', '»', ')', '\'', '’']);
    t.ends_with(['.', '!', '?', ';', ':', '…'])
}

fn ends_hyphen(s: &str) -> bool {
    let t = s.trim_end();
    let mut rev = t.chars().rev();
    matches!(rev.next(), Some('-' | '\u{2010}')) && rev.next().is_some_and(char::is_alphabetic)
}

/// Prepositions and conjunctions: a line ending in one goes on in the next.
const DANGLING: &str = "на за от в във с със и или по до към при че да като между чрез след пред над под без през а \
                        но не се са е ще които която който което относно съгласно спрямо";

/// Ends in a word that cannot end a sentence (a preposition or conjunction).
fn ends_dangling(s: &str) -> bool {
    s.split_whitespace().next_back().is_some_and(|w| {
        let w = w.to_lowercase();
        DANGLING.split_whitespace().any(|d| d == w)
    })
}

fn is_hyphen_break(prev: &str, next: &str) -> bool {
    ends_hyphen(prev) && next.trim_start().chars().next().is_some_and(|c| c.is_lowercase() && is_cyrillic(c))
}

fn is_cyrillic(c: char) -> bool {
    ('\u{400}'..='\u{4ff}').contains(&c)
}

/// A line continues the one right above it (a hard line break inside a paragraph).
fn joins_adjacent(prev: &str, next: &str) -> bool {
    if is_hyphen_break(prev, next) {
        return true;
    }
    if prev.trim().is_empty() || starts_with_bullet(next) {
        return false;
    }
    (starts_lowercase(next) && !ends_terminal(prev) && !is_all_caps(prev))
        || (ends_dangling(prev) && !starts_with_list_label(next))
}

/// A line continues a paragraph across blank lines or a page break.
fn joins_across_gap(prev: &str, next: &str) -> bool {
    is_hyphen_break(prev, next) || (starts_lowercase(next) && ends_dangling(prev) && !is_all_caps(prev))
}

/// Appends a continuation with a space, or without the hyphen of a word broken across lines.
fn append_text(buf: &mut String, next: &str) {
    let next = next.trim();
    if is_hyphen_break(buf, next) {
        let trimmed = buf.trim_end().len();
        buf.truncate(trimmed);
        buf.pop();
        buf.push_str(next);
    } else {
        if !buf.is_empty() {
            buf.push(' ');
        }
        buf.push_str(next);
    }
}

/// In capitals: four letters or more and no small letter (within the first 300 characters).
fn is_all_caps(s: &str) -> bool {
    let mut letters = 0;
    for c in s.chars().take(300) {
        if c.is_lowercase() {
            return false;
        }
        if c.is_uppercase() {
            letters += 1;
        }
    }
    letters >= 4
}

const BULLETS: &[char] = &['•', '·', '▪', '■', '□', '○', '●', '◦', '►', '➢', '✓', '\u{f0b7}', '\u{f0a7}', '\u{2219}'];
const DASH_BULLETS: &[char] = &['-', '–', '—', '*', '+'];

fn starts_with_bullet(s: &str) -> bool {
    bullet_label(s.trim_start()).is_some()
}

fn bullet_label(s: &str) -> Option<usize> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if BULLETS.contains(&c) {
        return Some(c.len_utf8());
    }
    if DASH_BULLETS.contains(&c) && chars.next().is_some_and(char::is_whitespace) {
        return Some(c.len_utf8());
    }
    None
}

/// `1.`, `1.2.`, `1.2`, `3)`, followed by whitespace, the end, or a capital letter: (byte length,
/// depth).
fn numeric_label(s: &str) -> Option<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut depth = 0;
    let mut closed = false;
    loop {
        let digits = bytes.get(i..).map_or(0, |b| b.iter().take_while(|b| b.is_ascii_digit()).count());
        if digits == 0 || digits > 3 {
            if depth == 0 || digits > 3 {
                return None;
            }
            break;
        }
        i += digits;
        depth += 1;
        closed = false;
        match bytes.get(i) {
            Some(b'.') => {
                i += 1;
                closed = true;
            }
            Some(b')') => {
                i += 1;
                closed = true;
                break;
            }
            _ => break,
        }
    }
    if !closed && depth < 2 {
        return None;
    }
    let rest = s.get(i..)?;
    let next = rest.chars().next();
    let ok = match next {
        None => true,
        Some(c) if c.is_whitespace() => true,
        Some(c) => closed && c.is_uppercase(),
    };
    ok.then_some((i, depth))
}

fn letter_label(s: &str) -> Option<usize> {
    let mut chars = s.char_indices();
    let (_, c) = chars.next()?;
    if !c.is_alphabetic() {
        return None;
    }
    let (i, p) = chars.next()?;
    let after = |k: usize| s.get(k..).and_then(|r| r.chars().next());
    match p {
        ')' if after(i + 1).is_none_or(char::is_whitespace) => Some(i + 1),
        // `а.` … `и.`: later letters with a dot are abbreviations (`с.` for a village).
        '.' if matches!(c, 'а'..='и' | 'a'..='i') && after(i + 1).is_some_and(char::is_whitespace) => Some(i + 1),
        '.' if c.is_uppercase() => {
            // `Д.1.`
            let rest = s.get(i + 1..)?;
            numeric_label(rest).map(|(len, _)| i + 1 + len)
        }
        _ => None,
    }
}

fn roman_label(s: &str) -> Option<usize> {
    let n = s.find(|c: char| !matches!(c, 'I' | 'V' | 'X' | 'L' | 'І' | 'Х' | 'Ⅰ'..='Ⅻ')).unwrap_or(s.len());
    if n == 0 || n > 12 {
        return None;
    }
    let rest = s.get(n..)?;
    (rest.starts_with('.') && rest.get(1..).and_then(|r| r.chars().next()).is_some_and(char::is_whitespace))
        .then_some(n + 1)
}

fn starts_with_list_label(s: &str) -> bool {
    split_list_label(s.trim()).is_some()
}

/// A list item's label and the rest of its text.
fn split_list_label(s: &str) -> Option<(&str, &str)> {
    let len = bullet_label(s)
        .or_else(|| numeric_label(s).map(|(len, _)| len))
        .or_else(|| letter_label(s))
        .or_else(|| roman_label(s))?;
    let label = s.get(..len)?;
    let rest = s.get(len..)?.trim_start();
    // `1.2 Title` is a label, `3.5 милиона` a number.
    let open = label.ends_with(|c: char| c.is_ascii_digit());
    if rest.is_empty() || (open && !starts_uppercase(rest)) {
        return None;
    }
    Some((label, rest))
}

const PLAN_LABELS: &[(&str, u8)] = &[
    ("Стратегическа цел", 2),
    ("Приоритетно направление", 2),
    ("Приоритет", 2),
    ("Направление", 2),
    ("Обща цел", 2),
    ("Оперативна цел", 3),
    ("Специфична цел", 3),
    ("Мярка", 4),
];

const PART_WORDS: &[&str] = &["Раздел", "Приложение", "Глава", "Част"];

/// Whether a paragraph is a heading: (level, depth of its numbering).
fn heading_level(text: &str, toc: bool, last_num: u8) -> Option<(u8, Option<u8>)> {
    let chars = text.chars().count();
    if starts_with_bullet(text) {
        return None;
    }
    let numbered = numeric_label(text).or_else(|| roman_label(text).map(|len| (len, 1)));
    let depth = numbered.map(|(_, d)| u8::try_from(d.min(6)).unwrap_or(6));
    let after_number = numbered.and_then(|(len, _)| text.get(len..)).unwrap_or(text).trim_start();
    let part = PART_WORDS.iter().any(|w| text.strip_prefix(w).is_some_and(|r| r.starts_with([' ', '\u{a0}'])));
    if toc {
        if let Some(d) = depth {
            return Some((d, depth));
        }
        if chars <= 150 && !ends_terminal(text) && !text.ends_with(',') {
            let level = if is_all_caps(text) || part { 1 } else { last_num.saturating_add(1).min(6) };
            return Some((level, None));
        }
        return None;
    }
    if is_all_caps(text)
        && chars <= 150
        && !text.ends_with([':', ',', ';'])
        && !text.starts_with(['/', '('])
        && !text.contains("(П)")
        && !text.contains("(п)")
    {
        return Some((1, None));
    }
    if part && chars <= 100 && !text.ends_with(['.', ';', ',']) {
        return Some((1, None));
    }
    if let Some(d) = depth {
        let words = text.split_whitespace().count();
        let fits = if d >= 2 { chars <= 120 } else { chars <= 60 && words <= 8 };
        if fits && !ends_terminal(text) && !text.ends_with(',') && starts_uppercase(after_number) {
            return Some((d, depth));
        }
        return None;
    }
    for &(label, level) in PLAN_LABELS {
        let Some(rest) = text.strip_prefix(label) else { continue };
        let rest = rest.trim_start().trim_start_matches('№').trim_start();
        let Some((len, _)) = numeric_label(rest).or_else(|| {
            let n = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            (n > 0 && n <= 3).then_some((n, 1))
        }) else {
            continue;
        };
        let title = rest.get(len..).unwrap_or("").trim();
        if title.is_empty() || (chars <= 100 && is_all_caps(title)) {
            return Some((level, None));
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BlockContent;

    fn doc(text: &str) -> Document {
        read(text, &ReadLimits::default()).unwrap()
    }

    fn tables(d: &Document) -> Vec<&Table> {
        d.tables().collect()
    }

    fn texts(table: &Table) -> Vec<Vec<String>> {
        table.rows.iter().map(|r| r.cells.iter().map(|c| c.text.clone()).collect()).collect()
    }

    /// (kind, level or label, text) of every heading and paragraph.
    fn flow(d: &Document) -> Vec<(char, String, String)> {
        d.blocks
            .iter()
            .filter_map(|b| match &b.content {
                BlockContent::Heading { level, text, .. } => Some(('H', level.to_string(), text.clone())),
                BlockContent::Paragraph { text, list_label, .. } => {
                    Some(('P', list_label.clone().unwrap_or_default(), text.clone()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_row_broken_over_lines_is_one_row() {
        let text = "Годишен план\n\n\
                    Цел\tДейност\tСрок\tОтговорник\n\
                    Първа цел\tРемонт на\nсградата на центъра\tдо края на\n2015 г.\tКмет\n\
                    Втора цел\tОбучение\tПостоянен\tДиректор\n\
                    на дирекцията\n\
                    Трета\nцел\tНаемане\tЮни\tКмет\n\
                    \n\
                    Край на плана.\n";
        let d = doc(text);
        let t = tables(&d);
        assert_eq!(t.len(), 1);
        assert_eq!(
            texts(t[0]),
            [
                vec!["Цел", "Дейност", "Срок", "Отговорник"],
                vec!["Първа цел", "Ремонт на сградата на центъра", "до края на 2015 г.", "Кмет"],
                vec!["Втора цел", "Обучение", "Постоянен", "Директор на дирекцията"],
                vec!["Трета цел", "Наемане", "Юни", "Кмет"],
            ]
        );
        assert_eq!(d.paragraphs().collect::<Vec<_>>(), ["Годишен план", "Край на плана."]);
    }

    #[test]
    fn a_line_break_inside_a_cell_keeps_a_new_paragraph() {
        let text = "Мярка\tПартньори\tСрок\nПърва\tОбщина\nНПО\tПостоянен\n";
        let d = doc(text);
        assert_eq!(tables(&d)[0].rows[1].cells[1].paragraphs, ["Община", "НПО"]);
    }

    #[test]
    fn p_items_in_a_cell_are_its_paragraphs() {
        let text = "Цел\tДейност\tСрок\n\
                    <p>Подкрепа на семействата</p>\t<p>1.1. Консултации</p><p>1.2. Обучения<br>за родители</p>\t<p>Постоянен</p>\n\
                    \t<i>Мобилна</i> услуга\t2016 г.\n";
        let d = doc(text);
        let t = tables(&d)[0];
        let cell = &t.rows[1].cells[1];
        assert_eq!(cell.paragraphs, ["1.1. Консултации", "1.2. Обучения", "за родители"]);
        assert_eq!(t.rows[1].cells[0].text, "Подкрепа на семействата");
        assert_eq!(texts(t)[2], ["", "Мобилна услуга", "2016 г."]);
    }

    #[test]
    fn bookmarks_bold_and_italics_are_removed_and_schedule_marks_kept() {
        let text = "[bookmark: _Toc1][bookmark: _Toc2]1. Въведение\n\
                    [bookmark: бележка]\n\
                    **ОБЩИНСКИЯТ СЪВЕТ\n\
                    РЕШИ:**\n\
                    Приема *(Приложение 2 – списък)* и **доклада** на кмета.\n\
                    \n\
                    №\tДейност\tI\tII\n\
                    1.\tРемонт\t*****\t//////\n\
                    2.\tОбучение\t\t*****\n";
        let d = doc(text);
        let f = flow(&d);
        assert_eq!(f[0], ('H', "1".into(), "1. Въведение".into()));
        assert_eq!(f[1], ('H', "1".into(), "ОБЩИНСКИЯТ СЪВЕТ".into()));
        assert_eq!(f[2], ('P', "".into(), "РЕШИ:".into()));
        assert_eq!(f[3].2, "Приема (Приложение 2 – списък) и доклада на кмета.");
        let t = tables(&d)[0];
        assert_eq!(texts(t)[1], ["1.", "Ремонт", "*****", "//////"]);
        assert_eq!(texts(t)[2], ["2.", "Обучение", "", "*****"]);
    }

    #[test]
    fn separator_rows_are_dropped() {
        let text = "Цел\tДейност\tСрок\n--\t-------\t---\nПърва\tРемонт\t2015\n-\t-\t10\n--\t---\t--\n";
        let d = doc(text);
        assert_eq!(texts(tables(&d)[0]), [["Цел", "Дейност", "Срок"], ["Първа", "Ремонт", "2015"], ["-", "-", "10"]]);
    }

    #[test]
    fn title_rows_span_the_table_and_a_title_over_a_header_starts_a_new_table() {
        let text = "ПЛАН\n\n\
                    ПЪРВО НАПРАВЛЕНИЕ\t\t\t\n\
                    Цел\tДейност\tСрок\n\
                    а) Подкрепа\tКонсултации\t2015\n\
                    \n\
                    ВТОРО НАПРАВЛЕНИЕ\t\t\t\n\
                    Цел\tДейност\tСрок\t\n\
                    б) Достъп\tРемонт\t2016\n";
        let d = doc(text);
        let t = tables(&d);
        assert_eq!(t.len(), 2);
        for table in &t {
            assert_eq!(table.rows.len(), 3);
            assert_eq!(table.rows[0].cells.len(), 1);
            assert_eq!(table.rows[0].cells[0].col_span, 3);
            assert_eq!(table.width(), 3);
        }
        assert_eq!(t[1].grid_text()[0], ["ВТОРО НАПРАВЛЕНИЕ"; 3]);
        assert_eq!(texts(t[1])[2], ["б) Достъп", "Ремонт", "2016"]);
    }

    #[test]
    fn a_row_split_by_a_page_break_is_joined_and_a_stray_fragment_finds_its_cell() {
        let text = "Цел\tДейност\tСрок\tИзточник\n\
                    Подкрепа на деца\tИзграждане на център за\tПостоянен\tПроект\n\
                    \n\
                    дневна грижа\n\
                    \n\
                    и семейства\tи обучение на персонала\t\t\n\
                    в. Достъп\tРемонт\t2016\tБюджет\n\
                    \x0c\
                    \tМобилна услуга\t2017\tПроект\n";
        let d = doc(text);
        let t = tables(&d);
        assert_eq!(t.len(), 1, "{:#?}", d.blocks);
        assert_eq!(
            texts(t[0]),
            [
                vec!["Цел", "Дейност", "Срок", "Източник"],
                vec![
                    "Подкрепа на деца и семейства",
                    "Изграждане на център за дневна грижа и обучение на персонала",
                    "Постоянен",
                    "Проект"
                ],
                vec!["в. Достъп", "Ремонт", "2016", "Бюджет"],
                vec!["", "Мобилна услуга", "2017", "Проект"],
            ]
        );
        assert!(d.notes.iter().any(|n| n.contains("joined to the row above")));
        assert!(d.notes.iter().any(|n| n.contains("fragments")));
        // The page break inside the table comes after it; the table starts on page 1.
        assert!(matches!(d.blocks.last().map(|b| &b.content), Some(BlockContent::PageBreak)));
        assert_eq!(d.blocks[0].page, Some(1));
    }

    #[test]
    fn running_headers_page_numbers_and_repeated_table_headers_are_dropped() {
        let page = |n: usize, body: &str| format!("Общински план за 2016 г.\n\n{body}\n\nСтр. {n} от 4\n");
        let text = [
            page(1, "ГОДИШЕН ПЛАН\n\nВъведение към плана."),
            page(2, "№\tУслуга\tМеста\n1.\tДневен център\t20\n2.\tЗащитено жилище\t8"),
            page(3, "№\tУслуга\tМеста\n3.\tКризисен център\t10"),
            page(4, "Планът е приет от съвета."),
        ]
        .join("\x0c");
        let d = doc(&text);
        let t = tables(&d);
        assert_eq!(t.len(), 1, "{:#?}", d.blocks);
        assert_eq!(texts(t[0]).len(), 4);
        assert_eq!(texts(t[0])[3], ["3.", "Кризисен център", "10"]);
        let paragraphs: Vec<&str> = d.paragraphs().collect();
        assert_eq!(paragraphs, ["ГОДИШЕН ПЛАН", "Въведение към плана.", "Планът е приет от съвета."]);
        assert!(d.notes.iter().any(|n| n.contains("page header or footer")), "{:?}", d.notes);
        assert!(d.notes.iter().any(|n| n.contains("page-number")), "{:?}", d.notes);
        assert!(d.notes.iter().any(|n| n.contains("repeated on a new page")), "{:?}", d.notes);
        let pages: Vec<Option<u32>> = d.blocks.iter().map(|b| b.page).collect();
        assert_eq!(pages.first(), Some(&Some(1)));
        assert_eq!(d.blocks.last().and_then(|b| b.page), Some(4));
        let table_page = d.blocks.iter().find(|b| matches!(b.content, BlockContent::Table(_))).and_then(|b| b.page);
        assert_eq!(table_page, Some(2));
    }

    #[test]
    fn without_form_feeds_only_clear_furniture_is_dropped() {
        let mut text = String::new();
        for n in 1..=5 {
            text.push_str(&format!(
                "Стратегия за социалните услуги\n\nРаздел с номер {n} и текст към него.\n\n- {n} -\n\n"
            ));
        }
        text.push_str("Гласували: 11 „за“.\n\nГласували: 11 „за“.\n\nГласували: 11 „за“.\n\nГласували: 11 „за“.\n");
        let d = doc(&text);
        let paragraphs: Vec<&str> = d.paragraphs().collect();
        assert_eq!(paragraphs.len(), 9, "{paragraphs:?}");
        assert!(paragraphs.iter().all(|p| !p.starts_with("Стратегия") && !p.starts_with("- ")));
        assert_eq!(paragraphs.iter().filter(|p| p.starts_with("Гласували")).count(), 4);
    }

    #[test]
    fn hyphenated_words_and_hard_line_breaks_are_joined() {
        let text = "Общината ще развива соци-\nални програми в кварталите\nи ще подкрепя семействата.\n\
                    Следващ параграф за\n\nорганизацията на работата.\n\n\
                    Заглавие\nна друг ред\n\nСоциално-\nИкономически анализ\n";
        let p: Vec<String> = doc(text).paragraphs().map(str::to_owned).collect();
        assert_eq!(
            p,
            [
                "Общината ще развива социални програми в кварталите и ще подкрепя семействата.",
                "Следващ параграф за организацията на работата.",
                "Заглавие на друг ред",
                "Социално-",
                "Икономически анализ",
            ]
        );
    }

    #[test]
    fn headings_follow_a_conservative_rule() {
        let text = "СТРАТЕГИЯ ЗА РАЗВИТИЕ\n\
                    Приложение 1\n\
                    Раздел Б: Цели\n\
                    1. Въведение\n\
                    2.1. Демографски тенденции\n\
                    2.1.3. Деца в риск\n\
                    [bookmark: _Toc9]Услуги за деца\n\
                    Специфична цел 1.1.\n\
                    Стратегическа цел 2. ДОСТЪПНИ УСЛУГИ\n\
                    Мярка 1.1.1. Ремонт на клуба в селото.\n\
                    1. Програма за младежта в гр. Плевен 2020 г. - 2022 г.\n\
                    2.2.1. Мерки за младежи;\n\
                    ПРЕДСЕДАТЕЛ:\n\
                    /ИВАН ИВАНОВ/\n\
                    ПЕТЪР ПЕТРОВ (П)\n";
        let f = flow(&doc(text));
        let kinds: Vec<(char, &str)> = f.iter().map(|(k, l, _)| (*k, l.as_str())).collect();
        assert_eq!(
            kinds,
            [
                ('H', "1"),
                ('H', "1"),
                ('H', "1"),
                ('H', "1"),
                ('H', "2"),
                ('H', "3"),
                ('H', "4"),
                ('H', "3"),
                ('H', "2"),
                ('P', ""),
                ('P', "1."),
                ('P', "2.2.1."),
                ('P', ""),
                ('P', ""),
                ('P', ""),
            ]
        );
    }

    #[test]
    fn list_items_carry_their_labels() {
        let text = "Дейности:\n1. Първа дейност;\n2.1. Втора дейност;\nа) подточка;\nБ) друга подточка;\n\
                    - тире;\n• точка;\n· средна точка;\nД.2. Дейност по проекта.\nIV. Римска точка.\n31.05.2012 г. е датата.\n\
                    3.5 милиона лева.\nс. Лясково е село.\n1.2 Обхват на плана\n";
        let f = flow(&doc(text));
        let labels: Vec<&str> = f.iter().map(|(_, l, _)| l.as_str()).collect();
        assert_eq!(labels, ["", "1.", "2.1.", "а)", "Б)", "-", "•", "·", "Д.2.", "IV.", "", "", "", "2"]);
        assert_eq!(f[3].2, "а) подточка;");
    }

    #[test]
    fn cell_per_line_tables_are_regrouped_into_rows() {
        let text = "Таблица на услугите\n\
                    \tУслуга\n\tМеста\n\tПерсонал\n\tСрок\n\n\
                    \t\nУслуги в общността\n\n\n\
                    \tДневен център за\nвъзрастни хора\n\n\
                    \t30\n\t12\n\t2016 г.\n\n\
                    \tЦентър за подкрепа\n\t40\n\t8\n\tПостоянен\n\n\
                    \tОбщо\n\t70\n\t20\n\t\n\n\n\
                    2. Следващ раздел\n";
        let d = doc(text);
        let t = tables(&d);
        assert_eq!(t.len(), 1, "{:#?}", d.blocks);
        assert_eq!(
            texts(t[0]),
            [
                vec!["Услуга", "Места", "Персонал", "Срок"],
                vec!["Услуги в общността"],
                vec!["Дневен център за възрастни хора", "30", "12", "2016 г."],
                vec!["Център за подкрепа", "40", "8", "Постоянен"],
                vec!["Общо", "70", "20", ""],
            ]
        );
        assert_eq!(t[0].rows[1].cells[0].col_span, 4);
        assert_eq!(d.paragraphs().collect::<Vec<_>>(), ["Таблица на услугите", "2. Следващ раздел"]);
    }

    #[test]
    fn a_cell_per_line_header_repeated_after_a_page_break_is_dropped() {
        let text = "\tУслуга\n\tМеста\n\n\tЦентър\n\t20\n\x0c\tУслуга\n\tМеста\n\n\tКлуб\n\t30\n";
        let d = doc(text);
        assert_eq!(texts(tables(&d)[0]), [["Услуга", "Места"], ["Център", "20"], ["Клуб", "30"]]);
        assert!(d.notes.iter().any(|n| n.contains("repeated on a new page")), "{:?}", d.notes);
    }

    #[test]
    fn indented_prose_is_not_a_table() {
        let text = "\tВ началото на всяка година екипът преглежда напредъка и записва какво е свършено досега.\n\
                    \tПрегледът се обсъжда на открита среща, където всеки може да предложи промени в графика.\n\
                    \t\n\
                    \tСлед срещата графикът се публикува на сайта заедно с бележките на участниците в нея.\n\
                    \t\tВтори отстъп с дълго изречение, което описва още една мярка от плана.\n";
        let d = doc(text);
        assert_eq!(tables(&d).len(), 0);
        assert_eq!(d.paragraphs().count(), 4);
        // A single row of tabs with one cell of text is no table either.
        let d = doc("\t\tДейност 2.3. Ремонт на покрива\t\t\n");
        assert_eq!(tables(&d).len(), 0);
        assert_eq!(d.paragraphs().collect::<Vec<_>>(), ["Дейност 2.3. Ремонт на покрива"]);
    }

    #[test]
    fn form_feeds_are_page_breaks() {
        let d = doc("Първа страница.\x0cВтора страница.\r\n\x0c\x0cТрета страница.");
        let kinds: Vec<&str> = d
            .blocks
            .iter()
            .map(|b| match b.content {
                BlockContent::PageBreak => "break",
                _ => "text",
            })
            .collect();
        assert_eq!(kinds, ["text", "break", "text", "break", "text"]);
        // A page break belongs to the page it ends.
        assert_eq!(d.blocks.iter().map(|b| b.page.unwrap_or(0)).collect::<Vec<_>>(), [1, 1, 2, 2, 4]);
        let plain = doc("Без страници.");
        assert_eq!(plain.blocks[0].page, None);
        assert_eq!(plain.format, SourceFormat::Text);
    }

    #[test]
    fn empty_and_oversized_input_is_refused() {
        assert_eq!(read("", &ReadLimits::default()), Err(ReadError::Empty));
        assert_eq!(read(" \n\t\n\u{feff}\x0c\n", &ReadLimits::default()), Err(ReadError::Empty));
        assert_eq!(read("[bookmark: _Toc1]\n", &ReadLimits::default()), Err(ReadError::Empty));
        let limits = ReadLimits { max_input_bytes: 10, ..ReadLimits::default() };
        assert_eq!(read("Дълъг текст", &limits), Err(ReadError::TooLarge { size: 21, max: 10 }));
    }

    #[test]
    fn more_items_than_the_limit_is_hostile() {
        let limits = ReadLimits { max_items: 100, ..ReadLimits::default() };
        let mut table = String::from("№\tУслуга\tМеста\n");
        for n in 0..40 {
            table.push_str(&format!("{n}.\tУслуга {n}\t{n}\n"));
        }
        assert!(matches!(read(&table, &limits), Err(ReadError::Hostile(_))));
        let cells: String = "\tклетка\n".repeat(150);
        assert!(matches!(read(&format!("\tМеста\n\t20\n\t30\n{cells}"), &limits), Err(ReadError::Hostile(_))));
        let paragraphs = "Параграф.\n".repeat(101);
        assert!(matches!(read(&paragraphs, &limits), Err(ReadError::Hostile(_))));
        assert!(read(&"Параграф.\n".repeat(99), &limits).is_ok());
        let lines = "Параграф.\n".repeat(20_000);
        assert!(matches!(read(&lines, &limits), Err(ReadError::Hostile(_))));
    }

    #[test]
    fn long_lines_and_many_tabs_stay_fast() {
        let start = std::time::Instant::now();
        let tabs = format!("Цел\t{}Край\nПърва\tВтора\n", "\t".repeat(200_000));
        let d = doc(&tabs);
        assert_eq!(tables(&d).len(), 1);
        let row_of_tabs = format!("а{}б\n", "\tв".repeat(100_000));
        assert_eq!(tables(&doc(&row_of_tabs))[0].rows[0].cells.len(), 100_001);
        let long_line = "дума ".repeat(400_000);
        assert_eq!(doc(&long_line).blocks.len(), 1);
        let markers = format!(
            "{}{}{}{}",
            "<".repeat(300_000),
            "*а".repeat(200_000),
            "[bookmark: ".repeat(50_000),
            "&".repeat(100_000)
        );
        let _ = doc(&markers);
        let continuation = format!("Начало на абзаца{}\n", "\nи продължение".repeat(100_000));
        assert_eq!(doc(&continuation).blocks.len(), 1);
        let broken_table = format!("Цел\tДейност\nПърва\tВтора\n{}\nа\tб\n", "\n\x0c".repeat(100_000));
        assert_eq!(tables(&doc(&broken_table)).len(), 1);
        let lowercase_after_table = format!("Цел\tДейност\nПърва\tВтора\n{}", "и още ред\n".repeat(100_000));
        assert_eq!(tables(&doc(&lowercase_after_table)).len(), 1);
        let cells = format!("\tА\n\tБ\n\tВ\n{}", "\n\t1\n\t2\n\t3\n".repeat(50_000));
        assert_eq!(tables(&doc(&cells))[0].rows.len(), 50_001);
        let elapsed = start.elapsed();
        assert!(elapsed.as_secs() < 30, "took {elapsed:?}");
    }

    /// A fixture with every feature: tables both ways, markers, page breaks, lists.
    const FIXTURE: &str = "[bookmark: _Toc1]1. Въведение\n\
        **ОБЩИНСКИ СЪВЕТ**\n\n\
        Планът се изпълнява от соци-\nалните служби.\n\
        УСТОЙЧИВО РАЗВИТИЕ\t\t\t\n\
        Цел\tДейност\tСрок\n\
        а) Подкрепа\t<p>1.1. Център</p><p>1.2. Обучение</p>\tПостоянен\n\n\
        \tКонсултации за\n\nродители\n\nи деца\tи близки\t\n\
        --\t---\t--\n\x0c\
        Стр. 2\n\n\
        \tУслуга\n\tМеста\n\tСрок\n\n\tДневен център\n\t20\n\t2016\n\n\tКлуб\n\t30\n\t*****\n\n\
        - първа точка;\n- втора точка.\n";

    #[test]
    fn mutated_input_never_panics() {
        let base: Vec<char> = FIXTURE.chars().collect();
        let alphabet: Vec<char> = "\t\n\r\x0c*<>[]/-_ аБв1.;:)p&\u{a0}\u{ad}\u{feff}\u{b}•·Д".chars().collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| -> usize {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            if n == 0 { 0 } else { ((seed >> 33) as usize) % n }
        };
        let limits = ReadLimits::default();
        assert!(read(FIXTURE, &limits).is_ok());
        for round in 0..2000 {
            let mut text = base.clone();
            for _ in 0..1 + next(6) {
                let len = text.len();
                match next(6) {
                    0 => {
                        let at = next(len + 1);
                        text.insert(at, alphabet[next(alphabet.len())]);
                    }
                    1 if len > 0 => {
                        let at = next(len);
                        let end = (at + next(20)).min(len);
                        text.drain(at..end);
                    }
                    2 => text.truncate(next(len + 1)),
                    3 if len > 0 => {
                        let at = next(len);
                        let end = (at + next(40)).min(len);
                        let piece: Vec<char> = text[at..end].to_vec();
                        let to = next(len + 1);
                        text.splice(to..to, piece);
                    }
                    4 if len > 0 => {
                        let at = next(len);
                        text[at] = alphabet[next(alphabet.len())];
                    }
                    _ => {
                        let at = next(len + 1);
                        let tabs = next(5);
                        text.splice(at..at, std::iter::repeat_n('\t', tabs));
                    }
                }
            }
            let text: String = text.into_iter().collect();
            match read(&text, &limits) {
                Ok(d) => {
                    for t in d.tables() {
                        assert!(!t.rows.is_empty(), "round {round}");
                        let _ = t.grid_text();
                    }
                }
                Err(e) => assert!(matches!(e, ReadError::Empty), "round {round}: {e}"),
            }
        }
    }

    // -----------------------------------------------------------------------------------------------
    // The corpus: the shapes a person sees in the four renderings of ../shared/corpus.

    fn corpus(prefix: &str) -> Option<Document> {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus"));
        if !dir.is_dir() {
            println!("skipped: ../shared/corpus is absent");
            return None;
        }
        let path = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix)))
            .unwrap_or_else(|| panic!("no {prefix}* file in the corpus"));
        let text = crate::detect::decode_text(&std::fs::read(&path).unwrap()).unwrap();
        let d = read(&text, &ReadLimits::default()).unwrap();
        assert_clean(&d);
        Some(d)
    }

    /// No Word artefact survives in any cell or paragraph (a cell of asterisks only is a schedule mark).
    fn assert_clean(d: &Document) {
        let mut all: Vec<&str> = d.paragraphs().collect();
        for t in d.tables() {
            for row in &t.rows {
                for cell in &row.cells {
                    all.extend(cell.paragraphs.iter().map(String::as_str));
                }
            }
        }
        for text in all {
            for marker in ["[bookmark:", "<p>", "</p>", "<i>", "<br"] {
                assert!(!text.contains(marker), "{marker} left in {text:?}");
            }
            assert!(!text.contains("**") || text.chars().all(|c| c == '*'), "** left in {text:?}");
        }
    }

    fn shapes(d: &Document) -> Vec<(usize, usize)> {
        d.tables().map(|t| (t.rows.len(), t.width())).collect()
    }

    fn cell(t: &Table, row: usize, col: usize) -> &str {
        t.rows[row].cells[col].text.as_str()
    }

    #[test]
    fn corpus_000_council_decision_with_three_action_plans() {
        let Some(d) = corpus("000_") else { return };
        // Counted with `awk -F'\t' '{print NR, NF-1}'`: twelve runs of tab lines, each starting at a
        // title row (`…\t\t\t\t\t\t`) or at the `Цел\tДейност\tСрок…` header; blank lines between rows
        // are page breaks and do not end a table; a title row right above a repeated header starts a
        // new table (lines 112, 158, 172 and 178). Rows: title + header + data lines, minus the
        // `--\t--` separators, minus the rest-of-row lines after page breaks (lines 82 and 164, whose
        // first text starts in lower case) joined to the row above. Table 9 has rows of ten cells
        // (lines 164-171) after its six-column header.
        assert_eq!(
            shapes(&d),
            [(12, 6), (10, 6), (4, 6), (3, 6), (9, 6), (6, 6), (7, 6), (4, 6), (10, 6), (12, 10), (3, 6), (16, 6)]
        );
        let t: Vec<&Table> = d.tables().collect();
        assert_eq!(t[0].rows[0].cells.len(), 1, "the title row is one merged cell");
        assert_eq!(t[0].rows[0].cells[0].col_span, 6);
        for (k, table) in t.iter().enumerate() {
            let header = if table.rows[0].cells.len() == 1 { 1 } else { 0 };
            assert_eq!(cell(table, header, 0), "Цел", "table {k}");
            assert_eq!(cell(table, header, 1), "Дейност", "table {k}");
            assert_eq!(cell(table, header, 2), "Срок", "table {k}");
            assert_eq!(cell(table, header, 5), "Очакван резултат", "table {k}");
        }
        // Line 47 holds `<p>` cells; line 80 is a fragment of the activity cell of line 78, and line 82
        // the rest of that row after a page break.
        assert_eq!(cell(t[0], 4, 2), "Постоянен");
        assert!(cell(t[2], 2, 1).contains("репродуктивно") && cell(t[2], 2, 1).ends_with("дете"));
        assert!(cell(t[2], 2, 0).ends_with("възраст"));
        assert_eq!(cell(t[2], 3, 2), "Постоянен");
        let headings: Vec<&str> = d
            .blocks
            .iter()
            .filter_map(|b| match &b.content {
                BlockContent::Heading { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(headings.contains(&"РЕШЕНИЕ № 250"));
        // Two of the three plan titles are in capitals (the third ends in a small `г.`).
        assert_eq!(headings.iter().filter(|h| h.starts_with("ПЛАН ЗА")).count(), 2);
        let decision = flow(&d).into_iter().filter(|(_, l, _)| l == "1." || l == "2." || l == "3.").count();
        assert_eq!(decision, 3, "the three strategies of the decision are list items");
    }

    #[test]
    fn corpus_001_annual_plan_in_one_table() {
        let Some(d) = corpus("001_") else { return };
        // Lines 11-72: one table of ten columns (`№ … Изпълняваща организация`), 57 lines of nine tabs.
        // Lines 20, 42, 53 and 64 follow a blank line and start in lower case: the rest of rows 18, 40,
        // 51 and 62 after page breaks, so 57 - 4 = 53 rows: two header rows, five section rows
        // (`Социални услуги`, …) and 27 + 11 + 2 + 2 + 4 numbered rows.
        assert_eq!(shapes(&d), [(53, 10)]);
        let t = d.tables().next().unwrap();
        assert_eq!(cell(t, 0, 0), "№");
        assert_eq!(cell(t, 1, 4), "Месец 1-3");
        assert_eq!(cell(t, 1, 7), "Месец 10-12");
        let sections: Vec<usize> =
            t.rows.iter().enumerate().filter(|(_, r)| r.cells.len() == 1).map(|(k, _)| k).collect();
        assert_eq!(sections, [2, 30, 42, 45, 48]);
        assert!(t.rows.iter().filter(|r| r.cells.len() == 1).all(|r| r.cells[0].col_span == 10));
        assert_eq!(cell(t, 3, 0), "1.");
        assert_eq!(cell(t, 29, 0), "27.");
        assert_eq!(cell(t, 31, 0), "1.");
        assert_eq!(cell(t, 52, 0), "4.");
        assert_eq!(cell(t, 49, 4), "*****");
        assert_eq!(cell(t, 12, 5), "//////////");
        assert!(cell(t, 7, 2).ends_with("медицински грижи"), "line 20 joined to row 5");
        assert_eq!(cell(t, 35, 3), "Община Стара Загора", "line 53 joined to its row cell by cell");
        assert_eq!(d.paragraphs().nth(1), Some("Приложение 1"));
    }

    #[test]
    fn corpus_002_strategy_with_tables_one_cell_per_line() {
        let Some(d) = corpus("002_") else { return };
        // Tab-led lines (`\tcell`) are cells; lines without a tab continue the cell above. Indented
        // prose (lines 4-6, 208-224, 398-513, …) has no short cells and stays paragraphs; line 1527
        // (`\t\t  Дейност …\t\t`) has a single cell of text and is no table. Six tables:
        // - lines 543-684, the logical frame (five columns): `Визия`, the header `Общи цели …` and seven
        //   `Направление/Обща цел` rows;
        // - lines 690-1192 (five blank lines before), its second part: the six-column header, five
        //   `Направление №…` rows spanning the table and 18 `Специфична цел` rows; three of these carry
        //   an extra empty cell in the rendering (lines 928, 1038, 1156), hence eight grid columns;
        // - lines 1302-1372, the stages (4 columns): header + 7 rows;
        // - lines 1383-1518, the staff (5 columns): two header rows, three section rows, 18 rows;
        // - lines 1613-1650, the communication plan (6 columns): header + 4 rows;
        // - lines 1661-2149, the service summary (10 columns): two header rows + 28 numbered rows.
        assert_eq!(shapes(&d), [(9, 5), (24, 8), (8, 4), (23, 5), (5, 6), (30, 10)]);
        let t: Vec<&Table> = d.tables().collect();
        assert_eq!(cell(t[0], 1, 0), "Общи цели");
        assert!((2..9).all(|r| cell(t[0], r, 0).starts_with("Направле")));
        assert_eq!(cell(t[1], 0, 0), "Специфични цели");
        assert_eq!(cell(t[1], 0, 5), "Период на проверка");
        let spanning: Vec<usize> =
            t[1].rows.iter().enumerate().filter(|(_, r)| r.cells.len() == 1).map(|(k, _)| k).collect();
        assert_eq!(spanning, [1, 9, 11, 18, 21]);
        assert!(spanning.iter().all(|&r| cell(t[1], r, 0).starts_with("Направление №")));
        assert!(
            t[1].rows
                .iter()
                .skip(2)
                .filter(|r| r.cells.len() > 1)
                .all(|r| r.cells[0].text.starts_with("Специфична цел"))
        );
        assert_eq!(texts(t[2])[0], ["Етапи", "Период", "Дейности", "Отговорности"]);
        assert_eq!(cell(t[2], 7, 1), "2020г.");
        assert_eq!(cell(t[3], 3, 1), "62");
        assert_eq!(texts(t[3])[22][1..], ["555", "229", "574", "187"]);
        assert_eq!([cell(t[3], 12, 0), cell(t[3], 17, 0), cell(t[3], 21, 0)], ["Общо"; 3]);
        assert_eq!(t[3].rows[2].cells[0].col_span, 5);
        assert_eq!(cell(t[4], 0, 5), "Срок");
        assert_eq!(cell(t[4], 4, 0), "4.");
        assert_eq!(cell(t[5], 0, 0), "№");
        assert_eq!([cell(t[5], 1, 4), cell(t[5], 1, 5), cell(t[5], 1, 6)], ["2015", "2016", "2020"]);
        for n in 1..=28 {
            assert_eq!(cell(t[5], n + 1, 0), n.to_string());
        }
        // Headings come from the `_Toc` bookmarks and the numbering.
        let f = flow(&d);
        assert_eq!(f[0], ('H', "1".into(), "РЕЗЮМЕ".into()));
        assert!(f.iter().any(|(k, l, t)| *k == 'H' && l == "3" && t.starts_with("2.2.1.")));
        assert!(f.iter().any(|(k, l, t)| *k == 'H' && l == "4" && t == "2.2.5.1. Безработни"));
        assert!(f.iter().filter(|(_, l, _)| l == "·").count() > 50, "the · bullets are list items");
    }

    #[test]
    fn corpus_004_protocol_without_tables() {
        let Some(d) = corpus("004_") else { return };
        // No line of the protocol has a tab.
        assert_eq!(shapes(&d), []);
        let f = flow(&d);
        assert!(f.contains(&('H', "1".into(), "ПРОТОКОЛ".into())));
        assert!(f.contains(&('H', "1".into(), "РЕШЕНИЕ №1".into())));
        let items: Vec<&str> = f.iter().filter(|(_, l, _)| l.starts_with("Д.")).map(|(_, l, _)| l.as_str()).collect();
        assert_eq!(items.len(), 14);
        // Line 65 goes on with the sentence of line 63 after a page break.
        let d1 = f.iter().find(|(_, l, _)| l == "Д.1.").unwrap();
        assert!(d1.2.contains(" от организацията,"));
        assert_eq!(f.iter().filter(|(_, l, _)| l == "-").count(), 19, "lines 41-42, 52-53, 57-59, 83-88, 110-115");
    }
}
