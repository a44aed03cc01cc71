//! The national dataset, written through the store's public API as each municipality's own editor
//! (so every row is authorised and audited as a user's work would be), and read back as the
//! targets the clients request.
//!
//! Per municipality: a strategy over the plans' years (three levels, 21 nodes, 6 indicators with a
//! target per year and actual values for the years that ended), ten services of the common types
//! with capacity and staff per year and some changes, one annual plan per year with its activities
//! (deadlines, parties, funding, expected results) and service entries, adopted with a council
//! decision — the last year's plan of every fifth municipality stays a draft — and monitoring of
//! every adopted plan's activities for the second quarter and the year, where those have ended.
//! The texts are made up here from short phrase tables; the figures come from a seeded generator,
//! so the same options write the same dataset.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate, Utc};
use grizha_domain::codes::{FundingKindCode, InstitutionCode, ServiceTypeCode};
use grizha_domain::deadline::{Deadline, DeadlineContext};
use grizha_domain::geography::{AreaCode, Municipality, MunicipalityCode};
use grizha_domain::ids::{CouncilDecisionId, LocationId, MonitoringRecordId, OrganisationId, ServiceEventId};
use grizha_domain::monitoring::{ActivityStatus, MonitoringRecord, Progress};
use grizha_domain::plan::{CouncilDecision, Funding, Party, PlanGeneration, PlanPart, PlanStatus};
use grizha_domain::service::{
    Location, Organisation, OrganisationKind, ServiceEvent, ServiceEventKind, ServiceStatus, ServiceYear,
};
use grizha_domain::strategy::{
    Aggregation, Baseline, Direction, IndicatorLevel, IndicatorPeriod, LevelNames, MeasuredValue,
};
use grizha_domain::time::{DateRange, Year, YearRange};
use grizha_domain::user::{Login, Role, User};
use grizha_store::{
    Actor, NewActivity, NewIndicator, NewPlan, NewPlanServiceEntry, NewService, NewStrategy, NewUser, Store,
};

/// The password of every bench account (the bench's database is thrown away).
const PASSWORD: &str = "bench-password";
/// The account written last: when it exists, the dataset is complete.
const ADMIN: &str = "bench-admin";
const OPERATOR: Actor = Actor::System("bench");

/// How big the dataset is.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub municipalities: usize,
    /// Annual plans per municipality, one per year, ending with `last_year`.
    pub years: u16,
    pub last_year: i32,
    pub activities: usize,
}

impl Size {
    fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.last_year - i32::from(self.years) + 1..=self.last_year
    }
}

/// How many records of each kind were written.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub plans: usize,
    pub activities: usize,
    pub monitoring_records: usize,
    pub services: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.plans += other.plans;
        self.activities += other.activities;
        self.monitoring_records += other.monitoring_records;
        self.services += other.services;
    }
}

/// How long loading took and what it wrote.
pub struct Loaded {
    pub took: Duration,
    pub municipalities: usize,
    pub users: usize,
    pub counts: Counts,
}

/// The login of a municipality's or region's bench editor (`bench-hkv34`, `bench-hkv`).
pub fn login_of(area: &AreaCode) -> String {
    format!("bench-{}", area.as_str().to_lowercase())
}

/// Whether the database already holds a complete bench dataset; an incomplete one is an error.
pub async fn is_loaded(store: &Store) -> anyhow::Result<bool> {
    if store.user_by_login(&Login::parse(ADMIN)?).await?.is_some() {
        return Ok(true);
    }
    if store.count_users().await? > 0 {
        bail!(
            "the database has accounts but no complete bench dataset (an earlier load stopped part-way, or it is \
             not a bench database); give a fresh database"
        );
    }
    Ok(false)
}

