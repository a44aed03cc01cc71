-- Grizha's first schema. This file is the one source of both backends' migrations:
-- `INTEGER PRIMARY KEY` `INTEGER` `REAL` `TEXT` `TEXT` `TEXT` are replaced per backend by the test
-- `migrations_are_rendered_from_the_schema_template` (run with GRIZHA_RENDER_MIGRATIONS=1 to write them).
-- Every user-editable table has `version`: an edit names the version it was based on.

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    nuts3 TEXT NOT NULL
);

CREATE TABLE municipalities (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    centre_ekatte TEXT NOT NULL
);
CREATE INDEX municipalities_region ON municipalities (region_code);

-- Planning units: every region and municipality, with effective dates so history stays right
-- when units merge or close mid-year.
CREATE TABLE areas (
    code TEXT PRIMARY KEY,
    level TEXT NOT NULL CHECK (level IN ('region', 'municipality')),
    name TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    merged_into TEXT REFERENCES areas (code),
    CHECK (closed_on IS NULL OR closed_on >= opened_on)
);
CREATE INDEX areas_region ON areas (region_code);

CREATE TABLE settlements (
    ekatte TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities (code)
);

CREATE TABLE law_activities (
    code TEXT PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE,
    name TEXT NOT NULL,
    article TEXT NOT NULL
);

CREATE TABLE service_types (
    code TEXT PRIMARY KEY,
    abbr TEXT,
    name TEXT NOT NULL,
    target TEXT NOT NULL,
    law_note TEXT,
    builtin BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE service_type_activities (
    service_type TEXT NOT NULL REFERENCES service_types (code),
    activity TEXT NOT NULL REFERENCES law_activities (code),
    PRIMARY KEY (service_type, activity)
);

CREATE TABLE funding_kinds (
    code TEXT PRIMARY KEY,
    meaning TEXT NOT NULL,
    written_as TEXT NOT NULL,
    builtin BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE institutions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    written_as TEXT NOT NULL,
    builtin BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('administrator', 'regional_monitoring', 'municipal_editor', 'provider', 'viewer')),
    area_code TEXT REFERENCES areas (code),
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (role = 'administrator' OR area_code IS NOT NULL)
);

CREATE TABLE source_documents (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    size_bytes INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by INTEGER REFERENCES users (id)
);

CREATE TABLE strategies (
    id INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL REFERENCES areas (code),
    title TEXT NOT NULL,
    period_from INTEGER NOT NULL,
    period_to INTEGER NOT NULL,
    vision TEXT,
    level_names TEXT NOT NULL,
    adopted_by TEXT,
    source_document_id INTEGER REFERENCES source_documents (id),
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (period_from <= period_to)
);
CREATE INDEX strategies_area ON strategies (area_code);

CREATE TABLE strategy_nodes (
    id INTEGER PRIMARY KEY,
    strategy_id INTEGER NOT NULL REFERENCES strategies (id),
    parent_id INTEGER REFERENCES strategy_nodes (id),
    level INTEGER NOT NULL CHECK (level >= 0),
    code TEXT,
    title TEXT NOT NULL,
    position INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX strategy_nodes_strategy ON strategy_nodes (strategy_id, parent_id, position);

CREATE TABLE indicators (
    id INTEGER PRIMARY KEY,
    strategy_id INTEGER NOT NULL REFERENCES strategies (id),
    node_id INTEGER REFERENCES strategy_nodes (id),
    level TEXT NOT NULL CHECK (level IN ('strategy', 'general_goal', 'specific_goal', 'measure', 'activity')),
    text TEXT NOT NULL,
    unit TEXT,
    direction TEXT NOT NULL CHECK (direction IN ('increase', 'decrease', 'maintain')),
    aggregation TEXT NOT NULL CHECK (aggregation IN ('sum', 'cumulative', 'latest')),
    sources TEXT NOT NULL,
    verification TEXT,
    baseline_value REAL,
    baseline_as_of TEXT,
    baseline_comment TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((baseline_value IS NULL) = (baseline_as_of IS NULL))
);
CREATE INDEX indicators_strategy ON indicators (strategy_id);

CREATE TABLE indicator_periods (
    id INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators (id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    target_value REAL,
    target_comment TEXT,
    target_evidence TEXT NOT NULL,
    actual_value REAL,
    actual_comment TEXT,
    actual_evidence TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (indicator_id, period_start, period_end),
    CHECK (period_start <= period_end)
);

CREATE TABLE council_decisions (
    id INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL REFERENCES areas (code),
    body TEXT NOT NULL,
    number TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    protocol TEXT,
    item TEXT,
    text TEXT,
    UNIQUE (area_code, number, decided_on)
);

CREATE TABLE annual_plans (
    id INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL REFERENCES areas (code),
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    strategy_id INTEGER REFERENCES strategies (id),
    generation TEXT NOT NULL CHECK (generation IN ('activity_table', 'social_services_act')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'public_consultation', 'adopted', 'superseded')),
    version_no INTEGER NOT NULL CHECK (version_no >= 1),
    amends_id INTEGER REFERENCES annual_plans (id),
    adopted_decision_id INTEGER REFERENCES council_decisions (id),
    consultation_start TEXT,
    consultation_end TEXT,
    source_document_id INTEGER REFERENCES source_documents (id),
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (area_code, year, version_no),
    CHECK (status NOT IN ('adopted', 'superseded') OR adopted_decision_id IS NOT NULL)
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('municipality', 'municipal_entity', 'ngo', 'company', 'state', 'other')),
    licence_number TEXT,
    licence_valid_until TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE locations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT,
    municipality_code TEXT NOT NULL REFERENCES municipalities (code),
    settlement_ekatte TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL REFERENCES areas (code),
    provider_id INTEGER REFERENCES organisations (id),
    service_type TEXT NOT NULL REFERENCES service_types (code),
    name TEXT NOT NULL,
    description TEXT,
    target_groups TEXT NOT NULL,
    funding TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('existing', 'new', 'expanding', 'reducing', 'transforming', 'closing', 'closed')),
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    source_document_id INTEGER REFERENCES source_documents (id),
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (closed_on IS NULL OR closed_on >= opened_on)
);
CREATE INDEX services_area ON services (area_code, service_type);

