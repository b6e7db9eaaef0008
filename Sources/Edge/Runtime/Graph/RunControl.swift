import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Starting, revising and resuming runs: what the API needs. It runs no node; executing steps
/// is the worker's (`GraphEngine`). Each call writes in the caller's transaction or its own.
package struct RunControl: Sendable {
  package let checkpointer: Checkpointer
  private let client: PostgresClient
  private let committer: StepCommitter

  package init(client: PostgresClient, queue: JobQueue, logger: Logger) {
    self.client = client
    self.checkpointer = Checkpointer(client: client, logger: logger)
    // A resume holds no job, so the committer never renews a lease with this.
    self.committer = StepCommitter(queue: queue, lease: .seconds(30), logger: logger)
  }

  /// Creates the run's root checkpoint and its first job in the caller's transaction.
  @discardableResult
  package func start(
    threadID: UUID, projectID: UUID, state: Mlops_V1_DecisionState, on connection: PostgresConnection
  ) async throws -> Checkpoint {
    var state = state
    state.decisionSetID = threadID.lowercaseString
    state.projectID = projectID.lowercaseString
    state.status = .running
    if state.version < 1 { state.version = 1 }  // a run is a version, and versions count from 1
    guard
      let root = try await checkpointer.save(
        threadID: threadID, projectID: projectID, parentID: nil, node: "start", nextNode: GraphTopology.entry,
        isInterrupt: false, state: state, on: connection)
    else { throw GraphError.noCheckpoint(threadID) }
    try await committer.enqueueContinuation(of: root, on: connection)
    return root
  }

  /// Starts the next version's run from the thread's last checkpoint, which must have ended:
  /// the revision's root is that checkpoint's only child, so two revisions of one version
  /// cannot both land (the second gets `notFinished`).
  @discardableResult
  package func revise(
    threadID: UUID, projectID: UUID, from ended: Checkpoint, state: Mlops_V1_DecisionState, on connection: PostgresConnection
  ) async throws -> Checkpoint {
    guard ended.nextNode == nil, !ended.isInterrupt else { throw GraphError.notFinished(threadID) }
    var state = state
    state.decisionSetID = threadID.lowercaseString
    state.projectID = projectID.lowercaseString
    state.status = .running
    guard
      let root = try await checkpointer.save(
        threadID: threadID, projectID: projectID, parentID: ended.id, node: "revision", nextNode: GraphTopology.entry,
        isInterrupt: false, state: state, on: connection)
    else { throw GraphError.notFinished(threadID) }
    try await committer.enqueueContinuation(of: root, on: connection)
    return root
  }

  /// Applies people's input (answers, an approval) to a run waiting at an interrupt and
  /// enqueues what follows, in one transaction. Throws `stillWaiting` when the input does not
  /// yet let the run go on, and `notWaiting` when the run is not at an interrupt.
  @discardableResult
  package func resume(
    threadID: UUID, applying input: @Sendable (inout Mlops_V1_DecisionState) throws -> Void
  ) async throws -> Checkpoint {
    try await client.withOpenConnection { connection in
      try await resume(threadID: threadID, on: connection, applying: input)
    }
  }

  /// `resume` on the caller's connection, so the input's own records (an approval row, say)
  /// commit in the same transaction as the run's continuation.
  @discardableResult
  package func resume(
    threadID: UUID, on connection: PostgresConnection,
    applying input: @Sendable (inout Mlops_V1_DecisionState) throws -> Void
  ) async throws -> Checkpoint {
    // No lock is needed: two resumes of one interrupt race for the same parent, and the
    // one-child rule lets exactly one of them land.
    guard let waiting = try await checkpointer.latest(threadID: threadID, on: connection) else {
      throw GraphError.noCheckpoint(threadID)
    }
    guard waiting.isInterrupt, let interrupt = NodeName(rawValue: waiting.node) else {
      throw GraphError.notWaiting(threadID)
    }
    var state = waiting.state
    try input(&state)
    guard let route = GraphTopology.resumeRoute(after: interrupt, state: state) else {
      throw GraphError.stillWaiting(threadID, interrupt == .gateHITL ? .approval : .answers)
    }
    let outcome = try await committer.commit(
      StepResult(state: state, events: []), node: "resume", route: route, parent: waiting, job: nil,
      agentRun: nil, effects: [], enqueueContinuation: true, on: connection)
    guard let checkpoint = outcome else { throw GraphError.notWaiting(threadID) }
    return checkpoint
  }
}
