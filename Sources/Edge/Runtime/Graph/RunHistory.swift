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
    let query = FinishedRunsQuery.make(
      mark: "run_history_prune", settledSeconds: Int(age.components.seconds), batch: batch,
      work: """
        events_gone AS (DELETE FROM events WHERE decision_set_id IN (SELECT id FROM threads) RETURNING 1),
        runs_gone AS (DELETE FROM agent_runs WHERE thread_id IN (SELECT id FROM threads) RETURNING 1)
        """,
      select: "SELECT (SELECT count(*) FROM events_gone)::int, (SELECT count(*) FROM runs_gone)::int")
    let rows = try await client.guardedQuery(query, logger: logger)
    for try await (events, agentRuns) in rows.decode((Int, Int).self) { return (events, agentRuns) }
    return (0, 0)
  }
}
