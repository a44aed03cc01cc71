//! The demo's content and the script that writes it. All names, texts and figures are invented for
//! the demonstration; the settlements and organisations do not exist.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use grizha_domain::codes::{FundingKindCode, InstitutionCode, ServiceTypeCode};
use grizha_domain::deadline::{Deadline, DeadlineContext};
use grizha_domain::document::Evidence;
use grizha_domain::geography::{AreaCode, Municipality, MunicipalityCode, Region, RegionCode, SettlementCode};
use grizha_domain::ids::{CouncilDecisionId, MonitoringRecordId, ServiceId, StrategyNodeId};
use grizha_domain::monitoring::{ActivityStatus, MonitoringRecord, Progress, ReportingObligation, SubmissionStatus};
use grizha_domain::plan::{CouncilDecision, Funding, Party, PlanGeneration, PlanPart, PlanStatus};
use grizha_domain::service::{
    Licence, Location, Organisation, OrganisationKind, ServiceEvent, ServiceEventKind, ServiceStatus, ServiceYear,
};
use grizha_domain::strategy::{
    Aggregation, Baseline, Direction, IndicatorLevel, IndicatorPeriod, LevelNames, MeasuredValue,
};
use grizha_domain::time::{DateRange, Effective, Year, YearRange};
use grizha_domain::user::{Login, Role};
use grizha_store::{
    Actor, NewActivity, NewIndicator, NewPlan, NewPlanServiceEntry, NewService, NewStrategy, NewUser, Store,
};

use crate::{DemoCredential, DemoError, REGION};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("the demo's dates are valid")
}

const REGION_NAME: &str = "Демонстрационна област";
/// Areas of the demo are in force from the start of the strategy period.
const OPENED: (i32, u32, u32) = (2024, 1, 1);
const STRATEGY_FROM: i32 = 2024;
const STRATEGY_TO: i32 = 2028;

/// One demo municipality.
struct Town {
    code: &'static str,
    name: &'static str,
    /// The administrative centre, «гр. …».
    centre: &'static str,
    centre_ekatte: &'static str,
    /// Relative size: counts of users, places and staff are scaled by it.
    scale: f64,
    ngo: &'static str,
    vision: &'static str,
    /// Numbers of the council decisions adopting the strategy and the 2025 plan.
    decisions: (&'static str, &'static str),
    /// The 2026 plan's stage.
    plan_2026: PlanStatus,
    /// How far the region's report request got.
    report: &'static [SubmissionStatus],
}

const TOWNS: [Town; 3] = [
    Town {
        code: "DEM01",
        name: "Демо-Изток",
        centre: "Изгревец",
        centre_ekatte: "99001",
        scale: 1.0,
        ngo: "Сдружение „Мост към семейството“",
        vision: "Община Демо-Изток – място, в което всяко дете расте в семейна среда, а хората с увреждания \
                 и възрастните хора живеят достойно и независимо в своята общност.",
        decisions: ("118", "412"),
        plan_2026: PlanStatus::Draft,
        report: &[SubmissionStatus::InProgress, SubmissionStatus::Submitted, SubmissionStatus::Approved],
    },
    Town {
        code: "DEM02",
        name: "Демо-Запад",
        centre: "Залезово",
        centre_ekatte: "99002",
        scale: 0.6,
        ngo: "Фондация „Зелена стъпка“",
        vision: "Достъпни и качествени социални услуги близо до хората във всяко населено място на общината.",
        decisions: ("95", "377"),
        plan_2026: PlanStatus::PublicConsultation,
        report: &[SubmissionStatus::Submitted, SubmissionStatus::Returned],
    },
    Town {
        code: "DEM03",
        name: "Демо-Север",
        centre: "Северняк",
        centre_ekatte: "99003",
        scale: 0.4,
        ngo: "Сдружение „Сребърна възраст“",
        vision: "Грижа в общността вместо в институции: възрастните хора и хората с увреждания остават у дома, \
                 подкрепени от близки и от професионалисти.",
        decisions: ("64", "251"),
        plan_2026: PlanStatus::Draft,
        report: &[],
    },
];

/// The demo accounts; the last one is written last and marks a finished load.
pub(crate) fn credentials() -> Vec<DemoCredential> {
    let account = |login: &str, role: Role, area: Option<&str>, name: &str| DemoCredential {
        login: login.to_owned(),
        password: format!("{login}-pass"),
        role,
        area: area.map(|a| AreaCode::parse(a).expect("the demo's area codes are valid")),
        display_name: name.to_owned(),
    };
    vec![
        account("demo-admin", Role::Administrator, None, "Администратор на демото"),
        account("demo-oblast", Role::RegionalMonitoring, Some(REGION), "Елена Петрова, областно звено за мониторинг"),
        account("demo-iztok", Role::MunicipalEditor, Some("DEM01"), "Георги Димитров, община Демо-Изток"),
        account("demo-zapad", Role::MunicipalEditor, Some("DEM02"), "Светла Николова, община Демо-Запад"),
        account("demo-sever", Role::MunicipalEditor, Some("DEM03"), "Калин Тодоров, община Демо-Север"),
        account("demo-provider", Role::Provider, Some("DEM01"), "Ива Стоянова, Сдружение „Мост към семейството“"),
        account("demo-viewer", Role::Viewer, Some(REGION), "Петър Василев, Обществен съвет"),
    ]
}

// ---------------------------------------------------------------------------------------------
// The logical framework
// ---------------------------------------------------------------------------------------------

/// `(code, title, children)`: directions → general goals → specific goals → measures.
struct Node {
    code: &'static str,
    title: &'static str,
    children: &'static [Node],
}

const FRAMEWORK: &[Node] = &[
    Node {
        code: "1",
        title: "Деца и семейства",
        children: &[Node {
            code: "ОЦ1",
            title: "Всяко дете да расте в сигурна и подкрепяща семейна среда",
            children: &[
                Node {
                    code: "1.1",
                    title: "Превенция на изоставянето и на раздялата на детето с родителите",
                    children: &[
                        Node {
                            code: "1.1.1",
                            title: "Консултиране и подкрепа на семейства с деца в риск",
                            children: &[],
                        },
                        Node {
                            code: "1.1.2",
                            title: "Ранна интервенция на уврежданията и подкрепа на родителите",
                            children: &[],
                        },
                    ],
                },
                Node {
                    code: "1.2",
                    title: "Качествена грижа от семеен тип за децата, лишени от родителска грижа",
                    children: &[Node {
                        code: "1.2.1",
                        title: "Резидентна грижа от семеен тип и приемна грижа",
                        children: &[],
                    }],
                },
            ],
        }],
    },
    Node {
        code: "2",
        title: "Хора с увреждания и възрастни хора",
        children: &[Node {
            code: "ОЦ2",
            title: "Независим живот в общността за хората с увреждания и възрастните хора",
            children: &[
                Node {
                    code: "2.1",
                    title: "Подкрепа в домашна среда",
                    children: &[Node {
                        code: "2.1.1",
                        title: "Домашен социален патронаж и асистентска подкрепа",
                        children: &[],
                    }],
                },
                Node {
                    code: "2.2",
                    title: "Дневна грижа, терапия и рехабилитация",
                    children: &[Node {
                        code: "2.2.1",
                        title: "Развитие на дневните центрове и достъпа до тях",
                        children: &[],
                    }],
                },
            ],
        }],
    },
    Node {
        code: "3",
        title: "Уязвими групи, кризисни ситуации и капацитет",
        children: &[Node {
            code: "ОЦ3",
            title: "Защита при насилие и криза и ефективна система от услуги",
            children: &[
                Node {
                    code: "3.1",
                    title: "Бърза кризисна интервенция",
                    children: &[Node {
                        code: "3.1.1",
                        title: "Кризисен център и мобилна кризисна подкрепа",
                        children: &[],
                    }],
                },
                Node {
                    code: "3.2",
                    title: "Капацитет на персонала и на системата за мониторинг",
                    children: &[Node {
                        code: "3.2.1", title: "Обучение, супервизия и мониторинг", children: &[]
                    }],
                },
            ],
        }],
    },
];