/// Writes the dataset: the accounts, then each municipality's records as its editor.
pub async fn load(store: &Store, size: Size, writers: usize, today: NaiveDate) -> anyhow::Result<Loaded> {
    let started = Instant::now();
    let mut municipalities = store.municipalities(None).await?;
    if municipalities.len() < size.municipalities {
        bail!(
            "the reference data holds {} municipalities, fewer than the {} asked for",
            municipalities.len(),
            size.municipalities
        );
    }
    municipalities.truncate(size.municipalities);
    let mut regions = Vec::new();
    for m in &municipalities {
        if !regions.contains(&m.region) {
            regions.push(m.region.clone());
        }
    }
    let mut users = 0;
    for region in &regions {
        let area = AreaCode::Region(region.clone());
        add_user(store, &area, Role::RegionalMonitoring, "Областно звено за мониторинг").await?;
        users += 1;
    }
    let editors: Vec<Actor> = {
        let mut editors = Vec::new();
        for municipality in &municipalities {
            let area = AreaCode::Municipality(municipality.code.clone());
            editors.push(Actor::User(add_user(store, &area, Role::MunicipalEditor, "Общински експерт").await?));
        }
        editors
    };
    users += editors.len();
    // Municipalities are written by `writers` tasks side by side, each as its editor.
    let work = Arc::new((municipalities, editors, AtomicUsize::new(0), AtomicUsize::new(0)));
    let mut tasks = Vec::new();
    for _ in 0..writers.max(1) {
        let (store, work) = (store.clone(), work.clone());
        tasks.push(tokio::spawn(async move {
            let (municipalities, editors, next, done) = &*work;
            let mut counts = Counts::default();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(municipality) = municipalities.get(index) else { break };
                load_municipality(&store, &editors[index], municipality, index, size, today, &mut counts)
                    .await
                    .with_context(|| format!("loading {}", municipality.code))?;
                let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                if done % 10 == 0 || done == municipalities.len() {
                    eprintln!(
                        "  {done} of {} municipalities written ({:.0} s)",
                        municipalities.len(),
                        started.elapsed().as_secs_f64()
                    );
                }
            }
            anyhow::Ok(counts)
        }));
    }
    let mut counts = Counts::default();
    for task in tasks {
        counts.add(task.await??);
    }
    store
        .add_user(
            &OPERATOR,
            NewUser {
                login: Login::parse(ADMIN)?,
                display_name: "Администратор (натоварване)".into(),
                password: PASSWORD.into(),
                role: Role::Administrator,
                area: None,
            },
        )
        .await?;
    Ok(Loaded { took: started.elapsed(), municipalities: size.municipalities, users: users + 1, counts })
}

async fn add_user(store: &Store, area: &AreaCode, role: Role, title: &str) -> anyhow::Result<User> {
    let name = store.area_name(area).await?.unwrap_or_else(|| area.as_str().to_owned());
    Ok(store
        .add_user(
            &OPERATOR,
            NewUser {
                login: Login::parse(login_of(area))?,
                display_name: format!("{title}, {name}"),
                password: PASSWORD.into(),
                role,
                area: Some(area.clone()),
            },
        )
        .await?)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a calendar day")
}

/// `(code, title)` of the priorities, each with two goals, each goal with two measures.
const PRIORITIES: [(&str, &str, [&str; 2]); 3] = [
    ("1", "Деца и семейства", ["Подкрепа на семействата в общността", "Грижа от семеен тип за децата"]),
    ("2", "Хора с увреждания и възрастни хора", ["Подкрепа в домашна среда", "Дневни и резидентни услуги в общността"]),
    ("3", "Качество и капацитет", ["Квалифициран персонал", "Планиране и наблюдение"]),
];
const MEASURE_KINDS: [&str; 2] = ["Разширяване на обхвата", "Подобряване на качеството"];

