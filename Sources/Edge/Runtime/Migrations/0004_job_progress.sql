-- Crashes are counted against the job's own progress, not the graph's checkpoints, so the
-- queue knows nothing of what its jobs do: `progress` counts the units of work committed
-- under the job (the graph's step commit bumps it), and `crash_seq` now holds the progress
-- at the last crash. A crash counted before this migration starts the count again.
ALTER TABLE jobs ADD COLUMN progress bigint NOT NULL DEFAULT 0;
UPDATE jobs SET crash_seq = NULL, crashes = 0 WHERE crash_seq IS NOT NULL;
