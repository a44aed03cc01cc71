//! Plans written in layouts none of the corpus files uses, made up for these tests: the extractor
//! must read them by the meaning of their headers, not by column positions it has seen before.

use grizha_docs::ReadLimits;
use grizha_extract::format::{DocumentKind, Extraction, Period};
use serde_json::json;

fn extract(name: &str, bytes: &[u8]) -> Extraction {
    let document = grizha_docs::read(bytes, &ReadLimits::default()).unwrap();
    grizha_extract::extract(&document, grizha_extract::source(name, bytes, &document))
}

/// Columns in another order (deadline first, goal last), the goal cell spanning rows, the header
/// repeated after a page break, a second table without a header continuing the first, and a
/// totals row; as HTML.
const REORDERED: &str = r#"<!DOCTYPE html><html><body>
<h1>Годишен план за действие за 2026 г.</h1>
<p>по изпълнението на Общинската стратегия за развитие на социалните услуги в община Габрово 2023 – 2027 г.</p>
<table>
<tr><th>Срок</th><th>Отговорник</th><th>Дейност</th><th>Източник на финансиране</th><th>Очакван резултат</th><th>Приоритет</th></tr>
<tr><td colspan="6">Услуги за деца и семейства</td></tr>
<tr><td>м. март 2026 г.</td><td>Община Габрово, ДСП</td><td>1.1. Разкриване на Център за обществена подкрепа с капацитет 30 места</td><td>ДДД</td><td>Разкрита услуга</td><td rowspan="2">Приоритет 1. Подкрепа за семействата</td></tr>
<tr><td>постоянен</td><td>ОЗД, НПО</td><td>1.2. Консултиране на родители</td><td>Не се изисква</td><td>Консултирани 40 семейства</td></tr>
<tr><th>Срок</th><th>Отговорник</th><th>Дейност</th><th>Източник на финансиране</th><th>Очакван резултат</th><th>Приоритет</th></tr>
<tr><td>II полугодие</td><td>Д „СД“</td><td>1.3. Обучение на приемни родители</td><td>ОП „РЧР“</td><td>Обучени 15 приемни родители</td><td></td></tr>
</table>
<table>
<tr><td>до 30.09.2026 г.</td><td>РДСП</td><td>2.1. Закриване на Дом за деца, лишени от родителска грижа „Слънце“</td><td>Държавен бюджет</td><td>Закрита институция</td><td>Приоритет 2. Деинституционализация</td></tr>
</table>
</body></html>"#;

#[test]
fn a_plan_with_its_columns_in_another_order_is_read_by_meaning() {
    let extraction = extract("габрово-2026.html", REORDERED.as_bytes());
    assert!(extraction.warnings.is_empty(), "{:?}", extraction.warnings);
    assert_eq!(extraction.documents.len(), 1);
    let plan = &extraction.documents[0];
    assert_eq!(plan.kind, DocumentKind::AnnualPlan);
    assert_eq!(plan.title, "Годишен план за действие за 2026 г.");
    assert_eq!(plan.period, Some(Period { from: 2026, to: 2026 }));
    assert_eq!(
        plan.strategy_title.as_deref(),
        Some("Общинската стратегия за развитие на социалните услуги в община Габрово 2023 – 2027 г.")
    );
    let issuer = plan.issuer.as_ref().unwrap();
    assert_eq!((issuer.name.as_str(), issuer.code.as_deref()), ("Габрово", Some("GAB05")));

    let rows: Vec<_> = plan
        .activities
        .iter()
        .map(|a| {
            json!({
                "code": a.code, "goal": a.goal, "section": a.section, "text": a.text,
                "deadline": [a.deadline.kind().to_string(), a.deadline.from().map(|d| d.to_string()), a.deadline.to().map(|d| d.to_string())],
                "responsible": a.responsible.iter().map(|p| p.code.clone()).collect::<Vec<_>>(),
                "funding": a.funding.iter().map(|f| (f.kind.clone(), f.programme.clone())).collect::<Vec<_>>(),
                "results": a.expected_results, "at": [a.at.table, a.at.row],
            })
        })
        .collect();
    assert_eq!(
        rows,
        [
            json!({"code": "1.1", "goal": "Приоритет 1. Подкрепа за семействата", "section": "Услуги за деца и семейства",
                   "text": "Разкриване на Център за обществена подкрепа с капацитет 30 места",
                   "deadline": ["month", "2026-03-01", "2026-03-31"], "responsible": ["ОБЩ", "ДСП"],
                   "funding": [["state_delegated", null]], "results": ["Разкрита услуга"], "at": [0, 2]}),
            json!({"code": "1.2", "goal": "Приоритет 1. Подкрепа за семействата", "section": "Услуги за деца и семейства",
                   "text": "Консултиране на родители", "deadline": ["ongoing", null, null], "responsible": ["ОЗД", "НПО"],
                   "funding": [["none_required", null]], "results": ["Консултирани 40 семейства"], "at": [0, 3]}),
            json!({"code": "1.3", "goal": "Приоритет 1. Подкрепа за семействата", "section": "Услуги за деца и семейства",
                   "text": "Обучение на приемни родители", "deadline": ["half", "2026-07-01", "2026-12-31"], "responsible": ["ДСД"],
                   "funding": [["eu_programme", "ОПРЧР"]], "results": ["Обучени 15 приемни родители"], "at": [0, 5]}),
            json!({"code": "2.1", "goal": "Приоритет 2. Деинституционализация", "section": "Услуги за деца и семейства",
                   "text": "Закриване на Дом за деца, лишени от родителска грижа „Слънце“", "deadline": ["date", "2026-09-30", "2026-09-30"], "responsible": ["РДСП"],
                   "funding": [["state_budget", null]], "results": ["Закрита институция"], "at": [1, 0]}),
        ]
    );
    // The row opening a service is also a service, with its capacity and status.
    let services: Vec<_> = plan
        .services
        .iter()
        .map(|s| {
            json!([
                s.name,
                s.service_type,
                s.capacity.iter().map(|c| (c.year, c.value)).collect::<Vec<_>>(),
                s.status,
                [s.at.table, s.at.row]
            ])
        })
        .collect();
    assert_eq!(
        services,
        [
            json!(["Център за обществена подкрепа", "community_support_centre", [[2026, 30]], "new", [0, 2]]),
            json!(["Дом за деца, лишени от родителска грижа „Слънце“", "children_home", [], "closing", [1, 0]]),
        ]
    );
}

