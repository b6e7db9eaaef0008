import Foundation
import Logging
import PostgresNIO

/// Runs `graph.run` jobs on the graph engine. A dead job fails its run with a `run-error`
/// event; upkeep prunes finished runs' checkpoints.
package struct GraphJobHandler: JobHandler {
  let engine: GraphEngine
  /// Checkpoints kept per finished run (interrupt points are always kept).
  let checkpointsKept: Int

  package init(engine: GraphEngine, checkpointsKept: Int = 20) {
    self.engine = engine
    self.checkpointsKept = checkpointsKept
  }

  package func handle(_ job: ClaimedJob, queue: JobQueue, shouldStop: @escaping @Sendable () -> Bool) async throws
    -> JobHandlingOutcome
  {
    switch try await engine.run(job, shouldStop: shouldStop) {
    case .paused: .paused
    case .waiting, .ended: .finished
    }
  }

  package func jobDied(_ job: DeadJob, on connection: PostgresConnection) async throws {
    try await Self.failRun(of: job, on: connection)
  }

  /// The run-error for a dead job, naming the step the run was at when it is known.
  package static func failRun(of job: DeadJob, on connection: PostgresConnection) async throws {
    let logger = Logger(label: "graph")
    let error: String
    var node: String?
    switch job.cause {
    case .failed(let message):
      error = message
    case .crashed(let times):
      node = try await nextNode(of: job.threadID, on: connection, logger: logger)
      error =
        "step \(node ?? "the current step") ended the service: its worker stopped without a report \(times) times in a row at the same checkpoint, so it is not tried again"
    case .stoppedAnswering:
      node = try await nextNode(of: job.threadID, on: connection, logger: logger)
      error = "the worker holding this job stopped answering after its last attempt"
    }
    try await DecisionSetStore.recordRunError(
      threadID: job.threadID, projectID: job.projectID, jobID: job.id, attempts: job.attempts, error: error, node: node,
      on: connection, logger: logger)
  }

  private static func nextNode(of threadID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> String? {
    let rows = try await connection.guardedQuery(
      "SELECT next_node FROM checkpoints WHERE thread_id = \(threadID) ORDER BY seq DESC LIMIT 1", logger: logger)
    for try await node in rows.decode(String?.self) { return node }
    return nil
  }

  package func isPermanent(_ error: any Error) -> Bool {
    guard let error = error as? GraphError else { return false }
    switch error {
    case .noNode, .noCheckpoint: return true
    case .notWaiting, .stillWaiting, .leaseLost, .notFinished: return false
    }
  }

  package func lostItsLease(_ error: any Error) -> Bool {
    if case .leaseLost? = error as? GraphError { return true }
    return false
  }

  package func maintain() async throws {
    try await engine.checkpointer.prune(keepLast: checkpointsKept)
  }
}
