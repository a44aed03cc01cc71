//! Text as the extractor compares it: folded for output, keyed for matching.

/// The text as written, for output: HTML tags, `[bookmark: …]` markers and `**` bold markers
/// removed, whitespace runs folded into one space, ends trimmed.
pub fn fold(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['<', '[', '*']) {
        plain.push_str(&rest[..i]);
        rest = &rest[i..];
        let skip = if rest.starts_with("**") {
            2
        } else if rest.starts_with("[bookmark:") {
            rest.find(']').map_or(rest.len(), |end| end + 1)
        } else if rest.starts_with('<') && is_tag(rest) {
            rest.find('>').map_or(rest.len(), |end| end + 1)
        } else {
            let c = rest.chars().next().map_or(1, char::len_utf8);
            plain.push_str(&rest[..c]);
            c
        };
        rest = &rest[skip..];
    }
    plain.push_str(rest);
    grizha_docs::model::fold_whitespace(&plain)
}

/// Whether `s` starts with an HTML tag such as `<p>`, `</p>`, `<br/>`, `<span class="x">`.
fn is_tag(s: &str) -> bool {
    let Some(end) = s.find('>') else { return false };
    let inner = s[1..end].trim_start_matches('/').trim_end_matches('/');
    let name: String = inner.chars().take_while(char::is_ascii_alphanumeric).collect();
    !name.is_empty() && name.len() <= 10 && end < 200 && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// A key for matching wordings: lower case, Latin look-alike letters as Cyrillic, all quotes and
/// dashes folded (`„СД“`, `"СД"`, `°СД°` all become `сд`), whitespace folded.
pub fn key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in fold(text).chars() {
        let c = match c {
            'A' | 'a' => 'а',
            'B' => 'в',
            'C' | 'c' => 'с',
            'E' | 'e' => 'е',
            'H' => 'н',
            'K' | 'k' => 'к',
            'M' => 'м',
            'O' | 'o' => 'о',
            'P' | 'p' => 'р',
            'T' => 'т',
            'X' | 'x' => 'х',
            'y' => 'у',
            '„' | '“' | '”' | '"' | '«' | '»' | '\'' | '’' | '‘' | '°' | '`' => continue,
            '–' | '—' | '‑' | '−' => '-',
            c => c,
        };
        out.extend(c.to_lowercase());
    }
    grizha_docs::model::fold_whitespace(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_markers_go_and_whitespace_folds() {
        assert_eq!(fold("<p>1. А.3. Изграждане\n на  мрежа</p>"), "1. А.3. Изграждане на мрежа");
        assert_eq!(fold("[bookmark: _Toc1]**Цел 1**"), "Цел 1");
        assert_eq!(fold("5 < 6 и 3*2"), "5 < 6 и 3*2");
    }

    #[test]
    fn keys_fold_quotes_case_and_look_alikes() {
        assert_eq!(key("Д „СД“"), key("д \"сд\""));
        assert_eq!(key("Д°СД°"), "дсд");
        assert_eq!(key("OП PЧP"), "оп рчр");
        assert_eq!(key("2016 – 2020"), "2016 - 2020");
    }
}