struct IndicatorSpec {
    /// The node it measures; `None` for the strategy as a whole.
    node: Option<&'static str>,
    level: IndicatorLevel,
    text: &'static str,
    unit: &'static str,
    direction: Direction,
    aggregation: Aggregation,
    /// Scaled by the town's size (counts); percentages are not.
    scaled: bool,
    source: &'static str,
    baseline: f64,
    /// Targets 2024–2028.
    targets: [f64; 5],
    /// Actual values 2024, 2025, … (written for the years that ended before `today`).
    actuals: [f64; 3],
}

const INDICATORS: &[IndicatorSpec] = &[
    IndicatorSpec {
        node: None,
        level: IndicatorLevel::Strategy,
        text: "Брой социални услуги, предоставяни на територията на общината",
        unit: "брой",
        direction: Direction::Increase,
        aggregation: Aggregation::Latest,
        scaled: false,
        source: "Регистър на социалните услуги на общината",
        baseline: 8.0,
        targets: [8.0, 9.0, 10.0, 10.0, 11.0],
        actuals: [8.0, 9.0, 10.0],
    },
    IndicatorSpec {
        node: Some("ОЦ1"),
        level: IndicatorLevel::GeneralGoal,
        text: "Брой деца от общината, настанени в специализирани институции",
        unit: "брой",
        direction: Direction::Decrease,
        aggregation: Aggregation::Latest,
        scaled: true,
        source: "Данни на ДСП, отдел „Закрила на детето“",
        baseline: 6.0,
        targets: [5.0, 4.0, 3.0, 2.0, 0.0],
        actuals: [5.0, 4.0, 3.0],
    },
    IndicatorSpec {
        node: Some("1.1.1"),
        level: IndicatorLevel::Measure,
        text: "Брой семейства, получили консултиране и подкрепа в ЦОП",
        unit: "семейства",
        direction: Direction::Increase,
        aggregation: Aggregation::Sum,
        scaled: true,
        source: "Отчети на доставчика на ЦОП",
        baseline: 85.0,
        targets: [90.0, 100.0, 110.0, 120.0, 130.0],
        actuals: [94.0, 97.0, 105.0],
    },
    IndicatorSpec {
        node: Some("1.1.2"),
        level: IndicatorLevel::Measure,
        text: "Брой деца от 0 до 3 години, обхванати от скрининг на развитието",
        unit: "деца",
        direction: Direction::Increase,
        aggregation: Aggregation::Sum,
        scaled: true,
        source: "Отчети на детските ясли и на общопрактикуващите лекари",
        baseline: 120.0,
        targets: [140.0, 160.0, 180.0, 200.0, 200.0],
        actuals: [151.0, 158.0, 184.0],
    },
    IndicatorSpec {
        node: Some("2.1.1"),
        level: IndicatorLevel::Measure,
        text: "Брой потребители на домашен социален патронаж и асистентска подкрепа",
        unit: "потребители",
        direction: Direction::Increase,
        aggregation: Aggregation::Latest,
        scaled: true,
        source: "Регистър на социалните услуги; отчети по Механизма „Лична помощ“",
        baseline: 230.0,
        targets: [240.0, 250.0, 260.0, 270.0, 280.0],
        actuals: [244.0, 262.0, 266.0],
    },
    IndicatorSpec {
        node: Some("2.2"),
        level: IndicatorLevel::SpecificGoal,
        text: "Дял на потребителите на дневна грижа, доволни от услугата",
        unit: "%",
        direction: Direction::Increase,
        aggregation: Aggregation::Latest,
        scaled: false,
        source: "Годишна анкета сред потребителите и близките им",
        baseline: 78.0,
        targets: [80.0, 82.0, 85.0, 87.0, 90.0],
        actuals: [81.0, 80.0, 86.0],
    },
    IndicatorSpec {
        node: Some("3.1.1"),
        level: IndicatorLevel::Measure,
        text: "Брой лица, получили кризисна подкрепа до 24 часа след сигнала",
        unit: "лица",
        direction: Direction::Increase,
        aggregation: Aggregation::Sum,
        scaled: true,
        source: "Дневник на кризисния център; данни на ОЗД и МВР",
        baseline: 30.0,
        targets: [32.0, 35.0, 38.0, 40.0, 40.0],
        actuals: [33.0, 41.0, 37.0],
    },
    IndicatorSpec {
        node: Some("3.2.1"),
        level: IndicatorLevel::Measure,
        text: "Брой служители на социалните услуги, преминали обучение или супервизия през годината",
        unit: "служители",
        direction: Direction::Increase,
        aggregation: Aggregation::Sum,
        scaled: true,
        source: "Протоколи и удостоверения от обученията",
        baseline: 12.0,
        targets: [20.0, 20.0, 25.0, 25.0, 25.0],
        actuals: [18.0, 24.0, 22.0],
    },
];

fn scaled(value: f64, scale: f64) -> f64 {
    (value * scale).round()
}

fn scaled_u32(value: u32, scale: f64) -> u32 {
    (f64::from(value) * scale).round().max(1.0) as u32
}

// ---------------------------------------------------------------------------------------------
// The registry of services
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Fund {
    StateDelegated,
    Municipal,
    PersonalAssistance,
    Eu,
}

