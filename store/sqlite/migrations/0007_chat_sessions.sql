-- Shopping assistant conversations (package assistant): each session's
-- state and turns as the assistant's JSON, with its shopper ('' when
-- anonymous) and the time of its last turn, by which idle ones expire.
CREATE TABLE chat_sessions (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL DEFAULT '',
	body       TEXT NOT NULL,    -- JSON, the assistant's
	updated_at INTEGER NOT NULL  -- unix microseconds
);
CREATE INDEX chat_sessions_updated ON chat_sessions (updated_at);
