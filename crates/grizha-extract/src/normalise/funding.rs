//! Funding: a cell of `Финансиране`, `Източник на финансиране` split into its sources, in order,
//! each with a kind from `funding.tsv` and the programme it names (see FUNDING in
//! `extract-format.md`).
//!
//! A cell is split as `party` splits a responsible-party cell (separators `;` `/` `,` `и`, names
//! joined by dashes, prepositions and brackets, no word dropped), with sources as the names:
//! - **Kinds** come from the table's `written_as` (compared without case, quotes or the spaces
//!   beside quotes; abbreviations such as `ДДД`, `СО` keep their case), from the spellings below,
//!   and from an institution named as a source: the municipality and its directorate (`СО`,
//!   `Община X`, `Д „СД“`) → `municipal_budget`; a ministry or state agency (`МЗ`, `АСП`) →
//!   `state_budget`; service providers (`ЗСУ`, `ЦОП-ове`) → `provider_budget`; any other body
//!   (`НПО`, `Други`) and words no rule knows (`Частни`) → `other`.
//! - **Programmes** are short codes: `ОПРЧР` (`ОП „РЧР“`, `ОП РЧР`, `ПРЧР`, `Оперативна програма
//!   „Развитие на човешките ресурси“`), `ОПРР` (`ОП „Регионално развитие“`, `„Региони в растеж“`),
//!   `ОПХ`, `ОПНОИР`, `ОПДУ`, `ОПФСЛ` (all `eu_programme`), `НП АХУ` (`НП „Асистенти на хора с
//!   увреждания“`), `НПСПОЗ` and `Красива България` (`national_programme`); a programme named
//!   otherwise (`Оперативни програми`, `Национална програма`, `ЕСФ`) has none.
//! - **One source, several names**: a source takes the kind of its first name unless a name in it
//!   carries a programme (`Външни средства по проект към ОП „РЧР“` is `eu_programme`, `ОПРЧР`);
//!   `Проект ОП „РЧР“` and `Проекти по ОП …, Схема …` are one source; `МЗ ДДД` (the state-delegated
//!   activity of a ministry) is one `state_delegated` source; neighbours of the same kind and
//!   programme written with `/`, `,` or `и` between them are one source (`Програми/ Проекти`,
//!   `СО / Д „СД“`, `Проекти, програми`) while names side by side stay apart (`Бизнес организации
//!   частни дарители` is two donations).
//! - Words without a letter (`-`, `0`, `2016`) are no source.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{LazyLock, Mutex};

use grizha_domain::codes::CodeTables;

use super::party::{
    Body, Cache, Cell, Found, Mark, Phrase, Piece, Rules, cached, clean, institutions, is_capitals, joiners, pick,
    segment,
};
use crate::format::Funding;

