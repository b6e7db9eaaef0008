import Contracts
import Critics
import Foundation
import Planner
import PropertyBased
import Testing

@Suite struct CostCriticTests {
  let critic = CostCritic()

  @Test func everyComponentOfEveryPlanHasAPricedLineWithItsAssumption() async throws {
    for brief in Plans.briefs {
      let constraints = try await Plans.constraints(brief)
      let plan = Plans.plan(constraints)
      let estimate = critic.estimate(plan: plan, constraints: constraints)
      #expect(estimate.method == "bom_v1")
      #expect(!estimate.priceCatalogVersion.isEmpty)
      for component in plan.components {
        #expect(estimate.breakdown.contains { $0.component == component.id }, "\(brief): \(component.id) has no BOM line")
      }
      for line in estimate.breakdown {
        #expect(!line.assumption.isEmpty && !line.priceSource.isEmpty && line.unitPriceUsd > 0, "\(line.item)")
        #expect(abs(line.monthlyUsd - (line.quantity * line.unitPriceUsd * 100).rounded() / 100) < 0.011)
      }
      let total = estimate.breakdown.reduce(0) { $0 + $1.monthlyUsd }
      #expect(abs(estimate.monthlyUsd - total) < 0.005)
      #expect(estimate.monthlyUsd > 0)
    }
  }

  @Test func theDeltaNamesAddedRemovedAndChangedLines() async throws {
    let constraints = try await Plans.constraints(Plans.briefs[0])
    let plan = Plans.plan(constraints)
    let before = critic.estimate(plan: plan, constraints: constraints)
    var busier = constraints
    busier.throughputRps.value *= 4
    var smaller = plan
    smaller.components.removeAll { $0.id == "observe" }
    let after = critic.estimate(plan: smaller, constraints: busier, previous: before)
    #expect(after.delta.hasPrevious_p)
    #expect(after.delta.previousMonthlyUsd == before.monthlyUsd)
    #expect(after.delta.lines.contains { $0.component == "observe" && $0.op == .removed && $0.afterUsd == 0 })
    #expect(after.delta.lines.contains { $0.component == "serve" && $0.op == .changed && $0.afterUsd > $0.beforeUsd })
    #expect(critic.estimate(plan: plan, constraints: constraints).delta.hasPrevious_p == false)
  }

  // MARK: Properties

  static func estimate(rps: Double, dataGB: Double, cadence: Mlops_V1_RetrainCadence, plan: Mlops_V1_Plan)
    -> Mlops_V1_CostEstimate
  {
    var constraints = Mlops_V1_Constraints()
    constraints.inferenceMode.value = .online
    constraints.throughputRps.value = rps
    constraints.dataVolumeGb.value = dataGB
    constraints.retrainCadence.value = cadence
    return CostCritic().estimate(plan: plan, constraints: constraints)
  }

  static let cadences: [Mlops_V1_RetrainCadence] = [.quarterly, .monthly, .weekly, .daily, .hourly]

  @Test func deltaIsAntisymmetricAndTheTotalIsTheSumOfTheLines() async throws {
    let plan = Plans.plan(try await Plans.constraints(Plans.briefs[0]))
    await propertyCheck(
      input: Gen.double(in: 0.1...5_000), Gen.double(in: 1...50_000), Gen.double(in: 0.1...5_000), Gen.double(in: 1...50_000)
    ) { rpsA, dataA, rpsB, dataB in
      let a = Self.estimate(rps: rpsA, dataGB: dataA, cadence: .weekly, plan: plan)
      let b = Self.estimate(rps: rpsB, dataGB: dataB, cadence: .daily, plan: plan)
      let forward = CostDeltas.delta(from: a, to: b)
      let backward = CostDeltas.delta(from: b, to: a)
      #expect(forward.deltaUsd == -backward.deltaUsd)
      let lines = forward.lines.reduce(0) { $0 + ($1.afterUsd - $1.beforeUsd) }
      #expect(abs(lines - forward.deltaUsd) < 0.011, "total delta \(forward.deltaUsd) vs lines \(lines)")
    }
  }

  @Test func moreTrafficMoreDataOrAHigherCadenceNeverLowersTheEstimate() async throws {
    let plans = try await [Plans.briefs[0], Plans.briefs[2], Plans.briefs[4]].asyncMap {
      Plans.plan(try await Plans.constraints($0))
    }
    await propertyCheck(
      input: Gen.double(in: 0.1...5_000), Gen.double(in: 0...5_000), Gen.double(in: 1...50_000), Gen.double(in: 0...50_000),
      Gen.int(in: 0...3), Gen.int(in: 0...2)
    ) { rps, moreRPS, data, moreData, cadence, which in
      let plan = plans[which]
      let base = Self.estimate(rps: rps, dataGB: data, cadence: Self.cadences[cadence], plan: plan).monthlyUsd
      #expect(Self.estimate(rps: rps + moreRPS, dataGB: data, cadence: Self.cadences[cadence], plan: plan).monthlyUsd >= base)
      #expect(Self.estimate(rps: rps, dataGB: data + moreData, cadence: Self.cadences[cadence], plan: plan).monthlyUsd >= base)
      #expect(Self.estimate(rps: rps, dataGB: data, cadence: Self.cadences[cadence + 1], plan: plan).monthlyUsd >= base)
    }
  }
}

extension Array {
  func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
    var result: [T] = []
    for element in self { result.append(try await transform(element)) }
    return result
  }
}
