-- One row per published version of a decision set: its final state (for the Change Summary,
-- which must outlive checkpoint pruning), its bundle and its git commit.
CREATE TABLE decision_set_versions (
  decision_set_id  uuid NOT NULL REFERENCES decision_sets (id) ON DELETE CASCADE,
  project_id       uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  version          integer NOT NULL,
  state            bytea NOT NULL,  -- DecisionState, deterministic protobuf encoding
  bundle_sha256    text NOT NULL,   -- the manifest's hash of the generated files
  artifact_key     text NOT NULL,
  git_commit       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (decision_set_id, version)
);
