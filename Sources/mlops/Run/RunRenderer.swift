import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import ServiceKit

/// How `mlops run` shows a run: one compact block per Reason Card under a progress prefix
/// (the node's place in the graph and the time since submission), and one line for each
/// cost, policy and status change.
struct RunRenderer {
  let started: ContinuousClock.Instant

  static let nodeCount = NodeName.allCases.count

  func submitted(id: String, project: String, stream: String, page: String) {
    Console.line("Submitted decision set \(id) (project \(project)); following \(stream)")
    Console.line("In a browser: \(page)")
  }

  func card(_ card: Mlops_V1_ReasonCard) {
    var lines = [
      "\(progress(node: card.node)) \(card.choice.isEmpty ? "(no choice)" : card.choice)"
        + (card.confidence > 0 ? String(format: "  confidence %.2f", card.confidence) : "")
    ]
    if !card.rationale.isEmpty { lines.append(indent + Self.shorten(card.rationale, to: 160)) }
    let chosen = card.candidates.filter(\.chosen).map(\.option)
    let others = card.candidates.filter { !$0.chosen }.map(\.option)
    if !chosen.isEmpty || !others.isEmpty {
      // Compact: the first few, then how many more (the full list is in `mlops events`).
      let names = chosen.map { "\($0) (chosen)" } + others
      let shown = names.prefix(6).joined(separator: ", ")
      lines.append(indent + "candidates: " + shown + (names.count > 6 ? ", … (+\(names.count - 6) more)" : ""))
    }
    if !card.risks.isEmpty { lines.append(indent + "risks: " + card.risks.joined(separator: "; ")) }
    if !card.quotedComments.isEmpty {
      lines.append(indent + "reviewer said: " + card.quotedComments.map { "\u{201C}\($0)\u{201D}" }.joined(separator: " "))
    }
    Console.line(lines.joined(separator: "\n"))
  }

  func cost(_ estimate: Mlops_V1_CostEstimate) {
    var line = "\(progress(node: NodeName.criticCost.rawValue)) cost: " + Self.dollars(estimate.monthlyUsd) + "/month"
    line += " (\(estimate.method), \(estimate.breakdown.count) lines)"
    if estimate.hasDelta, estimate.delta.hasPrevious_p, estimate.delta.deltaUsd != 0 {
      line += ", " + (estimate.delta.deltaUsd > 0 ? "+" : "−") + Self.dollars(abs(estimate.delta.deltaUsd)) + " vs previous"
    }
    Console.line(line)
  }

  func policy(_ report: Mlops_V1_PolicyReport) {
    Console.line("\(progress(node: NodeName.policyEval.rawValue)) policy: \(Self.outcome(report.overall)): \(report.summary)")
    for result in report.results where result.outcome == .fail || result.outcome == .warn {
      Console.line(indent + "\(Self.outcome(result.outcome)) \(result.ruleID): \(result.message)")
    }
  }

  func waiting(for what: String) {
    Console.line("\(progress(node: nil)) waiting for \(what)")
  }

  func line(_ text: String) {
    Console.line("\(progress(node: nil)) \(text)")
  }

  /// `[ 4/12 planner            +1.3s]`; a node-less line keeps the elapsed time only.
  func progress(node: String?) -> String {
    let elapsed = String(format: "+%.1fs", (ContinuousClock.now - started).seconds)
    guard let node, let index = NodeName.allCases.firstIndex(where: { $0.rawValue == node }) else {
      return "[" + String(repeating: " ", count: 25) + " \(elapsed)]"
    }
    let position = String(format: "%2d/%d", index + 1, Self.nodeCount)
    return "[\(position) \(node.padding(toLength: 19, withPad: " ", startingAt: 0)) \(elapsed)]"
  }

  private var indent: String { String(repeating: " ", count: 28) }

  static func dollars(_ value: Double) -> String { String(format: "$%.2f", value) }

  static func outcome(_ outcome: Mlops_V1_RuleOutcome) -> String {
    switch outcome {
    case .pass: "pass"
    case .warn: "warn"
    case .fail: "fail"
    case .notApplicable: "not applicable"
    case .waived: "waived"
    default: "unknown"
    }
  }

  static func shorten(_ text: String, to limit: Int) -> String {
    let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
    return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
  }
}
