import Contracts

/// The enums' names as the API, the questions, the rule packs and the reports spell them
/// (lower case, no prefix).
public enum ProtoNames {
  public static let problemType: [String: Mlops_V1_ProblemType] = [
    "classification": .classification, "regression": .regression, "forecasting": .forecasting,
    "recommendation": .recommendation, "ranking": .ranking, "nlp": .nlp, "computer_vision": .computerVision,
    "anomaly_detection": .anomalyDetection, "generative": .generative,
  ]
  public static let inferenceMode: [String: Mlops_V1_InferenceMode] = [
    "online": .online, "batch": .batch, "streaming": .streaming,
  ]
  public static let dataClass: [String: Mlops_V1_DataClass] = [
    "public": .public, "internal": .internal, "confidential": .confidential, "pii": .pii, "phi": .phi, "pci": .pci,
  ]
  public static let capability: [String: Mlops_V1_Capability] = [
    "ingest": .ingest, "transform": .transform, "store": .store, "feature": .feature, "train": .train,
    "serve": .serve, "observe": .observe, "govern": .govern,
  ]
  public static let severity: [String: Mlops_V1_Severity] = ["info": .info, "warning": .warning, "critical": .critical]

  public static func name<T: Equatable>(_ value: T, in table: [String: T]) -> String {
    table.first { $0.value == value }?.key ?? "unknown"
  }

  /// A rule outcome as reports and Reason Cards spell it.
  public static func outcome(_ outcome: Mlops_V1_RuleOutcome) -> String {
    switch outcome {
    case .pass: "pass"
    case .warn: "warn"
    case .fail: "fail"
    case .waived: "waived"
    default: "not_applicable"
    }
  }

  /// A severity as reports spell it; anything unset reads as "info".
  public static func severity(_ severity: Mlops_V1_Severity) -> String {
    switch severity {
    case .critical: "critical"
    case .warning: "warning"
    default: "info"
    }
  }

  /// An approval's status as the decision record spells it.
  public static func approvalStatus(_ status: Mlops_V1_ApprovalStatus) -> String {
    switch status {
    case .approved: "approved"
    case .rejected: "rejected"
    case .pending: "pending"
    default: "not recorded"
    }
  }
}
