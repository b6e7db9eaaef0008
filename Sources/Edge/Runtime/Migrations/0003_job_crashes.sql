-- A job whose lease expires had no report from its worker: the step may have ended the
-- process. `crashes` counts such ends in a row at the same checkpoint (`crash_seq`, the
-- thread's newest checkpoint when it happened); the second one makes the job dead, so a
-- step that kills its service is not claimed again for ever.
ALTER TABLE jobs ADD COLUMN crashes integer NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN crash_seq bigint;
