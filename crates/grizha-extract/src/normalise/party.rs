//! Responsible parties: a cell of `Институция/Организация`, `Отговорник` or `Изпълняваща
//! организация` split into the parties it names, in order, each with its code from
//! `institutions.tsv` (see PARTY in `extract-format.md`).
//!
//! How a cell is read:
//! - **Names are found first, then the words between them are shared out.** A name is a phrase of
//!   the code table (`written_as` and the Bulgarian part of `name`, compared without case, quotes
//!   or the spaces beside quotes, so `Д „СД“`, `Д"СД"`, `Д°СД°` are one spelling; an abbreviation
//!   keeps its case, so `СО` is not `со`), one of the spellings below, the abbreviation or the name
//!   of a service type (`ЦОП-овете`, `Дневни центрове`: a service provider, ДОСТ), or an
//!   abbreviation in capitals no table knows (a party with code `None`). At one place the longest
//!   name wins; a name starting inside quotes is part of the quoted text.
//! - **Separators** end a party and are not part of any: `;`, `/`, a comma (unless a lower-case
//!   word or a word like `Схема` follows: `…, определени с договор`), `и` between two names,
//!   and the phrases `в партньорство с`, `съвместно с`, `със съдействието на`, `и/или`.
//!   Spaces and line breaks alone separate names too: `Д „СД“ ОЗД СДВР` is three parties.
//! - **Words join names into one party**: a dash (`НПО - изпълнители`, `СО-Д"СД"`,
//!   `Възложител -- АСП`), a preposition (`Ръководителите на ЦОП към Д „СД“`, `ОД на МВР`),
//!   brackets (`Регионален център по образование (РЦО)`, also `…/РЦО/`), quotes after a name
//!   (`ЦОП „Дъга“`, `СНЦ „Мост“`). Lower-case words after a name, a place (`БЧК Враца`) and the
//!   object of a preposition stay with it (`НПО след подбор`, `ЗСУ в града и в селата`); one or
//!   two words before a name are its title (`Секретар КМО`, `партньор СО`). Other words form a
//!   party of their own with code `None` (`Местни медии`): no word of the cell is dropped but
//!   separators. A place is a municipality or region of `Geography::bulgaria()`, also with its
//!   first word shortened (`Община Н. Загора`); an unknown abbreviation has at most 8 letters, so
//!   a cell written all in capitals splits into its abbreviations and words.
//! - **The code of a party** is that of its first name; a municipality joined by a dash to another
//!   body yields to it (`ДСД – СО` is ДСД); a manager (`Ръководствата на`, `Директор на`,
//!   `директорите на`) is a service provider (ДОСТ) unless what they manage has another code.
//! - Spellings beyond the table: `Д, СД”`, `Д „СУ“`, `ДСУ`, `ДДСД` → ДСД (typos and the Sofia name
//!   `Социални услуги`); `Д „СП“` → ДСП while «Домашен социален патронаж» spelled out is a service
//!   (ДОСТ); `Община <place>`, `Кмет…` → ОБЩ; `СНЦ`, `ГС`, `С-ие`, `Сдружение`, `Фондация`,
//!   `Асоциация` with their quoted name → НПО; `СДВР`, `полиция` → МВР; `съответните институции`
//!   → ДРУГИ; `ДРСЗ` → АЗ; `училища`, `ОУ`, `СОУ` → УЧ; `университет` → ВУЗ.
//!
//! The splitting (`Cell`, `pick`, `segment`) is shared with `funding`, which reads its cells the
//! same way with other names.

use std::cmp::Reverse;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use grizha_domain::codes::CodeTables;
use grizha_domain::geography::Geography;
use regex::{Regex, RegexSet};

use crate::format::Party;
use crate::text;

/// The parties a responsible-party cell names, in order; `[]` for an empty cell.
pub fn parties(cell: &str, codes: &CodeTables) -> Vec<Party> {
    let cell = Cell::new(cell);
    let mut found: Vec<Found<Option<Body>>> = institutions(&cell, codes).into_iter().map(|f| f.map(Some)).collect();
    found.extend(joiners(&cell).into_iter().map(|f| f.map(|()| None)));
    let found = pick(&cell, found);
    let marks: Vec<Mark> =
        found.iter().map(|f| Mark { start: f.start, end: f.end, joiner: f.value.is_none() }).collect();
    let body = |i: usize| found[i].value.as_ref();

    let mut parties: Vec<(Piece, Option<String>)> = Vec::new();
    for piece in segment(&cell, &marks) {
        let code = code_of(&piece, &body);
        if let Some((last, last_code)) = parties.last_mut()
            && code.is_some()
            && *last_code == code
            && let Some(end) = cell.spelled_out(last.end, &piece)
        {
            last.end = end;
            continue;
        }
        parties.push((piece, code));
    }
    parties
        .into_iter()
        .map(|(piece, code)| {
            let raw = cell.raw(piece.start, piece.end);
            let name =
                code.as_deref().and_then(|c| codes.institution(c)).map_or_else(|| raw.clone(), |i| i.name.clone());
            Party { raw, code, name }
        })
        .collect()
}

/// The code of a party: see the module documentation.
fn code_of<'a>(piece: &Piece, body: &impl Fn(usize) -> Option<&'a Body>) -> Option<String> {
    let heads: Vec<&Body> = piece.heads.iter().filter_map(|h| h.and_then(body)).collect();
    let first = heads.first()?;
    if first.manager && piece.heads.len() == 1 {
        let managed = piece.objects.first().and_then(|&o| body(o)).filter(|b| !b.manager);
        return Some(match managed {
            Some(b) if b.code != PROVIDERS && b.code != OTHERS => b.code.clone(),
            _ => PROVIDERS.to_owned(),
        });
    }
    let chosen = heads.iter().find(|b| b.code != MUNICIPALITY).unwrap_or(first);
    Some(chosen.code.clone())
}

const MUNICIPALITY: &str = "ОБЩ";
const PROVIDERS: &str = "ДОСТ";
const OTHERS: &str = "ДРУГИ";

/// An institution a name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Body {
    pub(super) code: String,
    /// `Ръководствата`, `Директор`: the managers of whatever follows.
    pub(super) manager: bool,
}

impl Body {
    fn new(code: &str) -> Body {
        Body { code: code.to_owned(), manager: false }
    }
}

