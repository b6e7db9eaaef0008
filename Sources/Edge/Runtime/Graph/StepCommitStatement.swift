import Foundation
import NIOCore
import PostgresNIO
import ServiceKit

/// The one statement that commits a graph step (see `GraphEngine.commit`). Prepared once per
/// connection: planning it costs more than running it.
struct StepCommitStatement: PostgresPreparedStatement {
  typealias Row = (allowed: Int, sequence: Int64?, notified: Int)

  static let sql = """
    WITH held AS (
      SELECT id FROM jobs WHERE id = $1 AND lease_owner = $2 AND state = 'running' FOR UPDATE),
    allowed AS (SELECT 1 AS ok WHERE $1::bigint IS NULL OR EXISTS (SELECT 1 FROM held)),
    cp AS (
      INSERT INTO checkpoints (checkpoint_id, thread_id, project_id, parent_id, version, node, next_node, state, is_interrupt)
      SELECT $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM allowed
      ON CONFLICT (thread_id, parent_id) DO NOTHING
      RETURNING checkpoint_id, seq),
    run AS (
      INSERT INTO agent_runs (
        idem_key, thread_id, project_id, checkpoint_id, node, agent, input_sha256, output, latency_ms, version,
        provider, model, input_tokens, output_tokens, trace_id, first_card, card_count)
      SELECT $12, $4, $5, cp.checkpoint_id, $13, $14, $15, $16, $17, $7, $32, $33, $34, $35, $36, $37, $38
      FROM cp WHERE $18
      ON CONFLICT (idem_key) DO NOTHING),
    emitted AS (
      INSERT INTO events (decision_set_id, project_id, checkpoint_id, type, payload)
      SELECT $4, $5, cp.checkpoint_id, e.type, e.payload::jsonb
      FROM cp, unnest($19::text[], $20::text[]) WITH ORDINALITY AS e(type, payload, ord)
      ORDER BY e.ord),
    status AS (
      UPDATE decision_sets SET status = $21, current_node = $8, updated_at = now()
      WHERE id = $4 AND EXISTS (SELECT 1 FROM cp)),
    lease AS (
      UPDATE jobs SET
        state = CASE WHEN $22 THEN 'succeeded' ELSE state END,
        lease_owner = CASE WHEN $22 THEN NULL ELSE lease_owner END,
        lease_expires_at = CASE WHEN $22 THEN NULL ELSE now() + make_interval(secs => $23) END,
        progress = progress + 1, updated_at = now()
      WHERE id IN (SELECT id FROM held) AND EXISTS (SELECT 1 FROM cp)),
    announced AS (SELECT pg_notify($24, $25) FROM cp WHERE $26),
    queued AS (
      INSERT INTO jobs (kind, thread_id, project_id, idem_key, trace_context)
      SELECT $28, $4, $5, $29, $31 FROM cp WHERE $27
      ON CONFLICT DO NOTHING
      RETURNING id),
    woken AS (SELECT pg_notify($30, '') FROM queued)
    SELECT (SELECT count(*) FROM allowed)::int, (SELECT seq FROM cp),
           (SELECT count(*) FROM announced)::int + (SELECT count(*) FROM woken)::int
    """

  /// Declared, not inferred: PostgresNIO otherwise takes the types from the first execution
  /// on each connection, where a NULL (a resume has no agent run, so no latency) lets the
  /// server pick `integer` for a parameter later bound as a 64-bit `Int`, and every step on
  /// that connection then fails with "incorrect binary data format".
  static let bindingDataTypes: [PostgresDataType] = [
    .int8, .text, .uuid, .uuid, .uuid, .uuid, .int8, .text, .text, .bytea,  // $1–$10
    .bool, .text, .text, .text, .text, .bytea, .int8, .bool, .textArray, .textArray,  // $11–$20
    .text, .bool, .float8, .text, .text, .bool, .bool, .text, .text, .text,  // $21–$30
    .text, .text, .text, .int8, .int8, .text, .int8, .int8,  // $31–$38
  ]

  var jobID: Int64?
  var leaseOwner: String?
  var checkpointID: UUID
  var threadID: UUID
  var projectID: UUID
  var parentID: UUID
  var version: Int
  var node: String
  var nextNode: String?
  var state: ByteBuffer
  var isInterrupt: Bool
  var idempotencyKey: String?
  var agentNode: String?
  var agent: String?
  var inputHash: String?
  var output: ByteBuffer?
  var latencyMilliseconds: Int?
  var provider: String?
  var model: String?
  var inputTokens: Int?
  var outputTokens: Int?
  var traceID: String?
  var firstCard: Int?
  var cardCount: Int?
  var eventTypes: [String]
  var eventPayloads: [String]
  var status: String
  var finishesJob: Bool
  var leaseSeconds: Double
  var channel: String
  /// Enqueue the run's continuation (a resume does; a step under a job never needs to).
  var continuationKind: String?
  var continuationKey: String?
  var jobsChannel: String
  /// The `traceparent` a queued continuation carries.
  var traceContext: String?

  func makeBindings() throws -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 38)
    bindings.append(jobID)
    bindings.append(leaseOwner)
    bindings.append(checkpointID)
    bindings.append(threadID)
    bindings.append(projectID)
    bindings.append(parentID)
    bindings.append(version)
    bindings.append(node)
    bindings.append(nextNode)
    bindings.append(state)
    bindings.append(isInterrupt)
    bindings.append(idempotencyKey)
    bindings.append(agentNode)
    bindings.append(agent)
    bindings.append(inputHash)
    bindings.append(output)
    bindings.append(latencyMilliseconds)
    bindings.append(idempotencyKey != nil)
    bindings.append(eventTypes)
    bindings.append(eventPayloads)
    bindings.append(status)
    bindings.append(finishesJob)
    bindings.append(leaseSeconds)
    bindings.append(channel)
    bindings.append(threadID.lowercaseString)
    bindings.append(!eventTypes.isEmpty)
    bindings.append(continuationKind != nil)
    bindings.append(continuationKind)
    bindings.append(continuationKey)
    bindings.append(jobsChannel)
    bindings.append(traceContext)
    bindings.append(provider)
    bindings.append(model)
    bindings.append(inputTokens)
    bindings.append(outputTokens)
    bindings.append(traceID)
    bindings.append(firstCard)
    bindings.append(cardCount)
    return bindings
  }

  func decodeRow(_ row: PostgresRow) throws -> Row {
    try row.decode((Int, Int64?, Int).self)
  }
}
