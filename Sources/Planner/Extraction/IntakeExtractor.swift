import Contracts
import Foundation

/// The deterministic intake: free text into typed constraints, each value with the span it
/// came from and a confidence. A field the brief does not state stays unset.
public struct IntakeExtractor: Sendable {
  public init() {}

  public func extract(_ text: String) -> Mlops_V1_Constraints {
    let brief = BriefText(text)
    var constraints = Mlops_V1_Constraints()
    if let value = CategoryExtraction.problemType(brief) { constraints.problemType = value }
    if let value = QuantityExtraction.latency(brief) { constraints.latencyP95Ms = value }
    if let value = CategoryExtraction.inferenceMode(brief) {
      constraints.inferenceMode = value
    } else if constraints.hasLatencyP95Ms {
      // A per-request latency target means someone waits for each answer: online, said less directly.
      constraints.inferenceMode = .with {
        $0.value = .online
        $0.provenance = constraints.latencyP95Ms.provenance
        $0.provenance.confidence = 0.6
      }
    }
    if let value = QuantityExtraction.throughput(brief) { constraints.throughputRps = value }
    if let value = BudgetExtraction.band(brief) { constraints.monthlyBudget = value }
    if let value = RegionExtraction.regions(brief) { constraints.allowedRegions = value }
    if let value = CategoryExtraction.dataClass(brief) { constraints.dataClass = value }
    if let value = CategoryExtraction.compliance(brief) { constraints.compliance = value }
    if let value = QuantityExtraction.dataVolume(brief) { constraints.dataVolumeGb = value }
    if let value = QuantityExtraction.rows(brief) { constraints.dataRows = value }
    if let value = CategoryExtraction.retrainCadence(brief) { constraints.retrainCadence = value }
    if let value = QuantityExtraction.availability(brief) { constraints.availabilityTargetPct = value }
    if let value = CategoryExtraction.gpuRequired(brief) { constraints.gpuRequired = value }
    if let value = CategoryExtraction.stackPreferences(brief) { constraints.stackPreferences = value }
    return constraints
  }

  /// Explicit overrides win over what was extracted, marked as overrides.
  public static func applying(_ overrides: Mlops_V1_Constraints, to extracted: Mlops_V1_Constraints) -> Mlops_V1_Constraints {
    var result = extracted
    let marked = Mlops_V1_Provenance.with {
      $0.kind = .override
      $0.confidence = 1
    }
    func mark(_ provenance: Mlops_V1_Provenance) -> Mlops_V1_Provenance {
      provenance.kind == .unspecified ? marked : provenance
    }
    if overrides.hasProblemType {
      result.problemType = overrides.problemType; result.problemType.provenance = mark(overrides.problemType.provenance)
    }
    if overrides.hasInferenceMode {
      result.inferenceMode = overrides.inferenceMode; result.inferenceMode.provenance = mark(overrides.inferenceMode.provenance)
    }
    if overrides.hasLatencyP95Ms {
      result.latencyP95Ms = overrides.latencyP95Ms; result.latencyP95Ms.provenance = mark(overrides.latencyP95Ms.provenance)
    }
    if overrides.hasThroughputRps {
      result.throughputRps = overrides.throughputRps; result.throughputRps.provenance = mark(overrides.throughputRps.provenance)
    }
    if overrides.hasMonthlyBudget {
      result.monthlyBudget = BudgetBands.normalised(overrides.monthlyBudget);
      result.monthlyBudget.provenance = mark(overrides.monthlyBudget.provenance)
    }
    if overrides.hasAllowedRegions {
      result.allowedRegions = overrides.allowedRegions;
      result.allowedRegions.provenance = mark(overrides.allowedRegions.provenance)
    }
    if overrides.hasDataClass {
      result.dataClass = overrides.dataClass; result.dataClass.provenance = mark(overrides.dataClass.provenance)
    }
    if overrides.hasCompliance {
      result.compliance = overrides.compliance; result.compliance.provenance = mark(overrides.compliance.provenance)
    }
    if overrides.hasDataVolumeGb {
      result.dataVolumeGb = overrides.dataVolumeGb; result.dataVolumeGb.provenance = mark(overrides.dataVolumeGb.provenance)
    }
    if overrides.hasDataRows {
      result.dataRows = overrides.dataRows; result.dataRows.provenance = mark(overrides.dataRows.provenance)
    }
    if overrides.hasRetrainCadence {
      result.retrainCadence = overrides.retrainCadence;
      result.retrainCadence.provenance = mark(overrides.retrainCadence.provenance)
    }
    if overrides.hasAvailabilityTargetPct {
      result.availabilityTargetPct = overrides.availabilityTargetPct;
      result.availabilityTargetPct.provenance = mark(overrides.availabilityTargetPct.provenance)
    }
    if overrides.hasGpuRequired {
      result.gpuRequired = overrides.gpuRequired; result.gpuRequired.provenance = mark(overrides.gpuRequired.provenance)
    }
    if overrides.hasStackPreferences {
      result.stackPreferences = overrides.stackPreferences;
      result.stackPreferences.provenance = mark(overrides.stackPreferences.provenance)
    }
    result.reviewNotes = overrides.reviewNotes
    return result
  }
}

/// Budget bands given in another currency get their USD figures from the fixed rates.
enum BudgetBands {
  static func normalised(_ band: Mlops_V1_BudgetBand) -> Mlops_V1_BudgetBand {
    var band = band
    if band.currency.isEmpty { band.currency = "USD" }
    let rate = BudgetExtraction.usdRates[band.currency.uppercased()] ?? 1
    if band.minUsd == 0 { band.minUsd = (band.min * rate * 100).rounded() / 100 }
    if band.maxUsd == 0 { band.maxUsd = (band.max * rate * 100).rounded() / 100 }
    return band
  }
}
