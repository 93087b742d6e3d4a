-- Private reflections (API.md "Private reflections"): a journal each
-- person keeps in a shared space, readable by its author alone. The text
-- is sealed with the author's own data key (docs/encryption.md), so
-- neither the partner, the operator nor a copy of the database reads it;
-- the prompt is the key of one of our own questions (no personal words).
CREATE TABLE reflections (
    id              TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    author_id       TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    prompt          TEXT,
    text            TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);

-- "My reflections in this space, newest first".
CREATE INDEX reflections_by_author ON reflections (author_id, relationship_id, created_at);
