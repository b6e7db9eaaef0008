import Contracts
import Domain
import EdgeRuntime
import Foundation

/// What each console page shows, as the values its template reads: plain strings and
/// numbers, built from the stores and the run's state. Nothing here is HTML: the templates
/// escape every value.
package struct ConsolePages: Sendable {
  let projects: ProjectStore
  let decisionSets: DecisionSetStore
  let versions: VersionStore
  let access: ProjectAccess
  let limits: ProjectLimits

  /// The project's limits and waivers, shown (read only) on its page.
  package struct ProjectLimits: Sendable {
    let budgets: BudgetStore
    let gateRules: GateRuleStore
    let waivers: WaiverStore

    package init(budgets: BudgetStore, gateRules: GateRuleStore, waivers: WaiverStore) {
      self.budgets = budgets
      self.gateRules = gateRules
      self.waivers = waivers
    }
  }

  package init(
    projects: ProjectStore, decisionSets: DecisionSetStore, versions: VersionStore, access: ProjectAccess,
    limits: ProjectLimits
  ) {
    self.projects = projects
    self.decisionSets = decisionSets
    self.versions = versions
    self.access = access
    self.limits = limits
  }

  static func day(_ date: Date) -> String { date.formatted(.iso8601.year().month().day()) }
  static func time(_ date: Date) -> String { date.formatted(.iso8601) }
  static func dollars(_ value: Double) -> String { String(format: "$%.2f", value) }
  static func statusText(_ status: String) -> String { status.replacingOccurrences(of: "_", with: " ") }

  func projects(for caller: Caller) async throws -> [[String: Any]] {
    try await projects.list(visibleTo: caller, limit: 100, after: nil).items.map { project in
      [
        "id": project.id.lowercaseString, "name": project.name, "description": project.description,
        "created": Self.day(project.createdAt),
      ]
    }
  }

  func project(_ id: UUID) async throws -> [String: Any] {
    guard let project = try await projects.get(id) else {
      throw Problem.notFound("project_not_found", "no project has the id \(id.lowercaseString)")
    }
    let sets = try await decisionSets.list(projectID: id, limit: 100).map { row, state -> [String: Any] in
      let brief = state?.brief ?? ""
      return [
        "id": row.id.lowercaseString, "brief": brief.count > 120 ? String(brief.prefix(119)) + "…" : brief,
        "status": row.status, "status_text": Self.statusText(row.status), "version": row.version,
        "cost": state?.hasCost == true ? Self.dollars(state!.cost.monthlyUsd) : "–",
        "policy": state?.hasPolicy == true ? ProtoNames.outcome(state!.policy.overall) : "–",
        "actor": Self.lastActor(state) ?? row.submittedBy, "updated": Self.time(row.updatedAt),
      ]
    }
    let rule = try await limits.gateRules.get(projectID: id)
    let now = Date()
    return [
      "project": ["id": id.lowercaseString, "name": project.name, "description": project.description],
      "sets": sets,
      "usage": try await limits.budgets.usage(projectID: id).map { use in
        [
          "metric": use.metric.phrase, "used": use.used, "limit": use.limit.map(String.init) ?? "no limit",
          "state": use.state,
          "resets": use.resetsAt.map(Self.time) ?? "as running versions stop",
        ]
      },
      "gate_rule": rule.mode == GateDecision.thresholdsMode
        ? String(
          format:
            "A revision passes by itself when policy does not fail, no warning is new and the cost moves by at most $%.2f and %.1f%%.",
          rule.maxDeltaUsd, rule.maxDeltaPercent)
        : "Every version waits for a reviewer.",
      "waivers": try await limits.waivers.list(projectID: id).map { waiver in
        [
          "rule": waiver.ruleID, "reason": waiver.reason, "by": waiver.message.waivedBy,
          "until": Self.time(waiver.expiresAt), "state": waiver.state(at: now),
        ]
      },
    ]
  }

  /// Who acted last on the version: its reviewer, else whoever answered last.
  static func lastActor(_ state: Mlops_V1_DecisionState?) -> String? {
    guard let state else { return nil }
    if !state.approval.reviewer.isEmpty { return state.approval.reviewer }
    return state.answers.last.map(\.answeredBy)
  }

  func decisionSet(
    _ id: UUID, projectID: UUID, role: Role, artifacts: [[String: Any]]
  ) async throws -> [String: Any] {
    guard let found = try await decisionSets.get(id), let project = try await projects.get(projectID) else {
      throw DecisionSetRoute.notFound(id)
    }
    return Self.decisionSet(
      DecisionSetView(
        id: id, projectID: projectID, projectName: project.name, version: found.row.version,
        lockVersion: found.row.lockVersion, status: found.row.status, role: role,
        lastEventID: try await decisionSets.lastEventID(of: id)),
      state: found.state ?? Mlops_V1_DecisionState(), artifacts: artifacts)
  }

  /// What the decision set page needs besides the run's state.
  package struct DecisionSetView: Sendable {
    package var id: UUID
    package var projectID: UUID
    package var projectName: String
    package var version: Int
    package var lockVersion: Int
    package var status: String
    package var role: Role
    package var lastEventID: Int64

    package init(
      id: UUID, projectID: UUID, projectName: String, version: Int, lockVersion: Int, status: String, role: Role,
      lastEventID: Int64
    ) {
      self.id = id
      self.projectID = projectID
      self.projectName = projectName
      self.version = version
      self.lockVersion = lockVersion
      self.status = status
      self.role = role
      self.lastEventID = lastEventID
    }
  }

  /// The decision set page's values, from what was read: no database, no network.
  package static func decisionSet(
    _ view: DecisionSetView, state: Mlops_V1_DecisionState, artifacts: [[String: Any]]
  ) -> [String: Any] {
    let id = view.id
    var page: [String: Any] = [
      "project": ["id": view.projectID.lowercaseString, "name": view.projectName],
      "set": [
        "id": id.lowercaseString, "version": view.version, "lock_version": view.lockVersion, "status": view.status,
        "status_text": statusText(view.status),
      ],
      "brief": state.brief,
      "after": view.lastEventID,
      "progress": progress(state, status: view.status),
      "cards": state.reasonCards.map(card),
      "artifacts": artifacts.compactMap { item -> [String: Any]? in
        guard let url = item["download_url"] as? String else { return nil }
        return ["url": url, "version": item["version"] ?? "", "sha256": String((item["sha256"] as? String ?? "").prefix(12))]
      },
      "compare": view.version > 1
        ? (1..<view.version).reversed().map { ["set_id": id.lowercaseString, "from": $0, "to": $0 + 1] } : [],
      "can_revise": view.role >= .editor && Mlops_V1_RunStatus.finishedAPINames.contains(view.status),
      "next_version": view.version + 1,
      "questions": [[String: Any]](), "validation": [[String: Any]](),
    ]
    if view.status == Mlops_V1_RunStatus.waitingForAnswers.apiName {
      page["questions"] = state.openQuestions.map(question)
    }
    let waiting = [Mlops_V1_RunStatus.waitingForAnswers.apiName, Mlops_V1_RunStatus.waitingForApproval.apiName]
      .contains(view.status)
    page["can_correct"] = view.role >= .editor && waiting
    page["correctable_fields"] = CorrectionText.fields
    page["corrections"] = corrections(state)
    if state.hasPlan && state.hasCost {
      var review = review(state)
      let atGate = view.status == Mlops_V1_RunStatus.waitingForApproval.apiName
      review["can_approve"] = view.role >= .reviewer && atGate
      review["can_pick"] = view.role >= .reviewer && atGate
      review["pickable"] = pickable(state.plan)
      page["review"] = review
    }
    if state.hasValidation { page["validation"] = validation(state.validation) }
    return page
  }

  /// People's corrections and picks so far, as the page lists them.
  static func corrections(_ state: Mlops_V1_DecisionState) -> [String] {
    state.constraintEdits.map(\.summary) + state.candidateChoices.map(\.summary)
  }

  /// Per needed capability, the candidates a reviewer may pick instead: those the
  /// constraints allow, other than the one chosen.
  static func pickable(_ plan: Mlops_V1_Plan) -> [[String: Any]] {
    plan.decisions.filter(\.needed).compactMap { decision in
      let others = decision.candidates.filter { !$0.chosen && !$0.isExcluded }
      guard !others.isEmpty else { return nil }
      let capability = ProtoNames.name(decision.capability, in: ProtoNames.capability)
      return [
        "capability": capability, "chosen": decision.chosenOption,
        "options": others.map { ["option": $0.option, "score": String(format: "%.2f", $0.score)] },
      ]
    }
  }

  static func progress(_ state: Mlops_V1_DecisionState, status: String) -> [[String: Any]] {
    let done = Set(state.reasonCards.map(\.node))
    var current = status == Mlops_V1_RunStatus.running.apiName
    return NodeName.allCases.map { node in
      var step = "pending"
      if done.contains(node.rawValue) {
        step = "done"
      } else if current {
        step = "current"
        current = false
      }
      return ["node": node.rawValue, "label": node.rawValue.replacingOccurrences(of: "_", with: " "), "state": step]
    }
  }

  static func card(_ card: Mlops_V1_ReasonCard) -> [String: Any] {
    [
      "node": card.node, "agent": card.agent, "choice": card.choice, "confidence": String(format: "%.2f", card.confidence),
      "inputs": card.inputs.summary, "rationale": card.rationale,
      "candidates": card.candidates.map { candidate in
        [
          "option": candidate.option, "score": String(format: "%.2f", candidate.score), "chosen": candidate.chosen,
          "reasons": candidate.reasons.joined(separator: "; "),
        ] as [String: Any]
      },
      "risks": card.risks, "policy": card.policySummary, "cost": card.costSummary,
      "links": card.links.map { "\($0.rel): \($0.href)" },
    ]
  }

  static func question(_ question: Mlops_V1_Question) -> [String: Any] {
    let options = question.options.map {
      ["id": question.id, "value": $0.value, "label": $0.label.isEmpty ? $0.value : $0.label]
    }
    return [
      "id": question.id, "text": question.text, "why": question.why, "unit": question.unit,
      "choice": question.type == .choice ? ["options": options] : false,
      "multi": question.type == .multiChoice ? ["options": options] : false,
      "number": question.type == .number, "boolean": question.type == .boolean,
      "free_text": question.type == .text || question.type == .unspecified,
    ]
  }

  static func review(_ state: Mlops_V1_DecisionState) -> [String: Any] {
    let components = state.plan.components
    let rationale = Dictionary(
      state.reasonCards.filter { $0.node == "planner" }.flatMap(\.candidates).filter(\.chosen).map {
        ($0.option, $0.reasons.joined(separator: "; "))
      }, uniquingKeysWith: { first, _ in first })
    let lines = state.cost.breakdown.sorted { $0.monthlyUsd > $1.monthlyUsd }
    let largest = max(lines.first?.monthlyUsd ?? 1, 0.01)
    let considered = state.reasonCards.last { $0.node == "planner" }?.candidates ?? []
    var review: [String: Any] = [
      "diagram": ArchitectureDiagram(components: components).values,
      "candidates": considered.map { candidate in
        [
          "option": candidate.option, "score": String(format: "%.2f", candidate.score),
          "chosen": candidate.chosen ? "chosen" : "", "reasons": candidate.reasons.joined(separator: "; "),
        ]
      },
      "components": components.map { component in
        [
          "id": component.id, "option": component.option, "region": component.region,
          "rationale": rationale["\(component.id)/\(component.option)"] ?? rationale[component.option] ?? "",
        ]
      },
      "cost": [
        "monthly": dollars(state.cost.monthlyUsd),
        "delta": state.cost.delta.hasPrevious_p
          ? String(
            format: "%@ $%.2f against $%.2f per month before.", state.cost.delta.deltaUsd >= 0 ? "Up" : "Down",
            abs(state.cost.delta.deltaUsd), state.cost.delta.previousMonthlyUsd) : "",
        "chart_height": max(24, lines.count * 22 + 4),
        "lines": lines.enumerated().map { index, line -> [String: Any] in
          let width = max(1, Int((line.monthlyUsd / largest * 300).rounded()))
          return [
            "component": line.component, "item": line.item, "quantity": String(format: "%g", line.quantity),
            "unit": line.unit, "monthly": dollars(line.monthlyUsd), "assumption": line.assumption,
            "text_y": index * 22 + 15, "bar_y": index * 22 + 3, "bar_width": width, "value_x": 268 + width,
          ]
        },
      ],
      "policy": [
        "overall": ProtoNames.outcome(state.policy.overall), "summary": state.policy.summary,
        "results": state.policy.results.map { result in
          [
            "rule": result.ruleID, "outcome": ProtoNames.outcome(result.outcome), "message": result.message,
            "evidence": result.evidence.joined(separator: "; "), "remedy": result.remedy,
            "waiver": result.outcome == .waived ? PolicySummary.waiverText(result) : "",
          ]
        },
      ],
      "findings": state.technicalReview.findings.map { finding in
        ["severity": ProtoNames.severity(finding.severity), "message": finding.message, "recommendation": finding.recommendation]
      },
    ]
    let approval = state.approval
    if approval.status == .approved || approval.status == .rejected {
      let verb = approval.status == .approved ? "Approved" : "Rejected"
      review["approval"] =
        "\(verb) by \(approval.reviewer)\(approval.decidedAt.isEmpty ? "" : " at \(approval.decidedAt)")"
        + (approval.comment.isEmpty ? "" : ": \(approval.comment)")
        + approval.inlineComments.map { " · \($0.path): \($0.text)" }.joined()
    }
    return review
  }

  static func validation(_ report: Mlops_V1_ValidationReport) -> [[String: Any]] {
    report.results.map { result in
      [
        "tool": result.tool, "outcome": validatorOutcome(result.outcome),
        "findings": result.findings.prefix(50).map { finding in
          [
            "where": finding.line > 0 ? "\(finding.path):\(finding.line)" : finding.path,
            "text": [finding.rule, finding.message].filter { !$0.isEmpty }.joined(separator: ": "),
          ]
        },
      ]
    }
  }

  static func validatorOutcome(_ outcome: Mlops_V1_ValidatorOutcome) -> String {
    switch outcome {
    case .pass: "pass"
    case .fail: "fail"
    case .skipped: "skipped"
    default: "unknown"
    }
  }

  /// The Change Summary's values for the changes page.
  static func changes(_ summary: [String: Any], decisionSetID: UUID) -> [String: Any] {
    let cost = summary["cost"] as? [String: Any] ?? [:]
    let lines = (cost["lines"] as? [[String: Any]] ?? []).map { line -> (String, Double) in
      (
        "\(line["component"] as? String ?? "") · \(line["item"] as? String ?? "")",
        (line["after_usd"] as? Double ?? 0) - (line["before_usd"] as? Double ?? 0)
      )
    }
    let largest = max(lines.map { abs($0.1) }.max() ?? 1, 0.01)
    let gate = summary["gate"] as? [String: Any]
    return [
      "set_id": decisionSetID.lowercaseString, "from": summary["from"] ?? 0, "to": summary["to"] ?? 0,
      "cost": [
        "before": dollars(cost["before_usd"] as? Double ?? 0), "after": dollars(cost["after_usd"] as? Double ?? 0),
        "delta": String(format: "%+.2f USD", cost["delta_usd"] as? Double ?? 0),
        "chart_height": max(24, lines.count * 22 + 4),
        "lines": lines.enumerated().map { index, line -> [String: Any] in
          let width = max(1, Int((abs(line.1) / largest * 100).rounded()))
          return [
            "label": line.0, "delta": String(format: "%+.2f", line.1), "text_y": index * 22 + 15, "bar_y": index * 22 + 3,
            "bar_width": width, "bar_x": line.1 >= 0 ? 360 : 360 - width, "direction": line.1 >= 0 ? "up" : "down",
          ]
        },
      ],
      "gate": gate.map {
        "\($0["rule"] as? String ?? "") (\(($0["passed_by_rule"] as? Bool ?? false) ? "passed by itself" : "a reviewer decided"))"
      }
        ?? "",
      "state": (summary["state_changes"] as? [[String: Any]] ?? []).map { change in
        [
          "path": change["path"] as? String ?? "", "before": change["before"] as? String ?? "",
          "after": change["after"] as? String ?? "",
        ]
      },
      "files": SideBySideDiff.files(summary["unified_diff"] as? String ?? ""),
    ]
  }
}
