-- Who may do what in a project, who submitted each version, who decided it, and the
-- append-only record of what people did.

-- A member is a user (the token's subject) or a group the token carries; a caller's role
-- in a project is the highest role any of their principals holds there.
CREATE TABLE project_members (
  id          uuid PRIMARY KEY,
  project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('user', 'group')),
  principal   text NOT NULL CHECK (length(principal) BETWEEN 1 AND 256),
  role        text NOT NULL CHECK (role IN ('viewer', 'editor', 'reviewer', 'admin')),
  added_by    text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, kind, principal)
);
CREATE INDEX project_members_by_principal ON project_members (kind, principal, project_id);

-- Four-eyes: whoever submitted a version may not approve it.
ALTER TABLE projects ADD COLUMN four_eyes boolean NOT NULL DEFAULT false;

-- The subject that submitted (or last revised) the decision set's current version.
ALTER TABLE decision_sets ADD COLUMN submitted_by text NOT NULL DEFAULT '';

ALTER TABLE approvals ADD COLUMN reviewer_name text NOT NULL DEFAULT '';

-- No foreign key: the trail of a deleted project outlives it.
CREATE TABLE audit_events (
  id          bigserial PRIMARY KEY,
  project_id  uuid,
  actor       text NOT NULL,
  actor_name  text NOT NULL DEFAULT '',
  action      text NOT NULL,
  target      text NOT NULL DEFAULT '',
  detail      jsonb NOT NULL DEFAULT '{}',
  request_id  text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_by_project ON audit_events (project_id, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
