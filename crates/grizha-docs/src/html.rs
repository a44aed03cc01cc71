//! Reading HTML (already decoded to text) into the [`Document`] model.
//!
//! The markup is first scanned (linear, no tree) for what would make the parser itself slow or
//! large — nesting deeper than [`ReadLimits::max_depth`] (html5ever's scope checks cost the depth of
//! the open elements for every block tag, so a deep file is quadratic), more elements than
//! [`ReadLimits::max_items`], tags with absurd attribute counts — and refused before parsing. Then
//! html5ever (through `scraper`) builds the DOM, which is walked iteratively in document order.
//!
//! What becomes what:
//! - `h1`–`h6` → headings. Text runs separated by block elements (`p`, `div`, `li`, `blockquote`,
//!   …) → paragraphs, so a `div` with text is a paragraph; `br` → a line break (a new paragraph
//!   inside a table cell). Whitespace folds as HTML does; `pre` keeps its line breaks.
//! - `li` → its first paragraph carries the list label: `ol` numbers `1.`, `2.`, … honouring
//!   `start`, `reversed`, `value` and `type` (1, a, A, i, I) or `list-style-type`; each list uses its
//!   own type (a nested `ol type="a"` gives `a.`); `ul` gives `•`. Word's exported list paragraphs
//!   (`<span style="mso-list:Ignore">1.</span>`) give their written number as the label.
//! - `table` → a table with the rows of its first `thead`, then the body rows, then its first
//!   `tfoot`; `td`/`th` with `colspan` (0 → 1, at most 1000) and `rowspan` (0 → to the end of its row
//!   group, at most 65534, and never past the group's last row); nested tables go to
//!   [`Cell::with_tables`]; a `caption` is a paragraph before the table.
//! - `script`, `style`, `head`, `template`, `noscript`, comments, forms' `select`/`textarea`,
//!   embedded `svg`/`math`/objects, and elements hidden by `hidden`, `display:none` or
//!   `mso-hide:all` are left out. Images are left out.
//! - Inline `page-break-before: always` / `break-before: page` (and the `after` forms) → page
//!   breaks in the body. Page breaks set by class in a style sheet are not seen.

use std::collections::HashMap;

use scraper::node::Element;
use scraper::{Html, Node};

use crate::model::{Cell, DocumentBuilder, Row, SourceFormat, Table};
use crate::odt::{MAX_COL_SPAN, MAX_ROW_SPAN, NumFormat, clamp_row_spans, format_ordinal};
use crate::{Document, ReadError, ReadLimits};

/// More attributes than this on one tag is refused (html5ever checks duplicates pairwise).
const MAX_ATTRIBUTES: usize = 256;
/// More `<html>`/`<body>` start tags than this is refused (each merges its attributes into the one
/// element, pairwise).
const MAX_ROOT_TAGS: usize = 16;

/// Reads an HTML document.
pub fn read(html: &str, limits: &ReadLimits) -> Result<Document, ReadError> {
    let size = html.len() as u64;
    if size > limits.max_input_bytes {
        return Err(ReadError::TooLarge { size, max: limits.max_input_bytes });
    }
    if html.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    prescan(html, limits)?;
    let dom = Html::parse_document(html);
    let mut walker = Walker::new(limits);
    walker.walk(&dom)?;
    Ok(walker.finish())
}

// ---------------------------------------------------------------------------------------------
// The walk.

/// A finished block on its way to the document or a table cell.
#[derive(Debug)]
enum Item {
    Heading { level: u8, text: String },
    Paragraph { text: String, label: Option<String> },
    Table(Table),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Bullet,
    Number(NumFormat),
    Nothing,
}

#[derive(Debug)]
struct ListFrame {
    marker: Marker,
    next: i64,
    step: i64,
}

#[derive(Debug)]
struct ItemFrame {
    label: Option<String>,
    used: bool,
}

#[derive(Debug)]
struct CellBuild {
    paragraphs: Vec<String>,
    tables: Vec<Table>,
    /// `None`: `rowspan="0"`, to the end of the row group.
    row_span: Option<u32>,
    col_span: u32,
}

#[derive(Debug)]
enum ContainerKind {
    Root,
    Heading(u8),
    Caption,
    Cell(CellBuild),
}

/// Something that collects inline text into paragraphs.
#[derive(Debug)]
struct Container {
    kind: ContainerKind,
    text: String,
    /// A number Word wrote into the text (`mso-list:Ignore`).
    written_label: String,
}

/// A row being read: its cells, each with its `rowspan` (`None` for 0).
type RowCells = Vec<(Cell, Option<u32>)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Head,
    Body,
    Foot,
}

#[derive(Debug, Default)]
struct TableBuild {
    head: Vec<Row>,
    body: Vec<Row>,
    foot: Vec<Row>,
    has_head: bool,
    has_foot: bool,
    /// Rows directly in the table (html5ever wraps them in `tbody`; kept for safety).
    loose: Vec<RowCells>,
}

#[derive(Debug)]
enum Kind {
    Plain,
    Pre,
    WrittenLabel,
    Container(Container),
    List(ListFrame),
    Item(ItemFrame),
    Table(TableBuild),
    Section(Group, Vec<RowCells>),
    Row(RowCells),
}

#[derive(Debug)]
struct Frame {
    kind: Kind,
    /// Text before and after it is a paragraph of its own.
    block: bool,
    /// An empty one still makes a (empty) paragraph: `p`, `li`.
    explicit: bool,
    break_after: bool,
    /// How many blocks had been delivered when it opened.
    delivered_at_open: u64,
}

impl Frame {
    fn plain() -> Frame {
        Frame { kind: Kind::Plain, block: false, explicit: false, break_after: false, delivered_at_open: 0 }
    }
}

/// What an inline `style` attribute says that matters here.
#[derive(Debug, Default)]
struct Css {
    break_before: bool,
    break_after: bool,
    hidden: bool,
    marker: Option<Marker>,
    written_label: bool,
}

impl Css {
    fn parse(style: &str) -> Css {
        let mut css = Css::default();
        for declaration in style.split(';') {
            let Some((property, value)) = declaration.split_once(':') else { continue };
            let property = property.trim().to_ascii_lowercase();
            let value = value.to_ascii_lowercase();
            let value = value.trim().trim_end_matches("!important").trim();
            match property.as_str() {
                "page-break-before" => css.break_before |= matches!(value, "always" | "left" | "right" | "page"),
                "break-before" => {
                    css.break_before |= matches!(value, "page" | "left" | "right" | "recto" | "verso" | "always");
                }
                "page-break-after" => css.break_after |= matches!(value, "always" | "left" | "right" | "page"),
                "break-after" => {
                    css.break_after |= matches!(value, "page" | "left" | "right" | "recto" | "verso" | "always");
                }
                "display" => css.hidden |= value == "none",
                "mso-hide" => css.hidden |= value == "all",
                "mso-list" => css.written_label |= value == "ignore",
                "list-style-type" => css.marker = css_marker(value).or(css.marker),
                "list-style" => css.marker = value.split_whitespace().find_map(css_marker).or(css.marker),
                _ => {}
            }
        }
        css
    }
}

fn css_marker(value: &str) -> Option<Marker> {
    Some(match value {
        "disc" | "circle" | "square" => Marker::Bullet,
        "decimal" | "decimal-leading-zero" => Marker::Number(NumFormat::Decimal),
        "lower-alpha" | "lower-latin" => Marker::Number(NumFormat::LowerLatin),
        "upper-alpha" | "upper-latin" => Marker::Number(NumFormat::UpperLatin),
        "lower-roman" => Marker::Number(NumFormat::LowerRoman),
        "upper-roman" => Marker::Number(NumFormat::UpperRoman),
        "cyrillic-lower" => Marker::Number(NumFormat::LowerCyrillic),
        "cyrillic-upper" => Marker::Number(NumFormat::UpperCyrillic),
        "none" => Marker::Nothing,
        _ => return None,
    })
}

