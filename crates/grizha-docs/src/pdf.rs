//! PDF with a text layer, through `pdf_oxide`: the text spans of each page are grouped into lines
//! by baseline, the lines into paragraphs, and runs of lines whose text chunks stand in aligned
//! columns into tables.
//!
//! What a PDF does not say is not invented: a merged cell shows in a PDF only as text in its first
//! row, so a recovered table has empty cells where the source had a vertical merge; a horizontal
//! merge is recognised only when the text itself reaches over a column start. A table nested in a
//! cell comes out as further paragraphs of that cell (its rows, one paragraph each), not as a table.
//!
//! Decisions:
//! - over `max_pages` pages: the first `max_pages` are read and a note says how many were left;
//! - a file the parser cannot open (broken cross-reference table, truncated, encrypted with a
//!   password) is a [`ReadError::Damaged`]; a parser panic is caught and is one too;
//! - no text on any page: `Ok` with no blocks and the note "no text layer (a scanned document?)";
//! - more blocks and table cells than `max_items`: refused as [`ReadError::Hostile`].

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::model::{Cell, DocumentBuilder, Row, SourceFormat, Table};
use crate::{Document, ReadError, ReadLimits};

const FORMAT: &str = "PDF";

/// Spans on one line have baselines within this share of the font size.
const SAME_LINE: f32 = 0.4;
/// A horizontal gap wider than this share of the font size is a space between words.
const WORD_GAP: f32 = 0.25;
/// A horizontal gap at least this many font sizes wide separates two text chunks (table columns).
const CHUNK_GAP: f32 = 1.5;
/// Chunk starts within this many points stand in the same column.
const COLUMN_TOLERANCE: f32 = 4.0;
/// Lines further apart than this many font sizes (baseline to baseline) start a new paragraph.
const PARAGRAPH_GAP: f32 = 1.6;
/// A single-chunk line this close (in font sizes) below a table line continues that row.
const WRAPPED_LINE: f32 = 1.3;
/// Lines further apart than this many font sizes end a table.
const TABLE_BREAK: f32 = 4.0;
/// A line this many times the body font size is a heading.
const HEADING_SIZE: f32 = 1.3;

/// Reads a PDF with a text layer.
pub fn read(bytes: &[u8], limits: &ReadLimits) -> Result<Document, ReadError> {
    limits.check_input(bytes)?;
    // A third-party parser may panic on a broken file: that is a damaged file to the caller.
    let mut extracted = guarded(|| extract(bytes, limits))?;
    if let Some(problem) = broken_xref(bytes) {
        // The parser rebuilds a broken cross-reference table by scanning the file. What it finds
        // is kept when it has text; a broken file that yields none is damaged, not "scanned".
        if extracted.pages.iter().all(Vec::is_empty) {
            return Err(ReadError::damaged(FORMAT, format!("{problem}, and no text could be recovered")));
        }
        extracted.notes.push(format!("{problem}; the text was recovered by scanning the file"));
    }
    build(extracted, limits)
}

/// Why the cross-reference table the file's last `startxref` points at cannot be used, if it
/// cannot: the offset is missing, past the end of the file, or at neither an `xref` table nor an
/// object (a cross-reference stream).
fn broken_xref(bytes: &[u8]) -> Option<&'static str> {
    const KEYWORD: &[u8] = b"startxref";
    let Some(at) = bytes.windows(KEYWORD.len()).rposition(|w| w == KEYWORD) else {
        return Some("the file has no cross-reference table (startxref is missing)");
    };
    let digits: String = bytes[at + KEYWORD.len()..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    let target = digits.parse::<usize>().ok().and_then(|offset| bytes.get(offset..));
    let Some(target) = target else {
        return Some("the cross-reference table is broken (startxref points outside the file)");
    };
    let target = &target[..target.len().min(64)];
    let is_table = target.starts_with(b"xref");
    let is_stream = {
        let mut words = target.split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty());
        let number = |w: Option<&[u8]>| w.is_some_and(|w| w.iter().all(u8::is_ascii_digit));
        number(words.next()) && number(words.next()) && words.next().is_some_and(|w| w.starts_with(b"obj"))
    };
    (!is_table && !is_stream).then_some("the cross-reference table is broken (startxref points at no table)")
}

