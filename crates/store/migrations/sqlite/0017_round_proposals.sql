-- A new round of a sealed questionnaire (values, the respect map) is
-- proposed by one partner and starts when the other agrees. One row per
-- proposal; it holds no words. `after_number` is the revealed round it follows.
-- At most one proposal is open per relationship and questionnaire (the
-- partial unique index); every close is a conditional write on
-- `status = 'open'`, so of two agrees at once only one starts a round.

CREATE TABLE round_proposals (
    id              TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    after_number    INTEGER NOT NULL CHECK (after_number >= 1),
    proposed_by     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    proposed_at     INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'agreed', 'declined', 'withdrawn')),
    closed_at       INTEGER,
    CHECK ((status = 'open') = (closed_at IS NULL))
);

CREATE UNIQUE INDEX round_proposals_one_open ON round_proposals (relationship_id, kind)
    WHERE status = 'open';
CREATE INDEX round_proposals_latest ON round_proposals (relationship_id, kind, proposed_at);