/// The HTML `type` attribute of `ol` and `li`.
fn type_marker(value: &str) -> Option<Marker> {
    Some(Marker::Number(match value.trim() {
        "1" => NumFormat::Decimal,
        "a" => NumFormat::LowerLatin,
        "A" => NumFormat::UpperLatin,
        "i" => NumFormat::LowerRoman,
        "I" => NumFormat::UpperRoman,
        _ => return None,
    }))
}

/// The HTML rules for parsing integers: leading whitespace, a sign, digits; anything after is
/// ignored. Saturates instead of overflowing.
fn parse_integer(value: &str) -> Option<i64> {
    let s = value.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut seen = false;
    let mut n: i64 = 0;
    for digit in s.bytes().take_while(u8::is_ascii_digit) {
        seen = true;
        n = n.saturating_mul(10).saturating_add(i64::from(digit - b'0'));
    }
    seen.then_some(if negative { -n } else { n })
}

fn skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "head"
            | "template"
            | "noscript"
            | "title"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "math"
            | "select"
            | "textarea"
            | "datalist"
            | "canvas"
            | "audio"
            | "video"
            | "noembed"
            | "noframes"
            | "xml"
            | "colgroup"
            | "col"
            | "img"
    )
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "dd"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "legend"
            | "li"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "plaintext"
            | "pre"
            | "section"
            | "summary"
            | "ul"
            | "xmp"
            | "table"
            | "caption"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
    )
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

/// A row group's rows, with `rowspan="0"` reaching its last row and no span past it.
fn finish_group(rows: Vec<RowCells>) -> Vec<Row> {
    let count = rows.len();
    rows.into_iter()
        .enumerate()
        .map(|(r, cells)| {
            let left = u32::try_from(count - r).unwrap_or(u32::MAX).max(1);
            Row {
                cells: cells
                    .into_iter()
                    .map(|(mut cell, span)| {
                        cell.row_span = span.unwrap_or(left).clamp(1, left);
                        cell
                    })
                    .collect(),
            }
        })
        .collect()
}

struct Walker {
    builder: DocumentBuilder,
    stack: Vec<Frame>,
    depth: usize,
    max_depth: usize,
    items: usize,
    max_items: usize,
    delivered: u64,
    /// Depth inside `pre`-like elements (line breaks kept).
    pre: usize,
    /// Depth inside Word's written list numbers.
    written_label: usize,
    clamped_spans: bool,
}

impl Walker {
    fn new(limits: &ReadLimits) -> Walker {
        let root = Container { kind: ContainerKind::Root, text: String::new(), written_label: String::new() };
        Walker {
            builder: DocumentBuilder::new(SourceFormat::Html),
            stack: vec![Frame { kind: Kind::Container(root), ..Frame::plain() }],
            depth: 0,
            max_depth: limits.max_depth,
            items: 0,
            max_items: limits.max_items,
            delivered: 0,
            pre: 0,
            written_label: 0,
            clamped_spans: false,
        }
    }

    fn finish(mut self) -> Document {
        if self.clamped_spans {
            self.builder.note("a colspan above 1000 or a rowspan above 65534 was cut to that limit");
        }
        self.builder.finish()
    }

    /// Walks the tree in document order without recursion.
    fn walk(&mut self, dom: &Html) -> Result<(), ReadError> {
        let mut current = dom.tree.root();
        loop {
            let descend = match current.value() {
                Node::Element(element) => self.open(element, || {
                    current.children().filter(|c| matches!(c.value(), Node::Element(e) if e.name() == "li")).count()
                })?,
                Node::Text(text) => {
                    self.text(text);
                    false
                }
                Node::Document | Node::Fragment => true,
                Node::Doctype(_) | Node::Comment(_) | Node::ProcessingInstruction(_) => false,
            };
            if descend && let Some(child) = current.first_child() {
                current = child;
                continue;
            }
            let mut node = current;
            loop {
                if matches!(node.value(), Node::Element(_)) {
                    self.close()?;
                }
                if let Some(sibling) = node.next_sibling() {
                    current = sibling;
                    break;
                }
                match node.parent() {
                    Some(parent) => node = parent,
                    None => {
                        self.flush(false)?;
                        return Ok(());
                    }
                }
            }
        }
    }

    fn text(&mut self, text: &str) {
        let keep_lines = self.pre > 0;
        let text: String = text
            .chars()
            .map(|c| match c {
                '\n' if keep_lines => '\n',
                c if c.is_ascii_whitespace() => ' ',
                c => c,
            })
            .collect();
        let written = self.written_label > 0;
        if let Some(container) = self.text_target() {
            if written {
                container.written_label.push_str(&text);
            } else {
                container.text.push_str(&text);
            }
        }
    }

    /// The container inline text goes to; none inside table structure outside cells.
    fn text_target(&mut self) -> Option<&mut Container> {
        for frame in self.stack.iter_mut().rev() {
            match &mut frame.kind {
                Kind::Container(container) => return Some(container),
                Kind::Table(_) | Kind::Section(..) | Kind::Row(_) => return None,
                _ => {}
            }
        }
        None
    }

    /// The label of the list item the next paragraph starts, if it starts one.
    fn take_label(&mut self) -> Option<String> {
        for frame in self.stack.iter_mut().rev() {
            match &mut frame.kind {
                Kind::Item(item) => {
                    if item.used {
                        return None;
                    }
                    item.used = true;
                    return item.label.clone();
                }
                Kind::Container(Container { kind: ContainerKind::Root | ContainerKind::Cell(_), .. }) => return None,
                _ => {}
            }
        }
        None
    }

    /// Turns the innermost container's pending text into a paragraph (or heading).
    fn flush(&mut self, explicit: bool) -> Result<(), ReadError> {
        let Some(index) = self.stack.iter().rposition(|f| matches!(f.kind, Kind::Container(_))) else {
            return Ok(());
        };
        let Some(Frame { kind: Kind::Container(container), .. }) = self.stack.get_mut(index) else {
            return Ok(());
        };
        let text = std::mem::take(&mut container.text);
        let written = std::mem::take(&mut container.written_label);
        let heading = match container.kind {
            ContainerKind::Heading(level) => Some(level),
            _ => None,
        };
        let outward = matches!(container.kind, ContainerKind::Heading(_) | ContainerKind::Caption);
        let written = written.trim();
        if text.trim().is_empty() && written.is_empty() && !explicit {
            return Ok(());
        }
        let label = if written.is_empty() { self.take_label() } else { Some(written.to_owned()) };
        let item = match heading {
            Some(level) => Item::Heading {
                level,
                text: match label {
                    Some(label) => format!("{label} {text}"),
                    None => text,
                },
            },
            None => Item::Paragraph { text, label },
        };
        self.deliver(item, if outward { index } else { index + 1 })
    }

    /// Puts a block into the innermost document or cell among `stack[..below]`.
    fn deliver(&mut self, item: Item, below: usize) -> Result<(), ReadError> {
        self.delivered += 1;
        let frames = self.stack.get_mut(..below).unwrap_or_default();
        for frame in frames.iter_mut().rev() {
            match &mut frame.kind {
                Kind::Container(Container { kind: ContainerKind::Cell(cell), .. }) => {
                    let text = match item {
                        Item::Paragraph { text, label: Some(label) } => format!("{label} {text}"),
                        Item::Paragraph { text, label: None } | Item::Heading { text, .. } => text,
                        Item::Table(table) => {
                            if !table.rows.is_empty() {
                                bump(&mut self.items, 1, self.max_items)?;
                                cell.tables.push(table);
                            }
                            return Ok(());
                        }
                    };
                    for line in text.split('\n') {
                        bump(&mut self.items, 1, self.max_items)?;
                        cell.paragraphs.push(line.to_owned());
                    }
                    return Ok(());
                }
                Kind::Container(Container { kind: ContainerKind::Root, .. }) => break,
                _ => {}
            }
        }
        bump(&mut self.items, 1, self.max_items)?;
        match item {
            Item::Heading { level, text } => self.builder.heading(level, &text),
            Item::Paragraph { text, label } => self.builder.paragraph(&text, label.as_deref()),
            Item::Table(table) => self.builder.table(table),
        }
        Ok(())
    }

