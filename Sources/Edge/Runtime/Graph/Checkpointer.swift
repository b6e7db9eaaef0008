import Contracts
import Foundation
import Logging
import NIOCore
import PostgresNIO
import SwiftProtobuf

/// Saves and loads checkpoints: `DecisionState` in its deterministic protobuf encoding, one
/// row per step, chained by parent.
package struct Checkpointer: Sendable {
  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  package static func encode(_ state: Mlops_V1_DecisionState) throws -> [UInt8] {
    try state.deterministicBytes()
  }

  /// Saves a checkpoint inside the caller's transaction. Returns nil when `parentID` already
  /// has a child: that step was committed before, and this one must not land twice.
  package func save(
    threadID: UUID, projectID: UUID, parentID: UUID?, node: String, nextNode: NodeName?, isInterrupt: Bool,
    state: Mlops_V1_DecisionState, on connection: PostgresConnection
  ) async throws -> Checkpoint? {
    let id = UUID()
    let encoded = try Self.encode(state)
    let bytes = ByteBuffer(bytes: encoded)
    let rows = try await connection.guardedQuery(
      """
      INSERT INTO checkpoints (checkpoint_id, thread_id, project_id, parent_id, version, node, next_node, state, is_interrupt)
      VALUES (\(id), \(threadID), \(projectID), \(parentID), \(Int(state.version)), \(node), \(nextNode?.rawValue),
              \(bytes), \(isInterrupt))
      ON CONFLICT (thread_id, parent_id) DO NOTHING
      RETURNING seq
      """, logger: logger)
    for try await sequence in rows.decode(Int64.self) {
      return Checkpoint(
        id: id, threadID: threadID, projectID: projectID, parentID: parentID, version: Int(state.version), node: node,
        nextNode: nextNode, isInterrupt: isInterrupt, state: state, encodedState: encoded, sequence: sequence)
    }
    return nil
  }

  /// The newest checkpoint of a thread; on `connection` when given (inside a transaction).
  package func latest(threadID: UUID, on connection: PostgresConnection? = nil) async throws -> Checkpoint? {
    let statement = CheckpointStatements.Latest(threadID: threadID)
    let rows =
      if let connection { try await connection.guardedExecute(statement, logger: logger) } else {
        try await client.guardedExecute(statement, logger: logger)
      }
    return try rows.first.map(Self.checkpoint)
  }

  /// Where a run goes on from: the thread's newest checkpoint, and whether its project has a
  /// budget (its steps then read their usage for budget notices), in one round trip.
  package func resumePoint(threadID: UUID) async throws -> (checkpoint: Checkpoint, budgeted: Bool)? {
    let rows = try await client.guardedExecute(CheckpointStatements.ResumePoint(threadID: threadID), logger: logger)
    return try rows.first.map { (try Self.checkpoint($0.checkpoint), $0.budgeted) }
  }

  /// The latest checkpoint of each of `threadIDs` that has one, in one query.
  package func latest(threadIDs: [UUID]) async throws -> [UUID: Checkpoint] {
    let found = try await load(
      """
      SELECT DISTINCT ON (thread_id) \(unescaped: CheckpointStatements.columns) FROM checkpoints
      WHERE thread_id = ANY(\(threadIDs)) ORDER BY thread_id, seq DESC
      """)
    return Dictionary(found.map { ($0.threadID, $0) }, uniquingKeysWith: { first, _ in first })
  }

  package func list(threadID: UUID) async throws -> [Checkpoint] {
    try await load(
      "SELECT \(unescaped: CheckpointStatements.columns) FROM checkpoints WHERE thread_id = \(threadID) ORDER BY seq")
  }

  package func get(_ id: UUID) async throws -> Checkpoint? {
    try await load("SELECT \(unescaped: CheckpointStatements.columns) FROM checkpoints WHERE checkpoint_id = \(id)").first
  }

  /// The checkpoint a committed step made from `parentID`, if any.
  package func child(of parentID: UUID, threadID: UUID) async throws -> Checkpoint? {
    try await load(
      "SELECT \(unescaped: CheckpointStatements.columns) FROM checkpoints WHERE thread_id = \(threadID) AND parent_id = \(parentID)"
    ).first
  }

  /// Prunes checkpoints of runs finished since the last prune, keeping the last `keepLast`
  /// of each thread and every interrupt point; at most `batch` runs a call. Returns how many
  /// checkpoints it removed.
  ///
  /// A keyset mark (`maintenance_marks`) remembers the last run pruned, so each call reads
  /// only runs finished since (index `decision_sets_finished`), never every finished run.
  /// Runs are taken once they have been finished a minute: `updated_at` is when a commit's
  /// transaction began, and one that began earlier may commit later.
  @discardableResult
  package func prune(keepLast: Int, batch: Int = 500) async throws -> Int {
    let query = FinishedRunsQuery.make(
      mark: "checkpoint_prune", settledSeconds: 60, batch: batch,
      work: """
        ranked AS (
          SELECT c.checkpoint_id, c.is_interrupt,
                 row_number() OVER (PARTITION BY c.thread_id ORDER BY c.seq DESC) AS rank
          FROM checkpoints c JOIN threads t ON t.id = c.thread_id),
        removed AS (
          DELETE FROM checkpoints WHERE checkpoint_id IN (
            SELECT checkpoint_id FROM ranked WHERE rank > \(max(keepLast, 1)) AND NOT is_interrupt)
          RETURNING 1)
        """,
      select: "SELECT count(*)::int FROM removed")
    let rows = try await client.guardedQuery(query, logger: logger)
    for try await removed in rows.decode(Int.self) { return removed }
    return 0
  }

  private func load(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> [Checkpoint] {
    let rows =
      if let connection { try await connection.guardedQuery(query, logger: logger) } else {
        try await client.guardedQuery(query, logger: logger)
      }
    var checkpoints: [Checkpoint] = []
    for try await columns in rows.decode(CheckpointStatements.Columns.self) {
      checkpoints.append(try Self.checkpoint(columns))
    }
    return checkpoints
  }

  private static func checkpoint(_ columns: CheckpointStatements.Columns) throws -> Checkpoint {
    let (id, thread, project, parent, version, node, next, interrupt, state, sequence) = columns
    let encoded = Array(buffer: state)
    return Checkpoint(
      id: id, threadID: thread, projectID: project, parentID: parent, version: version, node: node,
      nextNode: next.flatMap(NodeName.init(rawValue:)), isInterrupt: interrupt,
      state: try Mlops_V1_DecisionState(serializedBytes: encoded), encodedState: encoded, sequence: sequence)
  }
}
