-- Sealed rounds (values, respect map, conversation decks): each partner
-- answers alone, and both see both at once. `kind` names the questionnaire;
-- answers are an opaque payload the domain encodes. A side's answers are its
-- latest draft until `submitted_at` is set, then fixed.
-- Also the respect-map areas a couple added, and the notes written about a
-- revealed conversation.

CREATE TABLE sealed_rounds (
    id              TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    number          INTEGER NOT NULL CHECK (number >= 1),
    started_at      BIGINT NOT NULL,
    UNIQUE (relationship_id, kind, number)
);

-- Two rows per round; `position` keeps the order of the sides.
CREATE TABLE sealed_sides (
    round_id     TEXT NOT NULL REFERENCES sealed_rounds (id) ON DELETE CASCADE,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position IN (0, 1)),
    answers      TEXT,
    submitted_at BIGINT,
    PRIMARY KEY (round_id, account_id),
    UNIQUE (round_id, position),
    CHECK (submitted_at IS NULL OR answers IS NOT NULL)
);

-- `name_key` is the lower-cased name: two areas may not differ only by case.
CREATE TABLE respect_areas (
    id              TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    created_by      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    UNIQUE (relationship_id, name_key)
);

CREATE TABLE conversation_notes (
    id              TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    deck            TEXT NOT NULL,
    number          INTEGER NOT NULL,
    author_id       TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    text            TEXT NOT NULL,
    agreement_idea  BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX conversation_notes_by_round ON conversation_notes (relationship_id, deck, number, created_at);
