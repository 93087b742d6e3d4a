-- Accounts, sessions, tokens and relationships.
-- Times are milliseconds since the Unix epoch (UTC); ids are UUID text, so
-- one set of queries serves both engines.
-- Secrets (session ids, tokens, invitation codes) are stored only as SHA-256 hex.

CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_by_account ON api_tokens (account_id);

CREATE TABLE relationships (
    id         TEXT PRIMARY KEY,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'active', 'ended')),
    created_at BIGINT NOT NULL,
    ended_at   BIGINT
);

-- At most one open invitation per relationship; a spent code is deleted.
CREATE TABLE relationship_invites (
    relationship_id TEXT PRIMARY KEY REFERENCES relationships (id) ON DELETE CASCADE,
    code_hash       TEXT NOT NULL UNIQUE,
    created_by      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    expires_at      BIGINT NOT NULL
);

CREATE TABLE relationship_members (
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('partner')),
    joined_at       BIGINT NOT NULL,
    left_at         BIGINT,
    PRIMARY KEY (relationship_id, account_id)
);
CREATE INDEX relationship_members_by_account ON relationship_members (account_id);

-- Keys the server generates for itself (e.g. the trusted-device MAC key).
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