/// The sources a funding cell names, in order; `[]` for an empty cell.
pub fn funding(cell: &str, codes: &CodeTables) -> Vec<Funding> {
    static CACHE: Cache<Vec<(Phrase, Source)>> = Mutex::new(None);
    let cell = Cell::new(cell);
    let mut found: Vec<Found<Option<Source>>> = Vec::new();
    let mut key = DefaultHasher::new();
    for kind in &codes.funding_kinds {
        (kind.code.as_str(), &kind.written_as).hash(&mut key);
    }
    let phrases = cached(&CACHE, key.finish(), || {
        let spellings = codes.funding_kinds.iter().flat_map(|k| k.written_as.iter().map(move |w| (w, k.code.as_str())));
        spellings.filter_map(|(w, kind)| Some((Phrase::new(&clean(w)?)?, Source::of(kind, None)))).collect()
    });
    for start in cell.starts() {
        for (phrase, source) in phrases.iter() {
            if let Some(end) = phrase.matches(&cell.norm, start).and_then(|end| cell.word_end(start, end)) {
                found.push(Found { start, end, rank: 1, value: Some(source.clone()) });
            }
        }
        for (end, source) in FUNDING_RULES.at(&cell, start) {
            found.push(Found { start, end, rank: 0, value: Some(source.clone()) });
        }
    }
    let bodies = institutions(&cell, codes).into_iter();
    found.extend(bodies.map(|f| Found {
        start: f.start,
        end: f.end,
        rank: f.rank + 2,
        value: Some(Source::from_body(&f.value)),
    }));
    found.extend(joiners(&cell).into_iter().map(|f| f.map(|()| None)));
    let found = pick(&cell, found);
    let marks: Vec<Mark> =
        found.iter().map(|f| Mark { start: f.start, end: f.end, joiner: f.value.is_none() }).collect();

    let mut sources: Vec<(Piece, Source)> = Vec::new();
    for piece in segment(&cell, &marks) {
        if !cell.norm[piece.start..piece.end].chars().any(char::is_alphabetic) {
            continue;
        }
        let source = source_of(&piece, &found);
        if let Some((last, last_source)) = sources.last_mut() {
            let gap = cell.norm.get(last.end..piece.start).unwrap_or_default().trim();
            let same = last_source.kind == source.kind && last_source.programme == source.programme;
            let listed = matches!(gap, "/" | "\\" | "," | "и");
            let generic =
                last_source.programme.is_none() && matches!(last_source.kind.as_str(), "project" | "external");
            if same && listed {
                last.end = piece.end;
                continue;
            }
            if gap.is_empty() && source.programme.is_some() && generic {
                last.end = piece.end;
                *last_source = source;
                continue;
            }
            let ministry = last_source.kind == "state_budget" && is_capitals(&cell.raw(last.start, last.end));
            if gap.is_empty() && source.kind == "state_delegated" && ministry {
                last.end = piece.end;
                *last_source = source;
                continue;
            }
        }
        sources.push((piece, source));
    }
    sources
        .into_iter()
        .map(|(piece, source)| Funding {
            raw: cell.raw(piece.start, piece.end),
            kind: source.kind,
            programme: source.programme.map(str::to_owned),
        })
        .collect()
}

/// What a name says about a source.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Source {
    kind: String,
    programme: Option<&'static str>,
    /// Read from the name of an institution rather than a wording of funding.
    body: bool,
}

impl Source {
    fn of(kind: &str, programme: Option<&'static str>) -> Source {
        Source { kind: kind.to_owned(), programme, body: false }
    }

    fn from_body(body: &Body) -> Source {
        let kind = match body.code.as_str() {
            "ОБЩ" | "ДСД" | "ОС" => "municipal_budget",
            "ДОСТ" | "УЧ" => "provider_budget",
            "МТСП" | "МЗ" | "МОН" | "МВР" | "МРРБ" | "МВнР" | "АСП" | "РДСП" | "ДСП" | "ОЗД" | "ДАЗД" | "ДБТ"
            | "АЗ" | "АКСУ" | "РУО" | "РЦО" | "РЗИ" | "МКБППМН" | "ОА" => "state_budget",
            _ => "other",
        };
        Source { kind: kind.to_owned(), programme: None, body: true }
    }
}

fn source_of(piece: &Piece, found: &[Found<Option<Source>>]) -> Source {
    let source = |i: usize| found.get(i).and_then(|f| f.value.as_ref());
    let mut names: Vec<usize> = piece.heads.iter().flatten().copied().chain(piece.objects.iter().copied()).collect();
    names.sort_unstable();
    if let Some(with_programme) = names.iter().filter_map(|&i| source(i)).find(|s| s.programme.is_some()) {
        return with_programme.clone();
    }
    let heads: Vec<&Source> = piece.heads.iter().flatten().filter_map(|&i| source(i)).collect();
    let chosen = heads.iter().find(|s| !s.body).or(heads.first());
    chosen.map_or_else(|| Source::of("other", None), |s| (*s).clone())
}

