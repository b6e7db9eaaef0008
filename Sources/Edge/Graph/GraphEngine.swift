import Contracts
import Crypto
import Foundation
import Logging
import NIOCore
import PostgresNIO
import SwiftProtobuf
import ServiceKit

/// Runs the fixed topology over one thread (a decision set's run), a step at a time. Each
/// step commits in one transaction: its checkpoint, its events, its `agent_runs` row, the
/// decision set's status and the job's lease; NOTIFY follows the commit. A step whose
/// `agent_runs` row exists reuses the stored output and calls nothing.
public struct GraphEngine: Sendable {
  public static let jobKind = "graph.run"
  /// The NOTIFY channel that announces new events; the payload is the decision set id.
  public static let eventsChannel = "mlops_events"

  public let checkpointer: Checkpointer
  public let queue: JobQueue
  private let client: PostgresClient
  private let nodes: [NodeName: any GraphNode]
  private let lease: Duration
  private let deadline: StepDeadline
  private let logger: Logger

  public init(
    client: PostgresClient, nodes: [any GraphNode], queue: JobQueue, lease: Duration = .seconds(30),
    maxStepDuration: Duration = .seconds(1_800), logger: Logger
  ) {
    self.deadline = StepDeadline(limit: maxStepDuration)
    self.client = client
    self.nodes = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    self.queue = queue
    self.checkpointer = Checkpointer(client: client, logger: logger)
    self.lease = lease
    self.logger = logger
  }

  public enum EngineError: Error, CustomStringConvertible, Equatable {
    case noNode(NodeName)
    case noCheckpoint(UUID)
    case notWaiting(UUID)
    case stillWaiting(UUID, GraphTopology.WaitReason)
    case leaseLost(jobID: Int64)
    case notFinished(UUID)

    public var description: String {
      switch self {
      case .noNode(let node): "no implementation is registered for the node \(node.rawValue)"
      case .noCheckpoint(let thread): "decision set \(thread) has no checkpoint"
      case .notWaiting(let thread): "decision set \(thread) is not waiting for input"
      case .stillWaiting(let thread, let reason): "decision set \(thread) still waits for \(reason.rawValue)"
      case .leaseLost(let job): "job \(job) lost its lease; another worker owns it now"
      case .notFinished(let thread): "decision set \(thread) has a run in progress; revise it once the run has ended"
      }
    }
  }

  // MARK: Starting and resuming

  /// Creates the run's root checkpoint and its first job in the caller's transaction.
  @discardableResult
  public func start(
    threadID: UUID, projectID: UUID, state: Mlops_V1_DecisionState, on connection: PostgresConnection
  ) async throws -> Checkpoint {
    var state = state
    state.decisionSetID = threadID.uuidString.lowercased()
    state.projectID = projectID.uuidString.lowercased()
    state.status = .running
    if state.version < 1 { state.version = 1 }  // a run is a version, and versions count from 1
    guard
      let root = try await checkpointer.save(
        threadID: threadID, projectID: projectID, parentID: nil, node: "start", nextNode: GraphTopology.entry,
        isInterrupt: false, state: state, on: connection)
    else { throw EngineError.noCheckpoint(threadID) }
    try await enqueueContinuation(of: root, on: connection)
    return root
  }

  /// Starts the next version's run from the thread's last checkpoint, which must have ended:
  /// the revision's root is that checkpoint's only child, so two revisions of one version
  /// cannot both land (the second gets `notFinished`).
  @discardableResult
  public func revise(
    threadID: UUID, projectID: UUID, from ended: Checkpoint, state: Mlops_V1_DecisionState, on connection: PostgresConnection
  ) async throws -> Checkpoint {
    guard ended.nextNode == nil, !ended.isInterrupt else { throw EngineError.notFinished(threadID) }
    var state = state
    state.decisionSetID = threadID.uuidString.lowercased()
    state.projectID = projectID.uuidString.lowercased()
    state.status = .running
    guard
      let root = try await checkpointer.save(
        threadID: threadID, projectID: projectID, parentID: ended.id, node: "revision", nextNode: GraphTopology.entry,
        isInterrupt: false, state: state, on: connection)
    else { throw EngineError.notFinished(threadID) }
    try await enqueueContinuation(of: root, on: connection)
    return root
  }