/// Runs the parser, turning a panic in it into a damaged-file error.
fn guarded<T>(parse: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    catch_unwind(AssertUnwindSafe(parse))
        .unwrap_or_else(|_| Err(ReadError::damaged(FORMAT, "the PDF parser failed on this file")))
}

/// One piece of text as the parser gives it, in points, y growing upward.
#[derive(Debug, Clone)]
struct Span {
    text: String,
    x0: f32,
    x1: f32,
    /// The middle of the span's box, which stands in for its baseline.
    y: f32,
    size: f32,
}

/// What was taken from the file: each page's spans, and notes.
struct Extracted {
    pages: Vec<Vec<Span>>,
    notes: Vec<String>,
}

fn extract(bytes: &[u8], limits: &ReadLimits) -> Result<Extracted, ReadError> {
    let document = pdf_oxide::PdfDocument::from_bytes(bytes.to_vec()).map_err(|e| ReadError::damaged(FORMAT, e))?;
    let encrypted = document.is_encrypted();
    let count = document.page_count().map_err(|e| ReadError::damaged(FORMAT, damage(encrypted, e)))?;
    let mut notes = Vec::new();
    let read_count = count.min(limits.max_pages);
    if read_count < count {
        notes.push(format!(
            "only the first {read_count} of {count} pages were read (the limit is {} pages)",
            limits.max_pages
        ));
    }
    let mut pages = Vec::with_capacity(read_count.min(4096));
    let mut failed = 0;
    for index in 0..read_count {
        match document.extract_spans(index) {
            Ok(spans) => pages.push(spans.into_iter().filter_map(span).collect()),
            Err(e) => {
                failed += 1;
                notes.push(format!("page {} could not be read: {e}", index + 1));
                pages.push(Vec::new());
            }
        }
    }
    if read_count > 0 && failed == read_count {
        let problem = if encrypted {
            "it is encrypted; save it again without a password".to_owned()
        } else {
            "no page could be read".to_owned()
        };
        return Err(ReadError::damaged(FORMAT, problem));
    }
    Ok(Extracted { pages, notes })
}

fn damage(encrypted: bool, error: impl std::fmt::Display) -> String {
    if encrypted { format!("it is encrypted and cannot be opened ({error})") } else { error.to_string() }
}

/// A span with usable text and geometry; `None` for blank text or a box that is not finite.
fn span(s: pdf_oxide::layout::TextSpan) -> Option<Span> {
    let b = s.bbox;
    if s.text.trim().is_empty() || ![b.x, b.y, b.width, b.height].iter().all(|v| v.is_finite()) {
        return None;
    }
    let height = b.height.abs();
    let size = if s.font_size.is_finite() && s.font_size > 0.5 {
        s.font_size.min(1000.0)
    } else if height > 0.5 {
        height.min(1000.0)
    } else {
        10.0
    };
    Some(Span { text: s.text, x0: b.x.min(b.x + b.width), x1: b.x.max(b.x + b.width), y: b.y + b.height / 2.0, size })
}

/// Text standing apart from its neighbours on a line: a cell's text in a table row.
#[derive(Debug, Clone)]
struct Chunk {
    text: String,
    x0: f32,
    x1: f32,
}

#[derive(Debug, Clone)]
struct Line {
    y: f32,
    size: f32,
    chunks: Vec<Chunk>,
}

impl Line {
    fn text(&self) -> String {
        self.chunks.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(" ")
    }
}

/// Groups spans into lines (top to bottom), each into chunks (left to right).
fn lines(mut spans: Vec<Span>) -> Vec<Line> {
    spans.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let mut grouped: Vec<(f32, f32, Vec<Span>)> = Vec::new();
    for s in spans {
        match grouped.last_mut() {
            Some((y, size, members)) if (*y - s.y).abs() <= SAME_LINE * size.max(s.size) => {
                *size = size.max(s.size);
                members.push(s);
            }
            _ => grouped.push((s.y, s.size, vec![s])),
        }
    }
    grouped
        .into_iter()
        .map(|(y, size, mut members)| {
            members.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            let mut chunks: Vec<Chunk> = Vec::new();
            for s in members {
                match chunks.last_mut() {
                    Some(c) if s.x0 - c.x1 < CHUNK_GAP * size => {
                        let gap = s.x0 - c.x1;
                        let spaced = c.text.ends_with(char::is_whitespace) || s.text.starts_with(char::is_whitespace);
                        if gap > WORD_GAP * size && !spaced {
                            c.text.push(' ');
                        }
                        c.text.push_str(&s.text);
                        c.x1 = c.x1.max(s.x1);
                    }
                    _ => chunks.push(Chunk { text: s.text, x0: s.x0, x1: s.x1 }),
                }
            }
            for c in &mut chunks {
                c.text = crate::model::fold_whitespace(&c.text);
            }
            Line { y, size, chunks }
        })
        .collect()
}

