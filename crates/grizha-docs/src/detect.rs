//! Telling the format from the content: magic numbers, the entries of a ZIP container, the first
//! bytes of markup, and for text the encoding (UTF-8 or windows-1251, the two seen in practice).

use std::io::Cursor;

use crate::ReadError;

/// What a file is, judged from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    Docx,
    Odt,
    Pdf,
    /// A legacy Word binary (OLE compound file).
    Doc,
    Html,
    Text,
}

const ZIP: &[u8] = b"PK\x03\x04";
const PDF: &[u8] = b"%PDF-";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ODT_MIMETYPE: &str = "application/vnd.oasis.opendocument.text";

pub fn detect(bytes: &[u8]) -> Result<Detected, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(ZIP) || bytes.starts_with(b"PK\x05\x06") {
        return detect_zip(bytes);
    }
    // PDF allows junk before the header; look in the first kilobyte.
    if bytes.starts_with(PDF) || find(&bytes[..bytes.len().min(1024)], PDF).is_some() {
        return Ok(Detected::Pdf);
    }
    if bytes.starts_with(OLE) {
        return Ok(Detected::Doc);
    }
    if bytes.starts_with(b"{\\rtf") {
        return Err(ReadError::Unsupported("an RTF file; save it as DOCX or ODT".into()));
    }
    let text = decode_text(bytes)?;
    if looks_like_html(&text) { Ok(Detected::Html) } else { Ok(Detected::Text) }
}

fn detect_zip(bytes: &[u8]) -> Result<Detected, ReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::damaged("ZIP", e))?;
    if archive.index_for_name("word/document.xml").is_some() {
        return Ok(Detected::Docx);
    }
    if let Some(i) = archive.index_for_name("mimetype") {
        let mut entry = archive.by_index(i).map_err(|e| ReadError::damaged("ZIP", e))?;
        let mut mimetype = String::new();
        use std::io::Read;
        (&mut entry).take(200).read_to_string(&mut mimetype).map_err(|e| ReadError::damaged("ZIP", e))?;
        if mimetype.trim() == ODT_MIMETYPE {
            return Ok(Detected::Odt);
        }
        return Err(ReadError::Unsupported(format!(
            "an OpenDocument file of type {}, not a text document",
            mimetype.trim()
        )));
    }
    if archive.index_for_name("content.xml").is_some() {
        return Ok(Detected::Odt);
    }
    Err(ReadError::Unsupported("a ZIP archive that is neither DOCX nor ODT".into()))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn looks_like_html(text: &str) -> bool {
    let head: String =
        text.trim_start_matches('\u{feff}').trim_start().chars().take(4096).collect::<String>().to_lowercase();
    head.starts_with('<')
        && ["<!doctype html", "<html", "<body", "<head", "<table", "<meta"].iter().any(|tag| head.contains(tag))
}

/// Decodes text: UTF-8 (with or without BOM), UTF-16 with a BOM, else the encoding chardetng guesses
/// among the Cyrillic ones (windows-1251 in practice). Refuses binary data.
pub fn decode_text(bytes: &[u8]) -> Result<String, ReadError> {
    let (encoding, body) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) => (encoding, &bytes[bom..]),
        None if std::str::from_utf8(bytes).is_ok() => (encoding_rs::UTF_8, bytes),
        None => {
            let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            (detector.guess(Some(b"bg"), chardetng::Utf8Detection::Allow), bytes)
        }
    };
    let (text, _, _) = encoding.decode(body);
    let sample: Vec<char> = text.chars().take(8192).collect();
    let control = sample.iter().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')).count();
    if sample.is_empty() || control * 20 > sample.len() || text.contains('\u{0}') {
        return Err(ReadError::Unsupported("binary data, not text".into()));
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_content_not_by_name() {
        assert_eq!(detect(b"%PDF-1.7\n...").unwrap(), Detected::Pdf);
        assert_eq!(detect(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]).unwrap(), Detected::Doc);
        assert_eq!(
            detect("<!DOCTYPE html><html><body><table></table></body></html>".as_bytes()).unwrap(),
            Detected::Html
        );
        assert_eq!(detect("Годишен план\nЦел\tДейност\tСрок\n<p>Постоянен</p>\n".as_bytes()).unwrap(), Detected::Text);
        assert!(matches!(detect(b""), Err(ReadError::Empty)));
        assert!(matches!(detect(&[0u8, 1, 2, 3, 0, 0, 7, 8, 200, 201]), Err(ReadError::Unsupported(_))));
        assert!(matches!(detect(b"PK\x03\x04garbage that is no archive"), Err(ReadError::Damaged { .. })));
    }

    #[test]
    fn windows_1251_text_is_decoded() {
        let (bytes, _, _) =
            encoding_rs::WINDOWS_1251.encode("Годишен план за развитие на социалните услуги в общината");
        assert_eq!(decode_text(&bytes).unwrap(), "Годишен план за развитие на социалните услуги в общината");
        assert_eq!(detect(&bytes).unwrap(), Detected::Text);
    }
}