  /// Applies people's input (answers, an approval) to a run waiting at an interrupt and
  /// enqueues what follows, in one transaction. Throws `stillWaiting` when the input does not
  /// yet let the run go on, and `notWaiting` when the run is not at an interrupt.
  @discardableResult
  public func resume(
    threadID: UUID, applying input: @Sendable (inout Mlops_V1_DecisionState) throws -> Void
  ) async throws -> Checkpoint {
    try await client.withConnection { connection in
      try await resume(threadID: threadID, on: connection, applying: input)
    }
  }

  /// `resume` on the caller's connection, so the input's own records (an approval row, say)
  /// commit in the same transaction as the run's continuation.
  @discardableResult
  public func resume(
    threadID: UUID, on connection: PostgresConnection,
    applying input: @Sendable (inout Mlops_V1_DecisionState) throws -> Void
  ) async throws -> Checkpoint {
    // No lock is needed: two resumes of one interrupt race for the same parent, and the
    // one-child rule lets exactly one of them land.
    guard let waiting = try await checkpointer.latest(threadID: threadID, on: connection) else {
      throw EngineError.noCheckpoint(threadID)
    }
    guard waiting.isInterrupt, let interrupt = NodeName(rawValue: waiting.node) else {
      throw EngineError.notWaiting(threadID)
    }
    var state = waiting.state
    try input(&state)
    guard let route = GraphTopology.resumeRoute(after: interrupt, state: state) else {
      throw EngineError.stillWaiting(threadID, interrupt == .gateHITL ? .approval : .answers)
    }
    let outcome = try await commit(
      StepResult(state: state, events: []), node: "resume", route: route, parent: waiting, job: nil,
      agentRun: nil, effects: [], enqueueContinuation: true, on: connection)
    guard let checkpoint = outcome else { throw EngineError.notWaiting(threadID) }
    return checkpoint
  }

  // MARK: Running

  public enum RunOutcome: Sendable, Equatable {
    case waiting(GraphTopology.WaitReason)
    case ended(Mlops_V1_RunStatus)
    /// Stopped between steps because the worker is shutting down; the job goes back to the
    /// queue and the next worker continues from the latest checkpoint.
    case paused
  }

  /// Advances the job's thread until it waits at an interrupt or ends; the last step's
  /// transaction completes the job.
  public func run(_ job: ClaimedJob, shouldStop: @Sendable () -> Bool = { false }) async throws -> RunOutcome {
    // One connection for the whole segment: no pool hand-off between steps.
    let current = try await client.withConnection { connection -> Checkpoint? in
      guard var current = try await checkpointer.latest(threadID: job.threadID, on: connection) else {
        throw EngineError.noCheckpoint(job.threadID)
      }
      var stepped = false
      while let next = current.nextNode {
        if shouldStop() { return nil }
        current = try await execute(next, from: current, job: job, reuseStoredOutput: false, on: connection)
        stepped = true
      }
      // The last step's commit completed the job; a job that found the run already stopped
      // (a duplicate wake-up) is finished here.
      if !stepped { _ = try await queue.complete(job, on: connection) }
      return current
    }
    guard let current else { return .paused }
    if current.isInterrupt, let node = NodeName(rawValue: current.node) {
      return .waiting(node == .gateHITL ? .approval : .answers)
    }
    return .ended(current.state.status)
  }

  /// Runs `node` from `parent` and commits the result. Idempotent: a step whose `agent_runs`
  /// row exists reuses the stored output and calls nothing, and when the parent already has a
  /// child (the step was committed before) that child is returned instead.
  public func step(_ node: NodeName, from parent: Checkpoint, job: ClaimedJob?) async throws -> Checkpoint {
    try await client.withConnection { connection in
      try await execute(node, from: parent, job: job, reuseStoredOutput: true, on: connection)
    }
  }

