-- Two-step sign-in (TOTP) and the counselor account kind (issue 18;
-- SECURITY.md R13: optional for partners, required for counselors).

-- What an account is for. A counselor account never joins a couple's
-- space; it only ever reads what a couple lets it read. Set at sign-up and
-- never changed, so a rule read from it cannot go stale.
ALTER TABLE accounts ADD COLUMN kind TEXT NOT NULL DEFAULT 'partner'
    CHECK (kind IN ('partner', 'counselor'));

-- One authenticator per account. `secret` is the TOTP secret in base32,
-- sealed with the account's own data key (an `rk1.` envelope bound to
-- `two_factor.secret:<account id>`), so the operator, a backup or a stolen
-- database cannot compute a code. `confirmed_at` is NULL while enrolling
-- (a right code confirms it). `last_step` is the last accepted time step:
-- a code is accepted only by a write that moves it forward, so a code
-- works once, however many sign-ins race with it.
CREATE TABLE two_factor (
    account_id   TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT
);

-- The one-time codes that stand in for the authenticator when the phone is
-- lost: SHA-256 of each (125 random bits, as `domain::recovery`), spent by
-- a write that sets `used_at` only while it is NULL.
CREATE TABLE two_factor_recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (account_id, code_hash)
);
