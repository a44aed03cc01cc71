//! The document model every reader produces: ordered blocks — headings, paragraphs, tables, page
//! breaks — each with a stable index that everything after reading uses as provenance.
//!
//! Indexes are zero-based and assigned in reading order by [`DocumentBuilder`]:
//! `index` counts all blocks, `paragraph` counts headings and paragraphs, `table` counts top-level
//! tables. The extractor's provenance `{"table": 3, "row": 5}` means row 5 of table 3.

use serde::Serialize;

/// Which reader made the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    Docx,
    Odt,
    Html,
    Pdf,
    Text,
    /// A legacy Word file, converted to DOCX by LibreOffice first.
    Doc,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Docx => "docx",
            SourceFormat::Odt => "odt",
            SourceFormat::Html => "html",
            SourceFormat::Pdf => "pdf",
            SourceFormat::Text => "text",
            SourceFormat::Doc => "doc",
        }
    }
    /// The media type recorded for an imported file.
    pub fn media_type(self) -> &'static str {
        match self {
            SourceFormat::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            SourceFormat::Odt => "application/vnd.oasis.opendocument.text",
            SourceFormat::Html => "text/html",
            SourceFormat::Pdf => "application/pdf",
            SourceFormat::Text => "text/plain",
            SourceFormat::Doc => "application/msword",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub format: SourceFormat,
    pub blocks: Vec<Block>,
    /// What the reader noticed but could not represent, or decided (e.g. "tables recovered from the
    /// page layout"); never an error.
    pub notes: Vec<String>,
}

impl Document {
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.blocks.iter().filter_map(|b| match &b.content {
            BlockContent::Table(t) => Some(t),
            _ => None,
        })
    }
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.blocks.iter().filter_map(|b| match &b.content {
            BlockContent::Heading { text, .. } | BlockContent::Paragraph { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }
}

impl Document {
    /// A readable outline: headings, paragraphs' first words, each table's size and the first words
    /// of each of its rows.
    pub fn outline(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "format: {}, {} blocks, {} tables",
            self.format.as_str(),
            self.blocks.len(),
            self.tables().count()
        );
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        for block in &self.blocks {
            let page = block.page.map(|p| format!(" p.{p}")).unwrap_or_default();
            match &block.content {
                BlockContent::Heading { level, text, .. } => {
                    let _ = writeln!(
                        out,
                        "[{}{page}] {} {}",
                        block.index,
                        "#".repeat(usize::from(*level)),
                        first_words(text, 12)
                    );
                }
                BlockContent::Paragraph { text, .. } => {
                    let _ = writeln!(out, "[{}{page}]   {}", block.index, first_words(text, 12));
                }
                BlockContent::Table(table) => {
                    let _ = writeln!(
                        out,
                        "[{}{page}] table {}: {} rows × {} columns",
                        block.index,
                        table.table.unwrap_or(0),
                        table.rows.len(),
                        table.width()
                    );
                    for (r, row) in table.rows.iter().enumerate() {
                        let cells: Vec<String> = row.cells.iter().map(|c| first_words(&c.text, 4)).collect();
                        let _ = writeln!(out, "      {r:>3} | {}", cells.join(" | "));
                    }
                }
                BlockContent::PageBreak => {
                    let _ = writeln!(out, "[{}] ---- page break ----", block.index);
                }
            }
        }
        out
    }
}