impl Fund {
    fn funding(self) -> Funding {
        let (raw, kind, programme) = match self {
            Fund::StateDelegated => ("Държавно делегирана дейност", "state_delegated", None),
            Fund::Municipal => ("Общински бюджет – местна дейност", "municipal_budget", None),
            Fund::PersonalAssistance => (
                "Механизъм „Лична помощ“",
                "national_programme",
                Some("Механизъм „Лична помощ“ по Закона за личната помощ"),
            ),
            Fund::Eu => ("ПРЧР 2021–2027", "eu_programme", Some("Програма „Развитие на човешките ресурси“ 2021–2027")),
        };
        Funding {
            raw: raw.to_owned(),
            kind: FundingKindCode::parse(kind).expect("a shipped funding kind"),
            programme: programme.map(str::to_owned),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Provider {
    Municipality,
    Ngo,
}

struct ServiceSpec {
    key: &'static str,
    service_type: &'static str,
    name: String,
    description: &'static str,
    target_groups: &'static [&'static str],
    provider: Provider,
    fund: Fund,
    opened_on: NaiveDate,
    /// Places or users before any change, and staff (both scaled by the town's size).
    capacity: u32,
    staff: u32,
    /// Share of places occupied.
    occupancy: f64,
    /// A dated change of capacity: the kind, the date and the new capacity (scaled).
    change: Option<(ServiceEventKind, NaiveDate, u32)>,
    /// The service is transformed into the service with this key on this date.
    transformed: Option<(NaiveDate, &'static str, &'static str)>,
    /// Index of the location it is delivered at.
    location: usize,
}

#[expect(clippy::too_many_arguments, reason = "a row of the registry table, read as one")]
fn service(
    key: &'static str,
    service_type: &'static str,
    name: String,
    description: &'static str,
    target_groups: &'static [&'static str],
    provider: Provider,
    fund: Fund,
    opened_on: NaiveDate,
    capacity: u32,
    staff: u32,
    location: usize,
) -> ServiceSpec {
    ServiceSpec {
        key,
        service_type,
        name,
        description,
        target_groups,
        provider,
        fund,
        opened_on,
        capacity,
        staff,
        occupancy: 0.9,
        change: None,
        transformed: None,
        location,
    }
}

const CHILDREN_FAMILIES: &[&str] = &["деца в риск", "семейства с деца", "бременни жени и родители"];
const CHILDREN_NO_CARE: &[&str] = &["деца, лишени от родителска грижа"];
const CHILDREN_DISABLED: &[&str] = &["деца с увреждания", "младежи с увреждания до 29 години", "родители"];
const ADULTS_DISABLED: &[&str] = &["пълнолетни лица с увреждания"];
const ADULTS_MENTAL: &[&str] = &["пълнолетни лица с психични разстройства"];
const ELDERLY: &[&str] = &["възрастни хора", "самотно живеещи"];
const ELDERLY_DISABLED: &[&str] = &["възрастни хора", "пълнолетни лица с увреждания"];
const VIOLENCE: &[&str] = &["деца, пострадали от насилие", "лица, пострадали от домашно насилие", "жертви на трафик"];
const POOR: &[&str] = &["лица с ниски доходи", "самотно живеещи възрастни хора"];

fn registry(index: usize, town: &Town) -> Vec<ServiceSpec> {
    use Fund::*;
    use Provider::*;
    let c = town.centre;
    let mut common = vec![
        service(
            "cop",
            "community_support_centre",
            format!("Център за обществена подкрепа – {c}"),
            "Консултиране, семейна терапия, подготовка на родители и подкрепа при случаи на риск от изоставяне.",
            CHILDREN_FAMILIES,
            Ngo,
            StateDelegated,
            day(2012, 3, 1),
            50,
            9,
            1,
        ),
        service(
            "patronage",
            "home_social_patronage",
            format!("Домашен социален патронаж – {}", town.name),
            "Доставка на храна, поддържане на хигиената и социални контакти в дома на потребителя.",
            ELDERLY_DISABLED,
            Municipality,
            Municipal,
            day(1998, 1, 1),
            180,
            16,
            0,
        ),
        service(
            "assistant",
            "personal_assistant",
            format!("Лична помощ – община {}", town.name),
            "Лични асистенти за хора с трайни увреждания според индивидуалната оценка на потребностите.",
            ADULTS_DISABLED,
            Municipality,
            PersonalAssistance,
            day(2021, 9, 1),
            90,
            90,
            0,
        ),
        service(
            "crisis",
            "crisis_centre",
            format!("Кризисен център „Сигурен пристан“ – {c}"),
            "Настаняване до 6 месеца, психологическа и правна подкрепа при насилие и трафик.",
            VIOLENCE,
            Ngo,
            StateDelegated,
            day(2016, 10, 1),
            10,
            8,
            2,
        ),
        service(
            "protected",
            "protected_housing",
            format!("Защитено жилище за лица с психични разстройства – {c}"),
            "Резидентна грижа в жилище в общността с подкрепа за самостоятелен живот.",
            ADULTS_MENTAL,
            Municipality,
            StateDelegated,
            day(2019, 2, 1),
            8,
            5,
            2,
        ),
    ];
    let mut own = match index {
        0 => {
            let mut cnst = service(
                "cnst",
                "family_type_centre",
                format!("Център за настаняване от семеен тип за деца без увреждания – {c}"),
                "Резидентна грижа за деца, лишени от родителска грижа, в обстановка, близка до семейната.",
                CHILDREN_NO_CARE,
                Municipality,
                StateDelegated,
                day(2014, 7, 1),
                12,
                14,
                2,
            );
            cnst.change = Some((ServiceEventKind::Expanded, day(2025, 10, 1), 14));
            let mut protected = service(
                "protected2",
                "protected_housing",
                format!("Защитено жилище за лица с интелектуални затруднения – {c}"),
                "Ново жилище в общността, разкрито по проект с пълна обзавеждане и подкрепящ персонал.",
                ADULTS_DISABLED,
                Ngo,
                StateDelegated,
                day(2025, 4, 1),
                8,
                6,
                2,
            );
            protected.occupancy = 0.75;
            vec![
                cnst,
                protected,
                service(
                    "dc_children",
                    "day_centre_children_disabilities",
                    format!("Дневен център за деца и младежи с увреждания „Дъга“ – {c}"),
                    "Дневна грижа, рехабилитация, логопедична и психологическа работа.",
                    CHILDREN_DISABLED,
                    Municipality,
                    StateDelegated,
                    day(2010, 9, 15),
                    30,
                    12,
                    1,
                ),
                service(
                    "dc_adults",
                    "day_centre_adults_disabilities",
                    format!("Дневен център за пълнолетни лица с увреждания – {c}"),
                    "Дневна грижа, трудотерапия и организиране на свободното време.",
                    ADULTS_DISABLED,
                    Municipality,
                    StateDelegated,
                    day(2013, 5, 1),
                    25,
                    9,
                    0,
                ),
                service(
                    "early",
                    "early_intervention",
                    format!("Център за ранна интервенция – {c}"),
                    "Оценка на развитието, домашни посещения и подкрепа на родителите на деца до 7 години.",
                    CHILDREN_DISABLED,
                    Ngo,
                    Eu,
                    day(2022, 1, 10),
                    40,
                    7,
                    1,
                ),
                service(
                    "canteen",
                    "public_canteen",
                    format!("Обществена трапезария – {c}"),
                    "Топла храна в работните дни за лица с ниски доходи.",
                    POOR,
                    Municipality,
                    Municipal,
                    day(2009, 1, 5),
                    60,
                    3,
                    0,
                ),
            ]
        }
        1 => {
            let mut rehab = service(
                "rehab",
                "rehab_integration_centre",
                format!("Център за социална рехабилитация и интеграция – {c}"),
                "Кинезитерапия, логопедия, психологическа подкрепа и професионално ориентиране.",
                ADULTS_DISABLED,
                Municipality,
                StateDelegated,
                day(2011, 4, 1),
                20,
                8,
                1,
            );
            rehab.change = Some((ServiceEventKind::Expanded, day(2025, 7, 1), 25));
            let mut canteen = service(
                "canteen",
                "public_canteen",
                format!("Обществена трапезария – {c}"),
                "Топла храна в работните дни за лица с ниски доходи.",
                POOR,
                Municipality,
                Municipal,
                day(2009, 1, 5),
                80,
                3,
                0,
            );
            canteen.change = Some((ServiceEventKind::Reduced, day(2026, 1, 1), 60));
            vec![
                rehab,
                canteen,
                service(
                    "cnst",
                    "family_type_centre",
                    format!("Център за настаняване от семеен тип за младежи с увреждания – {c}"),
                    "Резидентна грижа и подкрепа за придобиване на умения за самостоятелен живот.",
                    ADULTS_DISABLED,
                    Ngo,
                    StateDelegated,
                    day(2015, 3, 1),
                    14,
                    12,
                    2,
                ),
                service(
                    "dc_adults",
                    "day_centre_adults_disabilities",
                    format!("Дневен център за пълнолетни лица с увреждания – {c}"),
                    "Дневна грижа, трудотерапия и организиране на свободното време.",
                    ADULTS_DISABLED,
                    Municipality,
                    StateDelegated,
                    day(2013, 5, 1),
                    25,
                    9,
                    1,
                ),
            ]
        }
        _ => {
            let mut home = service(
                "elderly_home",
                "elderly_home",
                format!("Дом за стари хора – {c}"),
                "Специализирана институция, трансформирана в услуги в общността.",
                ELDERLY,
                Municipality,
                StateDelegated,
                day(1987, 6, 1),
                45,
                22,
                2,
            );
            home.transformed = Some((
                day(2025, 12, 31),
                "cnst",
                "Трансформиран в Център за настаняване от семеен тип за възрастни хора",
            ));
            let mut cop = service(
                "cop_village",
                "community_support_centre",
                format!("Изнесен офис на ЦОП в с. Горно {c}"),
                "Нов изнесен офис за семействата от селата в северната част на общината.",
                CHILDREN_FAMILIES,
                Ngo,
                StateDelegated,
                day(2024, 9, 1),
                15,
                3,
                1,
            );
            cop.occupancy = 0.6;
            vec![
                home,
                cop,
                service(
                    "cnst",
                    "family_type_centre",
                    format!("Център за настаняване от семеен тип за възрастни хора – {c}"),
                    "Резидентна грижа в малка група, разкрита при трансформирането на дома за стари хора.",
                    ELDERLY,
                    Municipality,
                    StateDelegated,
                    day(2025, 12, 1),
                    15,
                    11,
                    2,
                ),
                service(
                    "dc_elderly",
                    "day_centre_elderly",
                    format!("Дневен център за възрастни хора – {c}"),
                    "Дневна грижа, храна, организирани занимания и рехабилитация.",
                    ELDERLY,
                    Municipality,
                    StateDelegated,
                    day(2026, 1, 15),
                    30,
                    8,
                    0,
                ),
                service(
                    "hot_meal",
                    "hot_meal",
                    format!("Топъл обяд в община {}", town.name),
                    "Топъл обяд в дома за хора, които не могат да се грижат сами за себе си.",
                    POOR,
                    Municipality,
                    Eu,
                    day(2022, 10, 1),
                    100,
                    4,
                    0,
                ),
            ]
        }
    };
    common.append(&mut own);
    common
}

impl ServiceSpec {
    fn capacity_in(&self, year: i32, scale: f64) -> u32 {
        match self.change {
            Some((_, on, to)) if on.year() <= year => scaled_u32(to, scale),
            _ => scaled_u32(self.capacity, scale),
        }
    }
    fn years(&self) -> impl Iterator<Item = i32> + '_ {
        let last = self.transformed.map_or(2026, |(on, _, _)| on.year());
        self.opened_on.year().max(2023)..=last
    }
}

