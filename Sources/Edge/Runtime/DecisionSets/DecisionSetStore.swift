import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Decision sets in PostgreSQL: created together with their run's first checkpoint and job,
/// read back with the state of their latest checkpoint, and their event timeline.
///
/// The owner of `decision_sets` and `approvals`: every write to them is here (answers and
/// approvals with their lock bump, abandoned streams, run errors), except the status and
/// current node a step commits with its checkpoint (`StepCommitter`).
package struct DecisionSetStore: Sendable {
  private let client: PostgresClient
  private let runs: RunControl
  private let clock: EdgeClock
  private let logger: Logger

  package init(client: PostgresClient, runs: RunControl, clock: EdgeClock = .system, logger: Logger) {
    self.client = client
    self.runs = runs
    self.clock = clock
    self.logger = logger
  }

  package struct Row: Sendable {
    package var id: UUID
    package var projectID: UUID
    package var version: Int
    package var lockVersion: Int
    package var status: String
    package var currentNode: String?
    /// The subject that submitted (or last revised) the current version.
    package var submittedBy: String
    package var createdAt: Date
    package var updatedAt: Date
  }

  package enum CreateError: Error { case projectNotFound }

  /// Creates the decision set and starts its run: the row, the root checkpoint and the first
  /// job commit together or not at all. Throws `BudgetStore.Exhausted` when a budget of the
  /// project is spent.
  package func create(
    projectID: UUID, brief: String, overrides: Mlops_V1_Constraints?, submittedBy: String
  ) async throws -> Row {
    let id = UUID()
    return try await client.transaction(logger: logger) { connection in
      try await BudgetStore.admitRun(projectID: projectID, on: connection, logger: logger)
      let rows = try await connection.guardedQuery(
        """
        INSERT INTO decision_sets (id, project_id, brief, submitted_by)
        SELECT \(id), id, \(brief), \(submittedBy) FROM projects WHERE id = \(projectID)
        RETURNING id, project_id, version, lock_version, status, current_node, created_at, updated_at, submitted_by
        """, logger: logger)
      guard let row = try await Self.rows(rows).first else { throw CreateError.projectNotFound }
      var state = Mlops_V1_DecisionState()
      state.brief = brief
      for try await name in try await connection.guardedQuery("SELECT name FROM projects WHERE id = \(projectID)", logger: logger)
        .decode(String.self)
      {
        state.projectName = name
      }
      state.version = 1
      if let overrides { state.constraints = overrides }
      try await submission(projectID: projectID, into: &state, on: connection)
      try await runs.start(threadID: id, projectID: projectID, state: state, on: connection)
      return row
    }
  }

  package enum ReviseError: Error { case notFound, runInProgress }

  /// Version n+1 of a decision set: the brief with its addendum, what people already said
  /// (answers and overrides of version n, so no question is asked twice) under the new
  /// overrides, and version n's estimate for the cost critic's delta. Its run
  /// starts at once; row, checkpoint and job commit together.
  package func revise(
    _ id: UUID, briefAddendum: String?, overrides: Mlops_V1_Constraints?, submittedBy: String
  ) async throws -> Row {
    try await client.transaction(logger: logger) { connection in
      let locked = try await connection.guardedQuery(
        "SELECT project_id, status FROM decision_sets WHERE id = \(id) FOR UPDATE", logger: logger)
      var found: (UUID, String)?
      for try await row in locked.decode((UUID, String).self) { found = row }
      guard let (projectID, status) = found else { throw ReviseError.notFound }
      guard Mlops_V1_RunStatus.finishedAPINames.contains(status),
        let ended = try await runs.checkpointer.latest(threadID: id, on: connection)
      else { throw ReviseError.runInProgress }
      try await BudgetStore.admitRun(projectID: projectID, on: connection, logger: logger)
      let previous = ended.state
      var state = Mlops_V1_DecisionState()
      state.version = previous.version + 1
      state.projectName = previous.projectName
      state.brief = [previous.brief, briefAddendum].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: "\n\n")
      state.constraints = try Self.carriedConstraints(previous.constraints, overrides: overrides)
      if previous.hasCost { state.previousCost = previous.cost }
      if previous.hasPolicy { state.previousPolicy = previous.policy }
      try await submission(projectID: projectID, into: &state, on: connection)
      // The questions people answered stay on the record of every later version.
      state.askedQuestions = previous.askedQuestions
      state.answers = previous.answers
      do {
        try await runs.revise(threadID: id, projectID: projectID, from: ended, state: state, on: connection)
      } catch GraphError.notFinished {
        throw ReviseError.runInProgress
      }
      let rows = try await connection.guardedQuery(
        """
        UPDATE decision_sets SET version = \(Int(state.version)), brief = \(state.brief), status = \(Mlops_V1_RunStatus.running.apiName),
          current_node = NULL, submitted_by = \(submittedBy), lock_version = lock_version + 1, updated_at = now()
        WHERE id = \(id)
        RETURNING id, project_id, version, lock_version, status, current_node, created_at, updated_at, submitted_by
        """, logger: logger)
      guard let row = try await Self.rows(rows).first else { throw ReviseError.notFound }
      return row
    }
  }

  /// What a version runs under, as of its submission: the project's gate rule and the policy
  /// waivers in force at that instant.
  private func submission(
    projectID: UUID, into state: inout Mlops_V1_DecisionState, on connection: PostgresConnection
  ) async throws {
    let now = clock.now()
    state.submittedAt = RFC3339.string(now)
    state.gateRule = try await GateRuleStore.rule(projectID: projectID, on: connection, logger: logger)
    state.waivers = try await WaiverStore.active(projectID: projectID, at: now, on: connection, logger: logger)
  }

  /// The fields of `previous` that people set (answers, overrides), with `overrides` on top.
  static func carriedConstraints(_ previous: Mlops_V1_Constraints, overrides: Mlops_V1_Constraints?) throws
    -> Mlops_V1_Constraints
  {
    var carried = (try JSONSerialization.jsonObject(with: Data(try previous.jsonString().utf8)) as? [String: Any]) ?? [:]
    carried = carried.filter { _, value in
      let kind = ((value as? [String: Any])?["provenance"] as? [String: Any])?["kind"] as? String
      return kind == "SOURCE_KIND_ANSWER" || kind == "SOURCE_KIND_OVERRIDE"
    }
    if let overrides {
      let given = (try JSONSerialization.jsonObject(with: Data(try overrides.jsonString().utf8)) as? [String: Any]) ?? [:]
      carried.merge(given) { _, new in new }
    }
    let data = try JSONSerialization.data(withJSONObject: carried)
    return try Mlops_V1_Constraints(jsonUTF8Data: data)
  }

  package func get(_ id: UUID) async throws -> (row: Row, state: Mlops_V1_DecisionState?)? {
    let rows = try await client.guardedQuery(
      """
      SELECT id, project_id, version, lock_version, status, current_node, created_at, updated_at, submitted_by
      FROM decision_sets WHERE id = \(id)
      """, logger: logger)
    guard let row = try await Self.rows(rows).first else { return nil }
    let latest = try await runs.checkpointer.latest(threadID: id)
    return (row, latest?.state)
  }

  /// The project's decision sets, most recently changed first, each with its latest state.
  package func list(projectID: UUID, limit: Int) async throws -> [(row: Row, state: Mlops_V1_DecisionState?)] {
    let rows = try await client.guardedQuery(
      """
      SELECT id, project_id, version, lock_version, status, current_node, created_at, updated_at, submitted_by
      FROM decision_sets WHERE project_id = \(projectID) ORDER BY updated_at DESC, id LIMIT \(limit)
      """, logger: logger)
    let found = try await Self.rows(rows)
    let latest = try await runs.checkpointer.latest(threadIDs: found.map(\.id))
    return found.map { ($0, latest[$0.id]?.state) }
  }

  /// The id of the decision set's newest event, 0 when it has none.
  package func lastEventID(of id: UUID) async throws -> Int64 {
    let rows = try await client.guardedQuery(
      "SELECT COALESCE(max(event_id), 0) FROM events WHERE decision_set_id = \(id)", logger: logger)
    for try await last in rows.decode(Int64.self) { return last }
    return 0
  }

  /// The decision set's status alone (no checkpoint read), or nil when it does not exist.
  package func status(of id: UUID) async throws -> String? {
    let rows = try await client.guardedQuery("SELECT status FROM decision_sets WHERE id = \(id)", logger: logger)
    for try await status in rows.decode(String.self) { return status }
    return nil
  }

  // MARK: People's input

  package enum InputError: Error, Equatable {
    /// Someone changed the decision set since `expected` was read.
    case lockVersionChanged(expected: Int)
  }

  /// Replies to open questions: the run resumes with them, and the lock version moves on.
  @discardableResult
  package func answer(_ id: UUID, expected lockVersion: Int, answers: [Mlops_V1_Answer]) async throws -> Row {
    try await applyInput(id, expected: lockVersion) { connection in
      try await runs.resume(threadID: id, on: connection) { state in
        let replied = Set(answers.map(\.questionID))
        state.answers.removeAll { replied.contains($0.questionID) }
        state.answers.append(contentsOf: answers)
      }
    }
  }

  /// A person's correction of the constraints while the run waits: recorded as an override
  /// with who made it, and the run resumes to plan again (`GraphTopology.resumeRoute`).
  /// Throws `NothingToCorrect` when it changes no field.
  @discardableResult
  package func correct(
    _ id: UUID, expected lockVersion: Int, correction: ConstraintCorrection, by person: String, comment: String
  ) async throws -> Row {
    try await applyInput(id, expected: lockVersion) { connection in
      try await runs.resume(threadID: id, on: connection) { state in
        let applied = try correction.applied(to: state.constraints)
        guard !applied.changes.isEmpty else { throw NothingToCorrect() }
        state.constraints = applied.constraints
        state.constraintEdits.append(
          .with {
            $0.changes = applied.changes
            $0.fields = applied.fields
            $0.editedBy = person
            $0.editedAt = Date().formatted(.iso8601)
            $0.comment = comment
            $0.at = state.status == .waitingForApproval ? NodeName.gateHITL.rawValue : NodeName.adaptiveQuestions.rawValue
          })
      }
    }
  }

  /// A correction that sets every field to what it already was and clears nothing set.
  package struct NothingToCorrect: Error {}

  /// A pick, at the gate, of other candidates the planner weighed (`picks`: capability →
  /// option): recorded beside the planner's choice and both scores, and the run resumes to
  /// plan again with them. Throws `CandidateRefused` for a capability or option the plan's
  /// decisions do not offer.
  @discardableResult
  package func choose(
    _ id: UUID, expected lockVersion: Int, picks: [String: String], by person: String, comment: String
  ) async throws -> Row {
    try await applyInput(id, expected: lockVersion) { connection in
      try await runs.resume(threadID: id, on: connection) { state in
        guard state.status == .waitingForApproval else { throw GraphError.notWaiting(id) }
        let chosenAt = Date().formatted(.iso8601)
        for (capability, option) in picks.sorted(by: { $0.key < $1.key }) {
          state.candidateChoices.append(
            try CandidatePick.choice(
              capability: capability, option: option, in: state.plan, by: person, at: chosenAt, comment: comment))
        }
      }
    }
  }

  /// The reviewer's decision: an `approvals` row, and the run resumes past the gate with the
  /// comments as review notes, in one transaction with the lock bump.
  @discardableResult
  package func decide(_ id: UUID, expected row: Row, approval: Mlops_V1_Approval, reviewer: Caller) async throws -> Row {
    let decision = approval.status == .approved ? "approved" : "rejected"
    let inlineJSON = String(
      decoding: try JSONSerialization.data(withJSONObject: approval.inlineComments.map { ["path": $0.path, "text": $0.text] }),
      as: UTF8.self)
    return try await applyInput(id, expected: row.lockVersion) { connection in
      try await connection.guardedQuery(
        """
        INSERT INTO approvals (decision_set_id, project_id, version, status, reviewer, reviewer_name, comment, inline_comments)
        VALUES (\(id), \(row.projectID), \(row.version), \(decision), \(reviewer.subject), \(reviewer.name),
                \(approval.comment), \(inlineJSON)::jsonb)
        """, logger: logger)
      try await runs.resume(threadID: id, on: connection) { state in
        state.approval = approval
        let notes = ([approval.comment] + approval.inlineComments.map { "\($0.path): \($0.text)" }).filter { !$0.isEmpty }
        for note in notes {
          state.constraints.reviewNotes.append(
            .with {
              $0.value = note
              $0.provenance = .with {
                $0.kind = .reviewComment; $0.confidence = 1
              }
            })
        }
      }
    }
  }

  /// Applies input in one transaction with the optimistic lock bump; a concurrent change
  /// (another answer, another approval) makes it `lockVersionChanged` instead of a double
  /// resume.
  /// Returns the row as this transaction left it, whatever a worker does with the run next.
  @discardableResult
  private func applyInput(
    _ id: UUID, expected lockVersion: Int, _ body: @escaping @Sendable (PostgresConnection) async throws -> Void
  ) async throws -> Row {
    try await client.transaction(logger: logger) { connection in
      let bumped = try await connection.guardedQuery(
        """
        UPDATE decision_sets SET lock_version = lock_version + 1, updated_at = now()
        WHERE id = \(id) AND lock_version = \(lockVersion) RETURNING lock_version
        """, logger: logger)
      var updated = false
      for try await _ in bumped { updated = true }
      guard updated else { throw InputError.lockVersionChanged(expected: lockVersion) }
      try await body(connection)
      let rows = try await connection.guardedQuery(
        """
        SELECT id, project_id, version, lock_version, status, current_node, created_at, updated_at, submitted_by
        FROM decision_sets WHERE id = \(id)
        """, logger: logger)
      guard let row = try await Self.rows(rows).first else { throw InputError.lockVersionChanged(expected: lockVersion) }
      return row
    }
  }

  // MARK: Streams and failures

  /// A client left the decision set's event stream before the run ended.
  package func markStreamAbandoned(_ id: UUID) async throws {
    try await client.guardedQuery("UPDATE decision_sets SET stream_abandoned = true WHERE id = \(id)", logger: logger)
  }

  /// Ends a run for good: a `run-error` event saying why, the decision set failed, and the
  /// NOTIFY that wakes its streams, on the caller's transaction.
  static func recordRunError(
    threadID: UUID, projectID: UUID, jobID: Int64, attempts: Int, error: String, node: String? = nil,
    on connection: PostgresConnection, logger: Logger
  ) async throws {
    var fields: [String: Any] = ["job_id": jobID, "attempts": attempts, "error": error]
    if let node { fields["node"] = node }
    let payload = try SortedJSON.string(fields)
    try await connection.guardedQuery(
      """
      INSERT INTO events (decision_set_id, project_id, type, payload)
      VALUES (\(threadID), \(projectID), \(EventType.runError.rawValue), \(payload)::jsonb)
      """, logger: logger)
    try await connection.guardedQuery(
      "UPDATE decision_sets SET status = \(Mlops_V1_RunStatus.failed.apiName), updated_at = now() WHERE id = \(threadID)",
      logger: logger)
    try await connection.guardedQuery(
      "SELECT pg_notify(\(GraphEngine.eventsChannel), \(threadID.lowercaseString))", logger: logger)
  }

  // MARK: Events

  package struct Event: Sendable {
    package var id: Int64
    package var type: String
    package var checkpointID: UUID?
    package var payload: String
    package var createdAt: Date
  }

  /// Events after `after` in order, at most `limit`.
  package func events(of id: UUID, after: Int64, limit: Int) async throws -> [Event] {
    let rows = try await client.guardedQuery(
      """
      SELECT event_id, type, checkpoint_id, payload::text, created_at FROM events
      WHERE decision_set_id = \(id) AND event_id > \(after) ORDER BY event_id LIMIT \(limit)
      """, logger: logger)
    var events: [Event] = []
    for try await (eventID, type, checkpoint, payload, created) in rows.decode((Int64, String, UUID?, String, Date).self) {
      events.append(Event(id: eventID, type: type, checkpointID: checkpoint, payload: payload, createdAt: created))
    }
    return events
  }

  private static func rows(_ sequence: some AsyncSequence<PostgresRow, any Error>) async throws -> [Row] {
    var rows: [Row] = []
    for try await (id, project, version, lockVersion, status, node, created, updated, submitter) in sequence.decode(
      (UUID, UUID, Int, Int, String, String?, Date, Date, String).self)
    {
      rows.append(
        Row(
          id: id, projectID: project, version: version, lockVersion: lockVersion, status: status, currentNode: node,
          submittedBy: submitter, createdAt: created, updatedAt: updated))
    }
    return rows
  }
}
