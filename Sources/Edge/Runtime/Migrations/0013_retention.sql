-- Deleted projects whose files (bundles in the artifact store, the git repository folder) a
-- worker has still to remove; the rows went with the project. Written by ProjectStore alone.
CREATE TABLE project_tombstones (
  project_id  uuid        PRIMARY KEY,
  deleted_at  timestamptz NOT NULL DEFAULT now()
);

-- How far a maintenance pass has got (a keyset: time, then id), so the next one starts
-- there instead of scanning all finished work again. Written by the pass it names.
CREATE TABLE maintenance_marks (
  name     text        PRIMARY KEY,
  mark     timestamptz NOT NULL,
  mark_id  uuid        NOT NULL
);

-- Finished runs by when they finished: the checkpoint prune reads only those since its mark,
-- and the history prune only those older than the retention.
CREATE INDEX decision_sets_finished ON decision_sets (updated_at, id)
  WHERE status IN ('blocked', 'rejected', 'completed', 'failed');

-- Finished jobs by age, for their prune.
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE state IN ('succeeded', 'dead');

-- Agent runs by thread, for the history prune (and the thread's cards).
CREATE INDEX agent_runs_by_thread ON agent_runs (thread_id);
