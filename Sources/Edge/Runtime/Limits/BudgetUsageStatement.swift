import Foundation
import PostgresNIO

/// A project's budgets, this month's and today's use, and its runs running now, in one row
/// (none when `onlyIfBudgeted` and the project has no budgets). Prepared once per connection:
/// a graph step reads it before writing a card, and planning it cost more than running it.
struct BudgetUsageStatement: PostgresPreparedStatement {
  typealias Row = (Int?, Int?, Int?, Int?, Int, Int, Int, Int, Date, Date, Date, Date)

  static let sql = """
    WITH period AS (
      SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS month,
             (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS day)
    SELECT b.model_tokens_per_month, b.runs_per_day, b.concurrent_runs, b.validator_minutes_per_month,
      COALESCE((SELECT amount FROM project_usage u WHERE u.project_id = $1 AND u.metric = 'model_tokens'
        AND u.period_start = period.month), 0)::bigint,
      COALESCE((SELECT amount FROM project_usage u WHERE u.project_id = $1 AND u.metric = 'runs'
        AND u.period_start = period.day), 0)::bigint,
      (SELECT count(*) FROM decision_sets d WHERE d.project_id = $1 AND d.status = 'running')::bigint,
      COALESCE((SELECT amount FROM project_usage u WHERE u.project_id = $1 AND u.metric = 'validator_seconds'
        AND u.period_start = period.month), 0)::bigint,
      period.month, period.month + interval '1 month', period.day, period.day + interval '1 day'
    FROM period LEFT JOIN project_budgets b ON b.project_id = $1
    WHERE NOT $2 OR b.project_id IS NOT NULL
    """

  static let bindingDataTypes: [PostgresDataType] = [.uuid, .bool]

  var projectID: UUID
  var onlyIfBudgeted: Bool

  func makeBindings() throws -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 2)
    bindings.append(projectID)
    bindings.append(onlyIfBudgeted)
    return bindings
  }

  func decodeRow(_ row: PostgresRow) throws -> Row {
    try row.decode(Row.self)
  }
}
