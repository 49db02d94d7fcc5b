-- API keys: only the SHA-256 of each key's secret part is kept.
CREATE TABLE api_keys (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL,
	user_id    TEXT NOT NULL, -- '' for a store key; else the one shopper it acts for
	hash       BLOB NOT NULL,
	created_at INTEGER NOT NULL, -- unix microseconds
	revoked_at INTEGER NOT NULL  -- unix microseconds, 0 while valid
);

-- Who did what, and when; never personal data (see aisle.AuditEntry).
CREATE TABLE audit_log (
	seq    INTEGER PRIMARY KEY,
	ts     INTEGER NOT NULL, -- unix microseconds
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	detail TEXT NOT NULL
);
