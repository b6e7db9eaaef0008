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
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    return try state.serializedBytes(options: options)
  }

  /// Saves a checkpoint inside the caller's transaction. Returns nil when `parentID` already
  /// has a child: that step was committed before, and this one must not land twice.
  package func save(
    threadID: UUID, projectID: UUID, parentID: UUID?, node: String, nextNode: NodeName?, isInterrupt: Bool,
    state: Mlops_V1_DecisionState, on connection: PostgresConnection
  ) async throws -> Checkpoint? {
    let id = UUID()
    let bytes = ByteBuffer(bytes: try Self.encode(state))
    let rows = try await connection.query(
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
        nextNode: nextNode, isInterrupt: isInterrupt, state: state, sequence: sequence)
    }
    return nil
  }

  private static let columns =
    "checkpoint_id, thread_id, project_id, parent_id, version, node, next_node, is_interrupt, state, seq"

  /// The newest checkpoint of a thread; on `connection` when given (inside a transaction).
  package func latest(threadID: UUID, on connection: PostgresConnection? = nil) async throws -> Checkpoint? {
    try await load(
      "SELECT \(unescaped: Self.columns) FROM checkpoints WHERE thread_id = \(threadID) ORDER BY seq DESC LIMIT 1",
      on: connection
    ).first
  }

  /// The latest checkpoint of each of `threadIDs` that has one, in one query.
  package func latest(threadIDs: [UUID]) async throws -> [UUID: Checkpoint] {
    let found = try await load(
      """
      SELECT DISTINCT ON (thread_id) \(unescaped: Self.columns) FROM checkpoints
      WHERE thread_id = ANY(\(threadIDs)) ORDER BY thread_id, seq DESC
      """)
    return Dictionary(found.map { ($0.threadID, $0) }, uniquingKeysWith: { first, _ in first })
  }

  package func list(threadID: UUID) async throws -> [Checkpoint] {
    try await load("SELECT \(unescaped: Self.columns) FROM checkpoints WHERE thread_id = \(threadID) ORDER BY seq")
  }

  package func get(_ id: UUID) async throws -> Checkpoint? {
    try await load("SELECT \(unescaped: Self.columns) FROM checkpoints WHERE checkpoint_id = \(id)").first
  }

  /// The checkpoint a committed step made from `parentID`, if any.
  package func child(of parentID: UUID, threadID: UUID) async throws -> Checkpoint? {
    try await load(
      "SELECT \(unescaped: Self.columns) FROM checkpoints WHERE thread_id = \(threadID) AND parent_id = \(parentID)"
    ).first
  }

  /// Prunes checkpoints of finished runs, keeping the last `keepLast` of each thread and
  /// every interrupt point. Returns how many it removed.
  @discardableResult
  package func prune(keepLast: Int) async throws -> Int {
    let rows = try await client.query(
      """
      WITH ranked AS (
        SELECT c.checkpoint_id, c.is_interrupt,
               row_number() OVER (PARTITION BY c.thread_id ORDER BY c.seq DESC) AS rank
        FROM checkpoints c JOIN decision_sets d ON d.id = c.thread_id
        WHERE d.status = ANY(\(Array(Mlops_V1_RunStatus.finishedAPINames))))
      DELETE FROM checkpoints WHERE checkpoint_id IN (
        SELECT checkpoint_id FROM ranked WHERE rank > \(max(keepLast, 1)) AND NOT is_interrupt)
      RETURNING checkpoint_id
      """, logger: logger)
    var removed = 0
    for try await _ in rows { removed += 1 }
    return removed
  }

  private func load(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> [Checkpoint] {
    let rows =
      if let connection { try await connection.query(query, logger: logger) } else {
        try await client.query(query, logger: logger)
      }
    var checkpoints: [Checkpoint] = []
    for try await (id, thread, project, parent, version, node, next, interrupt, state, sequence) in rows.decode(
      (UUID, UUID, UUID, UUID?, Int, String, String?, Bool, ByteBuffer, Int64).self)
    {
      checkpoints.append(
        Checkpoint(
          id: id, threadID: thread, projectID: project, parentID: parent, version: version, node: node,
          nextNode: next.flatMap(NodeName.init(rawValue:)), isInterrupt: interrupt,
          state: try Mlops_V1_DecisionState(serializedBytes: Array(buffer: state)), sequence: sequence))
    }
    return checkpoints
  }
}
