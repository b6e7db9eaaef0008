import Contracts
import Domain
import Foundation
import ServiceKit

/// The evaluators, one per rule kind.
enum RuleEvaluation {
  static func evaluate(_ rule: RulePack.Rule, _ inputs: PolicyInputs) -> Verdict {
    switch rule.kind {
    case .latencySLO: latency(rule.parameters, inputs)
    case .regions: regions(inputs)
    case .budgetBand: budget(rule.parameters, inputs)
    case .availability: availability(inputs)
    case .dataClassControl: dataControl(rule.parameters, inputs)
    case .technicalFindings: technicalFindings(inputs)
    case .costCoverage: costCoverage(inputs)
    }
  }

  static func latency(_ parameters: RuleParameters, _ inputs: PolicyInputs) -> Verdict {
    let c = inputs.constraints
    guard c.hasLatencyP95Ms, c.latencyP95Ms.value > 0 else { return .notApplicable("no latency target was set") }
    guard c.inferenceMode.value != .batch else { return .notApplicable("batch inference has no per-request latency") }
    guard inputs.plan.estimatedP95Ms > 0 else { return .notApplicable("the plan has no online serving path to estimate") }
    let target = c.latencyP95Ms.value
    let estimate = inputs.plan.estimatedP95Ms
    let warnFrom = (parameters.number("warn_from_pct") ?? 80) / 100
    let evidence = ["estimated p95 \(FigureText.format(estimate)) ms", "target p95 \(FigureText.format(target)) ms"]
    if estimate > target {
      return Verdict(
        outcome: .fail,
        message: "estimated p95 \(FigureText.format(estimate)) ms exceeds the \(FigureText.format(target)) ms target",
        evidence: evidence,
        remedy: "choose a faster serving option or relax the latency target")
    }
    if estimate >= warnFrom * target {
      return Verdict(
        outcome: .warn,
        message:
          "estimated p95 \(FigureText.format(estimate)) ms is within \(Int(saturating: (1 - warnFrom) * 100))% of the target",
        evidence: evidence, remedy: "leave more headroom: a faster serving option or a looser target")
    }
    return Verdict(
      outcome: .pass, message: "estimated p95 \(FigureText.format(estimate)) ms meets \(FigureText.format(target)) ms",
      evidence: evidence)
  }

  static func regions(_ inputs: PolicyInputs) -> Verdict {
    let allowed = Set(inputs.constraints.allowedRegions.values)
    guard !allowed.isEmpty else { return .notApplicable("any region is allowed") }
    let outside = inputs.plan.components.filter { !allowed.contains($0.region) }
    let evidence = inputs.plan.components.map { "\($0.id) in \($0.region)" }
    guard outside.isEmpty else {
      return Verdict(
        outcome: .fail, message: "\(outside.map(\.id).joined(separator: ", ")) run outside the allowed regions",
        evidence: evidence,
        remedy: "move them to one of \(allowed.sorted().joined(separator: ", "))")
    }
    return Verdict(outcome: .pass, message: "every component runs in an allowed region", evidence: evidence)
  }

  static func budget(_ parameters: RuleParameters, _ inputs: PolicyInputs) -> Verdict {
    let band = inputs.constraints.monthlyBudget
    guard inputs.constraints.hasMonthlyBudget, band.maxUsd > 0 else { return .notApplicable("no budget ceiling was set") }
    guard let cost = inputs.cost, cost.method != "" else { return .notApplicable("no cost estimate to compare") }
    let warnFrom = (parameters.number("warn_from_pct") ?? 80) / 100
    let evidence = [
      String(format: "estimate $%.2f a month", cost.monthlyUsd), String(format: "ceiling $%.2f a month", band.maxUsd),
    ]
    let share = Int(saturating: (cost.monthlyUsd / band.maxUsd * 100).rounded())
    if cost.monthlyUsd > band.maxUsd {
      return Verdict(
        outcome: .fail, message: "the estimate is \(share)% of the budget ceiling", evidence: evidence,
        remedy: "raise the budget or choose cheaper options (the cost report lists the largest lines)")
    }
    if cost.monthlyUsd >= warnFrom * band.maxUsd {
      return Verdict(
        outcome: .warn, message: "the estimate is \(share)% of the budget ceiling", evidence: evidence,
        remedy: "keep headroom: usage above the assumptions would break the budget")
    }
    return Verdict(outcome: .pass, message: "the estimate is \(share)% of the budget ceiling", evidence: evidence)
  }

  static func availability(_ inputs: PolicyInputs) -> Verdict {
    let c = inputs.constraints
    guard c.hasAvailabilityTargetPct, c.availabilityTargetPct.value > 0 else {
      return .notApplicable("no availability target was set")
    }
    guard inputs.plan.estimatedAvailabilityPct > 0 else { return .notApplicable("the plan has no serving path to estimate") }
    let evidence = [
      "design \(FigureText.format(inputs.plan.estimatedAvailabilityPct))%",
      "target \(FigureText.format(c.availabilityTargetPct.value))%",
    ]
    guard inputs.plan.estimatedAvailabilityPct >= c.availabilityTargetPct.value else {
      return Verdict(
        outcome: .fail, message: "the design's estimated availability is below the target", evidence: evidence,
        remedy: "add redundancy on the serving path (more instances, more zones, a second region) or lower the target")
    }
    return Verdict(outcome: .pass, message: "the design's estimated availability meets the target", evidence: evidence)
  }

