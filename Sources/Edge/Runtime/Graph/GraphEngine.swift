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
    // Budget notices need the project's usage at each step that writes a card; whether the
    // project has a budget at all is read once here, with the checkpoint (a budget set
    // meanwhile counts from the next segment), which spares an unbudgeted run a round trip a step.
    guard let (start, budgeted) = try await checkpointer.resumePoint(threadID: job.threadID) else {
      throw GraphError.noCheckpoint(job.threadID)
    }
    var current = start
    // A step run ahead belongs under the job's span, as the steps run in turn do.
    let jobContext = ServiceContext.current ?? .topLevel
    var ahead: RunAhead?
    var stepped = false
    while let next = current.nextNode {
      if shouldStop() {
        await ahead?.discard()
        return .paused
      }
      (current, ahead) = try await execute(
        next, from: current, job: job, reuseStoredOutput: false, budgeted: budgeted, ahead: ahead,
        runAheadUnder: shouldStop() ? nil : jobContext)
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
    try await execute(
      node, from: parent, job: job, reuseStoredOutput: true, budgeted: true, ahead: nil, runAheadUnder: nil
    ).checkpoint
  }

  /// `run` steps from the latest checkpoint, then from what it just committed under its
  /// lease, so no stored output can exist for its steps and it skips the look-up.
  ///
  /// `ahead` is this node's run when it was started while `parent` was committing; with
  /// `runAheadUnder`, the next node is started from this step's checkpoint once its state is
  /// final, and returned for the next step. A step that fails drops what it started.
  ///
  /// Each step runs in a span of its own, with its decision set, version and node in every
  /// log line written under it (and passed on to the services it calls); a step that ran
  /// ahead commits in the span its node ran in.
  private func execute(
    _ node: NodeName, from parent: Checkpoint, job: ClaimedJob?, reuseStoredOutput: Bool, budgeted: Bool,
    ahead: RunAhead?, runAheadUnder jobContext: ServiceContext?
  ) async throws -> (checkpoint: Checkpoint, ahead: RunAhead?) {
    let ran: NodeRun?
    do {
      ran = try await ahead?.take(node, from: parent)
    } catch {
      StepMetrics.finished(node, .failed, after: ContinuousClock.now - (ahead?.started ?? .now))
      throw error
    }
    // A step that ran ahead goes on in the span its node ran in.
    return try await inStep(node, from: parent, job: job, continuing: ran == nil ? nil : ahead?.span) {
      let started = ran?.started ?? ContinuousClock.now
      do {
        let step = try await executeStep(
          node, from: parent, job: job, reuseStoredOutput: reuseStoredOutput, budgeted: budgeted, ran: ran,
          runAheadUnder: jobContext)
        let elapsed = ContinuousClock.now - started
        StepMetrics.finished(node, .committed, after: elapsed)
        logger.info(
          "step committed",
          metadata: [
            "latency_ms": "\(Int(saturating: elapsed.seconds * 1000))",
            "next_node": "\(step.checkpoint.nextNode?.rawValue ?? "")",
            "status": "\(step.checkpoint.state.status.apiName)", "ran_ahead": "\(ran != nil)",
          ])
        return step
      } catch {
        StepMetrics.finished(node, .failed, after: ContinuousClock.now - started)
        throw error
      }
    }
  }

  /// `body` with the step's work context, in the step's span: a new one, or the one its node
  /// ran ahead in, which ends with it.
  private func inStep<T: Sendable>(
    _ node: NodeName, from parent: Checkpoint, job: ClaimedJob?, continuing started: (any Span)?,
    _ body: @Sendable @escaping () async throws -> T
  ) async throws -> T {
    let work = Self.work(node, from: parent)
    guard let started else {
      return try await WorkContext.with(work) {
        try await withSpan("step \(node.rawValue)", ofKind: .internal) { span in
          Self.describe(span, work: work, job: job)
          return try await body()
        }
      }
    }
    defer { started.end() }
    // The span's context first: it replaces the task's, work fields and all.
    return try await ServiceContext.withValue(started.context) {
      try await WorkContext.with(work) {
        do {
          return try await body()
        } catch {
          started.recordError(error)
          throw error
        }
      }
    }
  }

  private static func work(_ node: NodeName, from parent: Checkpoint) -> WorkContext {
    WorkContext(decisionSetID: parent.threadID.lowercaseString, version: Int(parent.state.version), node: node.rawValue)
  }

  private static func describe(_ span: any Span, work: WorkContext, job: ClaimedJob?) {
    span.attributes["mlops.decision_set.id"] = work.decisionSetID
    span.attributes["mlops.version"] = work.version
    span.attributes["mlops.node"] = work.node
    span.attributes["mlops.attempt"] = job?.attempt ?? 1
  }

  /// The node runs holding no database connection; only the step's database work (the
  /// budget read and the commit) leases one. A connection held across a node's calls may be
  /// cut meanwhile (a database restart), and PostgresNIO never answers a query written to a
  /// connection that has closed: the step would wait for ever.
  private func executeStep(
    _ node: NodeName, from parent: Checkpoint, job: ClaimedJob?, reuseStoredOutput: Bool, budgeted: Bool,
    ran: NodeRun?, runAheadUnder jobContext: ServiceContext?
  ) async throws -> (checkpoint: Checkpoint, ahead: RunAhead?) {
    guard let implementation = nodes[node] else { throw GraphError.noNode(node) }
    let inputHash = Self.inputHash(node: node, encodedState: parent.encodedState)
    let idempotencyKey = "\(parent.threadID.lowercaseString):\(parent.id.lowercaseString):\(node.rawValue):\(inputHash)"

    let run: NodeRun =
      if let ran {
        ran
      } else if reuseStoredOutput, let stored = try await storedOutput(idempotencyKey) {
        NodeRun(
          output: .stored(stored), writer: StreamWriter(), effects: StepEffects(), started: .now,
          traceID: TraceIdentity.traceID)
      } else {
        try await runNode(implementation, from: parent, job: job)
      }

    // A connection cut under the commit (a database restart) rolled it back, or the commit
    // landed and only its answer was lost: either way committing again is safe, since a
    // parent takes one child and a second commit finds the first.
    var attempt = 0
    while true {
      attempt += 1
      do {
        return try await commit(
          run, node: node, parent: parent, job: job, agent: implementation.agent, idempotencyKey: idempotencyKey,
          inputHash: inputHash, budgeted: budgeted, runAheadUnder: jobContext)
      } catch  where isConnectionCut(error) && attempt < 5 {
        logger.warning(
          "step commit cut with its database connection; committing again",
          metadata: ["thread_id": "\(parent.threadID)", "node": "\(node.rawValue)", "error": "\(error)"])
        try await Task.sleep(for: .milliseconds(50 * attempt))
      }
    }
  }

  /// The node's run from `parent`, within the step's deadline.
  private func runNode(_ implementation: any GraphNode, from parent: Checkpoint, job: ClaimedJob?) async throws
    -> NodeRun
  {
    let effects = StepEffects()
    let writer = StreamWriter()
    let started = ContinuousClock.now
    let traceID = TraceIdentity.traceID
    let state = try await deadline.run(implementation.name) {
      try await implementation.run(
        state: parent.state,
        context: NodeContext(
          threadID: parent.threadID, projectID: parent.projectID, parentCheckpointID: parent.id,
          attempt: job?.attempt ?? 1, events: writer, effects: effects))
    }
    return NodeRun(output: .ran(state), writer: writer, effects: effects, started: started, traceID: traceID)
  }

  /// Starts `implementation` from `parent`, a checkpoint about to be sent, in a step span of
  /// its own under the job's; the step's commit ends it.
  private func startAhead(
    _ implementation: any GraphNode, from parent: Checkpoint, job: ClaimedJob?, under jobContext: ServiceContext
  ) -> RunAhead {
    let work = Self.work(implementation.name, from: parent)
    let span = startSpan("step \(implementation.name.rawValue)", context: jobContext, ofKind: .internal)
    Self.describe(span, work: work, job: job)
    span.attributes["mlops.ran_ahead"] = true
    let task = Task {
      try await ServiceContext.withValue(span.context) {
        try await WorkContext.with(work) {
          do {
            return try await runNode(implementation, from: parent, job: job)
          } catch {
            span.recordError(error)
            span.end()
            throw error
          }
        }
      }
    }
    return RunAhead(
      node: implementation.name, parentID: parent.id, parentState: parent.encodedState, started: .now, span: span,
      task: task)
  }

  /// The step's database work on one open connection: its budget notices, then its commit.
  /// The next node, when it may run ahead, starts once the step's state is final and before
  /// the commit is sent; should the commit fail, it is dropped.
  private func commit(
    _ run: NodeRun, node: NodeName, parent: Checkpoint, job: ClaimedJob?, agent: String, idempotencyKey: String,
    inputHash: String, budgeted: Bool, runAheadUnder jobContext: ServiceContext?
  ) async throws -> (checkpoint: Checkpoint, ahead: RunAhead?) {
    try await client.withOpenConnection { connection in
      let result: StepResult
      var pendingEffects = run.effects.all
      switch run.output {
      case .stored(let stored):
        result = stored
      case .ran(var state):
        state.currentNode = node.rawValue
        let fresh = try await freshResult(
          node, state: state, parent: parent, writer: run.writer, traceID: run.traceID, budgeted: budgeted,
          on: connection)
        result = fresh.result
        pendingEffects += fresh.effects
      }
      let latency = ContinuousClock.now - run.started

      let route = GraphTopology.route(after: node, state: result.state)
      let agentRun = AgentRun(
        idempotencyKey: idempotencyKey, node: node, agent: agent, inputHash: inputHash, output: result,
        latencyMilliseconds: run.output.isStored ? 0 : Int(saturating: latency.seconds * 1000), parent: parent.state,
        traceID: run.traceID)
      let step = try committer.prepare(result, node: node.rawValue, route: route, parent: parent, job: job, agentRun: agentRun)
      let ahead: RunAhead? =
        if let jobContext, case .node(let next) = route, let following = nodes[next], following.runsAhead {
          startAhead(following, from: step.checkpoint, job: job, under: jobContext)
        } else {
          nil
        }
      do {
        let committed =
          if pendingEffects.isEmpty {
            try await committer.send(step, effects: [], on: connection)
          } else {
            try await connection.transaction(logger: logger) { connection in
              try await committer.send(step, effects: pendingEffects, on: connection)
            }
          }
        if let committed { return (committed, ahead) }
        // The parent has a child already: this step (or a twin) landed before; go on from it
        // (what ran ahead is kept only if that child is the checkpoint it started from).
        guard let existing = try await checkpointer.child(of: parent.id, threadID: parent.threadID) else {
          throw GraphError.noCheckpoint(parent.threadID)
        }
        logger.info(
          "step was committed before; continuing from its checkpoint",
          metadata: ["thread_id": "\(parent.threadID)", "node": "\(node.rawValue)"])
        if let job, existing.nextNode == nil { _ = try await queue.complete(job, on: connection) }
        return (existing, ahead)
      } catch {
        await ahead?.discard()
        throw error
      }
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

  /// The output of a step that ran before: its events, and the state its checkpoint holds
  /// (nil when that checkpoint is gone, and the step runs again).
  private func storedOutput(_ idempotencyKey: String) async throws -> StepResult? {
    let rows = try await client.guardedQuery(
      """
      SELECT a.output, c.state FROM agent_runs a LEFT JOIN checkpoints c ON c.checkpoint_id = a.checkpoint_id
      WHERE a.idem_key = \(idempotencyKey)
      """, logger: logger)
    for try await (output, checkpointState) in rows.decode((ByteBuffer, ByteBuffer?).self) {
      let stored = try StoredStepOutput.decode(output)
      guard let state = stored.state.map(Array.init) ?? checkpointState.map({ Array(buffer: $0) }) else { return nil }
      return StepResult(state: try Mlops_V1_DecisionState(serializedBytes: state), events: stored.events)
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