CREATE TABLE service_locations (
    service_id INTEGER NOT NULL REFERENCES services (id),
    location_id INTEGER NOT NULL REFERENCES locations (id),
    PRIMARY KEY (service_id, location_id)
);

CREATE TABLE service_years (
    service_id INTEGER NOT NULL REFERENCES services (id),
    year INTEGER NOT NULL,
    max_users INTEGER CHECK (max_users >= 0),
    funded_places INTEGER CHECK (funded_places >= 0),
    occupied_places INTEGER CHECK (occupied_places >= 0),
    staff INTEGER CHECK (staff >= 0),
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (service_id, year)
);

CREATE TABLE service_events (
    id INTEGER PRIMARY KEY,
    service_id INTEGER NOT NULL REFERENCES services (id),
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'expanded', 'reduced', 'transformed', 'merged', 'closed')),
    effective_on TEXT NOT NULL,
    capacity_from INTEGER,
    capacity_to INTEGER,
    successor_id INTEGER REFERENCES services (id),
    note TEXT
);
CREATE INDEX service_events_service ON service_events (service_id, effective_on);

CREATE TABLE plan_activities (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES annual_plans (id),
    position INTEGER NOT NULL,
    code TEXT,
    section TEXT,
    goal TEXT,
    text TEXT NOT NULL,
    deadline_raw TEXT NOT NULL,
    deadline_kind TEXT NOT NULL,
    deadline_from TEXT,
    deadline_to TEXT,
    responsible TEXT NOT NULL,
    funding TEXT NOT NULL,
    expected_results TEXT NOT NULL,
    location TEXT,
    schedule TEXT NOT NULL,
    service_type TEXT REFERENCES service_types (code),
    service_id INTEGER REFERENCES services (id),
    strategy_node_id INTEGER REFERENCES strategy_nodes (id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX plan_activities_plan ON plan_activities (plan_id, position);
CREATE INDEX plan_activities_deadline ON plan_activities (deadline_to);

CREATE TABLE plan_service_entries (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES annual_plans (id),
    part TEXT NOT NULL CHECK (part IN ('national_map', 'municipal_budget')),
    position INTEGER NOT NULL,
    service_type TEXT NOT NULL REFERENCES service_types (code),
    name TEXT NOT NULL,
    settlement TEXT,
    max_users INTEGER NOT NULL CHECK (max_users >= 0),
    service_id INTEGER REFERENCES services (id),
    note TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE monitoring_records (
    id INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES plan_activities (id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'delayed', 'cancelled')),
    progress INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    comment TEXT,
    evidence TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (activity_id, period_start, period_end)
);

CREATE TABLE progress_overrides (
    id INTEGER PRIMARY KEY,
    strategy_node_id INTEGER NOT NULL REFERENCES strategy_nodes (id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    progress INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    set_by INTEGER NOT NULL REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (strategy_node_id, period_start, period_end)
);

CREATE TABLE report_templates (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    builtin BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE reporting_obligations (
    id INTEGER PRIMARY KEY,
    template_code TEXT NOT NULL REFERENCES report_templates (code),
    reporter_code TEXT NOT NULL REFERENCES areas (code),
    recipient TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    due_on TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (period_start <= period_end)
);
CREATE INDEX reporting_obligations_reporter ON reporting_obligations (reporter_code, due_on);

CREATE TABLE submissions (
    id INTEGER PRIMARY KEY,
    obligation_id INTEGER NOT NULL UNIQUE REFERENCES reporting_obligations (id),
    status TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'submitted', 'returned', 'approved')),
    submitted_at TEXT,
    submitted_by INTEGER REFERENCES users (id),
    review_comment TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    area_code TEXT NOT NULL REFERENCES areas (code),
    held_on TEXT NOT NULL,
    place TEXT,
    composition TEXT NOT NULL CHECK (composition IN ('basic', 'extended')),
    members_present TEXT NOT NULL,
    agenda TEXT NOT NULL,
    notes TEXT,
    source_document_id INTEGER REFERENCES source_documents (id),
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE meeting_decisions (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    number TEXT NOT NULL,
    text TEXT NOT NULL,
    responsible TEXT NOT NULL,
    due_on TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    done_on TEXT,
    version INTEGER NOT NULL DEFAULT 1
);

-- Who changed what, when: one row per change, with the record before and after.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
