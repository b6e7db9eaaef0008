import Contracts
import Crypto
import Foundation
import Logging
import Metrics
import NIOCore
import PostgresNIO
import ServiceKit
import SwiftProtobuf
import Tracing

/// Runs the fixed topology over one thread (a decision set's run), a step at a time. Each
/// step commits in one transaction: its checkpoint, its events, its `agent_runs` row, the
/// decision set's status and the job's lease; NOTIFY follows the commit. A step whose
/// `agent_runs` row exists reuses the stored output and calls nothing.
package struct GraphEngine: Sendable {
  package static let jobKind = "graph.run"
  /// The NOTIFY channel that announces new events; the payload is the decision set id.
  package static let eventsChannel = "mlops_events"

  package let checkpointer: Checkpointer
  package let queue: JobQueue
  /// Starting and resuming the runs this engine executes.
  package let runs: RunControl
  private let client: PostgresClient
  private let nodes: [NodeName: any GraphNode]
  private let committer: StepCommitter
  private let deadline: StepDeadline
  private let traceLink: TraceLink
  private let logger: Logger

  package init(
    client: PostgresClient, nodes: [any GraphNode], queue: JobQueue, lease: Duration = .seconds(30),
    maxStepDuration: Duration = .seconds(1_800), traceLink: TraceLink = TraceLink(template: nil), logger: Logger
  ) {
    self.traceLink = traceLink
    self.deadline = StepDeadline(limit: maxStepDuration)
    self.client = client
    self.nodes = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    self.queue = queue
    self.runs = RunControl(client: client, queue: queue, logger: logger)
    self.checkpointer = runs.checkpointer
    self.committer = StepCommitter(queue: queue, lease: lease, logger: logger)
    self.logger = logger
  }

  // MARK: Running

  package enum RunOutcome: Sendable, Equatable {
    case waiting(GraphTopology.WaitReason)
    case ended(Mlops_V1_RunStatus)
    /// Stopped between steps because the worker is shutting down; the job goes back to the
    /// queue and the next worker continues from the latest checkpoint.
    case paused
  }

  /// Advances the job's thread until it waits at an interrupt or ends; the last step's
  /// transaction completes the job.
  package func run(_ job: ClaimedJob, shouldStop: @Sendable () -> Bool = { false }) async throws -> RunOutcome {
    let started = ContinuousClock.now
    let outcome = try await runSegment(job, shouldStop: shouldStop)
    if outcome == .waiting(.approval) { StepMetrics.reachedTheGate(after: ContinuousClock.now - started) }
    return outcome
  }

  private func runSegment(_ job: ClaimedJob, shouldStop: @Sendable () -> Bool) async throws -> RunOutcome {
    guard var current = try await checkpointer.latest(threadID: job.threadID) else {
      throw GraphError.noCheckpoint(job.threadID)
    }
    // Budget notices need the project's usage at each step that writes a card; a project
    // with no budget is read once here instead (a budget set meanwhile counts from the next
    // segment), which spares an unbudgeted run a round trip a step.
    let projectID = current.projectID
    let budgeted =
      current.nextNode == nil
      ? false
      : try await !client.withOpenConnection { connection in
        try await BudgetStore.usage(projectID: projectID, onlyIfBudgeted: true, on: connection, logger: logger)
      }.isEmpty
    var stepped = false
    while let next = current.nextNode {
      if shouldStop() { return .paused }
      current = try await execute(next, from: current, job: job, reuseStoredOutput: false, budgeted: budgeted)
      stepped = true
    }
    // The last step's commit completed the job; a job that found the run already stopped
    // (a duplicate wake-up) is finished here.
    if !stepped { _ = try await queue.complete(job) }
    if current.isInterrupt, let node = NodeName(rawValue: current.node) {
      return .waiting(node == .gateHITL ? .approval : .answers)
    }
    return .ended(current.state.status)
  }

  /// Runs `node` from `parent` and commits the result. Idempotent: a step whose `agent_runs`
  /// row exists reuses the stored output and calls nothing, and when the parent already has a
  /// child (the step was committed before) that child is returned instead.
  package func step(_ node: NodeName, from parent: Checkpoint, job: ClaimedJob?) async throws -> Checkpoint {
    try await execute(node, from: parent, job: job, reuseStoredOutput: true, budgeted: true)
  }

  /// `run` steps from the latest checkpoint, then from what it just committed under its
  /// lease, so no stored output can exist for its steps and it skips the look-up.
  ///
  /// Each step runs in a span of its own, with its decision set, version and node in every
  /// log line written under it (and passed on to the services it calls).
  private func execute(
    _ node: NodeName, from parent: Checkpoint, job: ClaimedJob?, reuseStoredOutput: Bool, budgeted: Bool
  ) async throws -> Checkpoint {
    let work = WorkContext(
      decisionSetID: parent.threadID.lowercaseString, version: Int(parent.state.version), node: node.rawValue)
    return try await WorkContext.with(work) {
      try await withSpan("step \(node.rawValue)", ofKind: .internal) { span in
        span.attributes["mlops.decision_set.id"] = work.decisionSetID
        span.attributes["mlops.version"] = work.version
        span.attributes["mlops.node"] = node.rawValue
        span.attributes["mlops.attempt"] = job?.attempt ?? 1
        let started = ContinuousClock.now
        do {
          let checkpoint = try await executeStep(
            node, from: parent, job: job, reuseStoredOutput: reuseStoredOutput, budgeted: budgeted)
          let elapsed = ContinuousClock.now - started
          StepMetrics.finished(node, .committed, after: elapsed)
          logger.info(
            "step committed",
            metadata: [
              "latency_ms": "\(Int(saturating: elapsed.seconds * 1000))",
              "next_node": "\(checkpoint.nextNode?.rawValue ?? "")", "status": "\(checkpoint.state.status.apiName)",
            ])
          return checkpoint
        } catch {
          StepMetrics.finished(node, .failed, after: ContinuousClock.now - started)
          throw error
        }
      }
    }
  }

  /// The node runs holding no database connection; only the step's database work (the
  /// budget read and the commit) leases one. A connection held across a node's calls may be
  /// cut meanwhile (a database restart), and PostgresNIO never answers a query written to a
  /// connection that has closed: the step would wait for ever.
  private func executeStep(
    _ node: NodeName, from parent: Checkpoint, job: ClaimedJob?, reuseStoredOutput: Bool, budgeted: Bool
  ) async throws -> Checkpoint {
    guard let implementation = nodes[node] else { throw GraphError.noNode(node) }
    let traceID = TraceIdentity.traceID
    let inputHash = Self.inputHash(node: node, encodedState: parent.encodedState)
    let idempotencyKey = "\(parent.threadID.lowercaseString):\(parent.id.lowercaseString):\(node.rawValue):\(inputHash)"

    let effects = StepEffects()
    let writer = StreamWriter()
    let started = ContinuousClock.now
    let output: StepOutput =
      if reuseStoredOutput, let stored = try await storedOutput(idempotencyKey) {
        .stored(stored)
      } else {
        .ran(
          try await deadline.run(node) {
            try await implementation.run(
              state: parent.state,
              context: NodeContext(
                threadID: parent.threadID, projectID: parent.projectID, parentCheckpointID: parent.id,
                attempt: job?.attempt ?? 1, events: writer, effects: effects))
          })
      }

    // A connection cut under the commit (a database restart) rolled it back, or the commit
    // landed and only its answer was lost: either way committing again is safe, since a
    // parent takes one child and a second commit finds the first.
    var attempt = 0
    while true {
      attempt += 1
      do {
        return try await commit(
          output, node: node, parent: parent, job: job, writer: writer, effects: effects, traceID: traceID,
          agent: implementation.agent, idempotencyKey: idempotencyKey, inputHash: inputHash, started: started,
          budgeted: budgeted)
      } catch  where isConnectionCut(error) && attempt < 5 {
        logger.warning(
          "step commit cut with its database connection; committing again",
          metadata: ["thread_id": "\(parent.threadID)", "node": "\(node.rawValue)", "error": "\(error)"])
        try await Task.sleep(for: .milliseconds(50 * attempt))
      }
    }
  }

  /// The step's database work on one open connection: its budget notices, then its commit.
  private func commit(
    _ output: StepOutput, node: NodeName, parent: Checkpoint, job: ClaimedJob?, writer: StreamWriter,
    effects: StepEffects, traceID: String?, agent: String, idempotencyKey: String, inputHash: String,
    started: ContinuousClock.Instant, budgeted: Bool
  ) async throws -> Checkpoint {
    try await client.withOpenConnection { connection in
      let result: StepResult
      var pendingEffects = effects.all
      switch output {
      case .stored(let stored):
        result = stored
      case .ran(var state):
        state.currentNode = node.rawValue
        let fresh = try await freshResult(
          node, state: state, parent: parent, writer: writer, traceID: traceID, budgeted: budgeted, on: connection)
        result = fresh.result
        pendingEffects += fresh.effects
      }
      let latency = ContinuousClock.now - started

      let route = GraphTopology.route(after: node, state: result.state)
      let agentRun = AgentRun(
        idempotencyKey: idempotencyKey, node: node, agent: agent, inputHash: inputHash, output: result,
        latencyMilliseconds: output.isStored ? 0 : Int(saturating: latency.seconds * 1000), parent: parent.state,
        traceID: traceID)
      let committed =
        if pendingEffects.isEmpty {
          try await committer.commit(
            result, node: node.rawValue, route: route, parent: parent, job: job, agentRun: agentRun, effects: [],
            on: connection)
        } else {
          try await connection.transaction(logger: logger) { connection in
            try await committer.commit(
              result, node: node.rawValue, route: route, parent: parent, job: job, agentRun: agentRun,
              effects: pendingEffects, on: connection)
          }
        }
      if let committed { return committed }
      // The parent has a child already: this step (or a twin) landed before; go on from it.
      guard let existing = try await checkpointer.child(of: parent.id, threadID: parent.threadID) else {
        throw GraphError.noCheckpoint(parent.threadID)
      }
      logger.info(
        "step was committed before; continuing from its checkpoint",
        metadata: ["thread_id": "\(parent.threadID)", "node": "\(node.rawValue)"])
      if let job, existing.nextNode == nil { _ = try await queue.complete(job, on: connection) }
      return existing
    }
  }

  /// What a step commits from: the output stored when it ran before, or the state its node
  /// has just returned.
  private enum StepOutput: Sendable {
    case stored(StepResult)
    case ran(Mlops_V1_DecisionState)

    var isStored: Bool {
      if case .stored = self { return true }
      return false
    }
  }

  /// A step's output from what its node returned: budget notices on its card, trace links,
  /// and its Reason Cards first among its events; with its metered usage, an effect for the
  /// commit. It changes nothing it was given, so a commit tried again computes it afresh.
  private func freshResult(
    _ node: NodeName, state produced: Mlops_V1_DecisionState, parent: Checkpoint, writer: StreamWriter,
    traceID: String?, budgeted: Bool, on connection: PostgresConnection
  ) async throws -> (result: StepResult, effects: [StepEffects.Effect]) {
    var state = produced
    let before = parent.state.reasonCards.count
    // Budget notices ride on the step's first new card: a step that wrote none reads nothing.
    let notices =
      budgeted && state.reasonCards.count > before
      ? try BudgetNotice.notices(
        for: try await BudgetStore.usage(projectID: parent.projectID, onlyIfBudgeted: true, on: connection, logger: logger),
        in: parent.state) : []
    var events = writer.events
    if !notices.isEmpty {
      state.reasonCards[before].risks += notices.map(\.risk)
      for notice in notices {
        events.append(StepEvent(type: .budgetWarning, payload: notice.payload))
        Counter(label: "mlops_budget_warnings_total").increment()
        logger.warning(
          "budget warning",
          metadata: [
            "project_id": "\(parent.projectID)", "thread_id": "\(parent.threadID)", "node": "\(node.rawValue)",
            "budget": "\(notice.risk)",
          ])
      }
    }
    var effects: [StepEffects.Effect] = []
    let usage = StepUsage(node: node, before: parent.state, after: state)
    if !usage.isEmpty {
      let projectID = parent.projectID
      let logger = logger
      effects.append { connection in
        try await BudgetStore.meter(
          projectID: projectID, modelTokens: usage.modelTokens, validatorSeconds: usage.validatorSeconds,
          on: connection, logger: logger)
      }
    }
    if let traceID, state.reasonCards.count > before {
      for index in before..<state.reasonCards.count {
        state.reasonCards[index].links.append(
          .with {
            $0.rel = "trace"; $0.href = traceLink.href(traceID)
          })
      }
    }
    for card in state.reasonCards.dropFirst(before) {
      events.insert(StepEvent(type: .reasonCard, payload: try ProtoJSON.string(card)), at: 0)
    }
    return (StepResult(state: state, events: events), effects)
  }

  private func storedOutput(_ idempotencyKey: String) async throws -> StepResult? {
    let rows = try await client.guardedQuery(
      "SELECT output FROM agent_runs WHERE idem_key = \(idempotencyKey)", logger: logger)
    for try await output in rows.decode(ByteBuffer.self) {
      return try JSONDecoder().decode(StepResult.self, from: Data(buffer: output))
    }
    return nil
  }

  // MARK: Encoding

  /// The step's input: its node and its parent's state as stored.
  static func inputHash(node: NodeName, encodedState: [UInt8]) -> String {
    var hasher = SHA256()
    hasher.update(data: Data(node.rawValue.utf8))
    hasher.update(data: encodedState)
    return hasher.finalize().lowercaseHex
  }
}
