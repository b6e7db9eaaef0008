import Contracts
import Foundation
import Logging
import PostgresNIO

/// The owner of `project_budgets` and `project_usage`: what a project may use, and what it
/// used, metered where it happens. A run is counted when it is admitted (in the transaction
/// that starts it, which refuses it when a budget is spent); model tokens and validator time
/// are counted in the transaction of the step that spent them, so a retried step never
/// counts twice. Periods are UTC months and days of the database's clock, the one clock every
/// replica shares.
package struct BudgetStore: Sendable {
  private let client: PostgresClient
  private let logger: Logger

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  /// A budget that is spent: new runs are refused until `use.resetsAt`.
  package struct Exhausted: Error, Sendable, Equatable {
    package var use: BudgetUse
  }

  /// Sets every budget (a nil one is no limit); false when the project does not exist.
  package func set(projectID: UUID, budgets: ProjectBudgets, by subject: String) async throws -> Bool {
    let rows = try await client.guardedQuery(
      """
      INSERT INTO project_budgets (project_id, model_tokens_per_month, runs_per_day, concurrent_runs,
        validator_minutes_per_month, updated_by)
      SELECT id, \(budgets.modelTokensPerMonth), \(budgets.runsPerDay), \(budgets.concurrentRuns),
        \(budgets.validatorMinutesPerMonth), \(subject) FROM projects WHERE id = \(projectID)
      ON CONFLICT (project_id) DO UPDATE SET model_tokens_per_month = EXCLUDED.model_tokens_per_month,
        runs_per_day = EXCLUDED.runs_per_day, concurrent_runs = EXCLUDED.concurrent_runs,
        validator_minutes_per_month = EXCLUDED.validator_minutes_per_month, updated_by = EXCLUDED.updated_by,
        updated_at = now()
      RETURNING project_id
      """, logger: logger)
    for try await _ in rows { return true }
    return false
  }

  /// Each metric's use against its budget now.
  package func usage(projectID: UUID) async throws -> [BudgetUse] {
    try await client.withOpenConnection { try await Self.usage(projectID: projectID, on: $0, logger: logger) }
  }

  // MARK: Metering (on the caller's transaction)

  /// Admits one more run of the project or throws `Exhausted` naming the first spent budget;
  /// an admitted run is counted. Admissions of one project are serialised by the lock on its
  /// budget row, so two submissions cannot both take the last run.
  static func admitRun(projectID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
    let locked = try await connection.guardedQuery(
      "SELECT project_id FROM project_budgets WHERE project_id = \(projectID) FOR UPDATE", logger: logger)
    var budgeted = false
    for try await _ in locked { budgeted = true }
    if budgeted, let spent = try await usage(projectID: projectID, on: connection, logger: logger).first(where: \.isExhausted) {
      throw Exhausted(use: spent)
    }
    try await connection.guardedQuery(
      """
      INSERT INTO project_usage (project_id, metric, period_start, amount)
      SELECT id, 'runs', \(unescaped: dayStart), 1 FROM projects WHERE id = \(projectID)
      ON CONFLICT (project_id, metric, period_start) DO UPDATE SET amount = project_usage.amount + 1
      """, logger: logger)
  }

  /// Adds a step's model tokens and validator time to the project's use this month.
  static func meter(
    projectID: UUID, modelTokens: Int, validatorSeconds: Int, on connection: PostgresConnection, logger: Logger
  ) async throws {
    guard modelTokens > 0 || validatorSeconds > 0 else { return }
    try await connection.guardedQuery(
      """
      INSERT INTO project_usage (project_id, metric, period_start, amount)
      SELECT p.id, m.metric, \(unescaped: monthStart), m.amount
      FROM projects p, (VALUES ('model_tokens', \(modelTokens)::bigint), ('validator_seconds', \(validatorSeconds)::bigint))
        AS m (metric, amount)
      WHERE p.id = \(projectID) AND m.amount > 0
      ON CONFLICT (project_id, metric, period_start) DO UPDATE SET amount = project_usage.amount + EXCLUDED.amount
      """, logger: logger)
  }

  // MARK: Reading

  private static let monthStart = "(date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
  private static let dayStart = "(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"

  /// One query: the budgets, this month's and today's use, and the runs running now. With
  /// `onlyIfBudgeted`, a project without budgets is nothing (and costs no counting): what a
  /// graph step asks before it writes a Reason Card.
  static func usage(
    projectID: UUID, onlyIfBudgeted: Bool = false, on connection: PostgresConnection, logger: Logger
  ) async throws -> [BudgetUse] {
    let statement = BudgetUsageStatement(projectID: projectID, onlyIfBudgeted: onlyIfBudgeted)
    for row in try await connection.guardedExecute(statement, logger: logger) {
      let (tokens, runs, concurrent, minutes, usedTokens, usedRuns, running, validatorSeconds) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7)
      let (month, nextMonth, day, tomorrow) = (row.8, row.9, row.10, row.11)
      return [
        BudgetUse(metric: .modelTokens, limit: tokens, used: usedTokens, resetsAt: nextMonth, periodStart: month),
        BudgetUse(metric: .runs, limit: runs, used: usedRuns, resetsAt: tomorrow, periodStart: day),
        BudgetUse(metric: .concurrentRuns, limit: concurrent, used: running, resetsAt: nil, periodStart: nil),
        BudgetUse(
          metric: .validatorMinutes, limit: minutes, used: (validatorSeconds + 59) / 60, resetsAt: nextMonth,
          periodStart: month),
      ]
    }
    return []
  }
}