  /// `run` steps from the latest checkpoint, then from what it just committed under its
  /// lease, so no stored output can exist for its steps and it skips the look-up.
  private func execute(
    _ node: NodeName, from parent: Checkpoint, job: ClaimedJob?, reuseStoredOutput: Bool,
    on connection: PostgresConnection
  ) async throws -> Checkpoint {
    guard let implementation = nodes[node] else { throw EngineError.noNode(node) }
    let inputHash = try Self.inputHash(node: node, state: parent.state)
    let idempotencyKey = "\(parent.threadID.uuidString.lowercased()):\(parent.id.uuidString.lowercased()):\(node.rawValue):\(inputHash)"

    let effects = StepEffects()
    let started = ContinuousClock.now
    let result: StepResult
    var fresh = false
    if reuseStoredOutput, let stored = try await storedOutput(idempotencyKey) {
      result = stored
    } else {
      let writer = StreamWriter()
      let context = NodeContext(
        threadID: parent.threadID, projectID: parent.projectID, parentCheckpointID: parent.id,
        attempt: job?.attempt ?? 1, events: writer, effects: effects)
      let input = parent.state
      var state = try await deadline.run(node) { try await implementation.run(state: input, context: context) }
      state.currentNode = node.rawValue
      let before = parent.state.reasonCards.count
      var events = writer.events
      for card in state.reasonCards.dropFirst(before) {
        events.insert(StepEvent(type: .reasonCard, payload: try Self.json(card)), at: 0)
      }
      result = StepResult(state: state, events: events)
      fresh = true
    }
    let latency = ContinuousClock.now - started

    let route = GraphTopology.route(after: node, state: result.state)
    let agentRun = AgentRun(
      idempotencyKey: idempotencyKey, node: node, agent: implementation.agent, inputHash: inputHash, output: result,
      latencyMilliseconds: fresh ? Int(saturating: latency.seconds * 1000) : 0)
    let pendingEffects = effects.all
    let committed =
      if pendingEffects.isEmpty {
        try await commit(
          result, node: node.rawValue, route: route, parent: parent, job: job, agentRun: agentRun, effects: [],
          on: connection)
      } else {
        try await connection.transaction(logger: logger) { connection in
          try await commit(
            result, node: node.rawValue, route: route, parent: parent, job: job, agentRun: agentRun,
            effects: pendingEffects, on: connection)
        }
      }
    if let committed { return committed }
    // The parent has a child already: this step (or a twin) landed before; go on from it.
    guard let existing = try await checkpointer.child(of: parent.id, threadID: parent.threadID) else {
      throw EngineError.noCheckpoint(parent.threadID)
    }
    logger.info(
      "step was committed before; continuing from its checkpoint",
      metadata: ["thread_id": "\(parent.threadID)", "node": "\(node.rawValue)"])
    if let job, existing.nextNode == nil { _ = try await queue.complete(job, on: connection) }
    return existing
  }

  // MARK: The step transaction

  struct StepResult: Sendable, Codable {
    var state: Mlops_V1_DecisionState
    var events: [StepEvent]

    enum CodingKeys: String, CodingKey { case state, events }

    init(state: Mlops_V1_DecisionState, events: [StepEvent]) {
      self.state = state
      self.events = events
    }

    init(from decoder: any Swift.Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      state = try Mlops_V1_DecisionState(serializedBytes: try container.decode(Data.self, forKey: .state))
      events = try container.decode([StepEvent].self, forKey: .events)
    }

    func encode(to encoder: any Swift.Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(Data(try Checkpointer.encode(state)), forKey: .state)
      try container.encode(events, forKey: .events)
    }
  }

  struct AgentRun: Sendable {
    var idempotencyKey: String
    var node: NodeName
    var agent: String
    var inputHash: String
    var output: StepResult
    var latencyMilliseconds: Int
  }