/// The common service types of a municipality's registry, with the usual places and staff.
const SERVICE_TYPES: [(&str, &str, u32, u32); 10] = [
    ("community_support_centre", "Център за обществена подкрепа", 40, 8),
    ("home_social_patronage", "Домашен социален патронаж", 120, 12),
    ("personal_assistant", "Лична помощ", 60, 60),
    ("family_type_centre", "Център за настаняване от семеен тип", 14, 12),
    ("day_centre_adults_disabilities", "Дневен център за пълнолетни лица с увреждания", 25, 9),
    ("day_centre_elderly", "Дневен център за възрастни хора", 30, 8),
    ("protected_housing", "Защитено жилище", 8, 5),
    ("rehab_integration_centre", "Център за социална рехабилитация и интеграция", 20, 7),
    ("public_canteen", "Обществена трапезария", 60, 3),
    ("crisis_centre", "Кризисен център", 10, 8),
];

/// What an activity does and to whom; combined into ~50 different rows per plan.
const ACTIONS: [&str; 10] = [
    "Консултиране и подкрепа",
    "Информационна кампания",
    "Обучение на персонала за работа с",
    "Индивидуална оценка на потребностите на",
    "Мобилна работа по домовете на",
    "Създаване на група за взаимопомощ за",
    "Осигуряване на транспорт за",
    "Доставка на храна и помощни средства за",
    "Рехабилитация и терапия за",
    "Супервизия на екипите, работещи с",
];
const GROUPS: [&str; 5] = [
    "деца в риск и техните семейства",
    "хора с увреждания",
    "самотно живеещи възрастни хора",
    "младежи, напускащи грижа",
    "лица, пострадали от насилие",
];
const PARTIES: [&str; 8] = ["ОБЩ", "ДСД", "ДСП", "ОЗД", "ДОСТ", "НПО", "УЧ", "ЛЗ"];
const FUNDINGS: [(&str, &str); 5] = [
    ("Държавно делегирана дейност", "state_delegated"),
    ("Общински бюджет", "municipal_budget"),
    ("Програма „Развитие на човешките ресурси“", "eu_programme"),
    ("Национална програма", "national_programme"),
    ("Не са необходими средства", "none_required"),
];

fn deadline_text(year: i32, rng: &mut fastrand::Rng) -> String {
    match rng.u8(0..6) {
        0 => "Постоянен".into(),
        1 => "Периодично".into(),
        2 => format!("31.03.{year} г."),
        3 => format!("30.06.{year} г."),
        4 => format!("30.09.{year} г."),
        _ => format!("31.12.{year} г."),
    }
}

fn party(code: &str, municipality: &Municipality) -> Party {
    let raw = match code {
        "ОБЩ" => format!("Община {}", municipality.name),
        other => other.to_owned(),
    };
    Party { raw, code: InstitutionCode::parse(code).ok(), name: None }
}

fn funding(index: usize) -> anyhow::Result<Funding> {
    let (raw, kind) = FUNDINGS[index % FUNDINGS.len()];
    Ok(Funding { raw: raw.into(), kind: FundingKindCode::parse(kind)?, programme: None })
}

