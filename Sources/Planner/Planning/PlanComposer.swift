import Contracts
import Domain
import Foundation

/// Composes a plan from the capability catalog: one option per needed capability, the best
/// scored among those the constraints allow, with every candidate kept with its score and
/// reasons, and the serving path's p95 latency and availability estimated. Same input, same
/// plan, byte for byte.
public struct PlanComposer: Sendable {
  public let catalog: CapabilityCatalog

  public init(catalog: CapabilityCatalog = .bundled) {
    self.catalog = catalog
  }

  public struct Result: Sendable {
    public var plan: Mlops_V1_Plan
    /// What a reviewer should know: defaults taken, targets at risk, capabilities unfilled.
    public var risks: [String]
    /// Needed capabilities no option fits; such a plan goes no further than the person.
    public var unfilled: [Unfilled] = []
  }

  /// A needed capability every option of which the constraints exclude, and the constraint
  /// fields to relax.
  public struct Unfilled: Sendable, Equatable {
    public var capability: String
    public var fields: [String]

    public init(capability: String, fields: [String]) {
      self.capability = capability
      self.fields = fields
    }
  }

  /// `choices` pins a capability to an option (a reviewer's pick among the candidates); a
  /// pinned option the constraints exclude is not taken, and the plan says why.
  public func compose(_ constraints: Mlops_V1_Constraints, choices: [String: String] = [:]) -> Result {
    let inputs = PlanningInputs(constraints)
    var risks: [String] = []
    let region = primaryRegion(inputs, risks: &risks)
    let scorer = OptionScorer(inputs: inputs, region: region)
    var plan = Mlops_V1_Plan()
    plan.catalogVersion = catalog.version
    plan.catalogSha256 = catalog.sha256
    plan.primaryRegion = region
    var chosen: [String: CapabilityCatalog.Option] = [:]
    var unfilled: [Unfilled] = []

    for entry in catalog.capabilities {
      var decision = Mlops_V1_CapabilityDecision()
      decision.capability = ProtoNames.capability[entry.capability] ?? .unspecified
      if let problem = inputs.problemType, let reason = entry.notNeededFor[problem] {
        decision.needed = false
        decision.notNeededReason = reason
        plan.decisions.append(decision)
        continue
      }
      decision.needed = true
      let scored = entry.options.map { option in (option, scorer.verdict(option, capability: entry.capability)) }
      let allowed = scored.filter { !$0.1.excluded }
      let pinned = choices[entry.capability].flatMap { id in allowed.first { $0.0.id == id } }
      if let id = choices[entry.capability], pinned == nil {
        risks.append("\(id) was chosen for \(entry.capability), but the constraints exclude it or the catalog has no such option")
      }
      let best =
        pinned
        ?? allowed.max { left, right in
          // Higher score; then cheaper; then the id, so ties always break the same way.
          if left.1.score != right.1.score { return left.1.score < right.1.score }
          if left.0.costTier != right.0.costTier { return left.0.costTier > right.0.costTier }
          return left.0.id > right.0.id
        }
      decision.candidates = scored.map { option, verdict in
        .with {
          $0.option = option.id
          $0.score = verdict.score
          $0.reasons = verdict.excluded ? verdict.reasons.map { Mlops_V1_Candidate.excludedPrefix + $0 } : verdict.reasons
          $0.chosen = option.id == best?.0.id
        }
      }
      if let best {
        decision.chosenOption = best.0.id
        chosen[entry.capability] = best.0
        plan.components.append(component(entry.capability, best.0, inputs: inputs, region: region))
      } else {
        risks.append("no \(entry.capability) option fits the constraints; see the excluded candidates")
        unfilled.append(Unfilled(capability: entry.capability, fields: Self.toRelax(scored.map(\.1.excludedBy))))
      }
      plan.decisions.append(decision)
    }
    estimate(&plan, chosen: chosen, inputs: inputs, risks: &risks)
    plan.summary = summary(plan, inputs: inputs)
    return Result(plan: plan, risks: risks, unfilled: unfilled)
  }

  /// The constraint to relax, given what excludes each option: the one that alone keeps out
  /// the most options (relaxing it admits them), else the one named against the most.
  static func toRelax(_ exclusions: [Set<String>]) -> [String] {
    let alone = exclusions.filter { $0.count == 1 }
    let pool = alone.isEmpty ? exclusions : alone
    var counts: [String: Int] = [:]
    for fields in pool { for field in fields { counts[field, default: 0] += 1 } }
    let best = counts.min { left, right in left.value != right.value ? left.value > right.value : left.key < right.key }
    return best.map { [$0.key] } ?? []
  }