/// A page's content in reading order.
enum Piece {
    Lines(Vec<Line>),
    Table(Table),
}

/// The column starts of a run of lines, when the lines with the most chunks agree on them.
fn columns(run: &[Line]) -> Option<Vec<f32>> {
    let most = run.iter().map(|l| l.chunks.len()).max()?;
    if most < 2 {
        return None;
    }
    let mut starts: Vec<f32> =
        run.iter().filter(|l| l.chunks.len() == most).flat_map(|l| l.chunks.iter().map(|c| c.x0)).collect();
    starts.sort_by(f32::total_cmp);
    let mut clusters: Vec<(f32, f32)> = Vec::new(); // (first start, last start)
    for x in starts {
        match clusters.last_mut() {
            Some((_, last)) if x - *last <= COLUMN_TOLERANCE => *last = x,
            _ => clusters.push((x, x)),
        }
    }
    (clusters.len() == most).then(|| clusters.into_iter().map(|(first, _)| first).collect())
}

/// The column each chunk of the line starts in, when every chunk starts at a column of its own.
fn aligned(line: &Line, columns: &[f32]) -> Option<Vec<usize>> {
    let mut placed: Vec<usize> = Vec::with_capacity(line.chunks.len());
    for chunk in &line.chunks {
        let (col, distance) =
            columns.iter().enumerate().map(|(i, x)| (i, (chunk.x0 - x).abs())).min_by(|a, b| a.1.total_cmp(&b.1))?;
        if distance > COLUMN_TOLERANCE || placed.last().is_some_and(|&last| last >= col) {
            return None;
        }
        placed.push(col);
    }
    Some(placed)
}

/// The column a chunk that does not align falls in: the last one starting at or before it.
fn column_of(x: f32, columns: &[f32]) -> usize {
    columns.iter().rposition(|&c| c <= x + COLUMN_TOLERANCE).unwrap_or(0)
}

/// Cells under construction: each column's paragraphs and span.
struct RowDraft {
    cells: Vec<Option<(Vec<String>, usize)>>,
}

impl RowDraft {
    fn finish(self) -> Row {
        let mut cells = Vec::new();
        let mut col = 0;
        while col < self.cells.len() {
            match &self.cells[col] {
                Some((paragraphs, span)) => {
                    let span = (*span).max(1);
                    cells.push(Cell::new(paragraphs.clone(), 1, u32::try_from(span).unwrap_or(1)));
                    col += span;
                }
                None => {
                    cells.push(Cell::new(Vec::new(), 1, 1));
                    col += 1;
                }
            }
        }
        Row { cells }
    }
}

/// Makes a table of a run of lines, if its lines stand in aligned columns; `None` otherwise.
fn table(run: &[Line]) -> Option<Table> {
    let columns = columns(run)?;
    let mut rows: Vec<RowDraft> = Vec::new();
    let mut aligned_rows = 0;
    let mut previous_y: Option<f32> = None;
    for line in run {
        let gap = previous_y.map_or(f32::INFINITY, |y| y - line.y);
        previous_y = Some(line.y);
        let placement = aligned(line, &columns);
        let new_row = match &placement {
            Some(p) if p.len() >= 2 => true,
            Some(_) => gap > WRAPPED_LINE * line.size || rows.is_empty(),
            None => rows.is_empty(),
        };
        if new_row {
            let placement =
                placement.unwrap_or_else(|| line.chunks.iter().map(|c| column_of(c.x0, &columns)).collect());
            let mut draft = RowDraft { cells: vec![None; columns.len()] };
            for (i, (chunk, &col)) in line.chunks.iter().zip(&placement).enumerate() {
                // A chunk reaching over the next column starts spans them, up to the next chunk's column.
                let limit = placement.get(i + 1).copied().unwrap_or(columns.len());
                let mut span = 1;
                while col + span < limit && columns[col + span] + COLUMN_TOLERANCE < chunk.x1 {
                    span += 1;
                }
                if let Some(slot) = draft.cells.get_mut(col) {
                    *slot = Some((vec![chunk.text.clone()], span));
                }
            }
            if line.chunks.len() >= 2 {
                aligned_rows += 1;
            }
            rows.push(draft);
        } else if let Some(row) = rows.last_mut() {
            // A continuation: wrapped text, or a nested table's row, goes to the cell it stands in.
            let mut by_column: Vec<(usize, String)> = Vec::new();
            for chunk in &line.chunks {
                let col = column_of(chunk.x0, &columns);
                match by_column.last_mut() {
                    Some((c, text)) if *c == col => {
                        text.push(' ');
                        text.push_str(&chunk.text);
                    }
                    _ => by_column.push((col, chunk.text.clone())),
                }
            }
            for (col, text) in by_column {
                // The text belongs to the cell whose span covers that column.
                let owner = (0..=col).rev().find(|&c| row.cells[c].as_ref().is_some_and(|(_, s)| c + s > col));
                match owner.and_then(|c| row.cells[c].as_mut()) {
                    Some((paragraphs, _)) => paragraphs.push(text),
                    None => row.cells[col] = Some((vec![text], 1)),
                }
            }
        }
    }
    (aligned_rows >= 2).then(|| Table::new(rows.into_iter().map(RowDraft::finish).collect()))
}

