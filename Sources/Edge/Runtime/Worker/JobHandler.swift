import PostgresNIO

/// Does the work of a claimed job. The handler finishes the job itself (for the graph, in its
/// last step's transaction) so that completing and committing cannot come apart.
package protocol JobHandler: Sendable {
  /// `shouldStop` turns true when the worker is shutting down: a long job may stop at a safe
  /// point and return `.paused`, and the worker gives it back to the queue.
  func handle(_ job: ClaimedJob, queue: JobQueue, shouldStop: @escaping @Sendable () -> Bool) async throws
    -> JobHandlingOutcome

  /// The dead-letter hook: called in the transaction that makes one of this handler's jobs
  /// dead, to record what that means for its work.
  func jobDied(_ job: DeadJob, on connection: PostgresConnection) async throws

  /// Whether another attempt cannot fix `error`, so the job dies at once.
  func isPermanent(_ error: any Error) -> Bool

  /// Whether `error` says another worker took the job over (nothing to record).
  func lostItsLease(_ error: any Error) -> Bool

  /// Upkeep the worker's maintenance loop runs now and then.
  func maintain() async throws
}

extension JobHandler {
  package func jobDied(_ job: DeadJob, on connection: PostgresConnection) async throws {}
  package func isPermanent(_ error: any Error) -> Bool { false }
  package func lostItsLease(_ error: any Error) -> Bool { false }
  package func maintain() async throws {}
}

package enum JobHandlingOutcome: Sendable, Equatable {
  case finished
  case paused
}
