-- Interests shoppers removed from their profiles; erased with the user.
CREATE TABLE interest_exclusions (
	user_id    TEXT NOT NULL,
	tag        TEXT NOT NULL,
	created_at INTEGER NOT NULL, -- unix microseconds
	PRIMARY KEY (user_id, tag)
);