/// The names of institutions in a cell: table phrases (rank 0), the spellings of this module
/// (rank 1), service-type abbreviations (rank 2) and names (rank 3).
pub(super) fn institutions(cell: &Cell, codes: &CodeTables) -> Vec<Found<Body>> {
    static CACHE: Cache<Names> = Mutex::new(None);
    let mut key = DefaultHasher::new();
    for institution in &codes.institutions {
        (institution.code.as_str(), &institution.name, &institution.written_as).hash(&mut key);
    }
    for service in &codes.service_types {
        (&service.abbr, &service.name).hash(&mut key);
    }
    let names = cached(&CACHE, key.finish(), || Names::new(codes));

    let mut found = Vec::new();
    for start in cell.starts() {
        for (phrase, body) in &names.phrases {
            if let Some(end) = phrase.matches(&cell.norm, start).and_then(|end| cell.word_end(start, end)) {
                found.push(Found { start, end, rank: 0, value: body.clone() });
            }
        }
        for (end, body) in PARTY_RULES.at(cell, start) {
            found.push(Found { start, end, rank: 1, value: body.clone() });
        }
        for phrase in &names.service_abbrs {
            if let Some(end) = phrase.matches(&cell.norm, start).and_then(|end| cell.word_end(start, end)) {
                found.push(Found { start, end, rank: 2, value: Body::new(PROVIDERS) });
            }
        }
        for stem in &names.service_names {
            if let Some(end) = stem.matches(&cell.norm, start).and_then(|end| cell.word_end(start, end)) {
                found.push(Found { start, end, rank: 3, value: Body::new(PROVIDERS) });
            }
        }
    }
    found
}

/// What the code tables give to match, with the fingerprint of the tables it was built from.
pub(super) type Cache<T> = Mutex<Option<(u64, Arc<T>)>>;

/// What the code tables give to match: built once per version of the tables.
pub(super) fn cached<T>(cache: &Cache<T>, key: u64, build: impl FnOnce() -> T) -> Arc<T> {
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((k, value)) = cache.as_ref()
        && *k == key
    {
        return Arc::clone(value);
    }
    let value = Arc::new(build());
    *cache = Some((key, Arc::clone(&value)));
    value
}

/// The names the code tables give.
struct Names {
    phrases: Vec<(Phrase, Body)>,
    service_abbrs: Vec<Phrase>,
    service_names: Vec<Stem>,
}

impl Names {
    fn new(codes: &CodeTables) -> Names {
        let mut phrases: Vec<(Phrase, Body)> = Vec::new();
        for institution in &codes.institutions {
            let code = institution.code.as_str();
            let names = institution.name.split(", ").map(str::to_owned);
            for spelling in institution.written_as.iter().cloned().chain(names) {
                if let Some(phrase) = clean(&spelling).and_then(|s| Phrase::new(&s)) {
                    phrases.push((phrase, Body::new(code)));
                }
            }
        }
        let mut service_abbrs: Vec<Phrase> = Vec::new();
        let mut service_names: Vec<Stem> = Vec::new();
        for service in &codes.service_types {
            let mut abbrs: Vec<&str> = service.abbr.iter().map(String::as_str).collect();
            abbrs.extend(
                service.name.split(|c: char| !c.is_alphanumeric()).filter(|w| is_capitals(w) && w.chars().count() >= 3),
            );
            for abbr in abbrs {
                let long_enough = abbr.chars().count() >= 3 || SHORT_SERVICE_ABBRS.contains(&abbr);
                let taken = phrases.iter().any(|(p, _)| p.exact && p.chars.iter().copied().eq(abbr.chars()));
                if long_enough
                    && !taken
                    && let Some(phrase) = Phrase::new(abbr)
                {
                    service_abbrs.push(phrase);
                }
            }
            for name in service.name.split(" / ") {
                if let Some(stem) = clean(name).and_then(|n| Stem::new(&n)) {
                    service_names.push(stem);
                }
            }
        }
        Names { phrases, service_abbrs, service_names }
    }
}

/// Two-letter service abbreviations safe to read as a provider (`ОТ`, `ПГ`, `СА` are not).
const SHORT_SERVICE_ABBRS: [&str; 5] = ["КЦ", "ДЦ", "ЗЖ", "НЖ", "ПЖ"];

