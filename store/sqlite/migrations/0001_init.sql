-- Catalog. JSON columns hold arrays/objects in canonical encoding/json form.
CREATE TABLE items (
	id           TEXT PRIMARY KEY,
	title        TEXT NOT NULL,
	description  TEXT NOT NULL,
	brand        TEXT NOT NULL,
	categories   TEXT NOT NULL, -- JSON array, root first
	attributes   TEXT NOT NULL, -- JSON object
	price        REAL,
	currency     TEXT NOT NULL,
	availability TEXT NOT NULL,
	images       TEXT NOT NULL, -- JSON array
	created_at   INTEGER NOT NULL, -- unix microseconds
	updated_at   INTEGER NOT NULL
);
CREATE INDEX items_brand ON items (brand COLLATE NOCASE, id);

-- One row per (category on an item's path, item): category filters.
CREATE TABLE item_categories (
	category TEXT NOT NULL COLLATE NOCASE,
	item_id  TEXT NOT NULL,
	PRIMARY KEY (category, item_id)
) WITHOUT ROWID;
CREATE INDEX item_categories_item ON item_categories (item_id);

CREATE TABLE users (
	id         TEXT PRIMARY KEY,
	attributes TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

-- The event log. seq is the insertion order; id makes writes idempotent.
CREATE TABLE events (
	seq      INTEGER PRIMARY KEY,
	id       TEXT NOT NULL UNIQUE,
	user_id  TEXT NOT NULL,
	item_id  TEXT NOT NULL, -- '' for events without an item
	type     TEXT NOT NULL,
	ts       INTEGER NOT NULL, -- unix microseconds
	value    REAL,
	query    TEXT NOT NULL,
	name     TEXT NOT NULL,
	session  TEXT NOT NULL,
	context  TEXT NOT NULL -- JSON object
);
CREATE INDEX events_user ON events (user_id, ts);

CREATE TABLE questions (
	id          TEXT PRIMARY KEY,
	item_id     TEXT NOT NULL,
	type        TEXT NOT NULL,
	question    TEXT NOT NULL,
	answer      TEXT NOT NULL,
	answer_type TEXT NOT NULL,
	answered_at INTEGER NOT NULL -- unix microseconds, 0 if unknown
);
CREATE INDEX questions_item ON questions (item_id, answered_at);
