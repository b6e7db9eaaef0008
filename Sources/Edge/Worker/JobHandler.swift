/// Does the work of a claimed job. The handler finishes the job itself (for the graph, in its
/// last step's transaction) so that completing and committing cannot come apart.
public protocol JobHandler: Sendable {
  /// `shouldStop` turns true when the worker is shutting down: a long job may stop at a safe
  /// point and return `.paused`, and the worker gives it back to the queue.
  func handle(_ job: ClaimedJob, queue: JobQueue, shouldStop: @escaping @Sendable () -> Bool) async throws
    -> JobHandlingOutcome
}

public enum JobHandlingOutcome: Sendable, Equatable {
  case finished
  case paused
}

/// Runs `graph.run` jobs on the graph engine.
public struct GraphJobHandler: JobHandler {
  let engine: GraphEngine

  public init(engine: GraphEngine) {
    self.engine = engine
  }

  public func handle(_ job: ClaimedJob, queue: JobQueue, shouldStop: @escaping @Sendable () -> Bool) async throws
    -> JobHandlingOutcome
  {
    switch try await engine.run(job, shouldStop: shouldStop) {
    case .paused: .paused
    case .waiting, .ended: .finished
    }
  }
}