async fn load_municipality(
    store: &Store,
    editor: &Actor,
    municipality: &Municipality,
    index: usize,
    size: Size,
    today: NaiveDate,
    loaded: &mut Counts,
) -> anyhow::Result<()> {
    let mut rng = fastrand::Rng::with_seed(index as u64);
    let code = &municipality.code;
    let area = AreaCode::Municipality(code.clone());
    let council = format!("Общински съвет – {}", municipality.name);
    let years = size.years();
    let (first, last) = (*years.start(), *years.end());

    // The strategy and its logical framework.
    let strategy = store
        .create_strategy(
            editor,
            NewStrategy {
                area: area.clone(),
                title: format!(
                    "Стратегия за развитие на социалните услуги в община {} {first}–{last} г.",
                    municipality.name
                ),
                period: YearRange::new(Year::new(first)?, Year::new(last)?)?,
                vision: Some("Достъпни социални услуги в общността за всеки, който има нужда от тях.".into()),
                level_names: LevelNames::new(["Приоритет", "Цел", "Мярка"].map(String::from).to_vec())?,
                adopted_by: Some(format!("Решение № {} на {council}", 100 + index)),
                source: None,
            },
        )
        .await?;
    for (priority_code, priority, goals) in PRIORITIES {
        let p = store.add_strategy_node(editor, strategy.id, None, Some(priority_code.into()), priority).await?;
        for (g, goal) in goals.iter().enumerate() {
            let goal_code = format!("{priority_code}.{}", g + 1);
            let node = store.add_strategy_node(editor, strategy.id, Some(p.id), Some(goal_code.clone()), goal).await?;
            for (m, kind) in MEASURE_KINDS.iter().enumerate() {
                let title = format!("{kind}: {}", goal.to_lowercase());
                store
                    .add_strategy_node(
                        editor,
                        strategy.id,
                        Some(node.id),
                        Some(format!("{goal_code}.{}", m + 1)),
                        &title,
                    )
                    .await?;
            }
            let baseline = f64::from(rng.u32(10..200));
            let indicator = store
                .add_indicator(
                    editor,
                    strategy.id,
                    NewIndicator {
                        node: Some(node.id),
                        level: IndicatorLevel::GeneralGoal,
                        text: format!("Брой потребители, обхванати по цел „{goal}“"),
                        unit: Some("потребители".into()),
                        direction: Direction::Increase,
                        aggregation: Aggregation::Sum,
                        sources: vec!["Отчети на доставчиците".into()],
                        verification: Some("Ежегодно, в доклада за мониторинг".into()),
                        baseline: Some(Baseline { value: baseline, as_of: day(first - 1, 12, 31), comment: None }),
                    },
                )
                .await?;
            for (offset, year) in years.clone().enumerate() {
                let period = DateRange::year(Year::new(year)?);
                let target = baseline * (1.0 + 0.05 * (offset + 1) as f64);
                let measured = |value: f64| MeasuredValue { value: value.round(), comment: None, evidence: Vec::new() };
                let actual = (period.end() < today).then(|| measured(target * (0.8 + 0.4 * rng.f64())));
                store
                    .set_indicator_period(
                        editor,
                        indicator.id,
                        &IndicatorPeriod { period, target: Some(measured(target)), actual },
                        None,
                        today,
                    )
                    .await?;
            }
        }
    }
    let nodes = store.strategy_tree(strategy.id).await?.nodes;
    let measures: Vec<_> = nodes.iter().map(|(n, _)| n).filter(|n| n.level == 2).collect();

    // The registry.
    let organisation = store
        .add_organisation(
            editor,
            &Organisation {
                id: OrganisationId(0),
                name: format!("Община {}", municipality.name),
                kind: OrganisationKind::Municipality,
                licence: None,
            },
        )
        .await?;
    let location = store
        .add_location(
            editor,
            &Location {
                id: LocationId(0),
                name: format!("Социален комплекс – {}", municipality.name),
                address: Some("ул. „Първа“ 1".into()),
                municipality: code.clone(),
                settlement: None,
            },
        )
        .await?;
    let mut services = Vec::new();
    for (kind, name, places, staff) in SERVICE_TYPES {
        let opened_on = day(first - 1 - rng.i32(0..15), rng.u32(1..13), 1);
        let service_type = ServiceTypeCode::parse(kind)?;
        let service = store
            .add_service(
                editor,
                NewService {
                    municipality: code.clone(),
                    provider: Some(organisation.id),
                    service_type: service_type.clone(),
                    name: format!("{name} – {}", municipality.name),
                    description: Some("Социална услуга в общността.".into()),
                    target_groups: vec![GROUPS[rng.usize(0..GROUPS.len())].into()],
                    funding: vec![funding(rng.usize(0..2))?],
                    status: ServiceStatus::Existing,
                    opened_on,
                },
            )
            .await?;
        store.link_service_location(editor, service.id, location.id).await?;
        let places = places * rng.u32(5..16) / 10;
        let grows_in = rng.bool().then(|| rng.i32(first + 1..=last));
        for year in years.clone() {
            let capacity = if grows_in.is_some_and(|g| year >= g) { places + places / 4 } else { places };
            let begun = day(year, 1, 1) <= today;
            store
                .set_service_year(
                    editor,
                    service.id,
                    &ServiceYear {
                        year: Year::new(year)?,
                        max_users: Some(capacity),
                        funded_places: Some(capacity),
                        occupied_places: begun.then(|| capacity * rng.u32(70..101) / 100),
                        staff: Some(staff.max(1)),
                    },
                    None,
                )
                .await?;
        }
        if let Some(year) = grows_in {
            let (_, version) = store.service(service.id).await?;
            let event = ServiceEvent {
                id: ServiceEventId(0),
                service: service.id,
                kind: ServiceEventKind::Expanded,
                effective_on: day(year, 1, 1),
                capacity_from: Some(places),
                capacity_to: Some(places + places / 4),
                successor: None,
                note: Some("Разширяване на капацитета по решение на общинския съвет".into()),
            };
            store.record_service_event(editor, &event, version).await?;
        }
        services.push((service, service_type, places));
    }
    loaded.services += services.len();

    // The annual plans, adopted and monitored.
    for year in years {
        let plan = store
            .create_plan(
                editor,
                NewPlan {
                    area: area.clone(),
                    year: Year::new(year)?,
                    title: format!(
                        "Годишен план за развитие на социалните услуги в община {} за {year} г.",
                        municipality.name
                    ),
                    strategy: Some(strategy.id),
                    generation: PlanGeneration::SocialServicesAct,
                },
            )
            .await?;
        loaded.plans += 1;
        let context = DeadlineContext::for_year(year);
        let mut activities = Vec::with_capacity(size.activities);
        for position in 0..size.activities {
            let measure = measures[position % measures.len()];
            let (priority_code, priority, goals) = PRIORITIES[position % measures.len() / 4];
            let goal = goals[position % 4 / 2];
            let (service, service_type, _) = &services[rng.usize(0..services.len())];
            let linked = rng.u8(0..3) == 0;
            let parties =
                (0..rng.usize(1..4)).map(|_| party(PARTIES[rng.usize(0..PARTIES.len())], municipality)).collect();
            let activity = NewActivity {
                code: Some(format!("{}.{}", measure.code.as_deref().unwrap_or(""), position + 1)),
                section: Some(format!("Приоритет {priority_code}. {priority}")),
                goal: Some(goal.to_owned()),
                text: format!("{} {}", ACTIONS[rng.usize(0..ACTIONS.len())], GROUPS[rng.usize(0..GROUPS.len())]),
                deadline: Deadline::parse(&deadline_text(year, &mut rng), &context),
                responsible: parties,
                funding: vec![funding(rng.usize(0..FUNDINGS.len()))?],
                expected_results: vec![format!("Обхванати {} потребители", rng.u32(10..200))],
                location: Some(format!("община {}", municipality.name)),
                schedule: Vec::new(),
                service_type: linked.then(|| service_type.clone()),
                service: linked.then_some(service.id),
                strategy_node: Some(measure.id),
            };
            activities.push(store.add_plan_activity(editor, plan.id, &activity).await?);
        }
        loaded.activities += activities.len();
        for (service, service_type, places) in services.iter().take(6) {
            let entry = NewPlanServiceEntry {
                part: if service_type.as_str() == "home_social_patronage" {
                    PlanPart::MunicipalBudget
                } else {
                    PlanPart::NationalMap
                },
                service_type: service_type.clone(),
                name: service.name.clone(),
                settlement: Some(municipality.name.clone()),
                max_users: *places,
                service: Some(service.id),
                note: None,
            };
            store.add_plan_service_entry(editor, plan.id, &entry).await?;
        }
        let stays_draft = year == last && index % 5 == 4;
        if stays_draft {
            continue;
        }
        let (_, version) = store.plan(plan.id).await?;
        let consultation = DateRange::new(day(year - 1, 10, 1), day(year - 1, 11, 15))?;
        let version = store
            .set_plan_status(editor, plan.id, version, PlanStatus::PublicConsultation, None, Some(consultation))
            .await?;
        let decision = store
            .add_council_decision(
                editor,
                &CouncilDecision {
                    id: CouncilDecisionId(0),
                    area: area.clone(),
                    body: council.clone(),
                    number: format!("{}", 300 + index),
                    date: day(year - 1, 12, 18),
                    protocol: Some(format!("Протокол № {}", 20 + year % 10)),
                    item: Some("т. 5".into()),
                    text: Some(format!("Приема годишния план за развитие на социалните услуги за {year} г.")),
                },
            )
            .await?;
        store.set_plan_status(editor, plan.id, version, PlanStatus::Adopted, Some(decision.id), None).await?;
        let second_quarter = DateRange::new(day(year, 4, 1), day(year, 6, 30))?;
        for period in [second_quarter, DateRange::year(Year::new(year)?)] {
            if period.end() >= today {
                continue;
            }
            let whole_year = period.start().month() == 1;
            for activity in &activities {
                let (status, progress) = match (rng.u8(0..10), whole_year) {
                    (0, _) => (ActivityStatus::NotStarted, 0),
                    (1, _) => (ActivityStatus::Delayed, rng.u8(10..60)),
                    (2, true) => (ActivityStatus::Cancelled, 0),
                    (_, false) => (ActivityStatus::InProgress, rng.u8(20..80)),
                    (_, true) => (ActivityStatus::Done, 100),
                };
                let record = MonitoringRecord {
                    id: MonitoringRecordId(0),
                    activity: activity.id,
                    period,
                    status,
                    progress: Progress::new(progress)?,
                    comment: Some("Отчет на отговорника".into()),
                    evidence: Vec::new(),
                };
                store.record_monitoring(editor, &record, None).await?;
                loaded.monitoring_records += 1;
            }
        }
    }
    Ok(())
}

