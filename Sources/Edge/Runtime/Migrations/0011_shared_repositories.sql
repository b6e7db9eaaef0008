-- Each project's git history as a log of incremental git bundles, in order, for deployments
-- where the API and the worker run on different machines (MLOPS_REPOSITORIES=database): a
-- machine's repository folder is only a cache, brought up to date from this log. Written by
-- ProjectRepositories alone, under the project's advisory lock.
CREATE TABLE project_git_bundles (
  project_id  uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  seq         integer     NOT NULL CHECK (seq > 0),
  tag         text        NOT NULL CHECK (length(tag) <= 200),
  commit      text        NOT NULL CHECK (commit ~ '^[0-9a-f]{40,64}$'),
  bundle      bytea       NOT NULL,
  sha256      text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, seq),
  UNIQUE (project_id, tag)
);