/// Splits a page's lines into tables and the lines between them.
fn pieces(lines: Vec<Line>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut loose: Vec<Line> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].chunks.len() >= 2 {
            // The run: lines up to the last multi-chunk line before a big gap or a run of text.
            let mut end = i + 1; // exclusive, after the last multi-chunk line
            let mut j = i + 1;
            while j < lines.len() && lines[j - 1].y - lines[j].y <= TABLE_BREAK * lines[j].size.max(lines[j - 1].size) {
                if lines[j].chunks.len() >= 2 {
                    end = j + 1;
                }
                j += 1;
            }
            if end - i >= 2
                && let Some(t) = table(&lines[i..end])
            {
                if !loose.is_empty() {
                    out.push(Piece::Lines(std::mem::take(&mut loose)));
                }
                out.push(Piece::Table(t));
                i = end;
                continue;
            }
        }
        loose.push(lines[i].clone());
        i += 1;
    }
    if !loose.is_empty() {
        out.push(Piece::Lines(loose));
    }
    out
}

/// The font size most text is in, weighted by length.
fn body_size(pages: &[Vec<Span>]) -> f32 {
    let mut sizes: Vec<(f32, usize)> = pages.iter().flatten().map(|s| (s.size, s.text.chars().count())).collect();
    sizes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: usize = sizes.iter().map(|s| s.1).sum();
    let mut seen = 0;
    for (size, weight) in &sizes {
        seen += weight;
        if seen * 2 >= total {
            return *size;
        }
    }
    10.0
}

/// Paragraphs of consecutive lines; a wider gap or a change of font size starts a new one.
fn paragraphs(lines: &[Line], body: f32, builder: &mut DocumentBuilder) {
    let mut current: Vec<&Line> = Vec::new();
    let flush = |current: &mut Vec<&Line>, builder: &mut DocumentBuilder| {
        let Some(first) = current.first() else { return };
        let text = current.iter().map(|l| l.text()).collect::<Vec<_>>().join(" ");
        let ratio = first.size / body;
        if ratio >= HEADING_SIZE {
            builder.heading(if ratio >= 1.6 { 1 } else { 2 }, &text);
        } else {
            builder.paragraph(&text, None);
        }
        current.clear();
    };
    for line in lines {
        if let Some(last) = current.last() {
            let size = last.size.max(line.size);
            let same_size = (last.size - line.size).abs() <= 0.1 * size;
            if last.y - line.y > PARAGRAPH_GAP * size || !same_size {
                flush(&mut current, builder);
            }
        }
        current.push(line);
    }
    flush(&mut current, builder);
}

