import Contracts
import Foundation
import Logging
import PostgresNIO

/// The owner of `project_gate_rules`: when a project's revisions may pass the human gate by
/// themselves. A project without a row waits for a reviewer on every version.
package struct GateRuleStore: Sendable {
  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  package func get(projectID: UUID) async throws -> Mlops_V1_GateRule {
    try await client.withOpenConnection { try await Self.rule(projectID: projectID, on: $0, logger: logger) }
  }

  /// Sets the rule; false when the project does not exist.
  package func set(projectID: UUID, rule: Mlops_V1_GateRule, by subject: String) async throws -> Bool {
    let rows = try await client.guardedQuery(
      """
      INSERT INTO project_gate_rules (project_id, mode, max_delta_usd, max_delta_percent, updated_by)
      SELECT id, \(rule.mode), \(rule.maxDeltaUsd), \(rule.maxDeltaPercent), \(subject) FROM projects WHERE id = \(projectID)
      ON CONFLICT (project_id) DO UPDATE SET mode = EXCLUDED.mode, max_delta_usd = EXCLUDED.max_delta_usd,
        max_delta_percent = EXCLUDED.max_delta_percent, updated_by = EXCLUDED.updated_by, updated_at = now()
      RETURNING project_id
      """, logger: logger)
    for try await _ in rows { return true }
    return false
  }

  /// The rule a version submitted now runs under.
  static func rule(projectID: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_GateRule {
    let rows = try await connection.guardedQuery(
      "SELECT mode, max_delta_usd, max_delta_percent FROM project_gate_rules WHERE project_id = \(projectID)",
      logger: logger)
    for try await (mode, usd, percent) in rows.decode((String, Double, Double).self) {
      return .with {
        $0.mode = mode
        $0.maxDeltaUsd = usd
        $0.maxDeltaPercent = percent
      }
    }
    return .with { $0.mode = GateDecision.alwaysMode }
  }

  package static func json(_ rule: Mlops_V1_GateRule) -> [String: Any] {
    ["mode": rule.mode, "max_delta_usd": rule.maxDeltaUsd, "max_delta_percent": rule.maxDeltaPercent]
  }
}
