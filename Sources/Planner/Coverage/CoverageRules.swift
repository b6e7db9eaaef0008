import Contracts

/// What the planner needs to know, how much each field weighs, and when it is required.
struct FieldRule: Sendable {
  var field: String
  var weight: Double
  /// How much the answer can change the plan (ranks the questions).
  var impact: Double
  var isRequired: @Sendable (Mlops_V1_Constraints) -> Bool
  /// Where the field's value came from and how sure we are of it; nil when it is not set.
  var provenance: @Sendable (Mlops_V1_Constraints) -> Mlops_V1_Provenance?
}

enum CoverageRules {
  static let all: [FieldRule] = [
    FieldRule(field: "problem_type", weight: 0.20, impact: 1.0, isRequired: { _ in true }) {
      $0.hasProblemType ? $0.problemType.provenance : nil
    },
    FieldRule(field: "inference_mode", weight: 0.15, impact: 0.9, isRequired: { _ in true }) {
      $0.hasInferenceMode ? $0.inferenceMode.provenance : nil
    },
    FieldRule(field: "data_class", weight: 0.15, impact: 0.85, isRequired: { _ in true }) {
      $0.hasDataClass ? $0.dataClass.provenance : nil
    },
    FieldRule(field: "monthly_budget", weight: 0.15, impact: 0.8, isRequired: { _ in true }) {
      $0.hasMonthlyBudget ? $0.monthlyBudget.provenance : nil
    },
    // A latency target matters only where someone waits for each prediction.
    FieldRule(
      field: "latency_p95_ms", weight: 0.10, impact: 0.75,
      isRequired: { $0.inferenceMode.value == .online || $0.inferenceMode.value == .streaming }
    ) {
      $0.hasLatencyP95Ms ? $0.latencyP95Ms.provenance : nil
    },
    FieldRule(field: "allowed_regions", weight: 0.10, impact: 0.6, isRequired: { _ in true }) {
      $0.hasAllowedRegions ? $0.allowedRegions.provenance : nil
    },
    FieldRule(field: "throughput_rps", weight: 0.05, impact: 0.5, isRequired: { _ in false }) {
      $0.hasThroughputRps ? $0.throughputRps.provenance : nil
    },
    FieldRule(field: "availability_target_pct", weight: 0.05, impact: 0.4, isRequired: { _ in false }) {
      $0.hasAvailabilityTargetPct ? $0.availabilityTargetPct.provenance : nil
    },
    FieldRule(field: "retrain_cadence", weight: 0.03, impact: 0.3, isRequired: { _ in false }) {
      $0.hasRetrainCadence ? $0.retrainCadence.provenance : nil
    },
    FieldRule(field: "data_volume_gb", weight: 0.03, impact: 0.3, isRequired: { _ in false }) {
      $0.hasDataVolumeGb ? $0.dataVolumeGb.provenance : nil
    },
    FieldRule(field: "gpu_required", weight: 0.02, impact: 0.3, isRequired: { _ in false }) {
      $0.hasGpuRequired ? $0.gpuRequired.provenance : nil
    },
    FieldRule(field: "compliance", weight: 0.02, impact: 0.3, isRequired: { _ in false }) {
      $0.hasCompliance ? $0.compliance.provenance : nil
    },
  ]
}