/// Spellings the table does not list, in the text as [`Cell`] prepares it (quotes are `"`,
/// dashes `-`).
static PARTY_RULES: LazyLock<Rules<Body>> = LazyLock::new(|| {
    let manager = Body { code: PROVIDERS.to_owned(), manager: true };
    let rules: &[(&str, Body)] = &[
        (r#"Д\s*,?\s*"?\s*С[ДУ]"?"#, Body::new("ДСД")),
        (r"Д?ДС[ДУ]", Body::new("ДСД")),
        (r#"(?i:дирекция)\s*"?(?i:социални\s+(?:дейности|услуги))"?"#, Body::new("ДСД")),
        (r#"(?i:отдел)\s*"?ЗСД"?"#, Body::new("ДСД")),
        (r#"Д\s*"?\s*СП"?"#, Body::new("ДСП")),
        (r"(?i:община|общината|общини|общините)", Body::new(MUNICIPALITY)),
        (r"(?i:общинск\w*\s+администраци\w*|кмет\w*)", Body::new(MUNICIPALITY)),
        (r"(?i:столичн\w*\s+общинск\w*\s+съвет|общинск\w*\s+съвет\w*)|СОС|ОбС", Body::new("ОС")),
        (r"(?i:обществен\w*\s+съвет\w*)", Body::new("ОбщС")),
        (r"СДВР|ГДНП|ОДМВР|РУП|(?i:полици\w*)", Body::new("МВР")),
        (r#"(?:СНЦ|ЮЛНЦ|НЧ|ГС|С-ие)(?:\s*"[^"]*")?"#, Body::new("НПО")),
        (
            r#"(?i:сдружени\w*|фондаци\w*|асоциаци\w*|читалищ\w*)(?:\s*"[^"]*"|(?:\s+[А-Я][а-я][\w-]*){1,3})?"#,
            Body::new("НПО"),
        ),
        (r"(?i:неправителствен\w*\s+организаци\w*|организаци\w*\s+с\s+нестопанска\s+цел)", Body::new("НПО")),
        (r"(?i:ръководств\w*|директор\w*|управител\w*|ръководител\w*)", manager),
        (r"(?i:доставчи\w*)(?:\s+(?i:на)\s+(?i:социални\s+)?(?i:услуги))?", Body::new(PROVIDERS)),
        (
            r"(?i:заведе\w*\s+за\s+социални\s+услуги|специализиран\w*\s+институци\w*|социалн\w*\s+услуг\w*)",
            Body::new(PROVIDERS),
        ),
        (r"СИ", Body::new(PROVIDERS)),
        (r"(?i:звен\w*|екип\w*|комисия|комисии)\s+(?i:за\s+мониторинг\w*)(?:\s+(?i:и\s+оценка))?", Body::new("ЗМО")),
        (r"(?i:(?:и\s+)?други)(?:\s+[а-я]+)?", Body::new(OTHERS)),
        (
            r"(?i:отговорн|съответн|заинтересован|компетентн|партньорск)\w*\s+(?i:институци|организаци|страни|органи)\w*",
            Body::new(OTHERS),
        ),
        (r"ДРСЗ", Body::new("АЗ")),
        (r"(?i:регионалн\w*\s+(?:управлени|инспекторат)\w*\s+(?:по\s+|на\s+)?образовани\w*)", Body::new("РУО")),
        (r"(?i:бюр\w*\s+по\s+труда)", Body::new("ДБТ")),
        (r"(?i:областн\w*\s+(?:администраци|управител)\w*)", Body::new("ОА")),
        (r"(?i:български\s+червен\s+кръст)", Body::new("БЧК")),
        (r"(?i:висш\w*\s+училищ\w*|университет\w*|факултет\w*)", Body::new("ВУЗ")),
        (r"(?i:училищ\w*|детск\w*\s+град\w*)|ОУ|СОУ", Body::new("УЧ")),
        (r"(?i:лечебн\w*\s+заведени\w*|болниц\w*)", Body::new("ЛЗ")),
    ];
    Rules::new(rules.iter().map(|(pattern, body)| ((*pattern).to_owned(), body.clone())).collect())
});

/// Phrases that join two lists of parties or sources and belong to neither.
pub(super) fn joiners(cell: &Cell) -> Vec<Found<()>> {
    static JOINER: LazyLock<Regex> = LazyLock::new(|| {
        anchored(
            r"(?i:в\s+партньорство\s+с(?:ъс)?|съвместно\s+с(?:ъс)?|в\s+сътрудничество\s+с(?:ъс)?|със\s+съдействието\s+на|с\s+участието\s+на|в\s+координация\s+с(?:ъс)?|и\s*/\s*или)",
        )
    });
    cell.starts()
        .filter_map(|start| rule_end(&JOINER, cell, start).map(|end| Found { start, end, rank: 0, value: () }))
        .collect()
}

/// A pattern that matches only where it starts.
pub(super) fn anchored(pattern: &str) -> Regex {
    Regex::new(&format!("^(?:{pattern})")).expect("the built-in patterns are valid")
}

/// Patterns tried at every word start, each with what it finds; a set tells at once which of
/// them can match there.
pub(super) struct Rules<T> {
    set: RegexSet,
    rules: Vec<(Regex, T)>,
}

impl<T> Rules<T> {
    pub(super) fn new(rules: Vec<(String, T)>) -> Rules<T> {
        let anchored_patterns = rules.iter().map(|(p, _)| format!("^(?:{p})"));
        let set = RegexSet::new(anchored_patterns).expect("the built-in patterns are valid");
        Rules { set, rules: rules.into_iter().map(|(p, value)| (anchored(&p), value)).collect() }
    }

    /// The rules matching at `start`, with where each ends.
    pub(super) fn at<'a>(&'a self, cell: &'a Cell, start: usize) -> impl Iterator<Item = (usize, &'a T)> + 'a {
        self.set
            .matches(&cell.norm[start..])
            .into_iter()
            .filter_map(move |i| rule_end(&self.rules[i].0, cell, start).map(|end| (end, &self.rules[i].1)))
    }
}

/// Where a rule matching at `start` ends, if it ends at a word boundary.
pub(super) fn rule_end(re: &Regex, cell: &Cell, start: usize) -> Option<usize> {
    let m = re.find(&cell.norm[start..])?;
    if m.end() == 0 {
        return None;
    }
    cell.word_end(start, start + m.end())
}

/// A table spelling ready for use: notes in English (`(as a source)`, `and its directorates`)
/// and templates (`Община <име>`) dropped.
pub(super) fn clean(spelling: &str) -> Option<String> {
    if spelling.contains('<') {
        return None;
    }
    let mut s = spelling;
    if let Some(i) = s.find(" (")
        && s[i..].chars().any(|c| c.is_ascii_alphabetic())
    {
        s = &s[..i];
    }
    if let Some(i) = s.find(|c: char| c.is_ascii_alphabetic()) {
        s = &s[..i];
    }
    let s = s.trim().trim_end_matches([',', ';', '(']).trim();
    (!s.is_empty()).then(|| s.to_owned())
}

pub(super) fn is_capitals(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2 && word.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase)
}

/// A table phrase compared loosely: without quotes and spaces, without case unless it is an
/// abbreviation (`СО`, `МВнР`).
pub(super) struct Phrase {
    chars: Vec<char>,
    exact: bool,
}

impl Phrase {
    pub(super) fn new(spelling: &str) -> Option<Phrase> {
        let norm: String = spelling.chars().map(normal).collect();
        let squeezed: Vec<char> = norm.chars().filter(|&c| c != ' ' && c != '"').collect();
        let uppers = squeezed.iter().filter(|c| c.is_uppercase()).count();
        let lowers = squeezed.iter().filter(|c| c.is_lowercase()).count();
        let exact = (lowers == 0 && uppers > 0) || (!norm.contains(' ') && squeezed.len() <= 5 && uppers >= 2);
        let chars = if exact { squeezed } else { squeezed.iter().map(|&c| lower(c)).collect() };
        (!chars.is_empty()).then_some(Phrase { chars, exact })
    }

    /// Where the phrase ends if the text at `start` spells it.
    pub(super) fn matches(&self, norm: &str, start: usize) -> Option<usize> {
        let mut want = self.chars.iter();
        let mut next = want.next();
        let mut end = start;
        for (i, c) in norm[start..].char_indices() {
            let Some(&w) = next else { break };
            if c == ' ' || c == '"' {
                continue;
            }
            let c2 = if self.exact { c } else { lower(c) };
            if c2 != w {
                return None;
            }
            end = start + i + c.len_utf8();
            next = want.next();
        }
        next.is_none().then_some(end)
    }
}

/// A service name matched by the beginnings of its words, so that `Дневен център` finds
/// `Дневни центрове`; words of up to three letters must be equal.
struct Stem {
    words: Vec<(String, bool)>,
}

impl Stem {
    fn new(name: &str) -> Option<Stem> {
        let words: Vec<(String, bool)> = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                let w = w.to_lowercase();
                let n = w.chars().count();
                if n <= 3 { (w, true) } else { (w.chars().take(4.max(n - 3)).collect(), false) }
            })
            .collect();
        (words.len() >= 2).then_some(Stem { words })
    }

    fn matches(&self, norm: &str, start: usize) -> Option<usize> {
        let mut pos = start;
        for (i, (stem, exact)) in self.words.iter().enumerate() {
            if i > 0 {
                pos += norm[pos..].len() - norm[pos..].trim_start_matches([' ', '"']).len();
            }
            let len = norm[pos..].find(|c: char| !c.is_alphanumeric() && c != '-').unwrap_or(norm.len() - pos);
            let mut word = norm[pos..pos + len].chars().map(lower);
            let mut stem_chars = stem.chars();
            let prefix = stem_chars.by_ref().zip(word.by_ref()).all(|(a, b)| a == b);
            let ok = prefix && stem_chars.next().is_none() && (!*exact || word.next().is_none());
            if len == 0 || !ok {
                return None;
            }
            pos += len;
        }
        Some(pos)
    }
}