/// A plan as a text rendering (tab-separated) whose `Срок` column mixes every sort of wording,
/// some without a year, and whose header takes two lines.
const MIXED_DEADLINES: &str = "ОБЩИНА ТРОЯН\n\nПЛАН ЗА ДЕЙСТВИЕ ЗА 2025 ГОДИНА\n\n\
№\tДейност\tСрок за\tОтговорни институции\n\
\t\tизпълнение\t\n\
1.\tИнформационна кампания\tI тримесечие\tОбщина Троян\n\
2.\tОбучение на персонала\tдо 30 юни\tД „СД“\n\
3.\tСреща с доставчиците\tЕжемесечно\tДСД\n\
4.\tДоклад за изпълнението\t31.01.2026 г.\tЗМО\n\
5.\tКонсултиране\tпостоянно; при нужда\tДСП\n\
6.\tПроучване на нуждите\tоктомври – декември\tОбщина Троян, ДСП\n\
7.\tАнкета сред потребителите\t2025 г. и текущо\tНПО\n\
8.\tПрием на нови потребители\t\tДОСТ\n";

#[test]
fn a_deadline_column_with_mixed_wordings_is_read_with_the_plan_year() {
    let extraction = extract("троян-2025.txt", MIXED_DEADLINES.as_bytes());
    let plan = &extraction.documents[0];
    assert_eq!(plan.kind, DocumentKind::AnnualPlan);
    assert_eq!(plan.period, Some(Period { from: 2025, to: 2025 }));
    assert_eq!(plan.issuer.as_ref().and_then(|i| i.code.as_deref()), Some("LOV34"));
    let deadlines: Vec<(String, String, Option<String>, Option<String>)> = plan
        .activities
        .iter()
        .map(|a| {
            let d = &a.deadline;
            (
                a.code.clone().unwrap_or_default(),
                d.kind().to_string(),
                d.from().map(|x| x.to_string()),
                d.to().map(|x| x.to_string()),
            )
        })
        .collect();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        deadlines,
        [
            ("1".into(), "quarter".into(), s("2025-01-01"), s("2025-03-31")),
            ("2".into(), "date".into(), s("2025-06-30"), s("2025-06-30")),
            ("3".into(), "periodic".into(), None, None),
            ("4".into(), "date".into(), s("2026-01-31"), s("2026-01-31")),
            ("5".into(), "ongoing".into(), None, None),
            ("6".into(), "range".into(), s("2025-10-01"), s("2025-12-31")),
            ("7".into(), "multiple".into(), s("2025-01-01"), s("2025-12-31")),
            ("8".into(), "unspecified".into(), None, None),
        ]
    );
    assert_eq!(plan.activities[1].deadline.raw(), "до 30 юни");
    assert_eq!(
        plan.activities[5].responsible.iter().map(|p| p.code.as_deref()).collect::<Vec<_>>(),
        [Some("ОБЩ"), Some("ДСП")]
    );
}
