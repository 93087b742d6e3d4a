-- Encryption at rest (issue 14; docs/encryption.md). Only keys in wrapped
-- or sealed form are stored: nothing here opens anything without a
-- password, a recovery code, an invitation code or a session's cookie.

-- Each person's data key, wrapped by their password and by their recovery
-- code, and their X25519 key pair (public half in clear, private half
-- sealed by the data key). Accounts made before this release get theirs at
-- their next sign-in (the password is needed); until they make a new
-- recovery code, their code cannot unwrap the key.
ALTER TABLE accounts ADD COLUMN key_by_password TEXT;
ALTER TABLE accounts ADD COLUMN key_by_recovery TEXT;
ALTER TABLE accounts ADD COLUMN public_key TEXT;
ALTER TABLE accounts ADD COLUMN sealed_secret_key TEXT;

-- A session's and a token's copy of the account keys, sealed under a secret
-- derived from the session id or token, which only the client holds.
-- Sessions and tokens from before this release hold no keys: they end
-- here, and everyone signs in once more (which also makes their keys).
DELETE FROM sessions;
DELETE FROM api_tokens;
ALTER TABLE sessions ADD COLUMN sealed_keys TEXT;
ALTER TABLE api_tokens ADD COLUMN sealed_keys TEXT;

-- The couple's key: sealed to each member's public key, and to the joiner
-- through a copy wrapped by the invitation code (deleted at join).
-- `key_check` is a text sealed with the key, set once by a conditional
-- write, so two members can never each make a different key.
ALTER TABLE relationship_members ADD COLUMN sealed_key TEXT;
ALTER TABLE relationship_invites ADD COLUMN wrapped_key TEXT;
ALTER TABLE relationships ADD COLUMN key_check TEXT;

-- Relationships from before this release hold texts written in clear; only
-- there does a text without the envelope prefix read as itself. Every
-- relationship made from now on accepts sealed texts only.
ALTER TABLE relationships ADD COLUMN clear_text_allowed INTEGER NOT NULL DEFAULT 0;
UPDATE relationships SET clear_text_allowed = 1;
