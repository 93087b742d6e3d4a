-- Rules held by the database itself, so two requests racing cannot both pass
-- a check made before the write.

-- One open relationship per account: a membership is open until its
-- relationship ends (`closed_at` is then set on every member's row), and an
-- account may hold one open membership at a time.
ALTER TABLE relationship_members ADD COLUMN closed_at INTEGER;
UPDATE relationship_members SET closed_at = (
    SELECT COALESCE(r.ended_at, relationship_members.joined_at) FROM relationships r
    WHERE r.id = relationship_members.relationship_id)
    WHERE relationship_id IN (SELECT id FROM relationships WHERE status = 'ended');
CREATE UNIQUE INDEX one_open_relationship ON relationship_members (account_id) WHERE closed_at IS NULL;

-- At most eight respect areas a couple adds: each takes a numbered slot,
-- unique per relationship, and slots stop at 8.
ALTER TABLE respect_areas ADD COLUMN slot INTEGER CHECK (slot BETWEEN 1 AND 8);
UPDATE respect_areas SET slot = (
    SELECT COUNT(*) FROM respect_areas b
    WHERE b.relationship_id = respect_areas.relationship_id
      AND (b.created_at < respect_areas.created_at
           OR (b.created_at = respect_areas.created_at AND b.id <= respect_areas.id)));
CREATE UNIQUE INDEX respect_areas_slot ON respect_areas (relationship_id, slot);