  private func primaryRegion(_ inputs: PlanningInputs, risks: inout [String]) -> String {
    let allowed = Set(inputs.allowedRegions)
    if allowed.isEmpty {
      risks.append("no region constraint was given; planned in us-east-1")
      return "us-east-1"
    }
    if let preferred = catalog.regionPreference.first(where: allowed.contains) { return preferred }
    return inputs.allowedRegions.sorted()[0]
  }

  private func component(
    _ capability: String, _ option: CapabilityCatalog.Option, inputs: PlanningInputs, region: String
  ) -> Mlops_V1_Component {
    var settings: [String: String] = [
      "encryption": inputs.isSensitive ? "kms" : "sse",
      "private_networking": inputs.isSensitive ? "true" : "false",
    ]
    switch capability {
    case "serve":
      let capacity = (inputs.availabilityPct ?? 99.9) >= 99.9 ? 2 : 1
      settings["min_capacity"] = String(capacity)
      settings["multi_az"] = option.multiAz && capacity >= 2 ? "true" : "false"
      settings["gpu"] = option.gpu == "required" || (inputs.gpuRequired == true && option.gpu == "optional") ? "true" : "false"
      if let perInstance = option.requestsPerInstance { settings["requests_per_instance"] = FigureText.format(perInstance) }
    case "train":
      settings["cadence"] = inputs.retrainCadence ?? "weekly"
    case "store", "ingest":
      // Sensitive data is kept no longer than needed; the rest for two years of history.
      settings["retention_days"] = inputs.isSensitive ? "365" : "730"
    default:
      break
    }
    if option.services.contains("S3") { settings["block_public_access"] = "true" }
    return .with {
      $0.id = capability
      $0.capability = ProtoNames.capability[capability] ?? .unspecified
      $0.option = option.id
      $0.region = region
      $0.settings = settings
      $0.displayName = option.displayName
    }
  }

  /// The serving path: the serving option, plus the online feature lookup when there is
  /// one, plus a few milliseconds of network.
  private func estimate(
    _ plan: inout Mlops_V1_Plan, chosen: [String: CapabilityCatalog.Option], inputs: PlanningInputs, risks: inout [String]
  ) {
    guard let serve = chosen["serve"] else { return }
    var p95 = serve.p95Ms
    var availability = serve.availabilityPct / 100
    if inputs.mode != "batch", let feature = chosen["feature"], feature.p95Ms > 0 {
      p95 += feature.p95Ms
      availability *= feature.availabilityPct / 100
    }
    if p95 > 0 { p95 += 5 }
    plan.estimatedP95Ms = p95
    plan.estimatedAvailabilityPct = (availability * 100_000).rounded() / 1000
    if inputs.waitsPerRequest, let slo = inputs.latencyMs, p95 > slo {
      risks.append(
        "the serving path's estimated p95 \(FigureText.format(p95)) ms exceeds the \(FigureText.format(slo)) ms target")
    }
    if let target = inputs.availabilityPct, plan.estimatedAvailabilityPct < target {
      risks.append(
        "the serving path's estimated availability \(FigureText.format(plan.estimatedAvailabilityPct))% is below the \(FigureText.format(target))% target"
      )
    }
  }

  private func summary(_ plan: Mlops_V1_Plan, inputs: PlanningInputs) -> String {
    let what = [inputs.mode, inputs.problemType?.replacingOccurrences(of: "_", with: " ")].compactMap { $0 }.joined(
      separator: " ")
    let serve = plan.components.first { $0.id == "serve" }?.displayName ?? "no serving option"
    var text = "\(what.isEmpty ? "ML system" : what.prefix(1).uppercased() + what.dropFirst()) in \(plan.primaryRegion): \(serve)"
    text += ", \(plan.components.count) components"
    if plan.estimatedP95Ms > 0, inputs.waitsPerRequest {
      text += "; estimated p95 \(FigureText.format(plan.estimatedP95Ms)) ms"
    }
    if plan.estimatedAvailabilityPct > 0 { text += ", availability \(FigureText.format(plan.estimatedAvailabilityPct))%" }
    return text
  }
}
