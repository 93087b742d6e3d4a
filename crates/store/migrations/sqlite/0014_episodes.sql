-- Episodes (API.md "Episodes and negative reciprocity", SCIENCE.md §1, §4):
-- an exchange remembered turn by turn. Private to whoever recorded it
-- until they share it: the title is sealed with the recorder's own key
-- until then, with the couple's key once shared (sharing the episode
-- cannot be taken back; what each keeps or withdraws is their own view).
-- `recorded_by` has no foreign key: when the recorder deletes their
-- account, an episode the other partner saw stays for them, its title
-- emptied (NULL); an unshared one is deleted.
CREATE TABLE episodes (
    id              TEXT PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    recorded_by     TEXT NOT NULL,
    title           TEXT,
    kind            TEXT NOT NULL CHECK (kind IN ('conflict', 'everyday')),
    day             INTEGER NOT NULL,
    shared_at       INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX episodes_by_space ON episodes (relationship_id, day);

-- Each partner's own account of an episode: both are kept, neither
-- overwrites the other. `shared`: the author lets the partner read it.
-- `turns`: every turn's `token` in order, comma-separated, kept in the
-- transaction that adds or removes a turn, so the pattern page reads one
-- row per view rather than one per turn (two years of episodes are
-- 20,000 turns).
CREATE TABLE episode_views (
    episode_id TEXT NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    author_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    shared     BOOLEAN NOT NULL,
    turns      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (episode_id, author_id)
);
-- One partner's views (the pattern page reads the partner's shared ones).
CREATE INDEX episode_views_by_author ON episode_views (author_id, episode_id);

-- The turns of one view, in order: `position` is 1, 2, 3… per view, taken
-- at the write (the primary key refuses a second turn at the same place).
-- Codes, valence and intensity are kept clear (the pattern page computes
-- on them); `actor_id` is one of the two partners, kept when they delete
-- their account, since the view is its author's memory. `token` is the
-- turn as the pattern reads it: "<actor 0 or 1 in member order> <code>
-- <valence> <intensity>".
CREATE TABLE episode_turns (
    episode_id TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    position   INTEGER NOT NULL,
    actor_id   TEXT NOT NULL,
    code       TEXT NOT NULL,
    valence    TEXT NOT NULL CHECK (valence IN ('positive', 'neutral', 'negative')),
    intensity  INTEGER NOT NULL CHECK (intensity BETWEEN 1 AND 5),
    token      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (episode_id, author_id, position),
    FOREIGN KEY (episode_id, author_id) REFERENCES episode_views (episode_id, author_id)
        ON DELETE CASCADE
);
