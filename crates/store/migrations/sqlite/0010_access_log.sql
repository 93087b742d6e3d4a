-- Who looked at a person's shared items (SECURITY.md D5, R27): one row per
-- viewer, item kind and day, readable by the owner alone. Kinds: `ledger`,
-- and the questionnaire kinds of revealed rounds (`values`, `respect`,
-- `deck:<key>`). Ids, a kind and a day: no words.
CREATE TABLE access_log (
    owner_id        TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    viewer_id       TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    item            TEXT NOT NULL,
    day             INTEGER NOT NULL,
    first_at        INTEGER NOT NULL,
    PRIMARY KEY (owner_id, viewer_id, relationship_id, item, day)
);