    /// A page break, when what is being read goes straight into the document.
    fn page_break(&mut self) -> Result<(), ReadError> {
        for frame in self.stack.iter().rev() {
            match &frame.kind {
                Kind::Container(Container { kind: ContainerKind::Cell(_), .. }) => return Ok(()),
                Kind::Container(Container { kind: ContainerKind::Root, .. }) => break,
                _ => {}
            }
        }
        bump(&mut self.items, 1, self.max_items)?;
        self.builder.page_break();
        Ok(())
    }

    fn list_label(&mut self, element: &Element, css: &Css) -> Option<String> {
        let value = element.attr("value").and_then(parse_integer);
        let own_marker = element.attr("type").and_then(type_marker).or(css.marker);
        for frame in self.stack.iter_mut().rev() {
            match &mut frame.kind {
                Kind::List(list) => {
                    let marker = own_marker.unwrap_or(list.marker);
                    return match marker {
                        Marker::Bullet => Some("•".into()),
                        Marker::Nothing => None,
                        Marker::Number(format) => {
                            let ordinal = value.unwrap_or(list.next);
                            list.next = ordinal.saturating_add(list.step);
                            Some(format!("{}.", format_ordinal(ordinal, format, false)))
                        }
                    };
                }
                Kind::Container(_) => return None,
                _ => {}
            }
        }
        None
    }

    fn cell(&mut self, element: &Element) -> CellBuild {
        let col_span = match element.attr("colspan").and_then(parse_integer) {
            Some(n) if n > i64::from(MAX_COL_SPAN) => {
                self.clamped_spans = true;
                MAX_COL_SPAN
            }
            Some(n) if n >= 1 => u32::try_from(n).unwrap_or(1),
            _ => 1,
        };
        let row_span = match element.attr("rowspan").and_then(parse_integer) {
            Some(0) => None,
            Some(n) if n > i64::from(MAX_ROW_SPAN) => {
                self.clamped_spans = true;
                Some(MAX_ROW_SPAN)
            }
            Some(n) if n >= 1 => Some(u32::try_from(n).unwrap_or(1)),
            _ => Some(1),
        };
        CellBuild { paragraphs: Vec::new(), tables: Vec::new(), row_span, col_span }
    }

    /// Opens an element; whether its children are to be read.
    fn open(&mut self, element: &Element, li_children: impl FnOnce() -> usize) -> Result<bool, ReadError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(ReadError::Hostile(format!("elements nested deeper than {} levels", self.max_depth)));
        }
        let name = element.name();
        let css = Css::parse(element.attr("style").unwrap_or(""));
        if skipped(name) || element.attr("hidden").is_some() || css.hidden {
            self.stack.push(Frame::plain());
            return Ok(false);
        }
        let block = is_block(name);
        if block || css.break_before {
            self.flush(false)?;
        }
        if css.break_before {
            self.page_break()?;
        }
        let container = |kind| Kind::Container(Container { kind, text: String::new(), written_label: String::new() });
        let kind = match name {
            "br" => {
                if let Some(container) = self.text_target() {
                    container.text.push('\n');
                }
                Kind::Plain
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = name.get(1..).and_then(|l| l.parse::<u8>().ok()).unwrap_or(1);
                container(ContainerKind::Heading(level))
            }
            "pre" | "listing" | "xmp" | "plaintext" => {
                self.pre += 1;
                Kind::Pre
            }
            "ol" | "ul" | "menu" | "dir" => {
                let ordered = name == "ol";
                let marker = element.attr("type").and_then(type_marker).or(css.marker).unwrap_or(if ordered {
                    Marker::Number(NumFormat::Decimal)
                } else {
                    Marker::Bullet
                });
                let reversed = ordered && element.attr("reversed").is_some();
                let start = element
                    .attr("start")
                    .and_then(parse_integer)
                    .unwrap_or_else(|| if reversed { i64::try_from(li_children()).unwrap_or(i64::MAX) } else { 1 });
                Kind::List(ListFrame { marker, next: start, step: if reversed { -1 } else { 1 } })
            }
            "li" => Kind::Item(ItemFrame { label: self.list_label(element, &css), used: false }),
            "table" => Kind::Table(TableBuild::default()),
            "thead" => Kind::Section(Group::Head, Vec::new()),
            "tbody" => Kind::Section(Group::Body, Vec::new()),
            "tfoot" => Kind::Section(Group::Foot, Vec::new()),
            "tr" => Kind::Row(Vec::new()),
            "td" | "th" => container(ContainerKind::Cell(self.cell(element))),
            "caption" => container(ContainerKind::Caption),
            _ if css.written_label => {
                self.written_label += 1;
                Kind::WrittenLabel
            }
            _ => Kind::Plain,
        };
        self.stack.push(Frame {
            kind,
            block,
            explicit: matches!(name, "p" | "li"),
            break_after: css.break_after,
            delivered_at_open: self.delivered,
        });
        Ok(true)
    }

    fn close(&mut self) -> Result<(), ReadError> {
        self.depth = self.depth.saturating_sub(1);
        // The root container is never closed.
        if self.stack.len() <= 1 {
            return Ok(());
        }
        if let Some(top) = self.stack.last()
            && top.block
        {
            let explicit = top.explicit && self.delivered == top.delivered_at_open;
            self.flush(explicit)?;
        }
        let Some(frame) = self.stack.pop() else { return Ok(()) };
        match frame.kind {
            Kind::Plain | Kind::List(_) | Kind::Item(_) => {}
            Kind::Pre => self.pre = self.pre.saturating_sub(1),
            Kind::WrittenLabel => self.written_label = self.written_label.saturating_sub(1),
            Kind::Container(container) => {
                if let ContainerKind::Cell(cell) = container.kind {
                    self.end_cell(cell)?;
                }
            }
            Kind::Row(cells) => self.end_row(cells),
            Kind::Section(group, rows) => self.end_section(group, rows),
            Kind::Table(table) => self.end_table(table)?,
        }
        if frame.break_after {
            self.flush(false)?;
            self.page_break()?;
        }
        Ok(())
    }

    fn end_cell(&mut self, cell: CellBuild) -> Result<(), ReadError> {
        let built = Cell::new(cell.paragraphs, 1, cell.col_span).with_tables(cell.tables);
        for frame in self.stack.iter_mut().rev() {
            match &mut frame.kind {
                Kind::Row(cells) => {
                    bump(&mut self.items, 1, self.max_items)?;
                    cells.push((built, cell.row_span));
                    return Ok(());
                }
                Kind::Plain | Kind::Pre | Kind::WrittenLabel => {}
                _ => return Ok(()),
            }
        }
        Ok(())
    }

    fn end_row(&mut self, cells: RowCells) {
        for frame in self.stack.iter_mut().rev() {
            match &mut frame.kind {
                Kind::Section(_, rows) => {
                    rows.push(cells);
                    return;
                }
                Kind::Table(table) => {
                    table.loose.push(cells);
                    return;
                }
                Kind::Plain | Kind::Pre | Kind::WrittenLabel => {}
                _ => return,
            }
        }
    }

    fn end_section(&mut self, group: Group, rows: Vec<RowCells>) {
        let rows = finish_group(rows);
        for frame in self.stack.iter_mut().rev() {
            match &mut frame.kind {
                Kind::Table(table) => {
                    match group {
                        Group::Head if !table.has_head => {
                            table.has_head = true;
                            table.head = rows;
                        }
                        Group::Foot if !table.has_foot => {
                            table.has_foot = true;
                            table.foot = rows;
                        }
                        _ => table.body.extend(rows),
                    }
                    return;
                }
                Kind::Plain | Kind::Pre | Kind::WrittenLabel => {}
                _ => return,
            }
        }
    }

    fn end_table(&mut self, mut table: TableBuild) -> Result<(), ReadError> {
        let loose = finish_group(std::mem::take(&mut table.loose));
        let mut rows = table.head;
        rows.extend(table.body);
        rows.extend(loose);
        rows.extend(table.foot);
        clamp_row_spans(&mut rows);
        let below = self.stack.len();
        self.deliver(Item::Table(Table::new(rows)), below)
    }
}

// ---------------------------------------------------------------------------------------------
// The scan before parsing.

