import Contracts
import Domain

/// What a rule checks. Each kind says which parameters it takes and evaluates one rule.
public enum RuleKind: String, CaseIterable, Sendable {
  case latencySLO = "latency_slo"
  case regions
  case budgetBand = "budget_band"
  case availability
  case dataClassControl = "data_class_control"
  case technicalFindings = "technical_findings"
  case costCoverage = "cost_coverage"

  /// The problem with a rule's parameters, or nil when they are usable.
  func validate(_ parameters: RuleParameters) -> String? {
    switch self {
    case .latencySLO, .budgetBand:
      if parameters.has("warn_from_pct") {
        guard let value = parameters.number("warn_from_pct"), value > 0, value <= 100 else {
          return "\"warn_from_pct\" must be a number above 0 and at most 100"
        }
      }
    case .dataClassControl:
      guard let control = parameters.text("control"), DataControl(rawValue: control) != nil else {
        return "\"control\" must be one of \(DataControl.allCases.map(\.rawValue).joined(separator: ", "))"
      }
      guard let classes = parameters.list("classes"), !classes.isEmpty,
        classes.allSatisfy({ ProtoNames.dataClass[$0] != nil })
      else {
        return "\"classes\" must list data classes (public, internal, confidential, pii, phi, pci)"
      }
    case .regions, .availability, .technicalFindings, .costCoverage:
      break
    }
    return nil
  }

  enum DataControl: String, CaseIterable {
    case encryptionKMS = "encryption_kms"
    case privateNetworking = "private_networking"
    case noPublicBuckets = "no_public_buckets"
    case auditLogging = "audit_logging"
    case retention
    /// Every chosen option is one the catalog offers for the data class.
    case suitableOptions = "suitable_options"
  }
}

/// What the rules read: the request, with the catalog to look options up.
struct PolicyInputs {
  var plan: Mlops_V1_Plan
  var constraints: Mlops_V1_Constraints
  var cost: Mlops_V1_CostEstimate?
  var review: Mlops_V1_TechnicalReview?
  var catalog: CapabilityCatalog

  var dataClass: String? {
    constraints.hasDataClass ? ProtoNames.name(constraints.dataClass.value, in: ProtoNames.dataClass) : nil
  }

  func option(of component: Mlops_V1_Component) -> CapabilityCatalog.Option? { catalog.option(component.option) }
}

/// One rule's verdict before it is stamped with the rule's id, description and severity.
struct Verdict {
  var outcome: Mlops_V1_RuleOutcome
  var message: String
  var evidence: [String] = []
  var remedy: String = ""

  static func notApplicable(_ why: String) -> Verdict { Verdict(outcome: .notApplicable, message: why) }
}
