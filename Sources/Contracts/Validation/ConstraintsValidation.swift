import SwiftProtobuf

/// Checks a `Constraints` message against `InputLimits`: every number finite and in its
/// range, enums known, regions from the list, strings and lists capped. An empty result means
/// the message is safe to plan, price and generate from.
extension Mlops_V1_Constraints {
  public func violations(at path: String = "constraints") -> [InputViolation] {
    ViolationCollector.collect { $0.constraints(self, at: path) }
  }
}

extension ViolationCollector {
  mutating func constraints(_ c: Mlops_V1_Constraints, at path: String) {
    if c.hasProblemType { known("\(path).problem_type", c.problemType.value, c.problemType.provenance) }
    if c.hasInferenceMode { known("\(path).inference_mode", c.inferenceMode.value, c.inferenceMode.provenance) }
    if c.hasLatencyP95Ms { figure("\(path).latency_p95_ms", c.latencyP95Ms, InputLimits.latencyMilliseconds) }
    if c.hasThroughputRps { figure("\(path).throughput_rps", c.throughputRps, InputLimits.throughputRPS) }
    if c.hasDataVolumeGb { figure("\(path).data_volume_gb", c.dataVolumeGb, InputLimits.dataVolumeGB) }
    if c.hasDataRows { figure("\(path).data_rows", c.dataRows, InputLimits.dataRows) }
    if c.hasAvailabilityTargetPct {
      figure("\(path).availability_target_pct", c.availabilityTargetPct, InputLimits.availabilityPercent)
    }
    if c.hasMonthlyBudget {
      let field = "\(path).monthly_budget"
      let band = c.monthlyBudget
      for (name, value) in [("min", band.min), ("max", band.max), ("min_usd", band.minUsd), ("max_usd", band.maxUsd)] {
        number("\(field).\(name)", value, InputLimits.budgetUSD)
      }
      if band.min > band.max { add("\(field).min", "must not be above max (\(band.min) > \(band.max))") }
      if band.minUsd > band.maxUsd { add("\(field).min_usd", "must not be above max_usd (\(band.minUsd) > \(band.maxUsd))") }
      if !band.currency.isEmpty, !(band.currency.count == 3 && band.currency.allSatisfy({ $0.isASCII && $0.isUppercase })) {
        add("\(field).currency", "must be an ISO 4217 code such as \"USD\"")
      }
      provenance(field, band.provenance)
    }
    if c.hasAllowedRegions {
      let field = "\(path).allowed_regions"
      count("\(field).values", c.allowedRegions.values.count, max: InputLimits.regions)
      for (index, code) in c.allowedRegions.values.enumerated() { region("\(field).values[\(index)]", code, allowEmpty: false) }
      provenance(field, c.allowedRegions.provenance)
    }
    if c.hasDataClass { known("\(path).data_class", c.dataClass.value, c.dataClass.provenance) }
    if c.hasCompliance {
      let field = "\(path).compliance"
      count("\(field).values", c.compliance.values.count, max: InputLimits.complianceRegimes)
      for (index, regime) in c.compliance.values.enumerated() where !Mlops_V1_ComplianceRegime.allCases.contains(regime) {
        add("\(field).values[\(index)]", "is not a known regime (\(regime.rawValue))")
      }
      provenance(field, c.compliance.provenance)
    }
    if c.hasRetrainCadence { known("\(path).retrain_cadence", c.retrainCadence.value, c.retrainCadence.provenance) }
    if c.hasGpuRequired { provenance("\(path).gpu_required", c.gpuRequired.provenance) }
    if c.hasStackPreferences {
      let field = "\(path).stack_preferences"
      count("\(field).values", c.stackPreferences.values.count, max: InputLimits.stackPreferences)
      for (index, value) in c.stackPreferences.values.enumerated() {
        text("\(field).values[\(index)]", value, max: InputLimits.stackPreferenceCharacters)
      }
      provenance(field, c.stackPreferences.provenance)
    }
    count("\(path).review_notes", c.reviewNotes.count, max: InputLimits.reviewNotes)
    for (index, note) in c.reviewNotes.enumerated() {
      text("\(path).review_notes[\(index)].value", note.value, max: InputLimits.reviewNoteCharacters)
      provenance("\(path).review_notes[\(index)]", note.provenance)
    }
  }

  private mutating func figure(_ field: String, _ value: Mlops_V1_NumberValue, _ range: InputLimits.NumberRange) {
    number("\(field).value", value.value, range)
    text("\(field).unit", value.unit, max: InputLimits.unitCharacters)
    provenance(field, value.provenance)
  }

  private mutating func known<E: Enum & CaseIterable>(_ field: String, _ value: E, _ source: Mlops_V1_Provenance)
  where E.AllCases.Element == E {
    if !E.allCases.contains(value) { add("\(field).value", "is not a known value (\(value.rawValue))") }
    provenance(field, source)
  }

  private mutating func provenance(_ field: String, _ value: Mlops_V1_Provenance) {
    number("\(field).provenance.confidence", value.confidence, InputLimits.confidence)
    if !Mlops_V1_SourceKind.allCases.contains(value.kind) { add("\(field).provenance.kind", "is not a known source kind") }
    if value.span.start < 0 || value.span.end < value.span.start {
      add("\(field).provenance.span", "must have 0 <= start <= end")
    }
    text("\(field).provenance.span.text", value.span.text, max: InputLimits.briefCharacters)
    text("\(field).provenance.question_id", value.questionID, max: 64)
  }
}