const VOID: [&str; 19] = [
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input", "keygen",
    "link", "meta", "param", "source", "track", "wbr",
];
const RAW_TEXT: [&str; 10] =
    ["script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "title", "textarea", "plaintext"];
/// Start tags that close an open `p` (html5ever's list, without `table`, which does not in quirks
/// mode).
const P_CLOSERS: [&str; 33] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "section",
    "summary",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "listing",
    "form",
];
/// Elements that bound a scope: an end tag or an implied end does not reach past them.
const SCOPE_OWNERS: [&str; 11] =
    ["table", "td", "th", "caption", "template", "object", "applet", "marquee", "button", "svg", "math"];
const HEADINGS: [&str; 6] = ["h1", "h2", "h3", "h4", "h5", "h6"];
const TABLE_SECTIONS: [&str; 3] = ["tbody", "thead", "tfoot"];
/// How far down the stack a search for an open element goes (html5ever searches further; a miss
/// only makes the model deeper than the real tree).
const SEARCH: usize = 64;

/// html5ever's "special" elements: an end tag for another element does not close them.
fn is_special(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "applet"
            | "area"
            | "article"
            | "aside"
            | "base"
            | "basefont"
            | "bgsound"
            | "blockquote"
            | "body"
            | "br"
            | "button"
            | "caption"
            | "center"
            | "col"
            | "colgroup"
            | "dd"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "embed"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frame"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "iframe"
            | "img"
            | "input"
            | "keygen"
            | "li"
            | "link"
            | "listing"
            | "main"
            | "marquee"
            | "menu"
            | "meta"
            | "nav"
            | "noembed"
            | "noframes"
            | "noscript"
            | "object"
            | "ol"
            | "p"
            | "param"
            | "plaintext"
            | "pre"
            | "script"
            | "search"
            | "section"
            | "select"
            | "source"
            | "style"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "template"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "title"
            | "tr"
            | "track"
            | "ul"
            | "wbr"
            | "xmp"
            | "svg"
            | "math"
            | "foreignobject"
            | "desc"
    )
}

/// The formatting elements html5ever keeps in its list of active formatting elements.
const FORMATTING: [&str; 14] =
    ["a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"];
/// Elements that put a marker in the list of active formatting elements.
const MARKER_OWNERS: [&str; 7] = ["td", "th", "caption", "applet", "object", "marquee", "template"];

/// Whether html5ever reconstructs the active formatting elements before inserting this element.
fn reconstructs(name: &str) -> bool {
    !is_special(name)
        || matches!(
            name,
            "applet"
                | "marquee"
                | "object"
                | "button"
                | "select"
                | "br"
                | "img"
                | "input"
                | "embed"
                | "wbr"
                | "keygen"
                | "area"
                | "math"
                | "svg"
        )
}

#[derive(Debug)]
struct Open {
    name: String,
    /// The entry in the list of active formatting elements this element stands for.
    entry: Option<u64>,
}

#[derive(Debug)]
enum Active {
    Marker,
    Element { id: u64, name: String, key: String, on_stack: bool },
}

/// A rough model of html5ever's tree building, enough to bound its cost: the stack of open
/// elements and the list of active formatting elements. Implied end tags (`p`, `li`, cells, rows,
/// …) are applied within the current scope (tables, cells and a few others bound it), implied table
/// sections and rows are added, end tags stop at special elements, and formatting elements are
/// reconstructed (and counted) as html5ever does — the source of its worst amplification. Where it
/// is unsure it keeps elements open, so the depth it sees is close to the depth html5ever builds,
/// and not far below it; every element it creates is counted.
struct Nesting {
    stack: Vec<Open>,
    /// Each scope: where its elements start on the stack, and how many of each name it holds.
    scopes: Vec<(usize, HashMap<String, usize>)>,
    active: Vec<Active>,
    next_id: u64,
    foreign: usize,
    max_depth: usize,
    max_nodes: usize,
    nodes: usize,
    /// The deepest the stack has been.
    deepest: usize,
}

impl Nesting {
    fn new(max_depth: usize, max_nodes: usize) -> Nesting {
        Nesting {
            stack: Vec::new(),
            scopes: vec![(0, HashMap::new())],
            active: Vec::new(),
            next_id: 0,
            foreign: 0,
            max_depth,
            max_nodes,
            nodes: 0,
            deepest: 0,
        }
    }

    fn has(&self, name: &str) -> bool {
        self.scopes.last().is_some_and(|(_, counts)| counts.get(name).is_some_and(|&n| n > 0))
    }

    fn scope_start(&self) -> usize {
        self.scopes.last().map_or(0, |(start, _)| *start)
    }

    fn owner(&self) -> Option<&str> {
        if self.scopes.len() < 2 {
            return None;
        }
        self.stack.get(self.scope_start().checked_sub(1)?).map(|o| o.name.as_str())
    }

    fn owner_is(&self, names: &[&str]) -> bool {
        self.owner().is_some_and(|o| names.contains(&o))
    }

    fn top_is(&self, names: &[&str]) -> bool {
        self.stack.last().is_some_and(|top| names.contains(&top.name.as_str()))
    }

    /// Counts one more element made.
    fn made(&mut self) -> Result<(), ReadError> {
        self.nodes += 1;
        if self.nodes > self.max_nodes {
            return Err(ReadError::Hostile(format!("the markup makes more than {} HTML elements", self.max_nodes)));
        }
        Ok(())
    }

    fn push(&mut self, name: &str, entry: Option<u64>) -> Result<(), ReadError> {
        self.made()?;
        if let Some((_, counts)) = self.scopes.last_mut() {
            *counts.entry(name.to_owned()).or_insert(0) += 1;
        }
        self.stack.push(Open { name: name.to_owned(), entry });
        if name == "svg" || name == "math" {
            self.foreign += 1;
        }
        if SCOPE_OWNERS.contains(&name) {
            self.scopes.push((self.stack.len(), HashMap::new()));
        }
        if MARKER_OWNERS.contains(&name) {
            self.active.push(Active::Marker);
        }
        self.deepest = self.deepest.max(self.stack.len());
        if self.stack.len() > self.max_depth {
            return Err(ReadError::Hostile(format!("elements nested deeper than {} levels", self.max_depth)));
        }
        Ok(())
    }

    fn pop(&mut self) {
        let Some(open) = self.stack.pop() else { return };
        if self.scopes.len() > 1 && self.stack.len() < self.scope_start() {
            self.scopes.pop();
        }
        if let Some((_, counts)) = self.scopes.last_mut()
            && let Some(n) = counts.get_mut(&open.name)
        {
            *n = n.saturating_sub(1);
        }
        if open.name == "svg" || open.name == "math" {
            self.foreign = self.foreign.saturating_sub(1);
        }
        if let Some(id) = open.entry
            && let Some(Active::Element { on_stack, .. }) =
                self.active.iter_mut().rev().find(|a| matches!(a, Active::Element { id: i, .. } if *i == id))
        {
            *on_stack = false;
        }
        if MARKER_OWNERS.contains(&open.name.as_str())
            && let Some(marker) = self.active.iter().rposition(|a| matches!(a, Active::Marker))
        {
            self.active.truncate(marker);
        }
    }

    /// Pops up to and including the nearest `name` of the current scope.
    fn pop_to(&mut self, name: &str) {
        if !self.has(name) {
            return;
        }
        while let Some(top) = self.stack.last() {
            let done = top.name == name;
            self.pop();
            if done {
                break;
            }
        }
    }

    /// Pops the current scope's elements and its owner.
    fn close_scope(&mut self) {
        if self.scopes.len() < 2 {
            return;
        }
        let start = self.scope_start();
        while !self.stack.is_empty() && self.stack.len() >= start {
            self.pop();
        }
    }

    /// The position of the nearest open element named in `names`, looking down from the top of the
    /// current scope and giving up at an element for which `stop` holds.
    fn find(&self, names: &[&str], stop: impl Fn(&str) -> bool) -> Option<usize> {
        let floor = self.scope_start();
        for (index, open) in self.stack.iter().enumerate().rev().take(SEARCH) {
            if index < floor {
                return None;
            }
            if names.contains(&open.name.as_str()) {
                return Some(index);
            }
            if stop(&open.name) {
                return None;
            }
        }
        None
    }

