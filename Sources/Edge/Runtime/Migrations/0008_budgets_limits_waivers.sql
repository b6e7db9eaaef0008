-- What a project may use, what it used, the API's shared rate-limit buckets, the SSE streams
-- each caller holds open, when a version may pass the human gate by itself, and the policy
-- waivers reviewers granted.

-- A null limit is no limit. Periods are UTC months and days of the database's clock.
CREATE TABLE project_budgets (
  project_id                  uuid PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  model_tokens_per_month      bigint CHECK (model_tokens_per_month >= 0),
  runs_per_day                bigint CHECK (runs_per_day >= 0),
  concurrent_runs             bigint CHECK (concurrent_runs >= 0),
  validator_minutes_per_month bigint CHECK (validator_minutes_per_month >= 0),
  updated_by                  text NOT NULL DEFAULT '',
  updated_at                  timestamptz NOT NULL DEFAULT now()
);

-- Metered use: model tokens and validator seconds where a step commits, runs where one is
-- admitted; concurrent runs are counted from decision_sets when asked.
CREATE TABLE project_usage (
  project_id    uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  metric        text NOT NULL CHECK (metric IN ('model_tokens', 'runs', 'validator_seconds')),
  period_start  timestamptz NOT NULL,
  amount        bigint NOT NULL DEFAULT 0 CHECK (amount >= 0),
  PRIMARY KEY (project_id, metric, period_start)
);

-- Token buckets shared by every API replica: a bucket holds `tokens` as of `updated_at`
-- and refills continuously up to its capacity.
CREATE UNLOGGED TABLE rate_limit_buckets (
  key         text PRIMARY KEY,
  tokens      double precision NOT NULL,
  allowed     boolean NOT NULL,
  updated_at  timestamptz NOT NULL
);

-- One row per open SSE stream; a replica that dies leaves rows that expire by themselves.
CREATE UNLOGGED TABLE stream_leases (
  id          uuid PRIMARY KEY,
  caller      text NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX stream_leases_by_caller ON stream_leases (caller, expires_at);

CREATE TABLE project_gate_rules (
  project_id         uuid PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  mode               text NOT NULL CHECK (mode IN ('always', 'within_thresholds')),
  max_delta_usd      double precision NOT NULL DEFAULT 0 CHECK (max_delta_usd >= 0),
  max_delta_percent  double precision NOT NULL DEFAULT 0 CHECK (max_delta_percent >= 0),
  updated_by         text NOT NULL DEFAULT '',
  updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE policy_waivers (
  id              uuid PRIMARY KEY,
  project_id      uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  rule_id         text NOT NULL CHECK (length(rule_id) BETWEEN 1 AND 128),
  reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  waived_by       text NOT NULL,
  waived_by_name  text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz,
  revoked_by      text
);
CREATE INDEX policy_waivers_by_project ON policy_waivers (project_id, expires_at);

-- A run is told when its project's use of a budget reaches 80%.
ALTER TABLE events DROP CONSTRAINT events_type_check;
ALTER TABLE events ADD CONSTRAINT events_type_check CHECK (type IN (
  'reason-card', 'policy-update', 'cost-update', 'diff-update', 'gate-waiting', 'budget-warning', 'run-error',
  'run-complete'));