/// What one municipality holds, read back: the ids the clients request.
pub struct Target {
    pub code: MunicipalityCode,
    pub editor_token: String,
    pub region_token: String,
    /// The editor's token for the JSON API (`Authorization: Bearer`).
    pub editor_api_token: String,
    /// Each plan with the ids of its activities.
    pub plans: Vec<(i64, Vec<i64>)>,
    pub services: Vec<i64>,
    pub strategies: Vec<i64>,
}

/// Reads the dataset back and starts a session for every bench editor (tokens for the cookie).
pub async fn targets(store: &Store, municipalities: usize) -> anyhow::Result<Vec<Target>> {
    let now = Utc::now();
    let mut region_tokens = std::collections::HashMap::new();
    let mut targets = Vec::new();
    for municipality in store.municipalities(None).await?.into_iter().take(municipalities) {
        let area = AreaCode::Municipality(municipality.code.clone());
        let region = AreaCode::Region(municipality.region.clone());
        let Some(editor) = store.user_by_login(&Login::parse(login_of(&area))?).await? else {
            bail!("the database holds no bench data for {} (loaded with fewer municipalities?)", municipality.code);
        };
        let region_token = match region_tokens.get(&region) {
            Some(token) => String::clone(token),
            None => {
                let user =
                    store.user_by_login(&Login::parse(login_of(&region))?).await?.context("no regional account")?;
                let (token, _) = store.start_session(&user, now).await?;
                region_tokens.insert(region, token.clone());
                token
            }
        };
        let (editor_token, _) = store.start_session(&editor, now).await?;
        let (editor_api_token, _) =
            store.create_api_token(&grizha_store::Actor::User(editor.clone()), "grizha-bench", now).await?;
        let mut plans = Vec::new();
        for plan in store.plans_of(&area).await? {
            let activities = store.plan_activities(plan.id).await?.into_iter().map(|(a, _)| a.id.get()).collect();
            plans.push((plan.id.get(), activities));
        }
        targets.push(Target {
            services: store.services_of(&municipality.code, None).await?.iter().map(|s| s.id.get()).collect(),
            strategies: store.strategies_of(&area).await?.iter().map(|s| s.id.get()).collect(),
            code: municipality.code,
            editor_token,
            region_token,
            editor_api_token,
            plans,
        });
    }
    Ok(targets)
}
