import Foundation

/// What a project may use; nil is no limit. Months and days are UTC, by the database's clock.
package struct ProjectBudgets: Sendable, Equatable {
  package var modelTokensPerMonth: Int?
  package var runsPerDay: Int?
  package var concurrentRuns: Int?
  package var validatorMinutesPerMonth: Int?

  /// The limit of `metric`; nil is no limit.
  package subscript(_ metric: BudgetMetric) -> Int? {
    get {
      switch metric {
      case .modelTokens: modelTokensPerMonth
      case .runs: runsPerDay
      case .concurrentRuns: concurrentRuns
      case .validatorMinutes: validatorMinutesPerMonth
      }
    }
    set {
      switch metric {
      case .modelTokens: modelTokensPerMonth = newValue
      case .runs: runsPerDay = newValue
      case .concurrentRuns: concurrentRuns = newValue
      case .validatorMinutes: validatorMinutesPerMonth = newValue
      }
    }
  }

  package init(
    modelTokensPerMonth: Int? = nil, runsPerDay: Int? = nil, concurrentRuns: Int? = nil,
    validatorMinutesPerMonth: Int? = nil
  ) {
    self.modelTokensPerMonth = modelTokensPerMonth
    self.runsPerDay = runsPerDay
    self.concurrentRuns = concurrentRuns
    self.validatorMinutesPerMonth = validatorMinutesPerMonth
  }
}

/// One budgeted quantity, as the API names it.
package enum BudgetMetric: String, Sendable, CaseIterable {
  case modelTokens = "model_tokens_per_month"
  case runs = "runs_per_day"
  case concurrentRuns = "concurrent_runs"
  case validatorMinutes = "validator_minutes_per_month"

  /// "model tokens this month"
  package var phrase: String {
    switch self {
    case .modelTokens: "model tokens this month"
    case .runs: "runs today"
    case .concurrentRuns: "runs running at once"
    case .validatorMinutes: "validator minutes this month"
    }
  }
}

/// A metric's use against its budget in the current period.
package struct BudgetUse: Sendable, Equatable {
  package static let warningFraction = 0.8

  package var metric: BudgetMetric
  package var limit: Int?
  package var used: Int
  /// When the period ends and the use starts again from zero; nil for concurrent runs, which
  /// free up as runs stop.
  package var resetsAt: Date?
  package var periodStart: Date?

  package var fraction: Double? {
    guard let limit else { return nil }
    return limit == 0 ? 1 : Double(used) / Double(limit)
  }

  package var isExhausted: Bool { (fraction ?? 0) >= 1 }
  package var isWarning: Bool { (fraction ?? 0) >= Self.warningFraction }
  /// `ok`, `warning` or `exhausted`.
  package var state: String { isExhausted ? "exhausted" : isWarning ? "warning" : "ok" }

  package var json: [String: Any] {
    [
      "metric": metric.rawValue, "limit": limit.map { $0 as Any } ?? NSNull(), "used": used,
      "fraction": fraction.map { ($0 * 1000).rounded() / 1000 as Any } ?? NSNull(),
      "resets_at": resetsAt.map { $0.formatted(.iso8601) as Any } ?? NSNull(),
      "state": state,
    ]
  }

  /// "model tokens this month: 85,000 of 100,000 (85%), resets 2027-01-01T00:00:00Z"
  package var sentence: String {
    let percent = Int(((fraction ?? 0) * 100).rounded(.down))
    let resets = resetsAt.map { ", resets \($0.formatted(.iso8601))" } ?? ", frees up as running versions stop"
    return "\(metric.phrase): \(used) of \(limit ?? 0) (\(percent)%)\(resets)"
  }
}