// ---------------------------------------------------------------------------------------------
// The annual plans
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Outcome {
    Done,
    InProgress(u8),
    Delayed(u8),
    NotStarted,
    Cancelled,
}

struct ActivitySpec {
    measure: &'static str,
    text: String,
    deadline: &'static str,
    responsible: &'static [&'static str],
    /// No source means none is needed.
    funding: &'static [Fund],
    results: Vec<String>,
    service: Option<&'static str>,
    /// What was done (for monitoring), and what held it up.
    done: &'static str,
    problem: &'static str,
    /// The outcome in 2025, per municipality.
    outcome: [Outcome; 3],
}

fn party(code: &str, town: &Town) -> Party {
    let raw = match code {
        "ОБЩ" => format!("Община {}", town.name),
        "ДСД" => "Дирекция „Социални дейности“".to_owned(),
        "ДСП" => format!("ДСП – {}", town.centre),
        "ОЗД" => "ОЗД към ДСП".to_owned(),
        "ДОСТ" => "Доставчиците на социални услуги".to_owned(),
        "ЛЗ" => "Общопрактикуващи лекари и детски ясли".to_owned(),
        "МВР" => format!("РУ на МВР – {}", town.centre),
        "УЧ" => "Училища и детски градини".to_owned(),
        "ДБТ" => format!("ДБТ – {}", town.centre),
        "ЗМО" => "Общинско звено за мониторинг и оценка".to_owned(),
        "ОС" => format!("Общински съвет – {}", town.name),
        "НПО" => town.ngo.to_owned(),
        other => other.to_owned(),
    };
    Party { raw, code: InstitutionCode::parse(code).ok(), name: None }
}

