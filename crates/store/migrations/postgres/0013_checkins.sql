-- Check-ins (API.md "Check-ins", SCIENCE.md §2): a short private
-- questionnaire, each item 0-8. Numbers and dates are kept clear (the
-- summary computes on them); the optional note is sealed with its
-- author's own key. One per person per day: a second is refused, or
-- replaces the first when asked to. `shared` is the author's choice per
-- check-in: the partner sees only shared ones, and can withdraw it later.
CREATE TABLE checkins (
    id              TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    author_id       TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    day             INTEGER NOT NULL,
    satisfaction    INTEGER NOT NULL,
    rewards         INTEGER NOT NULL,
    costs           INTEGER NOT NULL,
    investment      INTEGER NOT NULL,
    alternatives    INTEGER NOT NULL,
    commitment      INTEGER NOT NULL,
    passion         INTEGER NOT NULL,
    love_given      INTEGER NOT NULL,
    love_received   INTEGER NOT NULL,
    respected       INTEGER NOT NULL,
    shared          BOOLEAN NOT NULL,
    note            TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (relationship_id, author_id, day)
);

-- How often the couple checks in, in days (weekly unless they choose).
CREATE TABLE checkin_cadence (
    relationship_id TEXT PRIMARY KEY REFERENCES relationships (id) ON DELETE CASCADE,
    every_days      INTEGER NOT NULL,
    set_by          TEXT NOT NULL REFERENCES accounts (id),
    set_at          BIGINT NOT NULL
);