/// One character as matching sees it: Latin look-alikes as Cyrillic, every quote `"`, every
/// dash `-`, every space ` `.
fn normal(c: char) -> char {
    match c {
        'A' => 'А',
        'a' => 'а',
        'B' => 'В',
        'C' => 'С',
        'c' => 'с',
        'E' => 'Е',
        'e' => 'е',
        'H' => 'Н',
        'K' => 'К',
        'k' => 'к',
        'M' => 'М',
        'O' => 'О',
        'o' => 'о',
        'P' => 'Р',
        'p' => 'р',
        'T' => 'Т',
        'X' => 'Х',
        'x' => 'х',
        'y' => 'у',
        '„' | '“' | '”' | '"' | '«' | '»' | '°' => '"',
        '–' | '—' | '‑' | '−' | '‐' => '-',
        c if c.is_whitespace() => ' ',
        c => c,
    }
}

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteSide {
    Open,
    Close,
    Either,
}

fn quote_side(c: char) -> QuoteSide {
    match c {
        '„' | '«' => QuoteSide::Open,
        '”' | '»' => QuoteSide::Close,
        _ => QuoteSide::Either,
    }
}

/// A cell's folded text and a copy prepared for matching, with the way back to the text.
pub(super) struct Cell {
    text: String,
    /// The text with [`normal`] characters; every position below is a byte offset into it.
    pub(super) norm: String,
    /// For each byte offset of `norm`, the offset of its character in `text`.
    back: Vec<usize>,
    /// Quoted spans: the opening quote up to and including the closing one.
    quotes: Vec<(usize, usize)>,
}

impl Cell {
    pub(super) fn new(cell: &str) -> Cell {
        let text = text::fold(cell);
        let mut norm = String::with_capacity(text.len());
        let mut back = Vec::with_capacity(text.len() + 1);
        let mut quote_marks = Vec::new();
        for (i, c) in text.char_indices() {
            let n = normal(c);
            if n == '"' {
                quote_marks.push((norm.len(), quote_side(c)));
            }
            back.extend(std::iter::repeat_n(i, n.len_utf8()));
            norm.push(n);
        }
        back.push(text.len());
        let quotes = pair_quotes(&norm, &quote_marks);
        Cell { text, norm, back, quotes }
    }

    /// The text as written between two positions of `norm`.
    pub(super) fn raw(&self, start: usize, end: usize) -> String {
        self.text.get(self.back[start]..self.back[end]).unwrap_or_default().trim().to_owned()
    }

    /// Where words start: a letter or digit after anything else.
    pub(super) fn starts(&self) -> impl Iterator<Item = usize> + '_ {
        let mut after_word = false;
        self.norm.char_indices().filter_map(move |(i, c)| {
            let word = c.is_alphanumeric();
            let start = word && !after_word;
            after_word = word;
            start.then_some(i)
        })
    }

    /// The end of a name found at `start..end`, taking a case ending glued to an abbreviation
    /// (`ЦОП-овете`, `НПО-та`) and a closing quote left open inside; `None` when the name would
    /// end inside a word.
    pub(super) fn word_end(&self, start: usize, end: usize) -> Option<usize> {
        static ENDING: LazyLock<Regex> = LazyLock::new(|| anchored(r"-[а-я]+"));
        let mut end = end;
        let last = self.norm[..end].chars().next_back();
        if last.is_some_and(char::is_uppercase)
            && let Some(m) = ENDING.find(&self.norm[end..])
        {
            end += m.end();
        }
        if self.norm[start..end].matches('"').count() % 2 == 1 && self.norm[end..].starts_with('"') {
            end += 1;
        }
        let last = self.norm[..end].chars().next_back();
        let next = self.norm[end..].chars().next();
        let ends_word = !last.is_some_and(char::is_alphanumeric) || !next.is_some_and(char::is_alphanumeric);
        ends_word.then_some(end)
    }

    fn in_quotes(&self, at: usize) -> bool {
        self.quotes.iter().any(|&(open, close)| open < at && at < close)
    }

    fn quote_at(&self, at: usize) -> Option<usize> {
        self.quotes.iter().find(|q| q.0 == at).map(|q| q.1)
    }

    /// `Регионален център по образование/РЦО/` or `… (РЦО)`: when `piece` is the abbreviation
    /// of the name that ends at `end`, the end of the two together.
    fn spelled_out(&self, end: usize, piece: &Piece) -> Option<usize> {
        let between = self.norm.get(end..piece.start)?.trim();
        let close = match between {
            "/" => '/',
            "(" => ')',
            _ => return None,
        };
        let after = &self.norm[piece.end..];
        let rest = after.trim_start();
        rest.starts_with(close).then(|| piece.end + (after.len() - rest.len()) + 1)
    }
}

fn pair_quotes(norm: &str, marks: &[(usize, QuoteSide)]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    for &(at, side) in marks {
        match open {
            None => {
                let opens_word = norm[at + 1..].chars().next().is_some_and(char::is_alphanumeric);
                let after_space = norm[..at].chars().next_back().is_none_or(|c| c == ' ');
                if opens_word && (side != QuoteSide::Close || after_space) {
                    open = Some(at);
                }
            }
            Some(start) => {
                if side != QuoteSide::Open {
                    spans.push((start, at + 1));
                    open = None;
                }
            }
        }
    }
    spans
}

/// A name found in a cell.
#[derive(Debug, Clone)]
pub(super) struct Found<V> {
    pub(super) start: usize,
    pub(super) end: usize,
    /// Breaks ties between names of the same length at the same place: lower wins.
    pub(super) rank: u8,
    pub(super) value: V,
}

impl<V> Found<V> {
    pub(super) fn map<W>(self, f: impl FnOnce(V) -> W) -> Found<W> {
        Found { start: self.start, end: self.end, rank: self.rank, value: f(self.value) }
    }
}

/// The names to read, left to right, without overlaps: at one place the longest, then the
/// lowest rank; a name that starts inside quotes belongs to the quoted text.
pub(super) fn pick<V>(cell: &Cell, mut found: Vec<Found<V>>) -> Vec<Found<V>> {
    found.sort_by_key(|f| (f.start, Reverse(f.end), f.rank));
    let mut picked = Vec::new();
    let mut end = 0;
    for f in found {
        if f.start >= end && !cell.in_quotes(f.start) {
            end = f.end;
            picked.push(f);
        }
    }
    picked
}

/// A name's place for [`segment`]: a name, or a joining phrase.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) joiner: bool,
}

/// One party or source: its place in the cell and the names in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Piece {
    pub(super) start: usize,
    pub(super) end: usize,
    /// The names that say what it is: the first, and those joined by a dash. `None` is an
    /// abbreviation no table knows.
    pub(super) heads: Vec<Option<usize>>,
    /// Names in a qualifier: after a preposition, in brackets.
    pub(super) objects: Vec<usize>,
}

impl Piece {
    fn at(token: &Token) -> Piece {
        let heads = match token.tok {
            Tok::Mark(i) => vec![Some(i)],
            _ => vec![None],
        };
        Piece { start: token.start, end: token.end, heads, objects: Vec::new() }
    }