fn plan_2025(town: &Town) -> Vec<ActivitySpec> {
    use Outcome::*;
    let n = |v: u32| scaled_u32(v, town.scale);
    vec![
        ActivitySpec {
            measure: "1.1.1",
            text: "Консултиране и психологическа подкрепа на семейства с деца в риск от изоставяне".into(),
            deadline: "Постоянен",
            responsible: &["ДОСТ", "ОЗД"],
            funding: &[Fund::StateDelegated],
            results: vec![
                format!("Подкрепени най-малко {} семейства", n(100)),
                "Предотвратени случаи на изоставяне".into(),
            ],
            service: Some("cop"),
            done: "Подкрепата е предоставяна през цялата година; отчетът на доставчика е приет.",
            problem: "",
            outcome: [Done, Done, Done],
        },
        ActivitySpec {
            measure: "1.1.1",
            text: format!(
                "„Училище за родители“ – цикъл от шест срещи за родители на деца до 7 години в гр. {}",
                town.centre
            ),
            deadline: "30.06.2025 г.",
            responsible: &["ДОСТ", "УЧ"],
            funding: &[Fund::StateDelegated],
            results: vec![format!("Участвали {} родители", n(40))],
            service: Some("cop"),
            done: "Проведени шест срещи; участвалите родители са повече от планираните.",
            problem: "срещите бяха отложени заради грипната епидемия и ремонта на залата",
            outcome: [Done, Delayed(50), Done],
        },
        ActivitySpec {
            measure: "1.1.2",
            text: "Скрининг на развитието на деца от 0 до 3 години в детските ясли и при личните лекари".into(),
            deadline: "31.10.2025 г.",
            responsible: &["ОБЩ", "ЛЗ", "ДОСТ"],
            funding: &[Fund::Municipal],
            results: vec![format!("Обхванати {} деца", n(160)), "Ранно насочване към подкрепа".into()],
            service: Some("early"),
            done: "Скринингът е проведен във всички ясли; децата с изоставане са насочени към ранна интервенция.",
            problem: "част от общопрактикуващите лекари не подават данни",
            outcome: [InProgress(80), Done, Delayed(40)],
        },
        ActivitySpec {
            measure: "1.2.1",
            text: "Ремонт и обзавеждане на второ жилище за разширяване на капацитета на ЦНСТ".into(),
            deadline: "30.09.2025 г.",
            responsible: &["ОБЩ"],
            funding: &[Fund::Eu, Fund::Municipal],
            results: vec!["Осигурени 2 нови места от семеен тип".into()],
            service: Some("cnst"),
            done: "Ремонтът е приет, жилището е обзаведено и капацитетът е увеличен.",
            problem: "обжалвана обществена поръчка за ремонта; изпълнителят е избран с четири месеца закъснение",
            outcome: [Done, NotStarted, Delayed(60)],
        },
        ActivitySpec {
            measure: "1.2.1",
            text: "Кампания за набиране, оценка и обучение на нови приемни семейства".into(),
            deadline: "II-ро полугодие на 2025 г.",
            responsible: &["ОЗД", "ОБЩ", "НПО"],
            funding: &[Fund::Eu],
            results: vec![format!("Одобрени {} нови приемни семейства", n(4))],
            service: None,
            done: "Одобрени са три нови приемни семейства; две са в процес на оценка.",
            problem: "малък интерес след информационната кампания",
            outcome: [Done, InProgress(50), NotStarted],
        },
        ActivitySpec {
            measure: "2.1.1",
            text: "Разширяване на обхвата на Домашния социален патронаж към селата на общината".into(),
            deadline: "Април 2025 г.",
            responsible: &["ОБЩ", "ДСД"],
            funding: &[Fund::Municipal],
            results: vec![format!("Обслужвани {} нови потребители в селата", n(25))],
            service: Some("patronage"),
            done: "Разкрити два нови маршрута за доставка на храна.",
            problem: "не бяха намерени кандидати за домашни помощници в отдалечените села",
            outcome: [Done, Done, Cancelled],
        },
        ActivitySpec {
            measure: "2.1.1",
            text: "Предоставяне на асистентска подкрепа по Механизма „Лична помощ“".into(),
            deadline: "Постоянен",
            responsible: &["ОБЩ", "ДСП"],
            funding: &[Fund::PersonalAssistance],
            results: vec![format!("Подкрепени {} лица с трайни увреждания", n(90))],
            service: Some("assistant"),
            done: "Асистентите са работили всеки месец; няма прекъсвания на плащанията.",
            problem: "",
            outcome: [Done, Done, Done],
        },
        ActivitySpec {
            measure: "2.2.1",
            text: "Програма за трудотерапия и социални умения в Дневния център за пълнолетни лица с увреждания".into(),
            deadline: "31.05.2025 г.",
            responsible: &["ДОСТ"],
            funding: &[Fund::StateDelegated],
            results: vec!["Въведена седмична програма с три работилници".into()],
            service: Some("dc_adults"),
            done: "Работилниците за керамика, шев и градинарство работят от май.",
            problem: "закъсняла доставка на оборудването за работилниците",
            outcome: [InProgress(90), Delayed(40), Done],
        },
        ActivitySpec {
            measure: "2.2.1",
            text: "Специализиран транспорт за потребителите на дневните центрове от селата".into(),
            deadline: "30.06.2025 г.",
            responsible: &["ОБЩ"],
            funding: &[Fund::Municipal],
            results: vec!["Закупен адаптиран микробус".into(), "Редовен превоз по два маршрута".into()],
            service: None,
            done: "Микробусът е доставен и обслужва два маршрута.",
            problem: "процедурата за доставка е прекратена и обявена отново",
            outcome: [Delayed(30), Done, NotStarted],
        },
        ActivitySpec {
            measure: "3.1.1",
            text: "Денонощна кризисна линия и мобилен екип за кризисна интервенция".into(),
            deadline: "2025 – 2026 г.",
            responsible: &["ДОСТ", "ОЗД", "МВР"],
            funding: &[Fund::StateDelegated],
            results: vec!["Реакция до 24 часа след сигнал".into(), "Обслужени всички сигнали".into()],
            service: Some("crisis"),
            done: "Линията работи денонощно.",
            problem: "единият от двамата психолози на екипа напусна и мястото не е заето – рискът от неизпълнение е висок",
            outcome: [InProgress(55), InProgress(35), InProgress(40)],
        },
        ActivitySpec {
            measure: "3.1.1",
            text: "Заседания на мултидисциплинарния екип по координационния механизъм при случаи на насилие".into(),
            deadline: "Периодично",
            responsible: &["ОЗД", "МВР", "ОБЩ", "УЧ"],
            funding: &[],
            results: vec!["Всеки сигнал разгледан в срок".into()],
            service: None,
            done: "Проведени 11 заседания; всички случаи са с план за действие.",
            problem: "",
            outcome: [Done, Done, InProgress(70)],
        },
        ActivitySpec {
            measure: "3.2.1",
            text: "Обучение на персонала на социалните услуги по управление на случаи и водене на документация".into(),
            deadline: "Ноември 2025 г.",
            responsible: &["ОБЩ", "ДОСТ"],
            funding: &[Fund::Eu],
            results: vec![format!("Обучени {} служители", n(24))],
            service: None,
            done: "Двудневно обучение за всички екипи и последваща групова супервизия.",
            problem: "обучението не стартира – проектът за финансиране не е одобрен",
            outcome: [Done, NotStarted, Done],
        },
        ActivitySpec {
            measure: "3.2.1",
            text: "Годишен доклад за наблюдението на изпълнението на плана за 2025 г. и внасянето му в Общинския съвет"
                .into(),
            deadline: "31.03.2026 г.",
            responsible: &["ЗМО", "ОБЩ"],
            funding: &[],
            results: vec!["Приет доклад с препоръки за следващия план".into()],
            service: None,
            done: "Докладът е приет от Общинския съвет.",
            problem: "не са събрани данните от всички доставчици",
            outcome: [InProgress(60), Delayed(30), NotStarted],
        },
    ]
}

