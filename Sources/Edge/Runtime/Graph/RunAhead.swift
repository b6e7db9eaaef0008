import Contracts
import Foundation
import Tracing

/// What a node returned for one step, before its commit: the output, what it emitted and
/// the effects it left for the step's transaction.
struct NodeRun: Sendable {
  let output: StepOutput
  let writer: StreamWriter
  let effects: StepEffects
  let started: ContinuousClock.Instant
  let traceID: String?
}

/// What a step commits from: the output stored when it ran before, or the state its node
/// has just returned.
enum StepOutput: Sendable {
  case stored(StepResult)
  case ran(Mlops_V1_DecisionState)

  var isStored: Bool {
    if case .stored = self { return true }
    return false
  }
}

/// The next step's node, started from a checkpoint while that checkpoint is still being
/// committed, so a run costs the longer of a node and a commit at each step instead of their
/// sum. The run is kept only when the checkpoint that committed is the one it started from,
/// byte for byte; otherwise it is cancelled and dropped, as a crash before that commit would
/// have dropped it (nodes that run ahead leave nothing else behind: `GraphNode.runsAhead`).
struct RunAhead: Sendable {
  let node: NodeName
  let parentID: UUID
  let parentState: [UInt8]
  let started: ContinuousClock.Instant
  /// The step's span: the node runs in it, and the step's commit ends it.
  let span: any Span
  let task: Task<NodeRun, any Error>

  /// The node's run when `parent` is the checkpoint it started from; nil, once the run is
  /// cancelled and finished, when it is not. A node that failed ahead fails its step here.
  func take(_ node: NodeName, from parent: Checkpoint) async throws -> NodeRun? {
    guard node == self.node, parent.id == parentID, parent.encodedState == parentState else {
      await discard()
      return nil
    }
    return try await task.value
  }

  /// Cancels the run and waits for it to finish, so nothing of it outlives its step.
  func discard() async {
    task.cancel()
    if case .success = await task.result {
      span.attributes["mlops.dropped"] = true
      span.end()
    }
  }
}
