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