/// The first `n` words of a text, with `…` when there are more.
fn first_words(text: &str, n: usize) -> String {
    let mut words = text.split_whitespace();
    let head: Vec<&str> = words.by_ref().take(n).collect();
    let more = words.next().is_some();
    format!("{}{}", head.join(" "), if more { " …" } else { "" })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// Position among all blocks.
    pub index: usize,
    /// The page it starts on, where the format knows pages (PDF), 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(flatten)]
    pub content: BlockContent,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlockContent {
    Heading {
        /// 1 for a title or top heading, 2 below it, …
        level: u8,
        text: String,
        /// Position among headings and paragraphs.
        paragraph: usize,
    },
    Paragraph {
        text: String,
        /// The list number resolved into text (`1.1.2.`, `а)`, `•`), when the paragraph is a list item;
        /// it is also the start of `text`.
        #[serde(skip_serializing_if = "Option::is_none")]
        list_label: Option<String>,
        paragraph: usize,
    },
    Table(Table),
    PageBreak,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Position among top-level tables (nested tables have none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<usize>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Row {
    pub cells: Vec<Cell>,
}

/// A cell as written: a slot covered by another cell's span is not a cell of its own (see
/// [`Table::grid`] for the view where a merged value is visible in every slot it covers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// The paragraphs joined with `\n`.
    pub text: String,
    pub paragraphs: Vec<String>,
    pub row_span: u32,
    pub col_span: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
}

impl Cell {
    pub fn new(paragraphs: Vec<String>, row_span: u32, col_span: u32) -> Cell {
        let paragraphs: Vec<String> = paragraphs.into_iter().map(|p| fold_whitespace(&p)).collect();
        // Leading and trailing empty paragraphs carry nothing a reader of the cell sees.
        let start = paragraphs.iter().position(|p| !p.is_empty()).unwrap_or(paragraphs.len());
        let end = paragraphs.iter().rposition(|p| !p.is_empty()).map_or(start, |e| e + 1);
        let paragraphs = paragraphs[start..end].to_vec();
        Cell {
            text: paragraphs.join("\n"),
            paragraphs,
            row_span: row_span.max(1),
            col_span: col_span.max(1),
            tables: Vec::new(),
        }
    }
    pub fn text(text: &str) -> Cell {
        Cell::new(text.split('\n').map(str::to_owned).collect(), 1, 1)
    }
    pub fn with_tables(mut self, tables: Vec<Table>) -> Cell {
        self.tables = tables;
        self
    }
}

/// One slot of the grid view: the cell whose value shows there, by its row and position in that row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridSlot {
    pub row: usize,
    pub cell: usize,
    /// Whether this slot is the cell's own top-left slot (not one its span covers).
    pub origin: bool,
}

impl Table {
    pub fn new(rows: Vec<Row>) -> Table {
        Table { table: None, rows }
    }

    /// The table as a rectangular grid: each slot names the cell that covers it, placed by the HTML
    /// table algorithm (a cell takes the first free column of its row; its spans reserve the slots
    /// below and to the right). Rows shorter than the widest are padded with `None`.
    pub fn grid(&self) -> Vec<Vec<Option<GridSlot>>> {
        let mut grid: Vec<Vec<Option<GridSlot>>> = vec![Vec::new(); self.rows.len()];
        for (r, row) in self.rows.iter().enumerate() {
            let mut col = 0;
            for (c, cell) in row.cells.iter().enumerate() {
                while grid[r].get(col).is_some_and(Option::is_some) {
                    col += 1;
                }
                let last_row = (r + cell.row_span as usize).min(self.rows.len());
                for (rr, grid_row) in grid.iter_mut().enumerate().take(last_row).skip(r) {
                    for cc in col..col + cell.col_span as usize {
                        if grid_row.len() <= cc {
                            grid_row.resize(cc + 1, None);
                        }
                        grid_row[cc] = Some(GridSlot { row: r, cell: c, origin: rr == r && cc == col });
                    }
                }
                col += cell.col_span as usize;
            }
        }
        let width = grid.iter().map(Vec::len).max().unwrap_or(0);
        for row in &mut grid {
            row.resize(width, None);
        }
        grid
    }

    /// The grid's texts: a merged cell's text in every slot it covers, `""` where nothing is.
    pub fn grid_text(&self) -> Vec<Vec<&str>> {
        self.grid()
            .into_iter()
            .map(|row| {
                row.into_iter().map(|slot| slot.map_or("", |s| self.rows[s.row].cells[s.cell].text.as_str())).collect()
            })
            .collect()
    }

    pub fn width(&self) -> usize {
        self.grid().first().map_or(0, Vec::len)
    }
}

/// Collapses runs of whitespace (including no-break spaces) into one space and trims the ends.
pub fn fold_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c == '\u{a0}').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Builds a [`Document`], numbering blocks, paragraphs and tables as they are pushed.
#[derive(Debug)]
pub struct DocumentBuilder {
    document: Document,
    paragraphs: usize,
    tables: usize,
    page: Option<u32>,
}

impl DocumentBuilder {
    pub fn new(format: SourceFormat) -> DocumentBuilder {
        DocumentBuilder {
            document: Document { format, blocks: Vec::new(), notes: Vec::new() },
            paragraphs: 0,
            tables: 0,
            page: None,
        }
    }

    /// Sets the page the following blocks start on (PDF).
    pub fn set_page(&mut self, page: u32) {
        self.page = Some(page);
    }

    fn push(&mut self, content: BlockContent) {
        let index = self.document.blocks.len();
        self.document.blocks.push(Block { index, page: self.page, content });
    }

    /// A heading; empty text is dropped.
    pub fn heading(&mut self, level: u8, text: &str) {
        let text = fold_whitespace(text);
        if text.is_empty() {
            return;
        }
        let paragraph = self.paragraphs;
        self.paragraphs += 1;
        self.push(BlockContent::Heading { level: level.max(1), text, paragraph });
    }