fn plan_2026(town: &Town) -> Vec<ActivitySpec> {
    use Outcome::*;
    let n = |v: u32| scaled_u32(v, town.scale);
    let row = |measure, text: String, deadline, responsible, funding, results: Vec<String>, service| ActivitySpec {
        measure,
        text,
        deadline,
        responsible,
        funding,
        results,
        service,
        done: "",
        problem: "",
        outcome: [NotStarted; 3],
    };
    vec![
        row(
            "1.1.1",
            "Консултиране и семейна терапия за семейства в риск".into(),
            "Постоянен",
            &["ДОСТ", "ОЗД"],
            &[Fund::StateDelegated],
            vec![format!("Подкрепени най-малко {} семейства", n(110))],
            Some("cop"),
        ),
        row(
            "1.1.1",
            "Групи за взаимопомощ на родители на тийнейджъри".into(),
            "II-ро полугодие на 2026 г.",
            &["ДОСТ", "УЧ"],
            &[Fund::StateDelegated],
            vec!["Две групи с по 10 родители".into()],
            Some("cop"),
        ),
        row(
            "1.1.2",
            "Разширяване на скрининга на развитието към всички детски градини".into(),
            "31.10.2026 г.",
            &["ОБЩ", "ЛЗ", "УЧ"],
            &[Fund::Municipal],
            vec![format!("Обхванати {} деца", n(180))],
            None,
        ),
        row(
            "1.2.1",
            "Подкрепа на младежите, напускащи резидентна грижа: наставник и жилище за преход".into(),
            "2026 г.",
            &["ОБЩ", "ОЗД", "ДБТ"],
            &[Fund::Eu],
            vec!["Всеки напускащ младеж има план за самостоятелен живот".into()],
            Some("cnst"),
        ),
        row(
            "2.1.1",
            "Топъл обяд и доставка на храна за самотно живеещи възрастни хора".into(),
            "Постоянен",
            &["ОБЩ", "ДСД"],
            &[Fund::Municipal, Fund::Eu],
            vec![format!("Обслужени {} потребители", n(200))],
            Some("patronage"),
        ),
        row(
            "2.1.1",
            "Асистентска подкрепа по Механизма „Лична помощ“".into(),
            "Постоянен",
            &["ОБЩ", "ДСП"],
            &[Fund::PersonalAssistance],
            vec![format!("Подкрепени {} лица", n(95))],
            Some("assistant"),
        ),
        row(
            "2.2.1",
            "Анкета за удовлетвореността на потребителите на дневна грижа и на близките им".into(),
            "Септември 2026 г.",
            &["ЗМО", "ДОСТ"],
            &[],
            vec!["Доклад с резултатите и мерки за подобрение".into()],
            None,
        ),
        row(
            "2.2.1",
            "Осигуряване на достъпна среда в сградата на дневния център".into(),
            "30.06.2026 г.",
            &["ОБЩ"],
            &[Fund::Municipal],
            vec!["Изградени рампа и санитарен възел за хора с увреждания".into()],
            None,
        ),
        row(
            "3.1.1",
            "Информационна кампания „Не си сам“ срещу домашното насилие в училищата".into(),
            "Март – май 2026 г.",
            &["ОЗД", "МВР", "УЧ", "НПО"],
            &[Fund::StateDelegated],
            vec!["Проведени срещи във всички училища".into()],
            Some("crisis"),
        ),
        row(
            "3.2.1",
            "Супервизия на екипите на всички социални услуги".into(),
            "Периодично",
            &["ОБЩ", "ДОСТ"],
            &[Fund::Eu],
            vec![format!("Супервизирани {} служители", n(25))],
            None,
        ),
        row(
            "3.2.1",
            "Анализ на потребностите и предложение за Националната карта на социалните услуги".into(),
            "31.07.2026 г.",
            &["ОБЩ", "ЗМО", "ОбщС"],
            &[],
            vec!["Предложение, обсъдено публично 30 дни".into()],
            None,
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Writing it
// ---------------------------------------------------------------------------------------------

pub(crate) async fn load(store: &Store, actor: &Actor, today: NaiveDate) -> Result<(), DemoError> {
    let region = RegionCode::parse(REGION)?;
    let opened = day(OPENED.0, OPENED.1, OPENED.2);
    store
        .add_region(actor, &Region { code: region.clone(), name: REGION_NAME.into(), nuts3: "BG000".into() }, opened)
        .await?;
    let mut ngos = Vec::new();
    for (index, town) in TOWNS.iter().enumerate() {
        let municipality = Municipality {
            code: MunicipalityCode::parse(town.code)?,
            name: town.name.into(),
            region: region.clone(),
            centre: SettlementCode::parse(town.centre_ekatte)?,
        };
        store.add_municipality(actor, &municipality, opened).await?;
        ngos.push((municipality.code.clone(), load_town(store, actor, today, index, town).await?));
    }
    for c in credentials() {
        let provider_of = match (&c.role, &c.area) {
            (Role::Provider, Some(AreaCode::Municipality(m))) => {
                ngos.iter().find(|(code, _)| code == m).map(|(_, o)| *o)
            }
            _ => None,
        };
        let user = store
            .add_user(
                actor,
                NewUser {
                    login: Login::parse(&c.login)?,
                    display_name: c.display_name,
                    password: c.password,
                    role: c.role,
                    area: c.area,
                },
            )
            .await?;
        if let Some(organisation) = provider_of {
            store.set_user_organisation(actor, user.id, Some(organisation)).await?;
        }
    }
    Ok(())
}

/// Loads one municipality's strategy, plans, registry and monitoring; returns the NGO that provides
/// some of its services (its provider account works for it).
async fn load_town(
    store: &Store,
    actor: &Actor,
    today: NaiveDate,
    index: usize,
    town: &Town,
) -> Result<grizha_domain::ids::OrganisationId, DemoError> {
    let code = MunicipalityCode::parse(town.code)?;
    let area = AreaCode::Municipality(code.clone());
    let council = format!("Общински съвет – {}", town.name);

    // The strategy, adopted by the council.
    let strategy_decision = store
        .add_council_decision(
            actor,
            &CouncilDecision {
                id: CouncilDecisionId(0),
                area: area.clone(),
                body: council.clone(),
                number: town.decisions.0.into(),
                date: day(2024, 2, 29),
                protocol: Some("Протокол № 9".into()),
                item: Some("т. 4".into()),
                text: Some(format!(
                    "Приема Стратегия за развитие на социалните услуги в община {} за периода 2024–2028 г.",
                    town.name
                )),
            },
        )
        .await?;
    let strategy = store
        .create_strategy(
            actor,
            NewStrategy {
                area: area.clone(),
                title: format!("Стратегия за развитие на социалните услуги в община {} 2024–2028 г.", town.name),
                period: YearRange::new(Year::new(STRATEGY_FROM)?, Year::new(STRATEGY_TO)?)?,
                vision: Some(town.vision.into()),
                level_names: LevelNames::new(
                    ["Приоритетно направление", "Обща цел", "Специфична цел", "Мярка"].map(String::from).to_vec(),
                )?,
                adopted_by: Some(format!(
                    "Решение № {} от {} на {council}",
                    strategy_decision.number,
                    strategy_decision.date.format("%d.%m.%Y г.")
                )),
                source: None,
            },
        )
        .await?;
    let mut nodes: HashMap<&'static str, (StrategyNodeId, &'static str)> = HashMap::new();
    let mut stack: Vec<(Option<StrategyNodeId>, &'static Node)> = FRAMEWORK.iter().rev().map(|n| (None, n)).collect();
    while let Some((parent, node)) = stack.pop() {
        let added = store.add_strategy_node(actor, strategy.id, parent, Some(node.code.into()), node.title).await?;
        nodes.insert(node.code, (added.id, node.title));
        stack.extend(node.children.iter().rev().map(|c| (Some(added.id), c)));
    }
    for spec in INDICATORS {
        let value = |v: f64| if spec.scaled { scaled(v, town.scale) } else { v };
        let indicator = store
            .add_indicator(
                actor,
                strategy.id,
                NewIndicator {
                    node: spec.node.map(|n| nodes[n].0),
                    level: spec.level,
                    text: spec.text.into(),
                    unit: Some(spec.unit.into()),
                    direction: spec.direction,
                    aggregation: spec.aggregation,
                    sources: vec![spec.source.into()],
                    verification: Some("Ежегодно, в доклада за мониторинг".into()),
                    baseline: Some(Baseline {
                        value: value(spec.baseline),
                        as_of: day(2023, 12, 31),
                        comment: Some("Анализ на потребностите, 2023 г.".into()),
                    }),
                },
            )
            .await?;
        for (offset, target) in spec.targets.iter().enumerate() {
            let year = Year::new(STRATEGY_FROM + offset as i32)?;
            let period = DateRange::year(year);
            let actual = spec.actuals.get(offset).filter(|_| period.end() < today).map(|a| MeasuredValue {
                value: value(*a),
                comment: None,
                evidence: Vec::new(),
            });
            let target = Some(MeasuredValue { value: value(*target), comment: None, evidence: Vec::new() });
            store
                .set_indicator_period(actor, indicator.id, &IndicatorPeriod { period, target, actual }, None, today)
                .await?;
        }
    }

    // The providers, the places and the registry.
    let municipality_org = store
        .add_organisation(
            actor,
            &Organisation {
                id: grizha_domain::ids::OrganisationId(0),
                name: format!("Община {}", town.name),
                kind: OrganisationKind::Municipality,
                licence: None,
            },
        )
        .await?;
    let ngo = store
        .add_organisation(
            actor,
            &Organisation {
                id: grizha_domain::ids::OrganisationId(0),
                name: town.ngo.into(),
                kind: OrganisationKind::Ngo,
                licence: Some(Licence {
                    number: format!("Л-{}-2022", 3100 + index * 7),
                    valid_until: Some(day(2027, 6, 30)),
                }),
            },
        )
        .await?;
    let mut locations = Vec::new();
    for (name, address) in [
        ("Общински социален комплекс", "ул. „Липа“ 12"),
        ("Център за деца и семейства", "ул. „Васил Левски“ 3"),
        ("Жилища в общността", "ул. „Зора“ 7–9"),
    ] {
        let location = store
            .add_location(
                actor,
                &Location {
                    id: grizha_domain::ids::LocationId(0),
                    name: format!("{name} – {}", town.centre),
                    address: Some(format!("гр. {}, {address}", town.centre)),
                    municipality: code.clone(),
                    settlement: None,
                },
            )
            .await?;
        locations.push(location.id);
    }
    let registry = registry(index, town);
    let mut services: HashMap<&'static str, ServiceId> = HashMap::new();
    for spec in &registry {
        let added = store
            .add_service(
                actor,
                NewService {
                    municipality: code.clone(),
                    provider: Some(if spec.provider == Provider::Ngo { ngo.id } else { municipality_org.id }),
                    service_type: ServiceTypeCode::parse(spec.service_type)?,
                    name: spec.name.clone(),
                    description: Some(spec.description.into()),
                    target_groups: spec.target_groups.iter().map(|g| (*g).to_owned()).collect(),
                    funding: vec![spec.fund.funding()],
                    status: if spec.opened_on.year() >= 2025 { ServiceStatus::New } else { ServiceStatus::Existing },
                    opened_on: spec.opened_on,
                },
            )
            .await?;
        store.link_service_location(actor, added.id, locations[spec.location]).await?;
        for year in spec.years() {
            let capacity = spec.capacity_in(year, town.scale);
            let national_map = matches!(spec.fund, Fund::StateDelegated);
            let begun = day(year, 1, 1).max(spec.opened_on) <= today;
            let occupied = begun.then(|| ((f64::from(capacity) * spec.occupancy).round() as u32).min(capacity));
            let staff = if matches!(spec.fund, Fund::PersonalAssistance) {
                capacity
            } else {
                scaled_u32(spec.staff, town.scale.max(0.5))
            };
            let service_year = ServiceYear {
                year: Year::new(year)?,
                max_users: national_map.then_some(capacity),
                funded_places: Some(capacity),
                occupied_places: occupied,
                staff: Some(staff),
            };
            store.set_service_year(actor, added.id, &service_year, None).await?;
        }
        services.insert(spec.key, added.id);
    }
    for spec in &registry {
        let id = services[spec.key];
        if let Some((kind, on, to)) = spec.change {
            let (_, version) = store.service(id).await?;
            let (from, to) = (scaled_u32(spec.capacity, town.scale), scaled_u32(to, town.scale));
            let note = match kind {
                ServiceEventKind::Expanded => format!("Увеличаване на капацитета от {from} на {to} места"),
                _ => format!("Намаляване на капацитета от {from} на {to} места поради по-малкото потребители"),
            };
            let event = ServiceEvent {
                id: grizha_domain::ids::ServiceEventId(0),
                service: id,
                kind,
                effective_on: on,
                capacity_from: Some(from),
                capacity_to: Some(to),
                successor: None,
                note: Some(note),
            };
            store.record_service_event(actor, &event, version).await?;
        }
        if let Some((on, successor, note)) = spec.transformed {
            let (_, version) = store.service(id).await?;
            let event = ServiceEvent {
                id: grizha_domain::ids::ServiceEventId(0),
                service: id,
                kind: ServiceEventKind::Transformed,
                effective_on: on,
                capacity_from: Some(scaled_u32(spec.capacity, town.scale)),
                capacity_to: None,
                successor: services.get(successor).copied(),
                note: Some(note.into()),
            };
            store.record_service_event(actor, &event, version).await?;
        }
    }

    // The plans: 2025 adopted and monitored, 2026 in preparation.
    for (year, activities) in [(2025, plan_2025(town)), (2026, plan_2026(town))] {
        let plan = store
            .create_plan(
                actor,
                NewPlan {
                    area: area.clone(),
                    year: Year::new(year)?,
                    title: format!("Годишен план за развитие на социалните услуги в община {} за {year} г.", town.name),
                    strategy: Some(strategy.id),
                    generation: PlanGeneration::SocialServicesAct,
                },
            )
            .await?;
        let context = DeadlineContext::for_year(year);
        let mut added = Vec::new();
        for (position, spec) in activities.iter().enumerate() {
            let (measure, _) = nodes[spec.measure];
            let goal_code = spec.measure.rsplit_once('.').map_or(spec.measure, |(g, _)| g);
            let direction_code = &spec.measure[..1];
            let funding = if spec.funding.is_empty() {
                vec![Funding {
                    raw: "Не са необходими средства".into(),
                    kind: FundingKindCode::parse("none_required")?,
                    programme: None,
                }]
            } else {
                spec.funding.iter().map(|f| f.funding()).collect()
            };
            let activity = NewActivity {
                code: Some(format!("{}.{}", spec.measure, position + 1)),
                section: Some(format!("Направление {direction_code}. {}", nodes[direction_code].1)),
                goal: Some(format!("{goal_code}. {}", nodes[goal_code].1)),
                text: spec.text.clone(),
                deadline: Deadline::parse(spec.deadline, &context),
                responsible: spec.responsible.iter().map(|p| party(p, town)).collect(),
                funding,
                expected_results: spec.results.clone(),
                location: Some(format!("гр. {}", town.centre)),
                schedule: Vec::new(),
                service_type: spec
                    .service
                    .and_then(|k| registry.iter().find(|s| s.key == k))
                    .map(|s| ServiceTypeCode::parse(s.service_type))
                    .transpose()?,
                service: spec.service.and_then(|k| services.get(k).copied()),
                strategy_node: Some(measure),
            };
            added.push((store.add_plan_activity(actor, plan.id, &activity).await?, spec));
        }
        for spec in &registry {
            let id = services[spec.key];
            let in_force = spec.opened_on.year() <= year && spec.transformed.is_none_or(|(on, _, _)| on.year() > year);
            if !in_force || matches!(spec.fund, Fund::PersonalAssistance | Fund::Eu) {
                continue;
            }
            let part = if matches!(spec.fund, Fund::StateDelegated) {
                PlanPart::NationalMap
            } else {
                PlanPart::MunicipalBudget
            };
            let entry = NewPlanServiceEntry {
                part,
                service_type: ServiceTypeCode::parse(spec.service_type)?,
                name: spec.name.clone(),
                settlement: Some(format!("гр. {}", town.centre)),
                max_users: spec.capacity_in(year, town.scale),
                service: Some(id),
                note: spec
                    .change
                    .filter(|(_, on, _)| on.year() == year)
                    .map(|(_, on, _)| format!("Промяна на капацитета от {}", on.format("%d.%m.%Y г."))),
            };
            store.add_plan_service_entry(actor, plan.id, &entry).await?;
        }

        let (_, version) = store.plan(plan.id).await?;
        if year == 2025 {
            let consultation = DateRange::new(day(2024, 10, 14), day(2024, 11, 15))?;
            let version = store
                .set_plan_status(actor, plan.id, version, PlanStatus::PublicConsultation, None, Some(consultation))
                .await?;
            let decision = store
                .add_council_decision(
                    actor,
                    &CouncilDecision {
                        id: CouncilDecisionId(0),
                        area: area.clone(),
                        body: council.clone(),
                        number: town.decisions.1.into(),
                        date: day(2024, 12, 19),
                        protocol: Some("Протокол № 27".into()),
                        item: Some("т. 6".into()),
                        text: Some(format!(
                            "Приема Годишния план за развитие на социалните услуги в община {} за 2025 г.",
                            town.name
                        )),
                    },
                )
                .await?;
            store.set_plan_status(actor, plan.id, version, PlanStatus::Adopted, Some(decision.id), None).await?;
            record_monitoring(store, actor, today, index, &added).await?;
        } else if town.plan_2026 == PlanStatus::PublicConsultation {
            let consultation = DateRange::new(day(2025, 10, 1), day(2025, 10, 31))?;
            store
                .set_plan_status(actor, plan.id, version, PlanStatus::PublicConsultation, None, Some(consultation))
                .await?;
        }
    }

    // The region asks for the monitoring report on 2025.
    let obligation = store
        .add_reporting_obligation(
            actor,
            &ReportingObligation {
                id: grizha_domain::ids::ReportingObligationId(0),
                template: "municipal_monitoring_report".into(),
                reporter: area.clone(),
                recipient: format!("Областна администрация – {REGION_NAME}"),
                period: DateRange::year(Year::new(2025)?),
                due_on: day(2026, 3, 31),
                effective: Effective::since(day(2025, 1, 1)),
            },
        )
        .await?;
    if day(2026, 1, 1) <= today
        && let Some((_, submission, mut version)) =
            store.obligations_of(&area, today).await?.into_iter().find(|(o, _, _)| o.id == obligation.id)
    {
        for next in town.report {
            let comment = match next {
                SubmissionStatus::Returned => {
                    Some("Липсват данните за заетостта на услугите и оценката на индикаторите за 2025 г.".to_owned())
                }
                SubmissionStatus::Approved => Some("Докладът е одобрен от областното звено за мониторинг.".to_owned()),
                _ => None,
            };
            version = store.move_submission(actor, submission.id, version, *next, comment).await?;
        }
    }
    Ok(ngo.id)
}

/// Records the 2025 plan's progress: the first half year, then the year, for the periods that ended before `today`.
async fn record_monitoring(
    store: &Store,
    actor: &Actor,
    today: NaiveDate,
    index: usize,
    activities: &[(grizha_domain::plan::PlanActivity, &ActivitySpec)],
) -> Result<(), DemoError> {
    let year = Year::new(2025)?;
    let halves = [DateRange::new(day(2025, 1, 1), day(2025, 6, 30))?, DateRange::year(year)];
    for (activity, spec) in activities {
        let outcome = spec.outcome[index];
        for (half, period) in halves.iter().enumerate() {
            if period.end() >= today {
                continue;
            }
            let (status, progress, comment) = match (half, outcome) {
                (0, Outcome::NotStarted | Outcome::Cancelled) => (ActivityStatus::NotStarted, 0, None),
                (0, Outcome::Done) => (ActivityStatus::InProgress, 50, Some("Изпълнява се по график.".to_owned())),
                (0, Outcome::InProgress(p) | Outcome::Delayed(p)) => {
                    (ActivityStatus::InProgress, p / 2, Some("Изпълнява се.".to_owned()))
                }
                (_, Outcome::Done) => (ActivityStatus::Done, 100, Some(spec.done.to_owned())),
                (_, Outcome::InProgress(p)) => (
                    ActivityStatus::InProgress,
                    p,
                    Some(if spec.problem.is_empty() {
                        "В изпълнение.".to_owned()
                    } else {
                        format!("В изпълнение; {}.", spec.problem)
                    }),
                ),
                (_, Outcome::Delayed(p)) => (ActivityStatus::Delayed, p, Some(format!("Забава: {}.", spec.problem))),
                (_, Outcome::NotStarted) => (
                    ActivityStatus::NotStarted,
                    0,
                    Some(if spec.problem.is_empty() {
                        "Не е започнала.".to_owned()
                    } else {
                        format!("Не е започнала: {}.", spec.problem)
                    }),
                ),
                (_, Outcome::Cancelled) => (ActivityStatus::Cancelled, 0, Some(format!("Отменена: {}.", spec.problem))),
            };
            let evidence = if status == ActivityStatus::Done {
                vec![Evidence::Note {
                    text: "Отчет на отговорника, приет на заседание на звеното за мониторинг".into(),
                }]
            } else {
                Vec::new()
            };
            let record = MonitoringRecord {
                id: MonitoringRecordId(0),
                activity: activity.id,
                period: *period,
                status,
                progress: Progress::new(progress)?,
                comment,
                evidence,
            };
            store.record_monitoring(actor, &record, None).await?;
        }
    }
    Ok(())
}