    fn pop_above(&mut self, index: usize) {
        while self.stack.len() > index {
            self.pop();
        }
    }

    /// Puts back the formatting elements that were closed by a block but are still active.
    fn reconstruct(&mut self) -> Result<(), ReadError> {
        let mut first = self.active.len();
        while first > 0 && matches!(self.active.get(first - 1), Some(Active::Element { on_stack: false, .. })) {
            first -= 1;
        }
        let mut reopened = Vec::new();
        for entry in self.active.iter_mut().skip(first) {
            if let Active::Element { id, name, on_stack, .. } = entry {
                *on_stack = true;
                reopened.push((*id, name.clone()));
            }
        }
        for (id, name) in reopened {
            self.push(&name, Some(id))?;
        }
        Ok(())
    }

    /// Opens a formatting element and lists it (at most three alike after the last marker).
    fn open_formatting(&mut self, name: &str, key: String) -> Result<(), ReadError> {
        let after_marker = self.active.iter().rposition(|a| matches!(a, Active::Marker)).map_or(0, |m| m + 1);
        let alike: Vec<usize> = (after_marker..self.active.len())
            .filter(|&i| matches!(self.active.get(i), Some(Active::Element { key: k, .. }) if *k == key))
            .collect();
        if alike.len() >= 3
            && let Some(&earliest) = alike.first()
        {
            self.active.remove(earliest);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.active.push(Active::Element { id, name: name.to_owned(), key, on_stack: true });
        self.push(name, Some(id))
    }

    /// html5ever's adoption agency, roughly: closes the formatting element `name`; whether it was
    /// an active one.
    fn adopt(&mut self, name: &str) -> bool {
        let Some(position) = self
            .active
            .iter()
            .rposition(|a| matches!(a, Active::Marker) || matches!(a, Active::Element { name: n, .. } if n == name))
        else {
            return false;
        };
        let Some(Active::Element { id, on_stack, .. }) = self.active.get(position) else {
            return false;
        };
        let (id, on_stack) = (*id, *on_stack);
        self.active.remove(position);
        if on_stack && let Some(index) = self.stack.iter().rposition(|o| o.entry == Some(id)) {
            let furthest_block = self.stack.iter().skip(index + 1).any(|o| is_special(&o.name));
            // With a block inside it, html5ever moves things around and the depth stays about the same.
            if !furthest_block {
                self.pop_above(index);
            }
        }
        true
    }

    /// Text between tags.
    fn text(&mut self) -> Result<(), ReadError> {
        let in_table_structure = self.owner_is(&["table"]) && self.top_is(&["table", "tbody", "thead", "tfoot", "tr"]);
        if in_table_structure { Ok(()) } else { self.reconstruct() }
    }

    fn start(&mut self, name: &str, attributes: &str, self_closing: bool) -> Result<(), ReadError> {
        if matches!(name, "html" | "head" | "body" | "frameset") || (name == "form" && self.has("form")) {
            return Ok(());
        }
        if self.foreign > 0 && self_closing {
            return self.made();
        }
        match name {
            "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" | "caption" | "colgroup" => {
                if self.owner_is(&["td", "th"]) {
                    self.close_scope();
                }
                if !self.owner_is(&["table"]) {
                    // Outside a table these tags are ignored.
                    return Ok(());
                }
                if matches!(name, "tr" | "tbody" | "thead" | "tfoot" | "caption" | "colgroup") {
                    self.pop_to("tr");
                }
                if !matches!(name, "td" | "th" | "tr") {
                    for section in TABLE_SECTIONS {
                        self.pop_to(section);
                    }
                }
                if matches!(name, "td" | "th" | "tr") && !TABLE_SECTIONS.iter().any(|s| self.has(s)) {
                    self.push("tbody", None)?;
                }
                if matches!(name, "td" | "th") && !self.has("tr") {
                    self.push("tr", None)?;
                }
            }
            "table" if self.owner_is(&["table"]) => self.close_scope(),
            "li" | "dd" | "dt" => {
                let targets: &[&str] = if name == "li" { &["li"] } else { &["dd", "dt"] };
                if let Some(index) = self.find(targets, |n| is_special(n) && !matches!(n, "address" | "div" | "p")) {
                    self.pop_above(index);
                }
            }
            "a" => {
                self.adopt("a");
            }
            "nobr" if self.has("nobr") => {
                self.adopt("nobr");
            }
            "button" => self.pop_to("button"),
            "option" if self.top_is(&["option"]) => self.pop(),
            "optgroup" => {
                if self.top_is(&["option"]) {
                    self.pop();
                }
                if self.top_is(&["optgroup"]) {
                    self.pop();
                }
            }
            _ => {}
        }
        if P_CLOSERS.contains(&name) || matches!(name, "li" | "dd" | "dt") {
            self.pop_to("p");
        }
        if HEADINGS.contains(&name) && self.top_is(&HEADINGS) {
            self.pop();
        }
        if reconstructs(name) {
            self.reconstruct()?;
        }
        if VOID.contains(&name) {
            return self.made();
        }
        if FORMATTING.contains(&name) {
            return self.open_formatting(name, format!("{name} {}", attributes.trim()));
        }
        self.push(name, None)
    }

    fn end(&mut self, name: &str) {
        if VOID.contains(&name) || matches!(name, "html" | "head" | "body" | "frameset") {
            return;
        }
        if FORMATTING.contains(&name) && self.adopt(name) {
            return;
        }
        if !is_special(name) {
            // An end tag for an ordinary element closes it unless a special element is in the way.
            if let Some(index) = self.find(&[name], is_special) {
                self.pop_above(index);
            }
            return;
        }
        if self.has(name) {
            self.pop_to(name);
        } else if self.owner() == Some(name) {
            self.close_scope();
        } else if name == "p" {
            // A `</p>` with no open `p` makes an empty one.
            let _ = self.made();
        } else if self.owner_is(&["td", "th", "caption"])
            && matches!(name, "table" | "tbody" | "thead" | "tfoot" | "tr")
        {
            self.close_scope();
            if self.has(name) {
                self.pop_to(name);
            } else if self.owner() == Some(name) {
                self.close_scope();
            }
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn find_byte(bytes: &[u8], from: usize, byte: u8) -> Option<usize> {
    bytes.get(from..)?.iter().position(|&b| b == byte).map(|p| p + from)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// A tag name from `from`: up to whitespace, `/` or `>`, lower-cased; and where it ends.
fn read_name(bytes: &[u8], from: usize) -> (String, usize) {
    let rest = bytes.get(from..).unwrap_or_default();
    let len = rest.iter().position(|&b| is_space(b) || b == b'/' || b == b'>').unwrap_or(rest.len());
    let name = String::from_utf8_lossy(rest.get(..len).unwrap_or_default()).to_ascii_lowercase();
    (name, from + len)
}

/// Skips a tag's attributes from `from`: where the tag ends, how many attributes it has, and
/// whether it is self-closing (`/>`).
fn read_attributes(bytes: &[u8], from: usize) -> (usize, usize, bool) {
    let mut p = from;
    let mut count = 0;
    loop {
        let mut self_closing = false;
        while let Some(&b) = bytes.get(p) {
            if is_space(b) {
                self_closing = false;
            } else if b == b'/' {
                self_closing = true;
            } else {
                break;
            }
            p += 1;
        }
        match bytes.get(p) {
            None => return (bytes.len(), count, false),
            Some(b'>') => return (p + 1, count, self_closing),
            Some(_) => {}
        }
        count += 1;
        p += 1;
        while bytes.get(p).is_some_and(|&b| !(is_space(b) || b == b'/' || b == b'>' || b == b'=')) {
            p += 1;
        }
        while bytes.get(p).is_some_and(|&b| is_space(b)) {
            p += 1;
        }
        if bytes.get(p) == Some(&b'=') {
            p += 1;
            while bytes.get(p).is_some_and(|&b| is_space(b)) {
                p += 1;
            }
            match bytes.get(p) {
                Some(&quote @ (b'"' | b'\'')) => p = find_byte(bytes, p + 1, quote).map_or(bytes.len(), |e| e + 1),
                Some(b'>') | None => {}
                Some(_) => {
                    while bytes.get(p).is_some_and(|&b| !(is_space(b) || b == b'>')) {
                        p += 1;
                    }
                }
            }
        }
    }
}

/// Where the end tag `</name` of a raw-text element starts, looking from `from`.
fn find_end_tag(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut at = from;
    loop {
        let lt = find(bytes, at, b"</")?;
        let after = lt + 2 + name.len();
        let matches = bytes.get(lt + 2..after).is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            && bytes.get(after).is_none_or(|&b| is_space(b) || b == b'/' || b == b'>');
        if matches {
            return Some(lt);
        }
        at = lt + 2;
    }
}

/// Refuses markup that would make the parser itself slow or large.
fn prescan(html: &str, limits: &ReadLimits) -> Result<(), ReadError> {
    scan(html, limits).map(|_| ())
}

/// The scan; how deep its model of the open elements went, and how many elements it made.
fn scan(html: &str, limits: &ReadLimits) -> Result<(usize, usize), ReadError> {
    let bytes = html.as_bytes();
    let mut nesting = Nesting::new(limits.max_depth, limits.max_items);
    let mut roots = 0usize;
    let mut i = 0;
    while let Some(lt) = find_byte(bytes, i, b'<') {
        if lt > i {
            nesting.text()?;
        }
        match bytes.get(lt + 1) {
            Some(b'!') if bytes.get(lt + 2..lt + 4) == Some(b"--") => {
                i = find(bytes, lt + 4, b"-->").map_or(bytes.len(), |p| p + 3);
            }
            Some(b'!' | b'?') => i = find_byte(bytes, lt + 1, b'>').map_or(bytes.len(), |p| p + 1),
            Some(b'/') => {
                if bytes.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) {
                    let (name, _) = read_name(bytes, lt + 2);
                    nesting.end(&name);
                }
                i = find_byte(bytes, lt + 2, b'>').map_or(bytes.len(), |p| p + 1);
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let (name, after_name) = read_name(bytes, lt + 1);
                let (end, attributes, self_closing) = read_attributes(bytes, after_name);
                if attributes > MAX_ATTRIBUTES {
                    return Err(ReadError::Hostile(format!(
                        "a <{name}> tag with {attributes} attributes; the most accepted is {MAX_ATTRIBUTES}"
                    )));
                }
                if matches!(name.as_str(), "html" | "body") {
                    roots += 1;
                    if roots > MAX_ROOT_TAGS {
                        return Err(ReadError::Hostile(format!("more than {MAX_ROOT_TAGS} <html> and <body> tags")));
                    }
                }
                let raw_attributes = String::from_utf8_lossy(bytes.get(after_name..end).unwrap_or_default());
                nesting.start(&name, raw_attributes.trim_end_matches('>'), self_closing)?;
                i = end;
                if nesting.foreign == 0 && RAW_TEXT.contains(&name.as_str()) {
                    if name == "plaintext" {
                        return Ok((nesting.deepest, nesting.nodes));
                    }
                    i = find_end_tag(bytes, i, &name).unwrap_or(bytes.len());
                }
            }
            _ => i = lt + 1,
        }
    }
    if i < bytes.len() {
        nesting.text()?;
    }
    Ok((nesting.deepest, nesting.nodes))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::BlockContent;
    use crate::odt::tests::{Lcg, assert_plan_table, mutate, outline, plan_odt};

    /// The plan table of `odt::tests::PLAN_GRID`, as a municipality's site might publish it.
    pub(crate) const PLAN_HTML: &str = r#"<!DOCTYPE html>
<html lang="bg"><head><meta charset="utf-8"><title>Годишен план</title>
<style>td, th { border: 1px solid #000 } .скрит { display: none }</style>
<script>document.write("<p>скрипт</p>")</script></head>
<body>
<h1>Годишен план за развитие на социалните услуги</h1>
<p>Таблица 1. Дейности по целите</p>
<table border="1">
  <thead>
    <tr><th rowspan="2">Цел</th><th rowspan="2">Дейност</th><th colspan="2">Изпълнение</th></tr>
    <tr><th>Срок</th><th>Отговорник</th></tr>
  </thead>
  <tbody>
    <tr><td rowspan="3">Цел 1. Подкрепа за семейства с деца</td>
        <td>1.1. Разкриване на Център за обществена подкрепа</td><td>2025&nbsp;г.</td><td>Община Примерово</td></tr>
    <tr><td><p>1.2. Консултиране на родители</p>
            <table><tr><td>Услуга</td><td>Капацитет</td></tr><tr><td>ЦОП</td><td>20</td></tr></table></td>
        <td>постоянен</td><td>ЦОП</td></tr>
    <tr><td>1.3. Обучение на
            приемни родители</td><td>до 30.06.2026 г.</td><td>ОЗД, Д &bdquo;СП&ldquo;</td></tr>
    <tr><td>Цел 2. Деинституционализация</td><td>2.1. Закриване на дом за деца</td><td>2026 г.</td>
        <td>Община Примерово, РДСП</td></tr>
  </tbody>
</table>
</body></html>"#;

    fn read_html(html: &str) -> Document {
        read(html, &ReadLimits::default()).unwrap()
    }

    fn only_table(doc: &Document) -> &Table {
        let tables: Vec<&Table> = doc.tables().collect();
        assert_eq!(tables.len(), 1, "{:?}", outline(doc));
        tables[0]
    }

    #[test]
    fn the_plan_table_reads_to_the_shared_grid() {
        let doc = read_html(PLAN_HTML);
        assert_eq!(doc.format, SourceFormat::Html);
        assert_eq!(
            outline(&doc),
            ["h1 Годишен план за развитие на социалните услуги", "Таблица 1. Дейности по целите", "table 6x4"]
        );
        let table = only_table(&doc);
        assert_eq!(table.table, Some(0));
        assert_plan_table(table);
    }

    #[test]
    fn the_html_and_odt_readers_give_the_same_plan_table() {
        let html = read_html(PLAN_HTML);
        let odt = crate::odt::read(&plan_odt(), &ReadLimits::default()).unwrap();
        let (html_table, odt_table) = (only_table(&html), only_table(&odt));
        assert_eq!(html_table.grid_text(), odt_table.grid_text());
        assert_eq!(html_table, odt_table);
        assert_eq!(outline(&html), outline(&odt));
    }

    #[test]
    fn headings_keep_their_levels_and_blocks_become_paragraphs() {
        let doc = read_html(
            "<body><h1>Стратегия</h1><h3>Анализ   на\n  <em>услугите</em></h3><h2></h2>
             <p>Първи <b>абзац</b>.</p>
             <div>Текст в div<div>вложен div</div>и след него</div>
             <blockquote>Цитат</blockquote>
             Текст направо в тялото
             <h6>Шесто ниво</h6></body>",
        );
        assert_eq!(
            outline(&doc),
            [
                "h1 Стратегия",
                "h3 Анализ на услугите",
                "Първи абзац.",
                "Текст в div",
                "вложен div",
                "и след него",
                "Цитат",
                "Текст направо в тялото",
                "h6 Шесто ниво",
            ]
        );
    }

    #[test]
    fn line_breaks_break_lines_in_cells_and_fold_in_paragraphs() {
        let doc = read_html(
            "<p>Срок:<br>31.12.2026&nbsp;г.</p>
             <pre>ред 1\nред 2</pre>
             <table><tr><td>ОЗД<br>Д „СП“<br><br></td><td><p>първи</p><p></p><p>трети</p></td><td><pre>а\nб</pre></td></tr></table>",
        );
        assert_eq!(outline(&doc), ["Срок: 31.12.2026 г.", "ред 1 ред 2", "table 1x3"]);
        let cells = &only_table(&doc).rows[0].cells;
        assert_eq!(cells[0].paragraphs, ["ОЗД", "Д „СП“"]);
        assert_eq!(cells[1].paragraphs, ["първи", "", "трети"]);
        assert_eq!(cells[2].paragraphs, ["а", "б"]);
    }

    #[test]
    fn ordered_lists_honour_start_type_value_and_nesting() {
        let doc = read_html(
            r#"<ol start="3">
                 <li>Трета мярка
                   <ol type="a"><li>подмярка</li><li>подмярка</li></ol>
                 </li>
                 <li><p>Четвърта</p><p>втори абзац</p></li>
                 <li value="10">Десета</li>
                 <li>Единадесета
                   <ol type="I"><li>римска</li><li>римска</li><li>римска</li><li>римска</li></ol>
                   <ol type="i" start="9"><li>малка</li></ol>
                   <ol type="A" start="27"><li>голяма</li></ol>
                 </li>
               </ol>
               <ol reversed><li>три</li><li>две</li><li>едно</li></ol>
               <ol style="list-style-type: lower-roman"><li>css</li><li type="A">тип на точката</li></ol>
               <ol style="list-style: none"><li>без номер</li></ol>
               <ol><li></li><li>след празна</li></ol>"#,
        );
        assert_eq!(
            outline(&doc),
            [
                "[3.] 3. Трета мярка",
                "[a.] a. подмярка",
                "[b.] b. подмярка",
                "[4.] 4. Четвърта",
                "втори абзац",
                "[10.] 10. Десета",
                "[11.] 11. Единадесета",
                "[I.] I. римска",
                "[II.] II. римска",
                "[III.] III. римска",
                "[IV.] IV. римска",
                "[ix.] ix. малка",
                "[AA.] AA. голяма",
                "[3.] 3. три",
                "[2.] 2. две",
                "[1.] 1. едно",
                "[i.] i. css",
                "[B.] B. тип на точката",
                "без номер",
                "[1.] 1.",
                "[2.] 2. след празна",
            ]
        );
    }

    #[test]
    fn unordered_lists_are_bulleted_at_every_level() {
        let doc = read_html(
            "<ul><li>Дневен център<ul><li>за деца</li><li>за възрастни</li></ul></li><li>Приют</li></ul>
             <table><tr><td><ul><li>в клетка</li></ul></td></tr></table>",
        );
        assert_eq!(
            outline(&doc),
            ["[•] • Дневен център", "[•] • за деца", "[•] • за възрастни", "[•] • Приют", "table 1x1"]
        );
        assert_eq!(only_table(&doc).rows[0].cells[0].text, "• в клетка");
    }

    #[test]
    fn word_list_numbers_become_labels() {
        let doc = read_html(
            r#"<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span><![endif]>Анализ на потребностите</p>
               <p class=MsoListParagraphCxSpLast style='mso-list:l0 level2 lfo1'><span style='mso-list:Ignore'>1.1.<span>&nbsp; </span></span>Деца</p>"#,
        );
        assert_eq!(outline(&doc), ["[1.] 1. Анализ на потребностите", "[1.1.] 1.1. Деца"]);
    }

    #[test]
    fn scripts_styles_head_templates_noscript_comments_and_hidden_elements_are_not_read() {
        let doc = read_html(
            r#"<html><head><title>Заглавие на страницата</title><style>p { color: red }</style></head>
               <body><script>var x = "<p>скрипт</p>";</script><noscript>Включете JavaScript</noscript>
               <template><p>шаблон</p></template><!-- <p>коментар</p> -->
               <p>Видим текст</p><p hidden>скрит</p><p style="display: none">скрит</p>
               <p>Още<span style="mso-hide:all"> скрит</span> текст</p>
               <svg><text>графика</text></svg><select><option>избор</option></select>
               <img src="x.png" alt="картинка"></body></html>"#,
        );
        assert_eq!(outline(&doc), ["Видим текст", "Още текст"]);
    }

    #[test]
    fn entities_are_decoded() {
        let doc = read_html("<p>Д &amp; С &lt;ЦОП&gt; &bdquo;Надежда&ldquo; &#1041;&#x413; &sect;&nbsp;3</p>");
        assert_eq!(doc.paragraphs().collect::<Vec<_>>(), ["Д & С <ЦОП> „Надежда“ БГ § 3"]);
    }

    #[test]
    fn page_breaks_come_from_inline_styles() {
        let doc = read_html(
            r#"<p>Увод</p>
               <p style="page-break-before: always">Раздел I</p>
               <p style="PAGE-BREAK-AFTER:ALWAYS">Край на раздел I</p>
               <p>Раздел II<br clear=all style='page-break-before:always'>Раздел III</p>
               <div style="break-before: page"><p>Раздел IV</p></div>
               <table style="break-after: page"><tr><td><p style="page-break-before:always">в клетка</p></td></tr></table>
               <p>Край</p>"#,
        );
        assert_eq!(
            outline(&doc),
            [
                "Увод",
                "---",
                "Раздел I",
                "Край на раздел I",
                "---",
                "Раздел II",
                "---",
                "Раздел III",
                "---",
                "Раздел IV",
                "table 1x1",
                "---",
                "Край",
            ]
        );
    }

    #[test]
    fn rowspan_zero_reaches_the_end_of_its_row_group_and_huge_spans_are_clamped() {
        let doc = read_html(
            r#"<table>
                 <tbody>
                   <tr><td rowspan="0">А</td><td>1</td></tr>
                   <tr><td>2</td></tr>
                   <tr><td>3</td></tr>
                 </tbody>
                 <tbody>
                   <tr><td rowspan="99999999">Б</td><td colspan="0">4</td><td rowspan=" 2px">x</td></tr>
                   <tr><td>5</td></tr>
                 </tbody>
               </table>"#,
        );
        assert_eq!(
            only_table(&doc).grid_text(),
            [["А", "1", ""], ["А", "2", ""], ["А", "3", ""], ["Б", "4", "x"], ["Б", "5", "x"]]
        );
        let wide = read_html(r#"<table><tr><td colspan="4294967297">широка</td><td>след</td></tr></table>"#);
        let table = only_table(&wide);
        assert_eq!(table.rows[0].cells[0].col_span, MAX_COL_SPAN);
        assert_eq!(table.width(), 1001);
        assert!(wide.notes.iter().any(|n| n.contains("colspan")));
        let tall = read_html(r#"<table><tr><td rowspan="70000">висока</td></tr><tr><td>x</td></tr></table>"#);
        assert_eq!(only_table(&tall).rows[0].cells[0].row_span, 2);
    }

    #[test]
    fn head_body_and_foot_rows_come_in_rendering_order() {
        let doc = read_html(
            "<table><caption>Таблица 2. Финансиране</caption>
               <tfoot><tr><td>Общо</td><td>300</td></tr></tfoot>
               <tbody><tr><td>ЦОП</td><td>100</td></tr></tbody>
               <thead><tr><th>Услуга</th><th>Лева</th></tr></thead>
               <tbody><tr><td>ДЦ</td><td>200</td></tr></tbody>
             </table>",
        );
        assert_eq!(outline(&doc), ["Таблица 2. Финансиране", "table 4x2"]);
        assert_eq!(only_table(&doc).grid_text(), [["Услуга", "Лева"], ["ЦОП", "100"], ["ДЦ", "200"], ["Общо", "300"]]);
    }

    #[test]
    fn a_cell_keeps_its_paragraphs_and_its_nested_tables() {
        let doc = read_html(
            "<table><tr><td>Преди<table><tr><td>вътре</td></tr></table>След<table><tr><td><table><tr><td>най-вътре</td></tr></table></td></tr></table></td></tr></table><p>после</p>",
        );
        assert_eq!(outline(&doc), ["table 1x1", "после"]);
        let cell = &only_table(&doc).rows[0].cells[0];
        assert_eq!(cell.paragraphs, ["Преди", "След"]);
        assert_eq!(cell.tables.len(), 2);
        assert_eq!(cell.tables[0].grid_text(), [["вътре"]]);
        assert_eq!(cell.tables[1].rows[0].cells[0].tables[0].grid_text(), [["най-вътре"]]);
    }

    // -----------------------------------------------------------------------------------------
    // Hostile input.

    #[test]
    fn input_over_the_size_limit_is_too_large_and_blank_input_is_empty() {
        let limits = ReadLimits { max_input_bytes: 10, ..ReadLimits::default() };
        assert_eq!(read("<p>Годишен план</p>", &limits), Err(ReadError::TooLarge { size: 30, max: 10 }));
        assert_eq!(read(" \n ", &ReadLimits::default()), Err(ReadError::Empty));
        assert_eq!(outline(&read_html("<html></html>")), Vec::<String>::new());
    }

    #[test]
    fn ten_thousand_nested_elements_are_refused_quickly() {
        for tag in ["div", "span", "b", "font", "ul", "blockquote"] {
            let deep = format!("<body>{}дълбоко</body>", format!("<{tag}>").repeat(10_000));
            let started = std::time::Instant::now();
            let result = read(&deep, &ReadLimits::default());
            assert!(
                matches!(&result, Err(ReadError::Hostile(m)) if m.contains("deeper than 256")),
                "{tag}: {result:?}"
            );
            assert!(started.elapsed().as_secs() < 2, "{tag}");
        }
        let cells = format!("{}x", "<table><tr><td>".repeat(3_000));
        assert!(matches!(read(&cells, &ReadLimits::default()), Err(ReadError::Hostile(_))));
        // The walk has its own bound, whatever the scan let through.
        let limits = ReadLimits { max_depth: 4, ..ReadLimits::default() };
        assert!(matches!(read("<div><div><p>x</p></div></div>", &limits), Err(ReadError::Hostile(_))));
        // Within the limit, nesting is fine.
        let ok = format!("{}дълбоко{}", "<div>".repeat(200), "</div>".repeat(200));
        assert_eq!(outline(&read_html(&ok)), ["дълбоко"]);
    }

    #[test]
    fn unclosed_paragraphs_items_cells_and_inline_tags_are_not_mistaken_for_deep_nesting() {
        let mut html = String::from("<html><body>");
        for i in 0..1_000 {
            html.push_str(&format!("<p><font face=Arial>Абзац {i}"));
        }
        html.push_str("<ul>");
        for i in 0..1_000 {
            html.push_str(&format!("<li><b>Точка {i}"));
        }
        html.push_str("</ul><table>");
        for i in 0..300 {
            html.push_str(&format!("<tr><td><font size=2>{i}<td><a href=#{i}>връзка"));
        }
        html.push_str("</table><dl><dt>термин<dd>определение<dt>термин<dd>определение</dl>");
        html.push_str(&"<h2>Заглавие<h3>Подзаглавие".repeat(300));
        let doc = read_html(&html);
        assert_eq!(doc.paragraphs().filter(|p| p.starts_with("Абзац")).count(), 1_000);
        assert_eq!(doc.paragraphs().filter(|p| p.starts_with("• Точка")).count(), 1_000);
        assert_eq!(only_table(&doc).rows.len(), 300);
        assert_eq!(only_table(&doc).grid_text()[299], ["299", "връзка"]);
    }

    #[test]
    fn tags_with_thousands_of_attributes_and_too_many_root_tags_are_refused() {
        let attributes: String = (0..5_000).map(|i| format!(" a{i}=\"{i}\"")).collect();
        let err = read(&format!("<p{attributes}>текст</p>"), &ReadLimits::default()).unwrap_err();
        assert!(matches!(&err, ReadError::Hostile(m) if m.contains("attributes")), "{err}");
        let roots = "<body class=x>".repeat(100);
        assert!(matches!(read(&roots, &ReadLimits::default()), Err(ReadError::Hostile(_))));
        // Attribute-like text inside quotes and raw text is not counted.
        let quoted =
            format!("<p title=\"{}\">ок</p><script>{}</script>", "a=1 ".repeat(5_000), "<b x y z>".repeat(5_000));
        assert_eq!(outline(&read_html(&quoted)), ["ок"]);
    }

    /// Patterns that make html5ever deep or make it create elements the markup does not show.
    #[test]
    fn the_scan_never_sees_far_less_nesting_or_fewer_elements_than_the_parser_builds() {
        let patterns = [
            "<a><div>",
            "<p><table><tr><td>",
            "<b><p>",
            "<b><i><u><s><div>",
            "<li><ul>",
            "<dd><dl>",
            "<td><table>",
            "<option><select>",
            "<font><table><tr><td>",
            "<h1><div>",
            "<form><div>",
            "<button><div>",
            "<nobr><div>",
            "<svg><foreignObject><div>",
            "<caption><table>",
            "</p><div>",
            "<tr><td><table>",
            "<object><div>",
            "<marquee><div>",
            "<template><div>",
            "<select><div>",
            "<a><b><a><b>",
            "<table><caption><table><caption>",
            "<div></table>",
            "<table><td><div>",
            "<p><button><div>",
            "<span><div></span>",
            "<b><div></b>",
            "<td><td><td>",
            "<math><mi><div>",
            "<svg><desc><div>",
            "<p><b><p><i>",
            "<a><p><a><div>",
            "<b><table><td><b><table><td>",
            "<dl><dt><div>",
            "<li><div><li><div>",
            "<table><tr><th><table><tr><th>",
            "<applet><div>",
            "<frameset><div>",
            "<noscript><div>",
            "<colgroup><col><div>",
            "<table><tbody><tr><td><span>",
            "<ruby><rb><div>",
            "<iframe><div></iframe><div>",
            "<table><form><tr><td>",
            "<table><tr><td></tr><div>",
            "<b><b><b><b><div>",
            "<a><table><td><a><table><td>",
            "<div><b></div>x",
            "<p><b>bold</p> text\n",
            "<p><font face=Arial>x\n",
            "<li><b>x</li>\n",
        ];
        let mut documents: Vec<(String, String)> =
            patterns.iter().map(|p| (p.to_string(), format!("<body>{}x", p.repeat(300)))).collect();
        for (label, template) in [
            ("distinct b in divs", "<div><b id={i}></div>"),
            ("distinct b then text", "<b id={i}></p>x"),
            ("distinct font in p", "<p><font id={i}>x"),
            ("same font in p newline", "<p><font face=Arial>x\n"),
            ("distinct a in td", "<table><tr><td><a id={i}>x</table>"),
            ("b div text", "<b class={i}><div>x</div>y"),
        ] {
            let html: String = (0..300).map(|i| template.replace("{i}", &i.to_string())).collect();
            documents.push((label.to_string(), format!("<body>{html}x")));
        }
        for (pattern, html) in documents {
            let limits = ReadLimits { max_depth: usize::MAX, max_items: usize::MAX, ..ReadLimits::default() };
            let (estimate, made) = scan(&html, &limits).unwrap();
            let dom = Html::parse_document(&html);
            let real = dom.tree.nodes().map(|n| n.ancestors().count()).max().unwrap();
            let nodes = dom.tree.nodes().filter(|n| n.value().is_element()).count();
            assert!(estimate * 3 + 10 >= real, "{pattern}: the parser nests {real}, the scan saw {estimate}");
            assert!(made * 3 + 10 >= nodes, "{pattern}: the parser made {nodes} elements, the scan counted {made}");
        }
    }

    #[test]
    fn more_elements_than_the_item_limit_are_refused() {
        let limits = ReadLimits { max_items: 1_000, ..ReadLimits::default() };
        let err = read(&"<br>".repeat(2_000), &limits).unwrap_err();
        assert!(matches!(&err, ReadError::Hostile(m) if m.contains("elements")), "{err}");
    }

    #[test]
    fn five_hundred_mutated_documents_never_panic() {
        let mut rng = Lcg(0x00b9_2026);
        for _ in 0..500 {
            let mut bytes = PLAN_HTML.as_bytes().to_vec();
            mutate(&mut bytes, &mut rng);
            let text = String::from_utf8_lossy(&bytes);
            if let Ok(doc) = read(&text, &ReadLimits::default()) {
                for table in doc.tables() {
                    let _ = table.grid_text();
                }
                assert!(
                    doc.blocks
                        .iter()
                        .all(|b| !matches!(&b.content, BlockContent::Paragraph { text, .. } if text.is_empty()))
                );
            }
        }
    }
}
