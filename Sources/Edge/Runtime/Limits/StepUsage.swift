import Contracts

/// What one step consumed: its model calls' tokens (from the provider records of the Reason
/// Cards it wrote) and, for the validators step, the validators' run time.
struct StepUsage: Equatable {
  var modelTokens = 0
  var validatorSeconds = 0

  var isEmpty: Bool { modelTokens == 0 && validatorSeconds == 0 }

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
