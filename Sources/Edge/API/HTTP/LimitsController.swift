import Contracts
import EdgeRuntime
import Foundation
import Hummingbird
import Metrics

/// `/v1/projects/{id}/budgets` (admins set them), `/v1/projects/{id}/usage` (members read use
/// against them) and `/v1/projects/{id}/gate-rule` (when a revision may pass the human gate
/// by itself; admins set it).
package struct LimitsController<Context: IdentifiedRequestContext>: Sendable {
  let budgets: BudgetStore
  let gateRules: GateRuleStore
  let access: ProjectAccess
  let audit: AuditLog
  let maxBodyBytes: Int

  static var budgetFields: [String] { BudgetMetric.allCases.map(\.rawValue) }
  /// Large enough for any real budget, small enough that no sum of them overflows.
  static var maxBudget: Int { 1_000_000_000_000 }

  package init(budgets: BudgetStore, gateRules: GateRuleStore, access: ProjectAccess, audit: AuditLog, maxBodyBytes: Int) {
    self.budgets = budgets
    self.gateRules = gateRules
    self.access = access
    self.audit = audit
    self.maxBodyBytes = maxBodyBytes
  }

  package func addRoutes(to projects: RouterGroup<Context>) {
    projects.put(":id/budgets", use: putBudgets)
    projects.get(":id/usage", use: usage)
    projects.get(":id/gate-rule", use: gateRule)
    projects.put(":id/gate-rule", use: putGateRule)
  }

  @Sendable func putBudgets(_ request: Request, context: Context) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    let caller = try context.authenticated()
    try await access.project(id, caller, needs: .admin)
    let body = try await JSONObjectBody.read(request, limit: maxBodyBytes)
    try body.onlyFields(Self.budgetFields, in: "a budget")
    var set = ProjectBudgets()
    for metric in BudgetMetric.allCases {
      set[metric] = try body.optionalInteger(metric.rawValue, in: 0...Self.maxBudget)
    }
    guard try await budgets.set(projectID: id, budgets: set, by: caller.subject) else {
      throw ProjectsController<Context>.notFound(id)
    }
    try await audit.record(
      "project.budgets_set", project: id,
      detail: Dictionary(uniqueKeysWithValues: BudgetMetric.allCases.map { ($0.rawValue, set[$0].map(String.init) ?? "none") }),
      context: context)
    return try await usageResponse(id)
  }

  @Sendable func usage(_ request: Request, context: Context) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    try await access.project(id, try context.authenticated(), needs: .viewer)
    return try await usageResponse(id)
  }

  private func usageResponse(_ id: UUID) async throws -> Response {
    let uses = try await budgets.usage(projectID: id)
    return try JSONResponse.make(
      object: ["project_id": id.lowercaseString, "items": uses.map(\.json)], status: .ok)
  }

  @Sendable func gateRule(_ request: Request, context: Context) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    try await access.project(id, try context.authenticated(), needs: .viewer)
    return try JSONResponse.make(object: GateRuleStore.json(try await gateRules.get(projectID: id)), status: .ok)
  }

  @Sendable func putGateRule(_ request: Request, context: Context) async throws -> Response {
    let id = try ProjectsController<Context>.projectID(context)
    let caller = try context.authenticated()
    try await access.project(id, caller, needs: .admin)
    let body = try await JSONObjectBody.read(request, limit: maxBodyBytes)
    try body.onlyFields(["mode", "max_delta_usd", "max_delta_percent"], in: "a gate rule")
    let mode = try body.requiredString("mode", maxLength: 32)
    guard [GateDecision.alwaysMode, GateDecision.thresholdsMode].contains(mode) else {
      throw Problem.invalidField("mode", "mode must be \"always\" or \"within_thresholds\"")
    }
    let usd = try body.optionalNumber("max_delta_usd", in: 0...1_000_000_000) ?? 0
    let percent = try body.optionalNumber("max_delta_percent", in: 0...1_000) ?? 0
    let rule = Mlops_V1_GateRule.with {
      $0.mode = mode
      $0.maxDeltaUsd = usd
      $0.maxDeltaPercent = percent
    }
    guard try await gateRules.set(projectID: id, rule: rule, by: caller.subject) else {
      throw ProjectsController<Context>.notFound(id)
    }
    try await audit.record(
      "project.gate_rule_set", project: id,
      detail: ["mode": mode, "max_delta_usd": String(usd), "max_delta_percent": String(percent)], context: context)
    return try JSONResponse.make(object: GateRuleStore.json(rule), status: .ok)
  }
}

extension Problem {
  /// 429 `budget_exhausted`: which budget, its limit, the use, and when it resets.
  static func budgetExhausted(_ use: BudgetUse, now: Date = Date()) -> Problem {
    let retry = use.resetsAt.map { max(1, Int($0.timeIntervalSince(now).rounded(.up))) } ?? 30
    var extensions: [String: ProblemValue] = [
      "budget": .string(use.metric.rawValue), "limit": .int(use.limit ?? 0), "used": .int(use.used),
    ]
    if let resets = use.resetsAt { extensions["resets_at"] = .string(resets.formatted(.iso8601)) }
    Counter(label: "mlops_budget_exhausted_total", dimensions: [("budget", use.metric.rawValue)]).increment()
    return Problem(
      status: .tooManyRequests, code: "budget_exhausted", title: "Budget exhausted",
      detail: "the project's budget is spent: \(use.sentence); new runs are refused until then, running ones finish",
      retryAfterSeconds: retry, extensions: extensions)
  }
}
