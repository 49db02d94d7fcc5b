-- Merchandising rules a store sets through the API (aisle.Rule): the rule
-- as JSON, without its name and times, which have their own columns.
CREATE TABLE rules (
	name       TEXT PRIMARY KEY,
	body       TEXT NOT NULL,    -- JSON: action, match, position, strength, start, end
	created_at INTEGER NOT NULL, -- unix microseconds
	updated_at INTEGER NOT NULL
);
