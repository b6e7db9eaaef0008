import Contracts
import Foundation
import ServiceKit

/// What changed from one version of a decision set to another: the state diff, the git diff
/// of the versioned files (plan, docs, manifest, reports), and the cost delta.
package struct ChangeSummary: Sendable {
  package var decisionSetID: UUID
  package var from: Int
  package var to: Int
  package var stateChanges: [StateDiff.Change]
  package var files: [(status: String, path: String)]
  package var unifiedDiff: String
  package var costBefore: Double
  package var costAfter: Double
  /// The cost critic's own line deltas, when `to` was estimated against `from`.
  package var criticDelta: Mlops_V1_CostDelta?
  /// How `to` went through the human gate: the rule that applied and the delta it judged;
  /// nil when the version never reached the gate.
  package var gate: GateDecision?

  package var costDelta: Double { ((costAfter - costBefore) * 100).rounded() / 100 }

  package static func make(
    decisionSetID: UUID, from old: VersionStore.Version, to new: VersionStore.Version,
    diff: (unified: String, paths: [(String, String)])
  ) throws -> ChangeSummary {
    ChangeSummary(
      decisionSetID: decisionSetID, from: old.version, to: new.version,
      stateChanges: try StateDiff.changes(from: old.state, to: new.state), files: diff.paths, unifiedDiff: diff.unified,
      costBefore: old.state.cost.monthlyUsd, costAfter: new.state.cost.monthlyUsd,
      criticDelta: new.version == old.version + 1 && new.state.cost.delta.hasPrevious_p ? new.state.cost.delta : nil,
      gate: new.state.approval.status == .unspecified ? nil : GateDecision.decide(new.state))
  }

  /// The API's and the diff-update event's shape; `includeDiff` false leaves the unified diff out.
  package func json(includeDiff: Bool = true) -> [String: Any] {
    var cost: [String: Any] = [
      "before_usd": costBefore, "after_usd": costAfter, "delta_usd": costDelta,
    ]
    if let criticDelta {
      cost["critic_delta_usd"] = criticDelta.deltaUsd
      cost["lines"] = criticDelta.lines.map { line in
        [
          "component": line.component, "item": line.item, "op": Self.opName(line.op), "before_usd": line.beforeUsd,
          "after_usd": line.afterUsd,
        ] as [String: Any]
      }
    }
    var object: [String: Any] = [
      "decision_set_id": decisionSetID.lowercaseString, "from": from, "to": to,
      "state_changes": stateChanges.map { change in
        var item: [String: Any] = ["path": change.path, "op": change.op.rawValue]
        item["before"] = change.before ?? NSNull()
        item["after"] = change.after ?? NSNull()
        return item
      },
      "files": files.map { ["status": $0.status, "path": $0.path] },
      "cost": cost,
    ]
    if costBefore > 0 { cost["delta_percent"] = (costDelta / costBefore * 1000).rounded() / 10 }
    object["cost"] = cost
    if let gate {
      object["gate"] =
        [
          "rule": gate.rule, "passed_by_rule": gate.passes, "reasons": gate.reasons, "delta_usd": gate.deltaUSD,
          "delta_percent": gate.deltaPercent.map { ($0 * 10).rounded() / 10 as Any } ?? NSNull(),
        ] as [String: Any]
    }
    if includeDiff { object["unified_diff"] = unifiedDiff }
    return object
  }

  static func opName(_ op: Mlops_V1_DeltaOp) -> String {
    switch op {
    case .added: "added"
    case .removed: "removed"
    case .changed: "changed"
    default: "unchanged"
    }
  }
}
