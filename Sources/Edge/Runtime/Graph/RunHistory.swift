import Contracts
import Logging
import PostgresNIO

/// The history a run leaves beside its checkpoints, written by the graph engine: its events
/// (the timeline and SSE replay) and its agent runs (the Reason Cards' inputs and outputs).
package struct RunHistory: Sendable {
  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  /// Removes the events and agent runs of runs finished more than `age` ago, at most `batch`
  /// runs a call, starting after the last run it pruned (a keyset mark, as the checkpoint
  /// prune keeps). Returns (events, agent runs) removed.
  @discardableResult
  package func prune(finishedBefore age: Duration, batch: Int = 200) async throws -> (events: Int, agentRuns: Int) {
    let seconds = Int(age.components.seconds)
    let rows = try await client.query(
      """
      WITH mark AS (
        SELECT COALESCE(max(mark), '-infinity'::timestamptz) AS at,
               COALESCE(max(mark_id::text), '00000000-0000-0000-0000-000000000000')::uuid AS id
        FROM maintenance_marks WHERE name = 'run_history_prune'),
      threads AS (
        SELECT d.id, d.updated_at FROM decision_sets d, mark
        WHERE d.status = ANY(\(Array(Mlops_V1_RunStatus.finishedAPINames)))
          AND (d.updated_at, d.id) > (mark.at, mark.id) AND d.updated_at < now() - make_interval(secs => \(seconds))
        ORDER BY d.updated_at, d.id LIMIT \(max(batch, 1))),
      events_gone AS (DELETE FROM events WHERE decision_set_id IN (SELECT id FROM threads) RETURNING 1),
      runs_gone AS (DELETE FROM agent_runs WHERE thread_id IN (SELECT id FROM threads) RETURNING 1),
      last AS (SELECT updated_at, id FROM threads ORDER BY updated_at DESC, id DESC LIMIT 1),
      marked AS (
        INSERT INTO maintenance_marks (name, mark, mark_id) SELECT 'run_history_prune', updated_at, id FROM last
        ON CONFLICT (name) DO UPDATE SET mark = EXCLUDED.mark, mark_id = EXCLUDED.mark_id)
      SELECT (SELECT count(*) FROM events_gone)::int, (SELECT count(*) FROM runs_gone)::int
      """, logger: logger)
    for try await (events, agentRuns) in rows.decode((Int, Int).self) { return (events, agentRuns) }
    return (0, 0)
  }
}
