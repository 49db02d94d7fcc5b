-- What was seen in each item's first photo: a JSON object (aisle.Visual),
-- or '' while the photo is unread (or the item has none).
ALTER TABLE items ADD COLUMN visual TEXT NOT NULL DEFAULT '';

-- The items whose first photo is waiting to be read, for the photo worker.
CREATE INDEX items_visual_pending ON items (id) WHERE visual = '' AND images <> '[]';
