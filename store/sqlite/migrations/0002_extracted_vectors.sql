-- What the store's extractor read from each item's text: a JSON object
-- (aisle.Extracted), or '' when none was extracted.
ALTER TABLE items ADD COLUMN extracted TEXT NOT NULL DEFAULT '';

-- Item vectors per encoder. vec is the vector as little-endian float32s;
-- text_hash is aisle.TextHash of the text it was computed from. A rowid
-- table: WITHOUT ROWID suits small rows, not kilobyte blobs.
CREATE TABLE item_vectors (
	encoder   TEXT NOT NULL,
	item_id   TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
	text_hash INTEGER NOT NULL, -- uint64 stored as its int64 bit pattern
	vec       BLOB NOT NULL,
	PRIMARY KEY (encoder, item_id)
);
CREATE INDEX item_vectors_item ON item_vectors (item_id);
