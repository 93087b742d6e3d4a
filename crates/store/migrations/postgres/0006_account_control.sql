-- Accounts their owner controls (SECURITY.md R11, R16, R17, R19): sessions
-- listed and ended one by one, tokens that expire, a recovery code, one-time
-- reset links, the owner's security events, and forms kept across an
-- idle sign-out.

-- Sessions get an id to list and end them by, a coarse device label and the
-- "keep me signed in" choice. The table is rebuilt: sessions begun before
-- this release end, and everyone signs in once more.
DROP TABLE sessions;
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    id_hash      TEXT NOT NULL UNIQUE,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    device       TEXT NOT NULL,
    persistent   BOOLEAN NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account_id);

-- Tokens expire and record their last use. Tokens minted before this release
-- never expired and could not be listed or revoked; they end here.
DROP TABLE api_tokens;
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_by_account ON api_tokens (account_id);

-- The SHA-256 of the account's recovery code (a high-entropy secret shown
-- once); NULL until the owner has one.
ALTER TABLE accounts ADD COLUMN recovery_hash TEXT;

-- One-time reset links an operator creates; used once, then deleted.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- What happened to an account's credentials, for its owner alone. `client`
-- is a truncated address (R8: kept here only, and only for a while).
CREATE TABLE security_events (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    at         BIGINT NOT NULL,
    device     TEXT NOT NULL,
    client     TEXT NOT NULL
);
CREATE INDEX security_events_by_account ON security_events (account_id, at);

-- A form posted after its session ended, kept for its author: `sealed` is
-- the body encrypted under a key that only the author's browser holds.
CREATE TABLE held_forms (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    sealed     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX held_forms_by_account ON held_forms (account_id);
