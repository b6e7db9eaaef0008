import Contracts
import Domain
import Foundation

/// Method `bom_v1`: a bill of materials from the plan — every chosen option's BOM line
/// templates, quantities from the usage model, unit prices from the dated price catalog —
/// summed to a monthly figure, with the delta against the previous version's estimate.
public struct CostCritic: Sendable {
  public static let method = "bom_v1"
  let capabilities: CapabilityCatalog
  let prices: PriceCatalog

  public init(capabilities: CapabilityCatalog = .bundled, prices: PriceCatalog = .bundled) {
    self.capabilities = capabilities
    self.prices = prices
  }

  public func estimate(
    plan: Mlops_V1_Plan, constraints: Mlops_V1_Constraints, previous: Mlops_V1_CostEstimate? = nil
  ) -> Mlops_V1_CostEstimate {
    let usage = UsageModel(constraints: constraints, plan: plan)
    var estimate = Mlops_V1_CostEstimate()
    estimate.method = Self.method
    estimate.priceCatalogVersion = prices.version
    var assumptions: Set<String> = []
    func price(_ component: String, region: String, _ templates: [CapabilityCatalog.Option.BOMLine]) {
      let factor = prices.factor(for: region)
      if factor == nil { assumptions.insert("\(region) has no price factor; priced at us-east-1 rates") }
      for template in templates {
        guard let price = prices.price(template.item) else {
          estimate.assumptions.append("\(component): \(template.item) has no price in catalog \(prices.version)")
          continue
        }
        let figure = usage.figure(template.driver)
        let quantity = Self.rounded((figure?.value ?? 0) * template.per, places: 3)
        // The line is priced at the unit price it shows, so quantity × unit price = monthly.
        let unitPrice = Self.rounded(price.usd * (factor ?? 1), places: 10)
        var assumption = figure?.assumption ?? "no usage model for \(template.driver)"
        if template.per != 1 { assumption += " × \(FigureText.format(template.per))" }
        if let factor, factor != 1 { assumption += "; \(region) prices at \(FigureText.format(factor))× us-east-1" }
        estimate.breakdown.append(
          .with {
            $0.component = component
            $0.item = template.item
            $0.quantity = quantity
            $0.unit = template.unit
            $0.unitPriceUsd = unitPrice
            $0.monthlyUsd = Self.rounded(quantity * unitPrice, places: 2)
            $0.assumption = assumption
            $0.priceSource = "\(price.source) (read \(prices.readOn))"
          })
      }
    }
    for component in plan.components {
      guard let option = capabilities.option(component.option) else {
        estimate.assumptions.append("\(component.id): option \(component.option) is not in the catalog, so it is not priced")
        continue
      }
      price(component.id, region: component.region, option.bom)
    }
    // Nothing is built for a plan without components, so nothing is priced besides them.
    for line in plan.components.isEmpty ? [] : PlatformLines.lines(Footprint(constraints: constraints, plan: plan)) {
      price(line.component, region: plan.primaryRegion.isEmpty ? "us-east-1" : plan.primaryRegion, [line.template])
    }
    estimate.monthlyUsd = Self.rounded(estimate.breakdown.reduce(0) { $0 + $1.monthlyUsd }, places: 2)
    estimate.assumptions += assumptions.sorted()
    estimate.delta = CostDeltas.delta(from: previous, to: estimate)
    return estimate
  }

  static func rounded(_ value: Double, places: Int) -> Double {
    let scale = pow(10, Double(places))
    return (value * scale).rounded() / scale
  }
}

/// The difference between two estimates: total and per line (added, removed, changed).
public enum CostDeltas {
  public static func delta(from previous: Mlops_V1_CostEstimate?, to current: Mlops_V1_CostEstimate) -> Mlops_V1_CostDelta {
    guard let previous else { return Mlops_V1_CostDelta() }
    var delta = Mlops_V1_CostDelta()
    delta.hasPrevious_p = true
    delta.previousMonthlyUsd = previous.monthlyUsd
    delta.deltaUsd = CostCritic.rounded(current.monthlyUsd - previous.monthlyUsd, places: 2)
    func key(_ line: Mlops_V1_CostLine) -> String { "\(line.component)\u{0}\(line.item)" }
    let before = Dictionary(previous.breakdown.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
    let after = Dictionary(current.breakdown.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
    for name in Set(before.keys).union(after.keys).sorted() {
      let old = before[name]
      let new = after[name]
      let op: Mlops_V1_DeltaOp
      switch (old, new) {
      case (nil, _?): op = .added
      case (_?, nil): op = .removed
      case (let old?, let new?) where old.monthlyUsd != new.monthlyUsd: op = .changed
      default: continue
      }
      delta.lines.append(
        .with {
          $0.component = (new ?? old)!.component
          $0.item = (new ?? old)!.item
          $0.op = op
          $0.beforeUsd = old?.monthlyUsd ?? 0
          $0.afterUsd = new?.monthlyUsd ?? 0
        })
    }
    return delta
  }
}
