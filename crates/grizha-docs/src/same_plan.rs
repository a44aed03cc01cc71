//! One plan table written as DOCX, ODT and HTML reads into the same grid. The expected grid and the
//! plan are described in `odt::tests::PLAN_GRID`. The PDF of the same plan is compared with that grid
//! in `pdf::tests::the_plan_table_reads_with_its_cells_as_written`: a PDF shows a merged cell only as
//! text in its first slot, so the comparison first fills the merges in.

use std::io::Write;

use crate::odt::tests::{assert_plan_table, plan_odt};
use crate::{Document, ReadLimits};

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

fn p(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

fn tc(props: &str, content: &str) -> String {
    format!("<w:tc><w:tcPr>{props}</w:tcPr>{content}</w:tc>")
}

const RESTART: &str = r#"<w:vMerge w:val="restart"/>"#;
const CONTINUE: &str = "<w:vMerge/>";

fn plan_docx() -> Vec<u8> {
    let nested = format!(
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>",
        tc("", &p("Услуга")),
        tc("", &p("Капацитет")),
        tc("", &p("ЦОП")),
        tc("", &p("20"))
    );
    let rows = [
        [
            tc(RESTART, &p("Цел")),
            tc(RESTART, &p("Дейност")),
            tc(r#"<w:gridSpan w:val="2"/>"#, &p("Изпълнение")),
            String::new(),
        ],
        [tc(CONTINUE, "<w:p/>"), tc(CONTINUE, "<w:p/>"), tc("", &p("Срок")), tc("", &p("Отговорник"))],
        [
            tc(RESTART, &p("Цел 1. Подкрепа за семейства с деца")),
            tc("", &p("1.1. Разкриване на Център за обществена подкрепа")),
            tc("", &p("2025 г.")),
            tc("", &p("Община Примерово")),
        ],
        [
            tc(CONTINUE, "<w:p/>"),
            tc("", &format!("{}{nested}<w:p/>", p("1.2. Консултиране на родители"))),
            tc("", &p("постоянен")),
            tc("", &p("ЦОП")),
        ],
        [
            tc(CONTINUE, "<w:p/>"),
            tc("", &p("1.3. Обучение на приемни родители")),
            tc("", &p("до 30.06.2026 г.")),
            tc("", &p("ОЗД, Д „СП“")),
        ],
        [
            tc("", &p("Цел 2. Деинституционализация")),
            tc("", &p("2.1. Закриване на дом за деца")),
            tc("", &p("2026 г.")),
            tc("", &p("Община Примерово, РДСП")),
        ],
    ];
    let body: String = rows.iter().map(|cells| format!("<w:tr>{}</w:tr>", cells.concat())).collect();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document {W}><w:body>{}<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>{body}</w:tbl></w:body></w:document>",
        p("План за действие")
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("[Content_Types].xml", stored).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#).unwrap();
    zip.start_file("word/document.xml", stored).unwrap();
    zip.write_all(document.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

fn only_table(document: &Document) -> &crate::Table {
    let tables: Vec<_> = document.tables().collect();
    assert_eq!(tables.len(), 1, "{}", document.outline());
    tables[0]
}

#[test]
fn docx_odt_and_html_of_the_same_plan_yield_the_same_grid() {
    let limits = ReadLimits::default();
    let docx = crate::read(&plan_docx(), &limits).unwrap();
    let odt = crate::read(&plan_odt(), &limits).unwrap();
    let html = crate::read(crate::html::tests::PLAN_HTML.as_bytes(), &limits).unwrap();
    assert_eq!(
        (docx.format, odt.format, html.format),
        (crate::SourceFormat::Docx, crate::SourceFormat::Odt, crate::SourceFormat::Html)
    );
    for document in [&docx, &odt, &html] {
        assert_plan_table(only_table(document));
    }
    assert_eq!(only_table(&docx).grid_text(), only_table(&odt).grid_text());
    assert_eq!(only_table(&odt).grid_text(), only_table(&html).grid_text());
}