    /// A paragraph, with its list label (which is put at the start of the text); empty ones are dropped.
    pub fn paragraph(&mut self, text: &str, list_label: Option<&str>) {
        let body = fold_whitespace(text);
        let label = list_label.map(fold_whitespace).filter(|l| !l.is_empty());
        let text = match &label {
            Some(l) if body.is_empty() => l.clone(),
            Some(l) => format!("{l} {body}"),
            None => body,
        };
        if text.is_empty() {
            return;
        }
        let paragraph = self.paragraphs;
        self.paragraphs += 1;
        self.push(BlockContent::Paragraph { text, list_label: label, paragraph });
    }

    /// A top-level table; a table without rows is dropped.
    pub fn table(&mut self, mut table: Table) {
        if table.rows.is_empty() {
            return;
        }
        table.table = Some(self.tables);
        self.tables += 1;
        self.push(BlockContent::Table(table));
    }

    pub fn page_break(&mut self) {
        if !matches!(self.document.blocks.last().map(|b| &b.content), Some(BlockContent::PageBreak) | None) {
            self.push(BlockContent::PageBreak);
        }
    }

    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        if !self.document.notes.contains(&note) {
            self.document.notes.push(note);
        }
    }

    pub fn block_count(&self) -> usize {
        self.document.blocks.len()
    }

    pub fn finish(self) -> Document {
        self.document
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merged_cell_shows_in_every_slot_it_covers() {
        // | Цел (2 rows) | Дейност 1 | Срок 1 |
        // |              | Дейност 2 | Срок 2 |
        // | Обща бележка (3 columns)          |
        let table = Table::new(vec![
            Row {
                cells: vec![Cell::new(vec!["Цел".into()], 2, 1), Cell::text("Дейност 1"), Cell::text("Срок 1")]
            },
            Row { cells: vec![Cell::text("Дейност 2"), Cell::text("Срок 2")] },
            Row { cells: vec![Cell::new(vec!["Обща бележка".into()], 1, 3)] },
        ]);
        assert_eq!(
            table.grid_text(),
            [
                ["Цел", "Дейност 1", "Срок 1"],
                ["Цел", "Дейност 2", "Срок 2"],
                ["Обща бележка", "Обща бележка", "Обща бележка"]
            ]
        );
        let grid = table.grid();
        assert!(grid[0][0].unwrap().origin && !grid[1][0].unwrap().origin);
        assert_eq!(table.width(), 3);
    }

    #[test]
    fn ragged_rows_are_padded_and_spans_past_the_end_are_cut() {
        let table = Table::new(vec![
            Row { cells: vec![Cell::new(vec!["a".into()], 5, 1), Cell::text("b")] },
            Row { cells: vec![Cell::text("c"), Cell::text("d"), Cell::text("e")] },
        ]);
        assert_eq!(table.grid_text(), [["a", "b", "", ""], ["a", "c", "d", "e"]]);
    }

    #[test]
    fn the_builder_numbers_blocks_paragraphs_and_tables() {
        let mut b = DocumentBuilder::new(SourceFormat::Text);
        b.heading(1, "  ГОДИШЕН   ПЛАН ");
        b.paragraph("", None);
        b.paragraph("Първа мярка", Some("1.1."));
        b.table(Table::new(vec![Row { cells: vec![Cell::text("x")] }]));
        b.page_break();
        b.page_break();
        b.table(Table::new(vec![Row { cells: vec![Cell::text("y")] }]));
        let doc = b.finish();
        assert_eq!(doc.blocks.len(), 5);
        assert_eq!(doc.paragraphs().collect::<Vec<_>>(), ["ГОДИШЕН ПЛАН", "1.1. Първа мярка"]);
        assert_eq!(doc.tables().map(|t| t.table).collect::<Vec<_>>(), [Some(0), Some(1)]);
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(json["blocks"][0]["kind"], "heading");
        assert_eq!(json["blocks"][1]["list_label"], "1.1.");
        assert_eq!(json["blocks"][2]["kind"], "table");
        assert_eq!(json["blocks"][2]["rows"][0]["cells"][0]["text"], "x");
        assert_eq!(json["blocks"][2]["rows"][0]["cells"][0]["row_span"], 1);
        assert_eq!(json["blocks"][3]["kind"], "page_break");
        let outline = doc.outline();
        assert!(outline.contains("[0] # ГОДИШЕН ПЛАН"), "{outline}");
        assert!(outline.contains("table 0: 1 rows × 1 columns"), "{outline}");
    }

    #[test]
    fn cells_fold_whitespace_and_drop_empty_edges() {
        let cell = Cell::new(vec!["".into(), " Д „СД“\u{a0} ОЗД ".into(), "".into(), "НПО".into(), " ".into()], 0, 0);
        assert_eq!(cell.text, "Д „СД“ ОЗД\n\nНПО");
        assert_eq!((cell.row_span, cell.col_span), (1, 1));
    }
}
