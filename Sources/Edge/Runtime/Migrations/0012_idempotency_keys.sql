-- The first answer to each POST sent with an `Idempotency-Key`, per caller, kept 24 hours so
-- a retried request is answered without being done again. A row without a status is a
-- request still in progress. Written by IdempotencyStore alone.
CREATE TABLE idempotency_keys (
  principal    text        NOT NULL CHECK (length(principal) <= 1200),
  key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  fingerprint  bytea       NOT NULL CHECK (length(fingerprint) = 32),
  status       integer     CHECK (status BETWEEN 200 AND 299),
  headers      jsonb,
  body         bytea,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, key)
);

CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