    /// Words without a name, as a party of their own: from the first word to the last, with a
    /// closing bracket or full stop after it.
    fn loose(tokens: &[Token]) -> Option<Piece> {
        let content = |t: &Token| matches!(t.tok, Tok::Word(w) if !w.and) || matches!(t.tok, Tok::Quote | Tok::Unknown);
        let first = tokens.iter().position(content)?;
        let mut last = tokens.iter().rposition(content)?;
        while tokens.get(last + 1).is_some_and(|t| matches!(t.tok, Tok::Close | Tok::Other)) {
            last += 1;
        }
        Some(Piece { start: tokens[first].start, end: tokens[last].end, heads: Vec::new(), objects: Vec::new() })
    }

    fn join(&mut self, token: &Token, object: bool) {
        self.end = token.end;
        match (token.tok, object) {
            (Tok::Mark(i), true) => self.objects.push(i),
            (Tok::Mark(i), false) => self.heads.push(Some(i)),
            (_, false) => self.heads.push(None),
            _ => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Word {
    lower: bool,
    capitals: bool,
    preposition: bool,
    and: bool,
    /// `Схема`, `Компонент`: goes on with what a comma came after.
    goes_on: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Mark(usize),
    /// An abbreviation in capitals that no table knows, read as a name.
    Unknown,
    Joiner,
    Word(Word),
    Quote,
    Open,
    Close,
    Comma,
    Semicolon,
    Slash,
    Dash,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    tok: Tok,
    /// Whether a space comes right before it.
    spaced: bool,
}

const PREPOSITIONS: [&str; 26] = [
    "на",
    "към",
    "по",
    "от",
    "в",
    "във",
    "за",
    "при",
    "чрез",
    "с",
    "със",
    "до",
    "под",
    "над",
    "между",
    "след",
    "съгласно",
    "срещу",
    "гр.",
    "с.",
    "град",
    "село",
    "кв.",
    "ж.к.",
    "обл.",
    "общ.",
];
const GOES_ON: [&str; 7] = ["схем", "компонент", "процедур", "мярк", "приоритет", "покан", "договор"];

fn word(w: &str) -> Word {
    let first = w.chars().next();
    let l = w.to_lowercase();
    Word {
        lower: first.is_some_and(|c| c.is_lowercase() || c.is_numeric()),
        capitals: is_capitals(w.split('-').next().unwrap_or(w)),
        preposition: PREPOSITIONS.contains(&l.as_str()),
        and: l == "и",
        goes_on: GOES_ON.iter().any(|g| l.starts_with(g)),
    }
}

fn tokens(cell: &Cell, marks: &[Mark]) -> Vec<Token> {
    let s = cell.norm.as_str();
    let mut out = Vec::new();
    let mut next_mark = 0;
    let mut p = 0;
    let mut spaced = true;
    while let Some(c) = s[p..].chars().next() {
        while marks.get(next_mark).is_some_and(|m| m.start < p) {
            next_mark += 1;
        }
        let stop = marks.get(next_mark).map_or(s.len(), |m| m.start);
        let (tok, end) = if let Some(m) = marks.get(next_mark).filter(|m| m.start == p) {
            (if m.joiner { Tok::Joiner } else { Tok::Mark(next_mark) }, m.end)
        } else if c == ' ' {
            p += 1;
            spaced = true;
            continue;
        } else if let Some(end) = cell.quote_at(p) {
            (Tok::Quote, end)
        } else {
            match c {
                ',' => (Tok::Comma, p + 1),
                ';' => (Tok::Semicolon, p + 1),
                '/' | '\\' => (Tok::Slash, p + 1),
                '(' | '[' => (Tok::Open, p + 1),
                ')' | ']' => (Tok::Close, p + 1),
                '-' => (Tok::Dash, p + s[p..].len() - s[p..].trim_start_matches('-').len()),
                c if c.is_alphanumeric() => {
                    let end = word_len(s, p, stop);
                    (Tok::Word(word(&s[p..end])), end)
                }
                c => (Tok::Other, p + c.len_utf8()),
            }
        };
        out.push(Token { start: p, end, tok, spaced });
        p = end;
        spaced = false;
    }
    out
}

/// The end of the word at `p`: letters and digits, a full stop after them (`Ст.`, `лв.`), a
/// hyphen between them (`ЦОП-ове`); never past `stop`, where a name starts.
fn word_len(s: &str, p: usize, stop: usize) -> usize {
    let mut end = p;
    let mut prev: Option<char> = None;
    let mut chars = s[p..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = p + i;
        if at >= stop && at > p {
            break;
        }
        let next = chars.peek().map(|&(_, c)| c);
        let after_word = prev.is_some_and(char::is_alphanumeric);
        let take = c.is_alphanumeric()
            || (c == '.' && after_word)
            || (c == '-' && after_word && next.is_some_and(char::is_alphanumeric));
        if !take {
            break;
        }
        end = at + c.len_utf8();
        prev = Some(c);
    }
    end.max(p + s[p..].chars().next().map_or(1, char::len_utf8))
}

/// The parties (or sources) of a cell, given the names found in it.
pub(super) fn segment(cell: &Cell, marks: &[Mark]) -> Vec<Piece> {
    let tokens = tokens(cell, marks);
    let mut pieces = Vec::new();
    let mut from = 0;
    for i in 0..=tokens.len() {
        let split = match tokens.get(i).map(|t| t.tok) {
            None | Some(Tok::Semicolon | Tok::Joiner) => true,
            Some(Tok::Comma) => !goes_on(&tokens, i + 1),
            Some(Tok::Slash) => !glued(&tokens, i),
            _ => false,
        };
        if split {
            group(&cell.norm, &tokens[from..i], &mut pieces);
            from = i + 1;
        }
    }
    pieces
}

/// Whether the words after a comma go on with what came before it: a preposition, `Схема`, or
/// lower-case words (`…, определени с договор`) unless they are the title of a name
/// (`…, партньор СО`).
fn goes_on(tokens: &[Token], from: usize) -> bool {
    let word = |j: usize| match tokens.get(j).map(|t| t.tok) {
        Some(Tok::Word(w)) => Some(w),
        _ => None,
    };
    match word(from) {
        Some(w) if w.goes_on || w.preposition => true,
        Some(w) if w.lower && !w.and => {
            let mut j = from;
            while word(j).is_some_and(|w| w.lower && !w.and && !w.preposition) {
                j += 1;
            }
            let named =
                matches!(tokens.get(j).map(|t| t.tok), Some(Tok::Mark(_))) || word(j).is_some_and(|w| w.capitals);
            !named
        }
        _ => false,
    }
}

/// A slash inside a pair of words (`ИС/ДП`) or of names after a preposition (`към ЦНСТ/ПЖ`)
/// rather than between parties.
fn glued(tokens: &[Token], i: usize) -> bool {
    let word = |t: Option<&Token>| t.is_some_and(|t| matches!(t.tok, Tok::Word(_)));
    let name = |t: Option<&Token>| t.is_some_and(|t| matches!(t.tok, Tok::Word(_) | Tok::Mark(_)));
    let preposition = |t: Option<&Token>| t.is_some_and(|t| matches!(t.tok, Tok::Word(w) if w.preposition));
    let unspaced = !tokens[i].spaced && tokens.get(i + 1).is_some_and(|t| !t.spaced);
    let words = i > 0 && word(tokens.get(i - 1)) && word(tokens.get(i + 1));
    let object = i > 1 && name(tokens.get(i - 1)) && preposition(tokens.get(i - 2)) && name(tokens.get(i + 1));
    unspaced && (words || object)
}

fn group(s: &str, chunk: &[Token], out: &mut Vec<Piece>) {
    let mut toks = chunk.to_vec();
    let mut in_brackets = false;
    for i in 0..toks.len() {
        let after_preposition = i > 0 && matches!(toks[i - 1].tok, Tok::Word(w) if w.preposition);
        let after_glue = i > 0 && toks[i - 1].tok == Tok::Slash && !toks[i].spaced && !toks[i - 1].spaced;
        match toks[i].tok {
            Tok::Open => in_brackets = true,
            Tok::Close => in_brackets = false,
            Tok::Word(w)
                if w.capitals
                    && !in_brackets
                    && !after_preposition
                    && !after_glue
                    && s[toks[i].start..toks[i].end].chars().count() <= 8
                    && place_len(s, &toks[i..]) == 0 =>
            {
                toks[i].tok = Tok::Unknown
            }
            _ => {}
        }
    }
    let anchors: Vec<usize> =
        toks.iter().enumerate().filter(|(_, t)| matches!(t.tok, Tok::Mark(_) | Tok::Unknown)).map(|(i, _)| i).collect();
    let (Some(&first), Some(&last)) = (anchors.first(), anchors.last()) else {
        out.extend(Piece::loose(&toks));
        return;
    };

    let mut current = Piece::at(&toks[first]);
    let lead = &toks[..first];
    if let Some(loose) = Piece::loose(lead) {
        if is_title(lead) {
            current.start = loose.start;
        } else {
            out.push(loose);
        }
    }
    let mut object = false;
    for pair in anchors.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let gap = &toks[a + 1..b];
        // `към ЦНСТ/ПЖ`: a slash without spaces goes on with the object of a preposition
        let glued = object && matches!(gap, [t] if t.tok == Tok::Slash && !t.spaced) && !toks[b].spaced;
        let decision = if glued { Gap::Join { object: true } } else { between(s, gap) };
        object = matches!(decision, Gap::Join { object: true });
        match decision {
            Gap::Join { object } => current.join(&toks[b], object),
            Gap::Split { left, middle, right } => {
                if left > 0 {
                    current.end = gap[left - 1].end;
                }
                out.push(current);
                if let Some(m) = middle {
                    out.extend(Piece::loose(&gap[m..]));
                }
                current = Piece::at(&toks[b]);
                if let Some(r) = right {
                    current.start = gap[r].start;
                }
            }
        }
    }
    let tail = &toks[last + 1..];
    let left = attached(s, tail);
    if left > 0 {
        current.end = tail[left - 1].end;
    }
    out.push(current);
    out.extend(Piece::loose(&tail[left..]));
}

enum Gap {
    /// The next name belongs to the same party: as a head (dash) or an object (preposition).
    Join { object: bool },
    /// A new party starts: `left` tokens stay with the one before; from `middle` on the words
    /// are a party of their own; from `right` on they are the next one's title.
    Split { left: usize, middle: Option<usize>, right: Option<usize> },
}

fn between(s: &str, gap: &[Token]) -> Gap {
    let Some(last) = gap.last() else {
        return Gap::Split { left: 0, middle: None, right: None };
    };
    match last.tok {
        Tok::Dash => return Gap::Join { object: false },
        Tok::Word(w) if w.preposition => return Gap::Join { object: true },
        _ if gap[0].tok == Tok::Open => return Gap::Join { object: true },
        _ => {}
    }
    let left = attached(s, gap);
    let mut i = left;
    while i < gap.len() && !matches!(gap[i].tok, Tok::Word(w) if !w.and) && gap[i].tok != Tok::Quote {
        i += 1;
    }
    if i == gap.len() {
        let bracket = gap[left..].iter().position(|t| t.tok == Tok::Open).map(|b| left + b);
        return Gap::Split { left, middle: None, right: bracket };
    }
    let rest = &gap[i..];
    let words = rest.iter().filter(|t| matches!(t.tok, Tok::Word(_))).count();
    if words <= 2 && rest.iter().all(|t| matches!(t.tok, Tok::Word(_) | Tok::Quote)) {
        Gap::Split { left, middle: None, right: Some(i) }
    } else {
        Gap::Split { left, middle: Some(i), right: None }
    }
}

/// Words before a party's first name that are its title: one or two words, lower-case words,
/// or words ending in a dash or a preposition (`Възложител --`, `Процедура … по`).
fn is_title(lead: &[Token]) -> bool {
    let words: Vec<Word> = lead
        .iter()
        .filter_map(|t| match t.tok {
            Tok::Word(w) => Some(w),
            _ => None,
        })
        .collect();
    let ends_joined = match lead.last().map(|t| t.tok) {
        Some(Tok::Dash) => true,
        Some(Tok::Word(w)) => w.preposition,
        _ => false,
    };
    ends_joined || words.len() <= 2 || words.iter().all(|w| w.lower)
}

/// How many of the tokens after a name stay with it: lower-case words, quotes, brackets, a
/// place, and whatever follows a dash or a preposition.
fn attached(s: &str, tokens: &[Token]) -> usize {
    let mut n = 0;
    let mut object = false;
    let mut in_brackets = false;
    let mut i = 0;
    while i < tokens.len() {
        let mut taken = 1;
        let ok = match tokens[i].tok {
            Tok::Quote | Tok::Other | Tok::Comma | Tok::Slash => true,
            Tok::Open => {
                in_brackets = true;
                true
            }
            Tok::Close => {
                in_brackets = false;
                true
            }
            Tok::Dash => {
                object = true;
                true
            }
            Tok::Word(w) if w.and => tokens
                .get(i + 1)
                .is_some_and(|t| t.tok == Tok::Quote || matches!(t.tok, Tok::Word(n) if n.lower && !n.and)),
            Tok::Word(w) if w.lower || w.goes_on => {
                object = w.preposition;
                true
            }
            Tok::Word(_) => {
                let place = place_len(s, &tokens[i..]);
                taken = place.max(1);
                in_brackets || object || place > 0
            }
            Tok::Mark(_) | Tok::Unknown | Tok::Joiner | Tok::Semicolon => false,
        };
        if !ok {
            break;
        }
        i += taken;
        if !matches!(tokens[i - 1].tok, Tok::Dash | Tok::Open | Tok::Comma | Tok::Slash) {
            n = i;
        }
    }
    n
}

/// Municipality and region names, lower case.
static PLACES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let geography = Geography::bulgaria();
    let municipalities = geography.municipalities.iter().map(|m| m.name.to_lowercase());
    let regions = geography.regions.iter().map(|r| r.name.to_lowercase());
    let mut places: Vec<String> = municipalities.chain(regions).collect();
    places.sort();
    places.dedup();
    places
});

