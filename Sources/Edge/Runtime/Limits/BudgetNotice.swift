import Contracts
import Foundation
import ServiceKit

/// The warning a run gets once per budget and period when the project's use reaches 80%:
/// a line among the risks of the next Reason Card it writes and a `budget-warning` event,
/// both committed with that step. The line names the metric and the period, so the run's
/// own cards say whether it was told already.
enum BudgetNotice {
  struct Notice: Equatable {
    var risk: String
    var payload: String
  }

  static func notices(for uses: [BudgetUse], in state: Mlops_V1_DecisionState) throws -> [Notice] {
    let said = Set(state.reasonCards.flatMap(\.risks).filter { $0.hasPrefix("budget ") })
    return try uses.filter { $0.isWarning && $0.resetsAt != nil }.compactMap { use in
      let key = "budget \(use.metric.rawValue) from \(use.periodStart?.formatted(.iso8601) ?? "")"
      guard !said.contains(where: { $0.hasPrefix(key + ":") }) else { return nil }
      let consequence = use.isExhausted ? "spent: new runs are refused until it resets" : "past 80%"
      var fields = use.json
      fields["message"] = "\(use.sentence); \(consequence)"
      return Notice(risk: "\(key): \(use.sentence); \(consequence)", payload: try SortedJSON.string(fields))
    }
  }
}

/// What one step consumed: its model calls' tokens (from the provider records of the Reason
/// Cards it wrote) and, for the validators step, the validators' run time.
struct StepUsage: Equatable {
  var modelTokens = 0
  var validatorSeconds = 0

  static let none = StepUsage()

  private init() {}

  init(node: NodeName, before: Mlops_V1_DecisionState, after: Mlops_V1_DecisionState) {
    for card in after.reasonCards.dropFirst(before.reasonCards.count) where card.hasProvider {
      modelTokens += Int(clamping: card.provider.inputTokens) + Int(clamping: card.provider.outputTokens)
    }
    if node == .validators {
      let milliseconds = after.validation.results.reduce(0) { $0 + Int(clamping: max(0, $1.durationMs)) }
      validatorSeconds = (milliseconds + 999) / 1000
    }
  }
}