/// Spellings beyond the table, in the text as `Cell` prepares it (quotes `"`, dashes `-`).
static FUNDING_RULES: LazyLock<Rules<Source>> = LazyLock::new(|| {
    const OP: &str = r#"(?i:оперативна\s+програма|ОП)\s*"?\s*"#;
    let eu = |p: &'static str| Source::of("eu_programme", Some(p));
    let national = |p: &'static str| Source::of("national_programme", Some(p));
    let kind = |k: &str| Source::of(k, None);
    let rules: Vec<(String, Source)> = vec![
        (format!(r#"{OP}(?i:развитие\s+на\s+човешките\s+ресурси|рчр)"?"#), eu("ОПРЧР")),
        (r"(?i:о?прчр)".to_owned(), eu("ОПРЧР")),
        (format!(r#"{OP}(?i:регионално\s+развитие|региони\s+в\s+растеж|рр)"?"#), eu("ОПРР")),
        (r"(?i:опрр)".to_owned(), eu("ОПРР")),
        (r#"(?i:региони\s+в\s+растеж)"?"#.to_owned(), eu("ОПРР")),
        (format!(r#"{OP}(?i:за\s+)?(?i:храни\w*)(?:\s+(?i:и\s*/\s*или\s+основно\s+материално\s+подпомагане))?"?"#), eu("ОПХ")),
        (r"(?i:опх)".to_owned(), eu("ОПХ")),
        (format!(r#"{OP}(?i:наука\s+и\s+образование\s+за\s+интелигентен\s+растеж)"?"#), eu("ОПНОИР")),
        (r"(?i:опноир)".to_owned(), eu("ОПНОИР")),
        (format!(r#"{OP}(?i:добро\s+управление)"?"#), eu("ОПДУ")),
        (r"(?i:опду)".to_owned(), eu("ОПДУ")),
        (r"(?i:опфсл)".to_owned(), eu("ОПФСЛ")),
        (r#"(?i:нп|национална\s+програма)\s*"?\s*(?i:аху|асистенти\s+на\s+хора\s+с\s+увреждания)"?"#.to_owned(), national("НП АХУ")),
        (r#"(?i:асистенти\s+на\s+хора\s+с\s+увреждания)"?"#.to_owned(), national("НП АХУ")),
        (r"НПСПОЗ".to_owned(), national("НПСПОЗ")),
        (r#"(?i:(?:проект\w*|програм\w*)\s+)?"?(?i:красива\s+българия)"?"#.to_owned(), national("Красива България")),
        (r#"(?i:национал\w+\s+програм\w*)(?:\s*"[^"]*")?|НП\s*"[^"]*""#.to_owned(), kind("national_programme")),
        (r#"(?i:оперативн\w+\s+програм\w*)|ОП(?:\s*"[^"]*")?"#.to_owned(), kind("eu_programme")),
        (
            r"(?i:европейск\w+\s+(?:социален\s+фонд|фонд\w*|проект\w*|програм\w*|средства|финансиране)(?:\s+и\s+(?:програм|проект|фонд)\w*)?)"
                .to_owned(),
            kind("eu_programme"),
        ),
        (r"ЕСФ|ЕФРР|ЕЗФРСР|ФЕПНЛ|ЕС|ПРСР|(?i:структурн\w+\s+фонд\w*|програма\s+за\s+развитие\s+на\s+селските\s+райони|еразъм\w*|интеррег\w*|трансгранич\w+\s+сътрудничеств\w*)".to_owned(), kind("eu_programme")),
        (r"(?i:външн\w+\s+(?:финансиране|източници|средства))".to_owned(), kind("external")),
        (r"(?i:(?:норвежк|швейцарск)\w*\s+(?:финансов\w*\s+механизъм|програм\w*)|финансов\w*\s+механизъм\w*)".to_owned(), kind("external")),
        (r"ДДД|ДД".to_owned(), kind("state_delegated")),
        (r"(?i:държавно\s*-?\s*делегиран\w*(?:\s+дейност\w*)?|делегиран\w*\s+(?:от\s+държавата\s+)?(?:държавн\w*\s+)?(?:дейност|бюджет)\w*)".to_owned(), kind("state_delegated")),
        (r"(?i:общ(?:\.|ин\w*)\s*бюджет\w*)".to_owned(), kind("municipal_budget")),
        (r"(?i:бюджет\w*\s+(?:на\s+)?(?:общината|столична\s+община|община))|(?i:бюджет\w*\s+(?:на\s+)?)СО".to_owned(), kind("municipal_budget")),
        (r"(?i:(?:местн|общинск)\w*\s+(?:дейност|средства|приходи|финансиране)\w*|собствени\s+средства\s+на\s+общината|дофинансиране(?:\s+от\s+общината)?)".to_owned(), kind("municipal_budget")),
        (r"(?i:програм\w*\s+на\s+(?:общината|община))|(?i:програм\w*\s+на\s+)СО".to_owned(), kind("municipal_budget")),
        (r"(?i:(?:републиканск|държавн)\w*\s+бюджет\w*|бюджет\w*\s+(?:на\s+)?(?:държавата|министерств\w*))|(?i:бюджет\w*\s+(?:на\s+)?)(?:МЗ|МТСП|МОН|АСП)".to_owned(), kind("state_budget")),
        (r"(?i:бюджет\w*\s+(?:на\s+)?(?:съответн\w*\s+)?)[^\s,;/()]+|(?i:собствен\w*\s+(?:бюджет|средства)\w*)".to_owned(), kind("provider_budget")),
        (r"(?i:(?:програм|проект)\w*\s+и\s+(?:програм|проект)\w*|проектно\s+финансиране|проект\w*|програм\w*)".to_owned(), kind("project")),
        (r"(?i:(?:подходящ\w*\s+)?гран[тд]\w*(?:\s+(?:програм|схем)\w*)?)".to_owned(), kind("project")),
        (r"(?i:(?:частни\s+)?дарени\w*|(?:частни\s+)?дарител\w*|спонсор\w*|благотворител\w*|бизнес\w*(?:\s+организаци\w*)?)".to_owned(), kind("donation")),
        (r"(?i:не\s+се\s+изисква\w*(?:\s+(?:финансиране|средства))?|не\s+(?:е|са)\s+(?:необходим|нужн)\w*(?:\s+(?:средства|финансиране))?|без\s+(?:допълнителн\w+\s+)?(?:финансиране|средства|разходи)|не\s+изисква\s+(?:финансиране|средства)|няма\s+(?:нужда|необходимост)(?:\s+от\s+(?:финансиране|средства))?)".to_owned(), kind("none_required")),
    ];
    Rules::new(rules)
});

#[cfg(test)]
mod tests {
    use super::*;

    fn read(cell: &str) -> Vec<(String, String, Option<String>)> {
        funding(cell, &CodeTables::builtin()).into_iter().map(|f| (f.raw, f.kind, f.programme)).collect()
    }

    fn f(raw: &str, kind: &str, programme: Option<&str>) -> (String, String, Option<String>) {
        (raw.to_owned(), kind.to_owned(), programme.map(str::to_owned))
    }

    fn one(raw: &str, kind: &str) -> Vec<(String, String, Option<String>)> {
        vec![f(raw, kind, None)]
    }

    fn kinds(cell: &str) -> Vec<String> {
        read(cell).into_iter().map(|(_, kind, _)| kind).collect()
    }

    #[test]
    fn two_kinds_joined_by_and_are_two_sources() {
        assert_eq!(
            read("Държавно делегирана дейност и Проектно финансиране"),
            vec![f("Държавно делегирана дейност", "state_delegated", None), f("Проектно финансиране", "project", None)]
        );
        assert_eq!(
            read("Общ. бюджет/ДДД"),
            vec![f("Общ. бюджет", "municipal_budget", None), f("ДДД", "state_delegated", None)]
        );
        assert_eq!(
            read("СО Външно финансиране"),
            vec![f("СО", "municipal_budget", None), f("Външно финансиране", "external", None)]
        );
        assert_eq!(
            read("Държавен бюджет; Общински бюджет"),
            vec![f("Държавен бюджет", "state_budget", None), f("Общински бюджет", "municipal_budget", None)]
        );
    }

    #[test]
    fn the_state_delegated_activity_in_its_spellings() {
        for spelling in [
            "ДДД",
            "Държавно делегирана дейност",
            "Държавно делегирана дейност (ДДД)",
            "Делегирана държавна дейност",
            "делегирана от държавата дейност",
        ] {
            assert_eq!(read(spelling), one(spelling, "state_delegated"), "{spelling}");
        }
    }

    #[test]
    fn the_municipality_as_a_source_is_its_budget() {
        for spelling in [
            "СО",
            "Столична община",
            "Община Видин",
            "Общински бюджет",
            "Общ. бюджет",
            "местна дейност",
            "Общинска дейност",
            "бюджета на общината",
            "Бюджет на СО",
            "Д „СД“",
            "дофинансиране от общината",
        ] {
            assert_eq!(read(spelling), one(spelling, "municipal_budget"), "{spelling}");
        }
    }

    #[test]
    fn a_ministry_or_agency_as_a_source_is_the_state_budget() {
        for spelling in ["МЗ", "МТСП", "АСП", "Държавен бюджет", "Държавния бюджет", "Републиканския бюджет"]
        {
            assert_eq!(read(spelling), one(spelling, "state_budget"), "{spelling}");
        }
        assert_eq!(read("Държавен бюджет, чрез общината"), one("Държавен бюджет, чрез общината", "state_budget"));
        // The state-delegated activity of a ministry is one source.
        assert_eq!(read("МЗ ДДД"), one("МЗ ДДД", "state_delegated"));
    }

    #[test]
    fn no_funding_needed() {
        for spelling in
            ["Не се изисква", "не се изисква", "Не е необходимо", "Без финансиране", "не са необходими средства"]
        {
            assert_eq!(read(spelling), one(spelling, "none_required"), "{spelling}");
        }
    }

    #[test]
    fn programmes_are_named_by_short_codes() {
        for (spelling, kind, programme) in [
            ("ОП „РЧР“", "eu_programme", "ОПРЧР"),
            ("ОП РЧР", "eu_programme", "ОПРЧР"),
            ("ОПРЧР", "eu_programme", "ОПРЧР"),
            ("ПРЧР", "eu_programme", "ОПРЧР"),
            ("OП PЧP", "eu_programme", "ОПРЧР"),
            ("Оперативна програма „Развитие на човешките ресурси“", "eu_programme", "ОПРЧР"),
            ("ОП “Развитие на човешките ресурси”", "eu_programme", "ОПРЧР"),
            ("ОП „Регионално развитие“", "eu_programme", "ОПРР"),
            ("ОПХ", "eu_programme", "ОПХ"),
            ("ОПНОИР", "eu_programme", "ОПНОИР"),
            ("ОП „Добро управление“", "eu_programme", "ОПДУ"),
            ("ОПФСЛ", "eu_programme", "ОПФСЛ"),
            ("НП АХУ", "national_programme", "НП АХУ"),
            ("НП „Асистенти на хора с увреждания“", "national_programme", "НП АХУ"),
        ] {
            assert_eq!(read(spelling), vec![f(spelling, kind, Some(programme))], "{spelling}");
        }
        assert_eq!(read("Оперативни програми"), one("Оперативни програми", "eu_programme"));
        assert_eq!(read("Европейски фондове"), one("Европейски фондове", "eu_programme"));
        assert_eq!(read("Национална програма"), one("Национална програма", "national_programme"));
        assert_eq!(
            read("НП АХУ и ОП РЧР"),
            vec![f("НП АХУ", "national_programme", Some("НП АХУ")), f("ОП РЧР", "eu_programme", Some("ОПРЧР"))]
        );
    }

    #[test]
    fn a_source_that_names_a_programme_takes_it() {
        for spelling in [
            "Външни средства по проект към ОП „РЧР“",
            "Проект ОП „РЧР“",
            "Проекти по ОП „РЧР”, Схема „Нов шанс“",
            "Процедура за подбор по ОП РЧР „Нов шанс“ Компонент 1",
        ] {
            assert_eq!(read(spelling), vec![f(spelling, "eu_programme", Some("ОПРЧР"))], "{spelling}");
        }
    }

    #[test]
    fn budgets_of_providers() {
        for spelling in
            ["Бюджета на ЦОП-овете", "Бюджети на ЦНСТ", "Бюджет на СИ", "Бюджетите на съответните институции"]
        {
            assert_eq!(read(spelling), one(spelling, "provider_budget"), "{spelling}");
        }
        assert_eq!(
            read("Бюджет на ЦСРИ Проектно финансиране"),
            vec![f("Бюджет на ЦСРИ", "provider_budget", None), f("Проектно финансиране", "project", None)]
        );
    }

    #[test]
    fn projects_donations_and_outside_money() {
        for spelling in ["Проекти", "Проектно финансиране", "Програми и проекти", "грантови програми"]
        {
            assert_eq!(read(spelling), one(spelling, "project"), "{spelling}");
        }
        for spelling in ["Дарения", "спонсори", "частни дарители"] {
            assert_eq!(read(spelling), one(spelling, "donation"), "{spelling}");
        }
        assert_eq!(read("Външно финансиране"), one("Външно финансиране", "external"));
        assert_eq!(
            read("Бизнес организации частни дарители"),
            vec![f("Бизнес организации", "donation", None), f("частни дарители", "donation", None)]
        );
    }

    #[test]
    fn a_source_no_rule_knows_is_other() {
        assert_eq!(read("Частни"), one("Частни", "other"));
        assert_eq!(kinds("НПО Други"), vec!["other", "other"]);
        assert_eq!(kinds("Проекти/ Частни"), vec!["project", "other"]);
    }

    #[test]
    fn neighbours_of_one_kind_listed_with_a_slash_or_comma_are_one_source() {
        for spelling in ["Програми/ Проекти", "Проекти, програми", "СО / Д „СД“"]
        {
            assert_eq!(read(spelling).len(), 1, "{spelling}");
        }
        assert_eq!(read("ОП РЧР, ОПРР").len(), 2);
    }

    #[test]
    fn an_empty_cell_or_a_dash_has_no_source() {
        for cell in ["", " ", "-", "—", "0", "\n;"] {
            assert_eq!(read(cell), vec![], "{cell:?}");
        }
    }

    #[test]
    fn messy_input_never_panics_and_raws_are_taken_from_the_text() {
        let codes = CodeTables::builtin();
        let alphabet: Vec<char> = "ДДОПРЧРбюджетСО „“”\"°«»(),;/-–.\n АБВ abcOP0123ѝ\u{301}😀".chars().collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut cells: Vec<String> = vec!["ОП „".to_owned(), "Бюджет на".to_owned(), "ДДД ".repeat(400)];
        for _ in 0..400 {
            let len = (next() % 40) as usize;
            cells.push((0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect());
        }
        for cell in &cells {
            let folded = crate::text::fold(cell);
            for source in funding(cell, &codes) {
                assert!(!source.raw.is_empty(), "{cell:?}");
                assert!(folded.contains(&source.raw), "{cell:?}: {:?}", source.raw);
                assert!(codes.funding_kind(&source.kind).is_some(), "{cell:?}: {}", source.kind);
            }
        }
    }
}