/// How many words at the start of `tokens` name a place (`Нова Загора`, `Н. Загора`,
/// `Хасково`); 0 when they do not.
fn place_len(s: &str, tokens: &[Token]) -> usize {
    let words: Vec<String> = tokens
        .iter()
        .take(3)
        .take_while(|t| matches!(t.tok, Tok::Word(_)))
        .map(|t| s[t.start..t.end].to_lowercase())
        .collect();
    for k in (1..=words.len()).rev() {
        if PLACES.binary_search(&words[..k].join(" ")).is_ok() {
            return k;
        }
        if k == 2
            && let Some(short) = words[0].strip_suffix('.')
            && !short.is_empty()
            && PLACES.iter().any(|p| p.split_once(' ').is_some_and(|(a, b)| a.starts_with(short) && b == words[1]))
        {
            return 2;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(cell: &str) -> Vec<(String, Option<String>)> {
        parties(cell, &CodeTables::builtin()).into_iter().map(|p| (p.raw, p.code)).collect()
    }

    fn p(raw: &str, code: Option<&str>) -> (String, Option<String>) {
        (raw.to_owned(), code.map(str::to_owned))
    }

    fn codes_of(cell: &str) -> Vec<Option<String>> {
        read(cell).into_iter().map(|(_, code)| code).collect()
    }

    fn code(c: &str) -> Option<String> {
        Some(c.to_owned())
    }

    /// The letters and digits of a text, lower case, for checking that no word was lost.
    fn letters(text: &str) -> String {
        text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
    }

    #[test]
    fn the_five_parties_of_the_format_example() {
        assert_eq!(
            read("Д „СД“ ОЗД СДВР / ДПС НПО"),
            vec![
                p("Д „СД“", Some("ДСД")),
                p("ОЗД", Some("ОЗД")),
                p("СДВР", Some("МВР")),
                p("ДПС", Some("ДПС")),
                p("НПО", Some("НПО")),
            ]
        );
    }

    #[test]
    fn abbreviations_are_split_on_spaces_commas_slashes_semicolons_and_line_breaks() {
        assert_eq!(
            codes_of("ОЗД,МВР / РУО\nНПО;ДБТ,  АСП,"),
            vec![code("ОЗД"), code("МВР"), code("РУО"), code("НПО"), code("ДБТ"), code("АСП")]
        );
        assert_eq!(read("МЗ,МОН"), vec![p("МЗ", Some("МЗ")), p("МОН", Some("МОН"))]);
    }

    #[test]
    fn every_spelling_of_the_social_activities_directorate_is_one_party_as_written() {
        for spelling in [
            "Д „СД“",
            "Д\"СД\"",
            "Д°СД°",
            "Д, „СД“",
            "Д, СД”",
            "Д„СД“",
            "ДСД",
            "Дирекция „Социални дейности“",
            "Отдел „ЗСД“",
        ] {
            assert_eq!(read(spelling), vec![p(spelling, Some("ДСД"))], "{spelling}");
        }
        assert_eq!(read("Д°СД° ОЗД"), vec![p("Д°СД°", Some("ДСД")), p("ОЗД", Some("ОЗД"))]);
    }

    #[test]
    fn the_municipality_is_one_party_with_its_place() {
        for spelling in
            ["Община Нова Загора", "Община Н. Загора", "Община", "Столична община", "СО", "Кмет", "Кмета на общината"]
        {
            assert_eq!(read(spelling), vec![p(spelling, Some("ОБЩ"))], "{spelling}");
        }
        assert_eq!(
            read("Община Велико Търново Общински съвет"),
            vec![p("Община Велико Търново", Some("ОБЩ")), p("Общински съвет", Some("ОС"))]
        );
    }

    #[test]
    fn an_association_or_foundation_is_one_ngo_party_with_its_name() {
        for spelling in [
            "СНЦ „Слънце и вятър”",
            "Фондации „Зора“ и „Мост“",
            "Сдружение „Нов път“",
            "С-ие „Мост към утре”",
            "ГС „Зора 21”",
            "Фондация Добро Начало",
            "НПО - Доставчици",
            "НПО - Сдружение „Деца и книги“",
            "неправителствени организации",
        ] {
            assert_eq!(read(spelling), vec![p(spelling, Some("НПО"))], "{spelling}");
        }
        assert_eq!(
            read("Община Пловдив/СНЦ „Мост и път”"),
            vec![p("Община Пловдив", Some("ОБЩ")), p("СНЦ „Мост и път”", Some("НПО"))]
        );
    }

    #[test]
    fn dsp_is_the_social_assistance_directorate_but_the_patronage_spelled_out_is_a_provider() {
        assert_eq!(codes_of("ДСП"), vec![code("ДСП")]);
        assert_eq!(codes_of("Д „СП“"), vec![code("ДСП")]);
        assert_eq!(codes_of("Дирекция „Социално подпомагане“"), vec![code("ДСП")]);
        assert_eq!(codes_of("Домашен социален патронаж"), vec![code("ДОСТ")]);
        assert_eq!(codes_of("ДСП Домашен социален патронаж"), vec![code("ДСП"), code("ДОСТ")]);
    }

    #[test]
    fn managers_providers_and_services_are_the_service_providers() {
        for spelling in [
            "Ръководствата на ЦОП-овете",
            "Директор на ЦСРИ",
            "директорите на институциите",
            "Управител на Кризисен център",
            "доставчици",
            "Доставчици на социални услуги",
            "ЗСУ",
            "ЦОП",
            "ЦОП-ове",
            "Дневни центрове",
            "Защитени жилища",
        ] {
            assert_eq!(read(spelling), vec![p(spelling, Some("ДОСТ"))], "{spelling}");
        }
        // The manager of a body the table knows is that body.
        assert_eq!(codes_of("Директор на ДСП"), vec![code("ДСП")]);
        assert_eq!(
            read("Ръководителите на ЦОП към Д „СД“ НПО"),
            vec![p("Ръководителите на ЦОП към Д „СД“", Some("ДОСТ")), p("НПО", Some("НПО"))]
        );
    }

    #[test]
    fn other_spellings_of_the_table_find_their_code() {
        assert_eq!(codes_of("МОМН"), vec![code("МОН")]);
        assert_eq!(codes_of("РАСП"), vec![code("РДСП")]);
        assert_eq!(codes_of("БТ"), vec![code("ДБТ")]);
        assert_eq!(read("Координатор КМО"), vec![p("Координатор КМО", Some("ЗМО"))]);
        assert_eq!(read("Координатор\nКМО"), vec![p("Координатор КМО", Some("ЗМО"))]);
        assert_eq!(read("ОД на МВР"), vec![p("ОД на МВР", Some("МВР"))]);
        assert_eq!(
            read("Регионален инспекторат по образованието Бюро по труда"),
            vec![p("Регионален инспекторат по образованието", Some("РУО")), p("Бюро по труда", Some("ДБТ"))]
        );
        assert_eq!(codes_of("МВНР МВнР"), vec![code("МВнР"), code("МВнР")]);
        assert_eq!(codes_of("Други"), vec![code("ДРУГИ")]);
        assert_eq!(read("МОН и други ведомства"), vec![p("МОН", Some("МОН")), p("и други ведомства", Some("ДРУГИ"))]);
    }

    #[test]
    fn latin_look_alike_letters_are_read_as_cyrillic() {
        assert_eq!(read("HПO AСП"), vec![p("HПO", Some("НПО")), p("AСП", Some("АСП"))]);
    }

    #[test]
    fn an_abbreviation_right_after_its_name_is_the_same_party() {
        for spelling in ["Регионален център по образование/РЦО/", "Регионален център по образование (РЦО)"]
        {
            assert_eq!(read(spelling), vec![p(spelling, Some("РЦО"))], "{spelling}");
        }
        assert_eq!(codes_of("ДСД/ОЗД"), vec![code("ДСД"), code("ОЗД")]);
    }

    #[test]
    fn qualifiers_stay_with_their_party() {
        assert_eq!(read("НПО след подбор по процедура"), vec![p("НПО след подбор по процедура", Some("НПО"))]);
        assert_eq!(read("Възложител -- АСП"), vec![p("Възложител -- АСП", Some("АСП"))]);
        assert_eq!(
            read("ЗМО – постоянен и временен състав"),
            vec![p("ЗМО – постоянен и временен състав", Some("ЗМО"))]
        );
        assert_eq!(read("ДБТ Хасково"), vec![p("ДБТ Хасково", Some("ДБТ"))]);
        assert_eq!(read("ЗСУ в града и в селата"), vec![p("ЗСУ в града и в селата", Some("ДОСТ"))]);
        assert_eq!(read("ЦОП „Дъга“ ЗЖ"), vec![p("ЦОП „Дъга“", Some("ДОСТ")), p("ЗЖ", Some("ДОСТ"))]);
        assert_eq!(
            read("Възложител -- АСП, партньор СО"),
            vec![p("Възложител -- АСП", Some("АСП")), p("партньор СО", Some("ОБЩ"))]
        );
        assert_eq!(read("Д „СД“ ЗЖ към ЦНСТ/ПЖ"), vec![p("Д „СД“", Some("ДСД")), p("ЗЖ към ЦНСТ/ПЖ", Some("ДОСТ"))]);
    }

    #[test]
    fn a_municipality_joined_by_a_dash_yields_to_the_other_body() {
        assert_eq!(read("ДСД – СО"), vec![p("ДСД – СО", Some("ДСД"))]);
        assert_eq!(read("СО-Д\"СД\""), vec![p("СО-Д\"СД\"", Some("ДСД"))]);
    }

    #[test]
    fn joining_words_separate_parties_and_belong_to_none() {
        assert_eq!(
            read("Агенция за социално подпомагане в партньорство с Община Русе"),
            vec![p("Агенция за социално подпомагане", Some("АСП")), p("Община Русе", Some("ОБЩ"))]
        );
        assert_eq!(read("Кмет и Общински съвет"), vec![p("Кмет", Some("ОБЩ")), p("Общински съвет", Some("ОС"))]);
        assert_eq!(read("ОЗД и/или НПО"), vec![p("ОЗД", Some("ОЗД")), p("НПО", Some("НПО"))]);
    }

    #[test]
    fn words_no_table_knows_are_parties_without_a_code() {
        let read = parties("Д „СД“ ХЮВ Местни медии; Всички звена", &CodeTables::builtin());
        let got: Vec<(&str, Option<&str>, &str)> =
            read.iter().map(|p| (p.raw.as_str(), p.code.as_deref(), p.name.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("Д „СД“", Some("ДСД"), "Дирекция „Социални дейности“ (a municipal directorate)"),
                ("ХЮВ", None, "ХЮВ"),
                ("Местни медии", None, "Местни медии"),
                ("Всички звена", None, "Всички звена"),
            ]
        );
    }

    #[test]
    fn every_word_ends_up_in_a_party_but_separators_and_joining_words() {
        for cell in [
            "Д „СД“ Ръководителите на ЦОП към Д „СД“ НПО - изпълнители",
            "ДСП,\nКмет; РДСП\nОбщински съвет;",
            "Възложител -- АСП, партньор СО Директор на ЦСРИ",
            "ОЗД РАСП Регионален център по образование/РЦО/ НПО",
            "ЦОП „Дъга“ ЗЖ към ЦНСТ/ПЖ Местни медии",
            "Община Видин и съответните институции по плана",
            "Проведени 2 обучения (по 3 дни) за 40 специалисти от ОЗД, ДСП и НПО.",
        ] {
            let got: String = parties(cell, &CodeTables::builtin()).iter().map(|p| letters(&p.raw)).collect();
            let mut want = letters(cell);
            // the joining words that are dropped
            for dropped in ["вп", "и"] {
                while got.len() < want.len() && !want.starts_with(&got) {
                    let Some(i) = want.char_indices().zip(got.char_indices()).find(|((_, a), (_, b))| a != b) else {
                        break;
                    };
                    let at = (i.0).0;
                    if want[at..].starts_with(dropped) {
                        want.replace_range(at..at + dropped.len(), "");
                    } else {
                        break;
                    }
                }
            }
            assert_eq!(got, want, "{cell}");
        }
    }

    #[test]
    fn an_empty_cell_or_a_dash_has_no_party() {
        for cell in ["", "   ", "\n", "-", "—", "–", ",", "/ ;"] {
            assert_eq!(read(cell), vec![], "{cell:?}");
        }
    }

    #[test]
    fn messy_input_never_panics_and_raws_are_taken_from_the_text() {
        let codes = CodeTables::builtin();
        let alphabet: Vec<char> =
            "ДСОНПзаи „“”\"°«»'(),;/\\-–—.:\n\t АБВ abcOP0123456789ЦОПЗМОКМО<p>[]*ѝ\u{301}\u{a0}😀".chars().collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut cells: Vec<String> = vec![
            "„„„".to_owned(),
            "Д„".to_owned(),
            "\"Д\"СД\"\"".to_owned(),
            "(((НПО".to_owned(),
            "НПО)))".to_owned(),
            "-ове".to_owned(),
            "ЦОП-".to_owned(),
            "Община Ст.".to_owned(),
            "Директор на".to_owned(),
            "и".to_owned(),
            "в партньорство с".to_owned(),
            "СО ".repeat(500),
        ];
        for _ in 0..400 {
            let len = (next() % 40) as usize;
            cells.push((0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect());
        }
        for cell in &cells {
            let folded = text::fold(cell);
            for party in parties(cell, &codes) {
                assert!(!party.raw.is_empty(), "{cell:?}");
                assert!(folded.contains(&party.raw), "{cell:?}: {:?}", party.raw);
            }
        }
    }
}
