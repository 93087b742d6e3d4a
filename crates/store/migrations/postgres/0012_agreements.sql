-- Agreements (API.md "Agreements", DESIGN.md): a couple's written terms for
-- an exchange, negotiated in versions.
--
-- `agreements` is the head: the domain replays an agreement's events to
-- decide each move (domain::agreements::negotiation), then writes the new
-- head only if `revision` is still the one it read (compare and swap), in
-- the same transaction as the event and any new version. Of two moves
-- racing, one lands and the other is decided again on the new state.
-- `status`, `latest_version`, `in_force`, `awaiting_id` and `review_on`
-- are that replay's result, kept for lists.
CREATE TABLE agreements (
    id              TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    domain          TEXT NOT NULL,
    proposed_by     TEXT NOT NULL,
    origin_deck     TEXT,
    origin_round    INTEGER,
    created_at      BIGINT NOT NULL,
    revision        BIGINT NOT NULL,
    latest_version  INTEGER NOT NULL,
    status          TEXT NOT NULL,
    in_force        INTEGER,
    awaiting_id     TEXT,
    review_on       INTEGER,
    updated_at      BIGINT NOT NULL
);

CREATE INDEX agreements_by_relationship ON agreements (relationship_id, updated_at);

-- Versions never change: a counter-proposal is version n + 1. Title,
-- terms and parts are sealed with the couple's key; the parts follow the
-- relationship's member order (part_a is the first member's).
CREATE TABLE agreement_versions (
    agreement_id TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    author_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    terms        TEXT NOT NULL,
    part_a       TEXT,
    part_b       TEXT,
    review_on    INTEGER,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (agreement_id, number)
);

CREATE INDEX agreement_versions_by_author ON agreement_versions (author_id);

-- The database itself refuses to rewrite a version.
CREATE FUNCTION agreement_versions_never_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'agreement versions never change';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER agreement_versions_never_change BEFORE UPDATE ON agreement_versions
    FOR EACH ROW EXECUTE FUNCTION agreement_versions_never_change();

-- Every move, in order: who proposed, countered, accepted, declined (with
-- a sealed reason), withdrew, confirmed or retired, and when. `seq` is the
-- head's revision the move made.
CREATE TABLE agreement_events (
    agreement_id TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    seq          BIGINT NOT NULL,
    version      INTEGER NOT NULL,
    actor_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    reason       TEXT,
    review_on    INTEGER,
    at           BIGINT NOT NULL,
    PRIMARY KEY (agreement_id, seq)
);

CREATE INDEX agreement_events_by_actor ON agreement_events (actor_id);

-- Ledger contributions a couple links to an agreement in the same domain:
-- how the agreement is lived.
CREATE TABLE agreement_links (
    agreement_id    TEXT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    contribution_id TEXT NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    linked_by       TEXT NOT NULL,
    linked_at       BIGINT NOT NULL,
    PRIMARY KEY (agreement_id, contribution_id)
);

CREATE INDEX agreement_links_by_contribution ON agreement_links (contribution_id);
CREATE INDEX agreement_links_by_linker ON agreement_links (linked_by);
