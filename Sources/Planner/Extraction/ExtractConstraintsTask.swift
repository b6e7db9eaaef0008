import Contracts
import Domain
import Foundation
import Providers
import ServiceKit
import SwiftProtobuf

/// Intake extraction as an orchestration task: a model may answer it (checked against the
/// brief), and the deterministic extractor always can.
struct ExtractConstraintsTask: OrchestrationTask {
  let brief: String

  var name: String { "extract_constraints" }
  var input: String { brief }

  var instructions: String {
    """
    You extract the typed constraints of an ML system from a brief. Reply with one JSON object: \
    the proto3 JSON form (snake_case field names) of the message mlops.v1.Constraints. Set only \
    what the brief states; leave everything else out. Every value carries a provenance with \
    kind "SOURCE_KIND_TEXT", the span (start and end in Unicode code points, end exclusive, and \
    the exact text) it came from, and a confidence from 0 to 1. Latency is p95 in ms; \
    throughput in requests per second; the budget band is monthly, with min_usd and max_usd; \
    regions are AWS region codes; when an older figure and a target both appear, the target counts.
    """
  }

  func decode(_ reply: String) throws -> Mlops_V1_Constraints {
    let constraints = try Mlops_V1_Constraints(jsonString: reply, options: ProtoJSON.decoding)
    try ConstraintsCheck.validate(constraints, brief: brief)
    return constraints
  }

  func answerByRules() throws -> Mlops_V1_Constraints {
    IntakeExtractor().extract(brief)
  }
}

/// The semantic checks a model's constraints must pass: figures in range, codes that exist,
/// and spans that quote the brief exactly.
enum ConstraintsCheck {
  struct Violation: Error, CustomStringConvertible {
    var description: String
  }

  static let regionCode = NSRegularExpression.builtIn(#"^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d$"#)

  static func validate(_ c: Mlops_V1_Constraints, brief: String) throws {
    let scalars = Array(brief.unicodeScalars)
    func check(_ field: String, _ provenance: Mlops_V1_Provenance) throws {
      guard (0...1).contains(provenance.confidence) else {
        throw Violation(description: "\(field).provenance.confidence must be within 0 and 1")
      }
      guard provenance.kind == .text else { return }
      let span = provenance.span
      guard span.start >= 0, span.start < span.end, Int(span.end) <= scalars.count else {
        throw Violation(description: "\(field).provenance.span \(span.start)..<\(span.end) is outside the brief")
      }
      let quoted = String(String.UnicodeScalarView(scalars[Int(span.start)..<Int(span.end)]))
      guard quoted == span.text else {
        throw Violation(
          description:
            "\(field).provenance.span.text \(span.text.debugDescription) is not what the brief says there (\(quoted.debugDescription))"
        )
      }
    }
    if c.hasProblemType {
      guard c.problemType.value != .unspecified else { throw Violation(description: "problem_type.value is unspecified") }
      try check("problem_type", c.problemType.provenance)
    }
    if c.hasInferenceMode {
      guard c.inferenceMode.value != .unspecified else { throw Violation(description: "inference_mode.value is unspecified") }
      try check("inference_mode", c.inferenceMode.provenance)
    }
    if c.hasLatencyP95Ms {
      guard c.latencyP95Ms.value > 0, c.latencyP95Ms.value <= 600_000 else {
        throw Violation(description: "latency_p95_ms.value must be above 0 and at most 600000 ms")
      }
      try check("latency_p95_ms", c.latencyP95Ms.provenance)
    }
    if c.hasThroughputRps {
      guard c.throughputRps.value > 0 else { throw Violation(description: "throughput_rps.value must be above 0") }
      try check("throughput_rps", c.throughputRps.provenance)
    }
    if c.hasMonthlyBudget {
      let band = c.monthlyBudget
      guard band.min >= 0, band.max >= 0, band.max == 0 || band.min <= band.max else {
        throw Violation(description: "monthly_budget needs 0 <= min <= max (max 0 for no ceiling)")
      }
      guard band.currency.count == 3, band.currency == band.currency.uppercased() else {
        throw Violation(description: "monthly_budget.currency must be an ISO 4217 code such as USD")
      }
      try check("monthly_budget", band.provenance)
    }
    if c.hasAllowedRegions {
      for region in c.allowedRegions.values
      where regionCode.firstMatch(in: region, range: NSRange(location: 0, length: region.utf16.count)) == nil {
        throw Violation(description: "allowed_regions holds \(region.debugDescription), which is not an AWS region code")
      }
      try check("allowed_regions", c.allowedRegions.provenance)
    }
    if c.hasDataClass {
      guard c.dataClass.value != .unspecified else { throw Violation(description: "data_class.value is unspecified") }
      try check("data_class", c.dataClass.provenance)
    }
    if c.hasAvailabilityTargetPct {
      guard c.availabilityTargetPct.value > 0, c.availabilityTargetPct.value < 100 else {
        throw Violation(description: "availability_target_pct.value must be above 0 and below 100")
      }
      try check("availability_target_pct", c.availabilityTargetPct.provenance)
    }
    if c.hasDataVolumeGb { try check("data_volume_gb", c.dataVolumeGb.provenance) }
    if c.hasDataRows { try check("data_rows", c.dataRows.provenance) }
    if c.hasRetrainCadence { try check("retrain_cadence", c.retrainCadence.provenance) }
    if c.hasGpuRequired { try check("gpu_required", c.gpuRequired.provenance) }
    if c.hasCompliance { try check("compliance", c.compliance.provenance) }
    if c.hasStackPreferences { try check("stack_preferences", c.stackPreferences.provenance) }
  }
}
