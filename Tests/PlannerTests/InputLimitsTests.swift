import Contracts
import Domain
import Planner
import ServiceKit
import Testing

@Suite struct InputLimitsTests {
  @Test func everyRegionThePlannerPlansForPassesTheAPIsRegionCheck() {
    let regions = CapabilityCatalog.bundled.regionPreference
    #expect(!regions.isEmpty)
    #expect(Set(regions).subtracting(InputLimits.awsRegions).isEmpty)
  }

  @Test func figuresOutOfRangeInABriefAreTreatedAsNotStated() async throws {
    let engine = PlannerEngine()
    let response = try await engine.extract(
      .with { $0.brief = "Fraud scoring at 900000000000 billion transactions per second, p95 under 80 ms, eu-west-1." })
    #expect(!response.constraints.hasThroughputRps)
    #expect(response.constraints.violations().isEmpty)
    #expect(response.reasonCard.risks.contains { $0.contains("throughput_rps") && $0.contains("not stated") })
  }

  @Test(arguments: [Double.nan, .infinity, -.infinity, 1e308, -1e308, .leastNonzeroMagnitude, 9.3e18, -9.3e18])
  func saturatingConversionNeverTraps(value: Double) {
    let converted = Int(saturating: value)
    if value.isNaN { #expect(converted == 0) }
    if value >= 9.3e18 { #expect(converted == .max) }
    if value <= -9.3e18 { #expect(converted == .min) }
    #expect(Int32(saturating: value) == Int32(clamping: converted))
  }
}
