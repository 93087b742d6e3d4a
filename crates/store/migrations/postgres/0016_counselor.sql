-- A couple's counselor (issue 18; SECURITY.md R33, R34, §1.3 D7).
--
-- An engagement is one invitation of one counselor to one couple. The
-- partner who invites names the counselor's e-mail and gets a code to pass
-- on; the counselor joins with that code (only an account with that
-- address can), receiving the couple's key the way a joining partner does:
-- wrapped by the code, then sealed to the counselor's own public key.
-- The counselor reads nothing until both partners approved (the inviter's
-- invitation is their approval); either revokes alone, at once: the row
-- keeps `revoked_at` and loses the key, and a revoked engagement never
-- opens again.
--
-- `invited_by` and `revoked_by` have no foreign key: a partner who deletes
-- their account ends the relationship, and its engagements go with it.
-- Deleting the counselor's account deletes their engagements.
CREATE TABLE counselor_engagements (
    id              TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    invited_email   TEXT NOT NULL,
    invited_by      TEXT NOT NULL,
    code_hash       TEXT UNIQUE,
    code_expires_at BIGINT NOT NULL,
    wrapped_key     TEXT,
    counselor_id    TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    sealed_key      TEXT,
    joined_at       BIGINT,
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT,
    revoked_by      TEXT
);
-- At most one engagement a couple has not revoked: inviting while one is
-- pending or open is refused by this index, whoever wins a race.
CREATE UNIQUE INDEX counselor_engagements_one_open
    ON counselor_engagements (relationship_id) WHERE revoked_at IS NULL;
CREATE INDEX counselor_engagements_by_counselor ON counselor_engagements (counselor_id);

-- Each partner's consent: the categories they allow, and when they last
-- approved or renewed (access ends 90 days after the earlier of the two).
-- The primary key makes approving twice impossible, at the moment of writing.
CREATE TABLE counselor_approvals (
    engagement_id TEXT NOT NULL REFERENCES counselor_engagements (id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL,
    categories    TEXT NOT NULL,
    approved_at   BIGINT NOT NULL,
    PRIMARY KEY (engagement_id, account_id)
);

-- A partner's private note to the counselor (D7): the other partner can
-- learn nothing of it, not even that it exists. The text is sealed twice:
-- for the counselor (with a fresh key sealed to their public key) and for
-- its author (with the author's own key). No response to the other
-- partner ever reads this table.
CREATE TABLE counselor_notes (
    id            TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES counselor_engagements (id) ON DELETE CASCADE,
    author_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    note_key      TEXT NOT NULL,
    for_counselor TEXT NOT NULL,
    for_author    TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX counselor_notes_by_engagement ON counselor_notes (engagement_id, created_at);
