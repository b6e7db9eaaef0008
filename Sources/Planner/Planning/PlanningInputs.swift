import Contracts
import Domain

/// The constraints as the composer reads them: names instead of enums, nil for unknown.
struct PlanningInputs {
  var problemType: String?
  var mode: String?
  var dataClass: String?
  var gpuRequired: Bool?
  var latencyMs: Double?
  var throughputRps: Double?
  var availabilityPct: Double?
  var budgetMaxUSD: Double?
  var stack: Set<String>
  var allowedRegions: [String]
  var retrainCadence: String?

  init(_ c: Mlops_V1_Constraints) {
    problemType = c.hasProblemType ? ProtoNames.name(c.problemType.value, in: ProtoNames.problemType) : nil
    mode = c.hasInferenceMode ? ProtoNames.name(c.inferenceMode.value, in: ProtoNames.inferenceMode) : nil
    dataClass = c.hasDataClass ? ProtoNames.name(c.dataClass.value, in: ProtoNames.dataClass) : nil
    gpuRequired = c.hasGpuRequired ? c.gpuRequired.value : nil
    latencyMs = c.hasLatencyP95Ms && c.latencyP95Ms.value > 0 ? c.latencyP95Ms.value : nil
    throughputRps = c.hasThroughputRps && c.throughputRps.value > 0 ? c.throughputRps.value : nil
    availabilityPct = c.hasAvailabilityTargetPct && c.availabilityTargetPct.value > 0 ? c.availabilityTargetPct.value : nil
    budgetMaxUSD = c.hasMonthlyBudget && c.monthlyBudget.maxUsd > 0 ? c.monthlyBudget.maxUsd : nil
    stack = Set(c.stackPreferences.values.map { $0.lowercased() })
    allowedRegions = c.allowedRegions.values
    retrainCadence = c.hasRetrainCadence ? "\(c.retrainCadence.value)" : nil
  }

  var isSensitive: Bool { ["pii", "phi", "pci", "confidential"].contains(dataClass ?? "") }
  var waitsPerRequest: Bool { mode == "online" || mode == "streaming" }

  /// The most expensive cost tier the budget comfortably pays for.
  var affordableTier: Int? {
    guard let budget = budgetMaxUSD else { return nil }
    switch budget {
    case ..<1_500: return 1
    case ..<6_000: return 2
    case ..<20_000: return 3
    case ..<50_000: return 4
    default: return 5
    }
  }
}
