-- The first schema: projects and everything a decision set's run keeps.
-- Applied once, in one transaction, by the Migrator. Never edit a landed migration:
-- add a new numbered file instead.

CREATE TABLE projects (
  id            uuid PRIMARY KEY,
  seq           bigserial UNIQUE,  -- creation order, for stable cursor pagination
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description   text NOT NULL DEFAULT '',
  lock_version  integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE decision_sets (
  id                uuid PRIMARY KEY,
  project_id        uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  version           integer NOT NULL DEFAULT 1,
  lock_version      integer NOT NULL DEFAULT 1,
  status            text NOT NULL DEFAULT 'running' CHECK (status IN (
                      'running', 'waiting_for_answers', 'waiting_for_approval',
                      'blocked', 'rejected', 'completed', 'failed')),
  brief             text NOT NULL,
  current_node      text,
  stream_abandoned  boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decision_sets_by_project ON decision_sets (project_id, created_at, id);

CREATE TABLE checkpoints (
  checkpoint_id  uuid PRIMARY KEY,
  seq            bigserial UNIQUE,  -- commit order within the database
  thread_id      uuid NOT NULL REFERENCES decision_sets (id) ON DELETE CASCADE,
  project_id     uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  parent_id      uuid REFERENCES checkpoints (checkpoint_id) ON DELETE SET NULL,
  version        integer NOT NULL DEFAULT 1,
  node           text NOT NULL,   -- the node (or input) that produced this state
  next_node      text,            -- what runs next; NULL when the run has ended
  state          bytea NOT NULL,  -- DecisionState, deterministic protobuf encoding
  is_interrupt   boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkpoints_by_thread ON checkpoints (thread_id, seq);
-- One child per checkpoint: a step committed twice from the same parent is refused, which
-- makes each step's effects exactly-once.
CREATE UNIQUE INDEX checkpoints_one_child ON checkpoints (thread_id, parent_id);

CREATE TABLE events (
  event_id         bigserial PRIMARY KEY,
  decision_set_id  uuid NOT NULL REFERENCES decision_sets (id) ON DELETE CASCADE,
  project_id       uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  checkpoint_id    uuid REFERENCES checkpoints (checkpoint_id) ON DELETE SET NULL,
  type             text NOT NULL CHECK (type IN (
                     'reason-card', 'policy-update', 'cost-update', 'diff-update',
                     'gate-waiting', 'run-error', 'run-complete')),
  payload          jsonb NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_by_decision_set ON events (decision_set_id, event_id);

CREATE TABLE jobs (
  id                bigserial PRIMARY KEY,
  kind              text NOT NULL,
  thread_id         uuid NOT NULL REFERENCES decision_sets (id) ON DELETE CASCADE,
  project_id        uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  priority          integer NOT NULL DEFAULT 0,
  state             text NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'running', 'succeeded', 'dead')),
  attempts          integer NOT NULL DEFAULT 0,
  max_attempts      integer NOT NULL DEFAULT 5,
  run_at            timestamptz NOT NULL DEFAULT now(),
  lease_owner       text,
  lease_expires_at  timestamptz,
  last_error        text,
  idem_key          text NOT NULL UNIQUE,
  payload           jsonb NOT NULL DEFAULT '{}',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_claimable ON jobs (priority DESC, created_at, id) WHERE state = 'ready';
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';
-- At most one live job per thread: two workers never advance one decision set at once.
CREATE UNIQUE INDEX jobs_one_live_per_thread ON jobs (thread_id) WHERE state IN ('ready', 'running');

CREATE TABLE agent_runs (
  id             bigserial PRIMARY KEY,
  idem_key       text NOT NULL UNIQUE,  -- thread + parent checkpoint + node + input hash
  thread_id      uuid NOT NULL REFERENCES decision_sets (id) ON DELETE CASCADE,
  project_id     uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  checkpoint_id  uuid REFERENCES checkpoints (checkpoint_id) ON DELETE SET NULL,
  node           text NOT NULL,
  agent          text NOT NULL,
  input_sha256   text NOT NULL,
  output         bytea NOT NULL,
  provider       text,
  model          text,
  latency_ms     integer,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE approvals (
  id               bigserial PRIMARY KEY,
  decision_set_id  uuid NOT NULL REFERENCES decision_sets (id) ON DELETE CASCADE,
  project_id       uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  version          integer NOT NULL,
  status           text NOT NULL CHECK (status IN ('approved', 'rejected')),
  reviewer         text NOT NULL DEFAULT '',
  comment          text NOT NULL DEFAULT '',
  inline_comments  jsonb NOT NULL DEFAULT '[]',
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX approvals_by_decision_set ON approvals (decision_set_id, version);

CREATE TABLE artifacts (
  id               bigserial PRIMARY KEY,
  project_id       uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  decision_set_id  uuid REFERENCES decision_sets (id) ON DELETE SET NULL,
  version          integer,
  sha256           text NOT NULL,
  size_bytes       bigint NOT NULL,
  key              text NOT NULL,  -- projects/{project_id}/bundles/{sha256}.zip
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'stored', 'failed')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, sha256)
);
