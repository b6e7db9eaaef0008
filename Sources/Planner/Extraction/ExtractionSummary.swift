import Contracts
import Domain
import ServiceKit

/// The set fields of some constraints, in words, for Reason Cards.
enum ExtractionSummary {
  struct Field {
    var name: String
    var value: String
    var confidence: Double
    var source: String
  }

  static let fieldCount = 14

  static func fields(_ c: Mlops_V1_Constraints) -> [Field] {
    var fields: [Field] = []
    func add(_ name: String, _ set: Bool, _ value: @autoclosure () -> String, _ provenance: Mlops_V1_Provenance) {
      guard set else { return }
      let source: String =
        switch provenance.kind {
        case .text: "from \"\(provenance.span.text)\""
        case .answer: "answered to \(provenance.questionID)"
        case .override: "explicit override"
        case .reviewComment: "review comment"
        case .default: "documented default"
        default: "unstated source"
        }
      fields.append(Field(name: name, value: value(), confidence: provenance.confidence, source: source))
    }
    add(
      "problem_type", c.hasProblemType, ProtoNames.name(c.problemType.value, in: ProtoNames.problemType), c.problemType.provenance
    )
    add(
      "inference_mode", c.hasInferenceMode, ProtoNames.name(c.inferenceMode.value, in: ProtoNames.inferenceMode),
      c.inferenceMode.provenance)
    add("latency_p95_ms", c.hasLatencyP95Ms, "\(number(c.latencyP95Ms.value)) ms", c.latencyP95Ms.provenance)
    add("throughput_rps", c.hasThroughputRps, "\(number(c.throughputRps.value)) requests/s", c.throughputRps.provenance)
    add(
      "monthly_budget", c.hasMonthlyBudget,
      "\(number(c.monthlyBudget.min))–\(c.monthlyBudget.max == 0 ? "open" : number(c.monthlyBudget.max)) \(c.monthlyBudget.currency)",
      c.monthlyBudget.provenance)
    add(
      "allowed_regions", c.hasAllowedRegions,
      c.allowedRegions.values.isEmpty ? "any" : c.allowedRegions.values.joined(separator: ","), c.allowedRegions.provenance)
    add("data_class", c.hasDataClass, ProtoNames.name(c.dataClass.value, in: ProtoNames.dataClass), c.dataClass.provenance)
    add("compliance", c.hasCompliance, c.compliance.values.map { "\($0)" }.joined(separator: ","), c.compliance.provenance)
    add("data_volume_gb", c.hasDataVolumeGb, "\(number(c.dataVolumeGb.value)) GB", c.dataVolumeGb.provenance)
    add("data_rows", c.hasDataRows, number(c.dataRows.value), c.dataRows.provenance)
    add("retrain_cadence", c.hasRetrainCadence, "\(c.retrainCadence.value)", c.retrainCadence.provenance)
    add(
      "availability_target_pct", c.hasAvailabilityTargetPct, "\(number(c.availabilityTargetPct.value))%",
      c.availabilityTargetPct.provenance)
    add("gpu_required", c.hasGpuRequired, c.gpuRequired.value ? "yes" : "no", c.gpuRequired.provenance)
    add(
      "stack_preferences", c.hasStackPreferences, c.stackPreferences.values.joined(separator: ","), c.stackPreferences.provenance)
    return fields
  }

  static func number(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(saturating: value)) : String(format: "%.3g", value)
  }
}
