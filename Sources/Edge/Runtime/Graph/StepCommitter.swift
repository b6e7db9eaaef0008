import Contracts
import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceKit

/// The step transaction, owned by the graph runtime: a step's (or a resume's) checkpoint, its
/// agent run, its events, the decision set's status and current node, the job's lease and the
/// run's continuation commit in one statement (`StepCommitStatement`). This is the one write to
/// `decision_sets` outside `DecisionSetStore`, kept here because it must commit with the
/// checkpoint in the same round trip.
struct StepCommitter: Sendable {
  let queue: JobQueue
  let lease: Duration
  let logger: Logger

  /// Writes one step; returns nil (and writes nothing) when `parent` already has a child.
  ///
  /// The writes form one statement: the job row is locked and its lease checked, the
  /// checkpoint inserted (unless the parent has a child already), then the agent run, the
  /// events, the decision set's status, the job's lease or completion, and the NOTIFY, each
  /// only if the checkpoint landed (`StepCommitStatement`). One round trip; a node's database
  /// effects, when it has any, run after it in the same transaction.
  func commit(
    _ result: StepResult, node: String, route: GraphTopology.Route, parent: Checkpoint, job: ClaimedJob?,
    agentRun: AgentRun?, effects: [StepEffects.Effect], enqueueContinuation: Bool = false,
    on connection: PostgresConnection
  ) async throws -> Checkpoint? {
    let step = try prepare(
      result, node: node, route: route, parent: parent, job: job, agentRun: agentRun,
      enqueueContinuation: enqueueContinuation)
    return try await send(step, effects: effects, on: connection)
  }

  /// A step ready to commit: its statement, and the checkpoint it writes should it land.
  struct PreparedStep: Sendable {
    let statement: StepCommitStatement
    /// The checkpoint as it will read once committed, but for its commit order.
    let checkpoint: Checkpoint
    let job: ClaimedJob?
  }

  /// The step's statement and checkpoint, built without touching the database: the state it
  /// commits is final here, so the next step may start from it while this one is sent.
  func prepare(
    _ result: StepResult, node: String, route: GraphTopology.Route, parent: Checkpoint, job: ClaimedJob?,
    agentRun: AgentRun?, enqueueContinuation: Bool = false
  ) throws -> PreparedStep {
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
      events.append(
        StepEvent(type: .gateWaiting, payload: try SortedJSON.string(["node": node, "waiting_for": reason.rawValue])))
    case .end(let status):
      nextNode = nil
      state.status = status
      events.append(
        StepEvent(type: .runComplete, payload: try SortedJSON.string(["status": status.apiName, "node": node])))
    }
    let isInterrupt: Bool = if case .interrupt = route { true } else { false }
    let finishesJob = job != nil && nextNode == nil

    let checkpointID = UUID()
    // Encoded once: the checkpoint and the agent run's stored output hold the same bytes.
    let encodedState = try Checkpointer.encode(state)
    let continues = enqueueContinuation && nextNode != nil
    let statement = StepCommitStatement(
      jobID: job?.id, leaseOwner: job?.leaseOwner, checkpointID: checkpointID, threadID: parent.threadID,
      projectID: parent.projectID, parentID: parent.id, version: Int(state.version), node: node,
      nextNode: nextNode?.rawValue, state: ByteBuffer(bytes: encodedState), isInterrupt: isInterrupt,
      idempotencyKey: agentRun?.idempotencyKey, agentNode: agentRun?.node.rawValue, agent: agentRun?.agent,
      inputHash: agentRun?.inputHash,
      output: try agentRun.map {
        ByteBuffer(bytes: try StoredStepOutput.encode(events: $0.output.events, cards: $0.output.state.reasonCards[$0.cards]))
      },
      latencyMilliseconds: agentRun?.latencyMilliseconds, provider: agentRun?.provider?.name,
      model: agentRun?.provider?.model, inputTokens: agentRun?.provider.map { Int($0.inputTokens) },
      outputTokens: agentRun?.provider.map { Int($0.outputTokens) }, traceID: agentRun?.traceID,
      firstCard: agentRun?.cards.lowerBound, cardCount: agentRun?.cards.count, eventTypes: events.map(\.type.rawValue),
      eventPayloads: events.map(\.payload), status: state.status.apiName, finishesJob: finishesJob,
      leaseSeconds: lease.seconds, channel: GraphEngine.eventsChannel,
      continuationKind: continues ? GraphEngine.jobKind : nil,
      continuationKey: continues ? Self.continuationKey(threadID: parent.threadID, checkpointID: checkpointID) : nil,
      jobsChannel: JobQueue.channel, traceContext: TraceCarrier.current())
    let checkpoint = Checkpoint(
      id: checkpointID, threadID: parent.threadID, projectID: parent.projectID, parentID: parent.id,
      version: Int(state.version), node: node, nextNode: nextNode, isInterrupt: isInterrupt, state: state,
      encodedState: encodedState, sequence: 0)
    return PreparedStep(statement: statement, checkpoint: checkpoint, job: job)
  }

  /// Sends a prepared step; nil (nothing written) when its parent already has a child.
  func send(_ step: PreparedStep, effects: [StepEffects.Effect], on connection: PostgresConnection) async throws
    -> Checkpoint?
  {
    var allowed = 0
    var sequence: Int64?
    for row in try await connection.guardedExecute(step.statement, logger: logger) {
      allowed = row.allowed
      sequence = row.sequence
    }
    if let job = step.job, allowed == 0 { throw GraphError.leaseLost(jobID: job.id) }
    guard let sequence else { return nil }
    for effect in effects { try await effect(connection) }
    var committed = step.checkpoint
    committed.sequence = sequence
    return committed
  }

  func enqueueContinuation(of checkpoint: Checkpoint, on connection: PostgresConnection) async throws {
    try await queue.enqueue(
      NewJob(
        kind: GraphEngine.jobKind, threadID: checkpoint.threadID, projectID: checkpoint.projectID,
        idempotencyKey: Self.continuationKey(threadID: checkpoint.threadID, checkpointID: checkpoint.id)),
      on: connection)
  }

  /// One job per checkpoint a run continues from.
  static func continuationKey(threadID: UUID, checkpointID: UUID) -> String {
    "run:\(threadID.lowercaseString):\(checkpointID.lowercaseString)"
  }
}