  static func dataControl(_ parameters: RuleParameters, _ inputs: PolicyInputs) -> Verdict {
    guard let dataClass = inputs.dataClass else { return .notApplicable("the data class is not known") }
    let classes = parameters.list("classes") ?? []
    guard classes.contains(dataClass) else { return .notApplicable("\(dataClass) data does not need this control") }
    guard let control = parameters.text("control").flatMap(RuleKind.DataControl.init(rawValue:)) else {
      return .notApplicable("no control named")
    }
    let components = inputs.plan.components
    func failing(_ predicate: (Mlops_V1_Component) -> Bool) -> [Mlops_V1_Component] { components.filter(predicate) }
    switch control {
    case .encryptionKMS:
      let bad = failing { $0.settings["encryption"] != "kms" }
      return bad.isEmpty
        ? Verdict(outcome: .pass, message: "every component encrypts with KMS keys", evidence: components.map { "\($0.id): kms" })
        : Verdict(
          outcome: .fail, message: "\(bad.map(\.id).joined(separator: ", ")) do not encrypt with KMS keys",
          evidence: bad.map { "\($0.id): \($0.settings["encryption"] ?? "unset")" },
          remedy: "set SSE-KMS with a customer managed key")
    case .privateNetworking:
      let bad = failing {
        $0.settings["private_networking"] != "true" || inputs.option(of: $0)?.services.contains("API Gateway") == true
      }
      return bad.isEmpty
        ? Verdict(
          outcome: .pass, message: "every component stays on private networks", evidence: components.map { "\($0.id): private" })
        : Verdict(
          outcome: .fail, message: "\(bad.map(\.id).joined(separator: ", ")) are reachable from public networks",
          evidence: bad.map { "\($0.id): \($0.option)" }, remedy: "use private subnets, VPC endpoints and a private API")
    case .noPublicBuckets:
      let buckets = components.filter { inputs.option(of: $0)?.services.contains("S3") == true }
      guard !buckets.isEmpty else { return .notApplicable("no component keeps data in S3") }
      let bad = buckets.filter { $0.settings["block_public_access"] != "true" }
      return bad.isEmpty
        ? Verdict(
          outcome: .pass, message: "every bucket blocks public access", evidence: buckets.map { "\($0.id): block public access" })
        : Verdict(
          outcome: .fail, message: "\(bad.map(\.id).joined(separator: ", ")) may be public", evidence: bad.map { "\($0.id)" },
          remedy: "turn on S3 Block Public Access for the account and the buckets")
    case .auditLogging:
      let audited = components.filter { inputs.option(of: $0)?.services.contains("CloudTrail") == true }
      return audited.isEmpty
        ? Verdict(
          outcome: .fail, message: "no component records access to the data",
          remedy: "add CloudTrail data events through the govern capability")
        : Verdict(outcome: .pass, message: "CloudTrail records access", evidence: audited.map { "\($0.id): \($0.option)" })
    case .suitableOptions:
      let unsuitable = components.filter { component in
        inputs.option(of: component).map { !$0.dataClasses.contains(dataClass) } ?? true
      }
      return unsuitable.isEmpty
        ? Verdict(
          outcome: .pass, message: "every chosen option is offered for \(dataClass) data",
          evidence: components.map { "\($0.id): \($0.option)" })
        : Verdict(
          outcome: .fail,
          message: unsuitable.map { component in
            let notes = inputs.option(of: component)?.notes ?? "not in the catalog"
            return
              "\(component.id) (\(component.option)) cannot provide what \(dataClass) data needs: \(notes.isEmpty ? "not offered for it" : notes)"
          }.joined(separator: "; "),
          evidence: unsuitable.map { "\($0.id): \($0.option)" },
          remedy: "choose an option the catalog offers for \(dataClass) data")
    case .retention:
      let stores = components.filter { $0.id == "store" || $0.id == "ingest" }
      guard !stores.isEmpty else { return .notApplicable("no component stores data") }
      let bad = stores.filter { Int($0.settings["retention_days"] ?? "") == nil }
      return bad.isEmpty
        ? Verdict(
          outcome: .pass, message: "every store has a retention period",
          evidence: stores.map { "\($0.id): \($0.settings["retention_days"] ?? "")" })
        : Verdict(
          outcome: .fail, message: "\(bad.map(\.id).joined(separator: ", ")) keep data forever",
          remedy: "set a lifecycle rule with a retention period")
    }
  }

  static func technicalFindings(_ inputs: PolicyInputs) -> Verdict {
    guard let review = inputs.review else { return .notApplicable("no technical review") }
    let critical = review.findings.filter { $0.severity == .critical }
    let warnings = review.findings.filter { $0.severity == .warning }
    if !critical.isEmpty {
      return Verdict(
        outcome: .fail, message: "\(critical.count) critical finding(s)", evidence: critical.map { "\($0.id): \($0.message)" },
        remedy: critical.map(\.recommendation).joined(separator: "; "))
    }
    if !warnings.isEmpty {
      return Verdict(
        outcome: .warn, message: "\(warnings.count) warning(s)", evidence: warnings.map { "\($0.id): \($0.message)" })
    }
    return Verdict(outcome: .pass, message: "no critical finding")
  }

  static func costCoverage(_ inputs: PolicyInputs) -> Verdict {
    guard let cost = inputs.cost, cost.method != "" else { return .notApplicable("no cost estimate") }
    let priced = Set(cost.breakdown.map(\.component))
    let unpriced = inputs.plan.components.map(\.id).filter { !priced.contains($0) }
    guard unpriced.isEmpty else {
      return Verdict(
        outcome: .warn, message: "\(unpriced.joined(separator: ", ")) have no cost line", evidence: cost.assumptions,
        remedy: "add their items to the price catalog")
    }
    return Verdict(outcome: .pass, message: "every component is priced (\(cost.breakdown.count) lines)")
  }
}
