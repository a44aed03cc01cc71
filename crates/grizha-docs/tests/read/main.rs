//! Reading through the front door: format detection and the readers, on the corpus and on the
//! regression files (inputs that once broke a reader, or that fuzzing and review found interesting).

use std::path::{Path, PathBuf};

use grizha_docs::{ReadLimits, SourceFormat, read, read_file};

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/corpus is absent");
        None
    }
}

#[test]
fn every_corpus_file_is_detected_as_text_and_read() {
    let Some(dir) = corpus_dir() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 4, "the corpus holds at least the four known documents");
    for file in files {
        let document = read_file(&file, &ReadLimits::default()).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(document.format, SourceFormat::Text, "{}", file.display());
        assert!(document.blocks.len() > 10, "{}: {}", file.display(), document.outline());
        let json = serde_json::to_value(&document).unwrap();
        assert!(json["blocks"].as_array().unwrap().iter().all(|b| b["kind"].is_string()));
    }
}

#[test]
fn the_plans_in_the_corpus_have_their_tables() {
    let Some(dir) = corpus_dir() else { return };
    let tables = |name: &str| {
        let path = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(name))
            .unwrap();
        read_file(&path, &ReadLimits::default()).unwrap().tables().count()
    };
    assert_eq!(tables("000_"), 12, "the Sofia decision with three plans");
    assert_eq!(tables("001_"), 1, "the Stara Zagora plan with its timetable");
    assert_eq!(tables("002_"), 6, "the Haskovo strategy");
    assert_eq!(tables("004_"), 0, "the protocol has no tables");
}

#[test]
fn regression_files_are_read_or_refused_never_a_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/read/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        // Either answer is fine; a panic (caught by `read` as a Tool error) is a bug.
        if let Err(grizha_docs::ReadError::Tool(message)) = read(&bytes, &ReadLimits::default()) {
            panic!("{}: {message}", path.display());
        }
        count += 1;
    }
    assert!(count >= 3);
}

#[test]
fn hostile_files_are_refused_with_the_reason() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/read/hostile");
    let refused = |name: &str| {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        read(&bytes, &ReadLimits::default()).expect_err(name)
    };
    use grizha_docs::ReadError::{Damaged, Hostile, Unsupported};
    assert!(matches!(refused("zip-bomb.docx"), Hostile(m) if m.contains("zip bomb")));
    assert!(matches!(refused("billion-laughs.docx"), Hostile(m) if m.contains("DOCTYPE")));
    assert!(matches!(refused("billion-laughs.odt"), Hostile(m) if m.contains("DTD")));
    assert!(matches!(refused("truncated.docx"), Damaged { .. }));
    assert!(matches!(refused("no-central-directory.docx"), Damaged { .. }));
    assert!(
        matches!(refused("broken-xref.pdf"), Damaged { format: "PDF", problem } if problem.contains("cross-reference"))
    );
    assert!(matches!(refused("junk.bin"), Unsupported(_)));
    // HTML has no entity declarations: the internal subset is ignored, nothing is expanded.
    let html = read(&std::fs::read(dir.join("billion-laughs.html")).unwrap(), &ReadLimits::default()).unwrap();
    assert!(html.paragraphs().any(|p| p == "&lol9;"), "{}", html.outline());
}

#[test]
fn a_file_over_the_limit_is_refused_before_it_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("голям.txt");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(101 * 1024 * 1024).unwrap(); // sparse: 101 MB on paper, nothing on disk
    let err = read_file(&big, &ReadLimits::default()).unwrap_err();
    assert!(matches!(err, grizha_docs::ReadError::TooLarge { .. }), "{err}");
}