struct StepResult: Sendable {
  var state: Mlops_V1_DecisionState
  var events: [StepEvent]
}

/// What `agent_runs.output` holds: the step's events and the Reason Cards it wrote. Its state
/// is its checkpoint's, not stored twice; rows written before held the whole state instead
/// of the cards, and still read.
struct StoredStepOutput: Codable {
  var events: [StepEvent]
  /// The cards the step wrote (`agent_runs.first_card` onwards), each in deterministic protobuf.
  var cards: [Data]?
  /// Rows written before: the whole state after the step.
  var state: Data?

  static func encode(events: [StepEvent], cards: ArraySlice<Mlops_V1_ReasonCard>) throws -> Data {
    let encoded = try cards.map { Data(try $0.deterministicBytes()) }
    return try JSONEncoder().encode(StoredStepOutput(events: events, cards: encoded, state: nil))
  }

  static func decode(_ buffer: ByteBuffer) throws -> StoredStepOutput {
    try JSONDecoder().decode(StoredStepOutput.self, from: Data(buffer: buffer))
  }

  /// The cards this row holds, and the index in its version of the first of them.
  func reasonCards(firstCard: Int) throws -> (first: Int, cards: [Mlops_V1_ReasonCard]) {
    if let state { return (0, try Mlops_V1_DecisionState(serializedBytes: state).reasonCards) }
    return (firstCard, try (cards ?? []).map { try Mlops_V1_ReasonCard(serializedBytes: $0) })
  }
}

struct AgentRun: Sendable {
  var idempotencyKey: String
  var node: NodeName
  var agent: String
  var inputHash: String
  var output: StepResult
  var latencyMilliseconds: Int
  /// The Reason Cards this step wrote: indexes `cards` of its version's cards.
  var cards: Range<Int>
  /// Who answered (from the first card that names a provider) and the tokens all of them spent.
  var provider: Mlops_V1_ProviderUse?
  var traceID: String?

  init(
    idempotencyKey: String, node: NodeName, agent: String, inputHash: String, output: StepResult,
    latencyMilliseconds: Int, parent: Mlops_V1_DecisionState, traceID: String?
  ) {
    self.idempotencyKey = idempotencyKey
    self.node = node
    self.agent = agent
    self.inputHash = inputHash
    self.output = output
    self.latencyMilliseconds = latencyMilliseconds
    self.traceID = traceID
    let after = output.state.reasonCards
    let before = output.state.version == parent.version ? parent.reasonCards.count : 0
    cards = before < after.count ? before..<after.count : after.count..<after.count
    let written = after[cards].filter(\.hasProvider).map(\.provider)
    if var first = written.first {
      first.inputTokens = written.reduce(0) { $0 + $1.inputTokens }
      first.outputTokens = written.reduce(0) { $0 + $1.outputTokens }
      provider = first
    }
  }
}