fn build(extracted: Extracted, limits: &ReadLimits) -> Result<Document, ReadError> {
    let mut builder = DocumentBuilder::new(SourceFormat::Pdf);
    for note in &extracted.notes {
        builder.note(note.clone());
    }
    let body = body_size(&extracted.pages);
    let has_text = extracted.pages.iter().any(|p| !p.is_empty());
    let mut tables = 0usize;
    let mut cells = 0usize;
    for (index, spans) in extracted.pages.into_iter().enumerate() {
        if index > 0 {
            builder.page_break();
        }
        builder.set_page(u32::try_from(index + 1).unwrap_or(u32::MAX));
        for piece in pieces(lines(spans)) {
            match piece {
                Piece::Lines(lines) => paragraphs(&lines, body, &mut builder),
                Piece::Table(table) => {
                    tables += 1;
                    cells += table.rows.iter().map(|r| r.cells.len()).sum::<usize>();
                    builder.table(table);
                }
            }
            if builder.block_count().saturating_add(cells) > limits.max_items {
                return Err(ReadError::Hostile(format!(
                    "the document has more than {} paragraphs, tables and cells",
                    limits.max_items
                )));
            }
        }
    }
    if !has_text {
        builder.note("no text layer (a scanned document?)");
    } else if tables > 0 {
        builder.note("tables recovered from the page layout");
    } else {
        builder.note("no table recognised; text read as paragraphs");
    }
    Ok(builder.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BlockContent;
    use crate::odt::tests::{PLAN_GRID, PLAN_NESTED_GRID};

    /// Made by `tests/fixtures/make_plan_pdf.py` (reportlab, DejaVu Sans): the heading «План за
    /// действие» and the plan table of `PLAN_GRID`, with its merged cells and the nested table.
    const PLAN: &[u8] = include_bytes!("../tests/fixtures/plan.pdf");

    fn read_default(bytes: &[u8]) -> Result<Document, ReadError> {
        read(bytes, &ReadLimits::default())
    }

    /// What a merge looks like after the fact: an empty slot of the first column takes the text
    /// above it (the goal spanning rows), and an empty slot of the `header_rows` takes the text
    /// above it in a header row below the first, else the text to its left (`Изпълнение` over two
    /// columns, `Дейност` over two header rows).
    fn fill_merged(grid: &[Vec<&str>], header_rows: usize) -> Vec<Vec<String>> {
        let mut filled: Vec<Vec<String>> =
            grid.iter().map(|row| row.iter().map(|s| (*s).to_owned()).collect()).collect();
        for r in 0..filled.len() {
            for c in 0..filled[r].len() {
                if !filled[r][c].is_empty() {
                    continue;
                }
                if r > 0 && (c == 0 || r < header_rows) {
                    filled[r][c] = filled[r - 1][c].clone();
                } else if r < header_rows && c > 0 {
                    filled[r][c] = filled[r][c - 1].clone();
                }
            }
        }
        filled
    }

    /// A PDF of the given page contents, in Helvetica, with a correct cross-reference table.
    fn simple_pdf(pages: &[&str]) -> Vec<u8> {
        let n = pages.len();
        let mut objects: Vec<String> = Vec::new();
        let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
        objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
        objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")));
        objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
        for (i, content) in pages.iter().enumerate() {
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            ));
            objects.push(format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len() + 1));
        }
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
        );
        out
    }

    /// Text lines at (x, y) in 10-point Helvetica.
    fn text_at(lines: &[(f32, f32, &str)]) -> String {
        lines.iter().map(|(x, y, t)| format!("BT /F1 10 Tf {x} {y} Td ({t}) Tj ET\n")).collect()
    }

    #[test]
    fn the_plan_table_reads_with_its_cells_as_written() {
        let doc = read_default(PLAN).unwrap();
        assert_eq!(doc.format, SourceFormat::Pdf);
        assert_eq!(doc.paragraphs().collect::<Vec<_>>(), ["План за действие"], "{}", doc.outline());
        assert!(matches!(&doc.blocks[0].content, BlockContent::Heading { level: 1, .. }), "{}", doc.outline());
        assert!(doc.blocks.iter().all(|b| b.page == Some(1)));
        assert_eq!(doc.notes, ["tables recovered from the page layout"]);
        let tables: Vec<_> = doc.tables().collect();
        assert_eq!(tables.len(), 1, "{}", doc.outline());
        let table = tables[0];
        assert_eq!(table.table, Some(0));

        // What the page shows: merged cells have text in their first slot only.
        let grid = table.grid_text();
        assert_eq!(grid[0], ["Цел", "Дейност", "Изпълнение", ""]);
        assert_eq!(grid[1], ["", "", "Срок", "Отговорник"]);
        assert_eq!(grid[3][0], "");
        assert_eq!(grid[4][0], "");
        // The nested table is read as further paragraphs of its cell, one per row.
        let nested_cell = &table.rows[3].cells[1];
        assert_eq!(nested_cell.paragraphs[0], "1.2. Консултиране на родители");
        let nested_rows: Vec<String> = PLAN_NESTED_GRID.iter().map(|row| row.join(" ")).collect();
        assert_eq!(nested_cell.paragraphs[1..], nested_rows);
        assert!(nested_cell.tables.is_empty());

        // Compared with PLAN_GRID: the grid with the merges filled in (`fill_merged`, two header
        // rows), and in row 3, column 1 only the cell's first paragraph (the nested table's rows,
        // checked above, left out).
        let mut filled = fill_merged(&grid, 2);
        filled[3][1] = nested_cell.paragraphs[0].clone();
        assert_eq!(filled, PLAN_GRID.map(|row| row.map(str::to_owned).to_vec()).to_vec());
        // Cell texts exactly as written, typographic quotes included; no spans invented.
        assert_eq!(table.rows[4].cells[3].text, "ОЗД, Д „СП“");
        assert_eq!(table.rows[2].cells[1].text, "1.1. Разкриване на Център за обществена подкрепа");
        assert!(table.rows.iter().flat_map(|r| &r.cells).all(|c| c.row_span == 1 && c.col_span == 1));
    }

    #[test]
    fn text_reaching_over_a_column_start_spans_the_columns() {
        let content = text_at(&[
            (50.0, 700.0, "Name"),
            (200.0, 700.0, "Amount"),
            (350.0, 700.0, "Note"),
            (50.0, 680.0, "a"),
            (200.0, 680.0, "1"),
            (350.0, 680.0, "x"),
            (50.0, 660.0, "A very long description reaching far to the right"),
            (350.0, 660.0, "y"),
        ]);
        let doc = read_default(&simple_pdf(&[&content])).unwrap();
        let table = doc.tables().next().unwrap_or_else(|| panic!("{}", doc.outline()));
        assert_eq!(table.rows[2].cells.len(), 2);
        assert_eq!(table.rows[2].cells[0].col_span, 2);
        assert_eq!(
            table.grid_text(),
            [
                ["Name", "Amount", "Note"],
                ["a", "1", "x"],
                [
                    "A very long description reaching far to the right",
                    "A very long description reaching far to the right",
                    "y"
                ]
            ]
        );
    }

    #[test]
    fn plain_text_reads_as_paragraphs_split_at_wider_gaps() {
        let content = text_at(&[
            (50.0, 700.0, "First paragraph, first line"),
            (50.0, 688.0, "and its second line."),
            (50.0, 660.0, "Second paragraph."),
            (50.0, 640.0, "Left"),
            (300.0, 640.0, "a lone gap is no table"),
        ]);
        let doc = read_default(&simple_pdf(&[&content])).unwrap();
        assert_eq!(
            doc.paragraphs().collect::<Vec<_>>(),
            ["First paragraph, first line and its second line.", "Second paragraph.", "Left a lone gap is no table"]
        );
        assert_eq!(doc.tables().count(), 0);
        assert_eq!(doc.notes, ["no table recognised; text read as paragraphs"]);
    }

    #[test]
    fn pages_are_numbered_and_broken_and_the_page_limit_is_noted() {
        let pages: Vec<String> = (1..=3).map(|n| text_at(&[(50.0, 700.0, &format!("Page {n}"))])).collect();
        let pdf = simple_pdf(&pages.iter().map(String::as_str).collect::<Vec<_>>());
        let doc = read_default(&pdf).unwrap();
        assert_eq!(doc.paragraphs().collect::<Vec<_>>(), ["Page 1", "Page 2", "Page 3"]);
        assert_eq!(doc.blocks.iter().map(|b| b.page).collect::<Vec<_>>(), [1, 1, 2, 2, 3].map(Some));
        assert!(matches!(doc.blocks[1].content, BlockContent::PageBreak));

        let limits = ReadLimits { max_pages: 2, ..ReadLimits::default() };
        let doc = read(&pdf, &limits).unwrap();
        assert_eq!(doc.paragraphs().collect::<Vec<_>>(), ["Page 1", "Page 2"]);
        assert!(doc.notes.iter().any(|n| n.contains("first 2 of 3 pages")), "{:?}", doc.notes);
    }

    #[test]
    fn a_pdf_without_text_is_read_with_a_note() {
        let doc = read_default(&simple_pdf(&["0 0 m 100 100 l S"])).unwrap();
        assert!(doc.blocks.is_empty());
        assert_eq!(doc.notes, ["no text layer (a scanned document?)"]);
    }

    #[test]
    fn too_large_and_empty_input_are_refused() {
        let limits = ReadLimits { max_input_bytes: 100, ..ReadLimits::default() };
        assert_eq!(read(PLAN, &limits), Err(ReadError::TooLarge { size: PLAN.len() as u64, max: 100 }));
        assert_eq!(read_default(b""), Err(ReadError::Empty));
    }

    #[test]
    fn the_item_limit_is_enforced() {
        let limits = ReadLimits { max_items: 10, ..ReadLimits::default() };
        assert!(matches!(read(PLAN, &limits), Err(ReadError::Hostile(_))));
    }

    /// Reads hostile input, asserting it neither panics out of `read` nor takes long.
    fn survives(bytes: &[u8]) -> Result<Document, ReadError> {
        let start = std::time::Instant::now();
        let result = std::panic::catch_unwind(|| read_default(bytes));
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "slow on hostile input");
        result.unwrap_or_else(|_| panic!("a panic escaped `pdf::read`"))
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        // Truncated: the cross-reference table and trailer are gone.
        let truncated = survives(&PLAN[..PLAN.len() / 2]);
        assert!(truncated.is_err() || truncated.as_ref().is_ok_and(|d| d.tables().count() <= 1));

        // The xref table replaced by junk of the same length.
        let at = PLAN.windows(5).rposition(|w| w == b"xref\n").expect("the fixture has an xref table");
        let end = PLAN[at..].windows(7).position(|w| w == b"trailer").map_or(PLAN.len(), |e| at + e);
        let mut broken = PLAN.to_vec();
        for (i, b) in broken[at..end].iter_mut().enumerate() {
            *b = b"#junk!"[i % 6];
        }
        let _ = survives(&broken);

        // Random bytes after a PDF header, and a bare header.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut random = b"%PDF-1.4\n".to_vec();
        random.extend((0..4096).map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        }));
        assert!(matches!(survives(&random), Err(ReadError::Damaged { format: "PDF", .. })));
        assert!(matches!(survives(b"%PDF-"), Err(ReadError::Damaged { format: "PDF", .. })));
    }

    #[test]
    fn a_broken_cross_reference_table_is_recovered_when_text_is_found_and_damaged_otherwise() {
        let good = simple_pdf(&[&text_at(&[(50.0, 700.0, "Recovered text")])]);
        assert_eq!(broken_xref(&good), None);
        let at = good.windows(9).rposition(|w| w == b"startxref").unwrap();
        let mut broken = good[..at].to_vec();
        broken.extend_from_slice(b"startxref\n9999999\n%%EOF\n");
        assert!(broken_xref(&broken).unwrap().contains("outside the file"));
        let doc = read_default(&broken).unwrap();
        assert_eq!(doc.paragraphs().collect::<Vec<_>>(), ["Recovered text"]);
        assert!(doc.notes.iter().any(|n| n.contains("recovered by scanning")), "{:?}", doc.notes);

        let empty = simple_pdf(&[""]);
        let at = empty.windows(9).rposition(|w| w == b"startxref").unwrap();
        let mut broken = empty[..at].to_vec();
        broken.extend_from_slice(b"startxref\n12\n%%EOF\n");
        let err = read_default(&broken).unwrap_err();
        assert!(err.to_string().contains("no text could be recovered"), "{err}");
    }

    #[test]
    fn a_parser_panic_is_a_damaged_file() {
        let result: Result<(), ReadError> = guarded(|| panic!("index out of bounds in a broken stream"));
        assert_eq!(result, Err(ReadError::damaged("PDF", "the PDF parser failed on this file")));
    }

    #[test]
    fn mutated_copies_of_the_fixture_never_panic() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        for _ in 0..300 {
            let mut bytes = PLAN.to_vec();
            let edits = 1 + next() % 16;
            for _ in 0..edits {
                let at = usize::try_from(next()).unwrap_or(0) % bytes.len();
                match next() % 4 {
                    0 => bytes[at] = next() as u8,
                    1 => bytes[at] ^= 1 << (next() % 8),
                    2 => bytes.truncate(at.max(1)),
                    _ => bytes.insert(at, next() as u8),
                }
            }
            let _ = survives(&bytes);
        }
    }
}
