import Foundation
import Logging
import PostgresNIO

/// The `run-error` event that says a run stopped for good, and why.
enum RunErrorEvent {
  static func insert(
    threadID: UUID, projectID: UUID, jobID: Int64, attempts: Int, error: String, node: String? = nil,
    on connection: PostgresConnection, logger: Logger
  ) async throws {
    var fields: [String: Any] = ["job_id": jobID, "attempts": attempts, "error": error]
    if let node { fields["node"] = node }
    let payload = try String(decoding: JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
    try await connection.query(
      """
      INSERT INTO events (decision_set_id, project_id, type, payload)
      VALUES (\(threadID), \(projectID), 'run-error', \(payload)::jsonb)
      """, logger: logger)
    try await connection.query(
      "UPDATE decision_sets SET status = 'failed', updated_at = now() WHERE id = \(threadID)", logger: logger)
    try await connection.query("SELECT pg_notify(\(GraphEngine.eventsChannel), \(threadID.uuidString.lowercased()))", logger: logger)
  }
}
