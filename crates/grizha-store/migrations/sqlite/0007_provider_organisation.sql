-- A provider's account works for an organisation (the provider of services); it may keep the yearly
-- data of that organisation's services up to date. Other accounts have none.
ALTER TABLE users ADD COLUMN organisation_id INTEGER REFERENCES organisations (id);
