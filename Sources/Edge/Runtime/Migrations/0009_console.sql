-- The web console's sign-ins: authorization codes of the embedded issuer (single use, a
-- minute long, bound to a PKCE challenge) and the sessions behind the console's cookie.
-- Only digests of the codes and of the session ids are kept.
CREATE TABLE console_codes (
  code_sha256    text PRIMARY KEY CHECK (length(code_sha256) = 64),
  subject        text NOT NULL,
  name           text NOT NULL DEFAULT '',
  challenge      text NOT NULL,
  redirect_uri   text NOT NULL,
  expires_at     timestamptz NOT NULL
);

CREATE TABLE console_sessions (
  id_sha256   text PRIMARY KEY CHECK (length(id_sha256) = 64),
  token       text NOT NULL,
  csrf        text NOT NULL,
  subject     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);
