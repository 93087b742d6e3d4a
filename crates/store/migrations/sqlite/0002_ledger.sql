-- The ledger: contributions and their acknowledgment (one row each: a
-- contribution is acknowledged at most once, by its receiver), and each
-- partner's choice about seeing numbers.

CREATE TABLE contributions (
    id              TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    giver_id        TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    receiver_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    logged_by       TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    domain          TEXT NOT NULL,
    description     TEXT NOT NULL,
    day             INTEGER NOT NULL,
    effort          INTEGER NOT NULL CHECK (effort BETWEEN 1 AND 5),
    minutes         INTEGER CHECK (minutes BETWEEN 1 AND 1440),
    created_at      INTEGER NOT NULL,
    value           INTEGER CHECK (value BETWEEN 1 AND 5),
    thanks_note     TEXT,
    acknowledged_at INTEGER,
    CHECK (giver_id <> receiver_id)
);
CREATE INDEX contributions_by_day ON contributions (relationship_id, day);
CREATE INDEX contributions_by_created ON contributions (relationship_id, created_at);

CREATE TABLE ledger_preferences (
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    show_numbers    INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (relationship_id, account_id)
);
