-- Personal access tokens for scripts and CI: the secret is shown once, at creation; only its
-- SHA-256 is kept. A token acts as its owner, with the groups the owner's token carried then.
CREATE TABLE access_tokens (
  id            uuid PRIMARY KEY,
  owner         text NOT NULL CHECK (length(owner) BETWEEN 1 AND 256),
  owner_name    text NOT NULL DEFAULT '',
  groups        text[] NOT NULL DEFAULT '{}',
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  sha256        text NOT NULL UNIQUE CHECK (length(sha256) = 64),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX access_tokens_by_owner ON access_tokens (owner, created_at);
