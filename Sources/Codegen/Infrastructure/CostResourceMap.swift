import Contracts

/// Each line of the cost estimate with the generated resources that incur it, and what does
/// not match: a priced line nothing builds, a billable resource nothing prices, a resource
/// of a type nobody classified.
struct CostResourceMap: Sendable, Equatable {
  /// Addresses per line, in the estimate's line order.
  var resources: [[String]]
  var linesWithoutResources: [String]
  var unpricedResources: [String]
  var unclassifiedResources: [String]

  var complete: Bool { linesWithoutResources.isEmpty && unpricedResources.isEmpty && unclassifiedResources.isEmpty }

  init(estimate: Mlops_V1_CostEstimate, inventory: TerraformInventory, modules: [String: [String]]) {
    func matches(_ line: Mlops_V1_CostLine, in candidates: [TerraformInventory.Resource]) -> [TerraformInventory.Resource] {
      let types = BillableResources.pricedBy[line.item] ?? []
      return candidates.filter {
        BillableResources.key($0, in: types) != nil && BillableResources.free["\($0.type).\($0.name)"] == nil
      }
    }
    var perLine = estimate.breakdown.map { line in
      matches(line, in: inventory.resources(inModules: Set(modules[line.component] ?? [])))
    }
    let claimed = Set(perLine.joined())
    for (index, line) in estimate.breakdown.enumerated() where BillableResources.shared.contains(line.item) {
      perLine[index] += matches(line, in: inventory.resources.filter { !claimed.contains($0) })
    }
    resources = perLine.map { Array(Set($0.map(\.address))).sorted() }
    linesWithoutResources = zip(estimate.breakdown, resources).filter { $0.quantity > 0 && $1.isEmpty }
      .map { "\($0.0.component)/\($0.0.item)" }
    let covered = Set(perLine.joined())
    unpricedResources = inventory.resources.filter { BillableResources.isBillable($0) && !covered.contains($0) }.map(\.address)
    unclassifiedResources = inventory.resources.filter {
      BillableResources.key($0, in: BillableResources.billable) == nil
        && BillableResources.key($0, in: BillableResources.free.keys) == nil
    }.map(\.address)
  }

  /// The estimate with each line's `resources` filled in.
  func annotated(_ estimate: Mlops_V1_CostEstimate) -> Mlops_V1_CostEstimate {
    var estimate = estimate
    for index in estimate.breakdown.indices where index < resources.count {
      estimate.breakdown[index].resources = resources[index]
    }
    return estimate
  }
}
