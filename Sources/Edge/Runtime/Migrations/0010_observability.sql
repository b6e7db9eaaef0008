-- From a Reason Card to its cause. A job keeps the trace context of the request that queued
-- it, so the worker's spans join that request's trace. An agent run records the provider
-- call behind its step (provider, model, tokens), the trace it ran in, and which of its
-- version's Reason Cards it wrote (cards first_card .. first_card + card_count - 1).
ALTER TABLE jobs ADD COLUMN trace_context text CHECK (length(trace_context) <= 128);

ALTER TABLE agent_runs
  ADD COLUMN version        integer,
  ADD COLUMN input_tokens   bigint,
  ADD COLUMN output_tokens  bigint,
  ADD COLUMN trace_id       text CHECK (length(trace_id) <= 64),
  ADD COLUMN first_card     integer,
  ADD COLUMN card_count     integer;

CREATE INDEX agent_runs_cards ON agent_runs (thread_id, version, first_card) WHERE card_count > 0;