  /// Writes one step; returns nil (and writes nothing) when `parent` already has a child.
  ///
  /// The writes form one statement: the job row is locked and its lease checked, the
  /// checkpoint inserted (unless the parent has a child already), then the agent run, the
  /// events, the decision set's status, the job's lease or completion, and the NOTIFY, each
  /// only if the checkpoint landed (`StepCommitStatement`). One round trip; a node's database
  /// effects, when it has any, run after it in the same transaction.
  private func commit(
    _ result: StepResult, node: String, route: GraphTopology.Route, parent: Checkpoint, job: ClaimedJob?,
    agentRun: AgentRun?, effects: [StepEffects.Effect], enqueueContinuation: Bool = false,
    on connection: PostgresConnection
  ) async throws -> Checkpoint? {
    var state = result.state
    var events = result.events
    let nextNode: NodeName?
    switch route {
    case .node(let next):
      nextNode = next
      state.status = .running
    case .interrupt(let reason):
      nextNode = nil
      state.status = reason.status
      events.append(StepEvent(type: .gateWaiting, payload: try Self.jsonObject(["node": node, "waiting_for": reason.rawValue])))
    case .end(let status):
      nextNode = nil
      state.status = status
      events.append(
        StepEvent(type: .runComplete, payload: try Self.jsonObject(["status": Self.statusName(status), "node": node])))
    }
    let isInterrupt: Bool = if case .interrupt = route { true } else { false }
    let finishesJob = job != nil && nextNode == nil

    let checkpointID = UUID()
    let continues = enqueueContinuation && nextNode != nil
    let statement = StepCommitStatement(
      jobID: job?.id, leaseOwner: job?.leaseOwner, checkpointID: checkpointID, threadID: parent.threadID,
      projectID: parent.projectID, parentID: parent.id, version: Int(state.version), node: node,
      nextNode: nextNode?.rawValue, state: ByteBuffer(bytes: try Checkpointer.encode(state)), isInterrupt: isInterrupt,
      idempotencyKey: agentRun?.idempotencyKey, agentNode: agentRun?.node.rawValue, agent: agentRun?.agent,
      inputHash: agentRun?.inputHash, output: try agentRun.map { ByteBuffer(bytes: try JSONEncoder().encode($0.output)) },
      latencyMilliseconds: agentRun?.latencyMilliseconds, eventTypes: events.map(\.type.rawValue),
      eventPayloads: events.map(\.payload), status: Self.statusName(state.status), finishesJob: finishesJob,
      leaseSeconds: lease.seconds, channel: Self.eventsChannel,
      continuationKind: continues ? Self.jobKind : nil,
      continuationKey: continues ? Self.continuationKey(threadID: parent.threadID, checkpointID: checkpointID) : nil,
      jobsChannel: JobQueue.channel)
    var allowed = 0
    var sequence: Int64?
    for try await row in try await connection.execute(statement, logger: logger) {
      allowed = row.allowed
      sequence = row.sequence
    }
    if let job, allowed == 0 { throw EngineError.leaseLost(jobID: job.id) }
    guard let sequence else { return nil }
    for effect in effects { try await effect(connection) }
    return Checkpoint(
      id: statement.checkpointID, threadID: parent.threadID, projectID: parent.projectID, parentID: parent.id,
      version: Int(state.version), node: node, nextNode: nextNode, isInterrupt: isInterrupt, state: state,
      sequence: sequence)
  }

  private func enqueueContinuation(of checkpoint: Checkpoint, on connection: PostgresConnection) async throws {
    try await queue.enqueue(
      NewJob(
        kind: Self.jobKind, threadID: checkpoint.threadID, projectID: checkpoint.projectID,
        idempotencyKey: Self.continuationKey(threadID: checkpoint.threadID, checkpointID: checkpoint.id)),
      on: connection)
  }

  /// One job per checkpoint a run continues from.
  static func continuationKey(threadID: UUID, checkpointID: UUID) -> String {
    "run:\(threadID.uuidString.lowercased()):\(checkpointID.uuidString.lowercased())"
  }

  private func storedOutput(_ idempotencyKey: String) async throws -> StepResult? {
    let rows = try await client.query(
      "SELECT output FROM agent_runs WHERE idem_key = \(idempotencyKey)", logger: logger)
    for try await output in rows.decode(ByteBuffer.self) {
      return try JSONDecoder().decode(StepResult.self, from: Data(buffer: output))
    }
    return nil
  }

  // MARK: Encoding

  static func inputHash(node: NodeName, state: Mlops_V1_DecisionState) throws -> String {
    var hasher = SHA256()
    hasher.update(data: Data(node.rawValue.utf8))
    hasher.update(data: Data(try Checkpointer.encode(state)))
    return hasher.finalize().lowercaseHex
  }

  public static func json(_ message: some SwiftProtobuf.Message) throws -> String {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    return try message.jsonString(options: options)
  }

  static func jsonObject(_ object: [String: String]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
  }

  public static func statusName(_ status: Mlops_V1_RunStatus) -> String {
    switch status {
    case .waitingForAnswers: "waiting_for_answers"
    case .waitingForApproval: "waiting_for_approval"
    case .blocked: "blocked"
    case .rejected: "rejected"
    case .completed: "completed"
    case .failed: "failed"
    default: "running"
    }
  }
}
