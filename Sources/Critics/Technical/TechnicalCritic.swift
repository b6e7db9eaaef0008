import Contracts
import Domain
import Foundation

/// Findings on a plan: each with a severity, a category, the components concerned and a
/// concrete recommendation. Each check is one small function over the plan and constraints.
public struct TechnicalCritic: Sendable {
  let catalog: CapabilityCatalog

  public init(catalog: CapabilityCatalog = .bundled) {
    self.catalog = catalog
  }

  struct Context {
    var plan: Mlops_V1_Plan
    var constraints: Mlops_V1_Constraints
    var catalog: CapabilityCatalog

    func component(_ id: String) -> Mlops_V1_Component? { plan.components.first { $0.id == id } }
    func option(_ id: String) -> CapabilityCatalog.Option? { component(id).flatMap { catalog.option($0.option) } }
    var waitsPerRequest: Bool { constraints.inferenceMode.value == .online || constraints.inferenceMode.value == .streaming }
    var availabilityTarget: Double? {
      constraints.hasAvailabilityTargetPct && constraints.availabilityTargetPct.value > 0
        ? constraints.availabilityTargetPct.value : nil
    }
    var isSensitive: Bool { [.pii, .phi, .pci].contains(constraints.dataClass.value) }
  }

  typealias Check = @Sendable (Context) -> [Mlops_V1_Finding]

  static let checks: [Check] = [
    emptyPlan, latency, throughput, singleInstance, singleRegion, sharedStore, streamingIntoBatchFeatures, gpu, publicPath,
  ]

  public func review(plan: Mlops_V1_Plan, constraints: Mlops_V1_Constraints) -> Mlops_V1_TechnicalReview {
    let context = Context(plan: plan, constraints: constraints, catalog: catalog)
    var review = Mlops_V1_TechnicalReview()
    review.findings = Self.checks.flatMap { $0(context) }
    let critical = review.findings.filter { $0.severity == .critical }.count
    let warnings = review.findings.filter { $0.severity == .warning }.count
    review.summary =
      review.findings.isEmpty
      ? "no findings"
      : "\(review.findings.count) finding\(review.findings.count == 1 ? "" : "s"): \(critical) critical, \(warnings) warning\(warnings == 1 ? "" : "s")"
    return review
  }

  static func finding(
    _ id: String, _ severity: Mlops_V1_Severity, _ category: Mlops_V1_FindingCategory, _ components: [String],
    _ message: String, _ recommendation: String
  ) -> Mlops_V1_Finding {
    .with {
      $0.id = id
      $0.severity = severity
      $0.category = category
      $0.components = components
      $0.message = message
      $0.recommendation = recommendation
    }
  }

  static let emptyPlan: Check = { context in
    guard context.plan.components.isEmpty else { return [] }
    return [
      finding(
        "plan.empty", .critical, .feasibility, [], "the plan has no components to review",
        "compose the plan again; check the planner's Reason Card for capabilities no option fits")
    ]
  }

  static let latency: Check = { context in
    guard context.waitsPerRequest, context.constraints.hasLatencyP95Ms, context.plan.estimatedP95Ms > 0 else { return [] }
    let target = context.constraints.latencyP95Ms.value
    let estimate = context.plan.estimatedP95Ms
    let path = ["serve", "feature"].filter { context.component($0) != nil }
    if estimate > target {
      return [
        finding(
          "latency.slo", .critical, .feasibility, path,
          "the serving path's estimated p95 of \(FigureText.format(estimate)) ms exceeds the \(FigureText.format(target)) ms target",
          "choose a serving option with a lower latency class, keep the model warm, or relax the target")
      ]
    }
    if estimate > 0.8 * target {
      return [
        finding(
          "latency.margin", .warning, .feasibility, path,
          "the estimated p95 of \(FigureText.format(estimate)) ms leaves under 20% headroom under \(FigureText.format(target)) ms",
          "load-test the serving path early; provision for the tail, not the median")
      ]
    }
    return []
  }

  static let throughput: Check = { context in
    guard context.constraints.hasThroughputRps, let option = context.option("serve"), option.throughputRps.max > 0 else {
      return []
    }
    let rps = context.constraints.throughputRps.value
    if rps > option.throughputRps.max {
      return [
        finding(
          "throughput.capacity", .critical, .scalability, ["serve"],
          "\(option.id) handles about \(FigureText.format(option.throughputRps.max)) requests/s, below the \(FigureText.format(rps)) needed",
          "use a serving option that scales out further, or shard the traffic")
      ]
    }
    if rps > 0.7 * option.throughputRps.max {
      return [
        finding(
          "throughput.headroom", .warning, .scalability, ["serve"],
          "\(FigureText.format(rps)) requests/s is over 70% of what \(option.id) handles",
          "set autoscaling on request count and test at twice the expected peak")
      ]
    }
    return []
  }

  static let singleInstance: Check = { context in
    guard let target = context.availabilityTarget, target >= 99.9, let serve = context.component("serve") else { return [] }
    var findings: [Mlops_V1_Finding] = []
    if serve.settings["min_capacity"] == "1" {
      findings.append(
        finding(
          "availability.single_instance", .critical, .singlePointOfFailure, ["serve"],
          "one serving instance cannot meet a \(FigureText.format(target))% availability target",
          "run at least two instances across two Availability Zones"))
    } else if serve.settings["multi_az"] == "false" {
      findings.append(
        finding(
          "availability.single_az", .warning, .failureDomain, ["serve"],
          "the serving instances share one Availability Zone", "spread them over at least two Availability Zones"))
    }
    return findings
  }

  static let singleRegion: Check = { context in
    guard let target = context.availabilityTarget, target >= 99.99, !context.plan.components.isEmpty else { return [] }
    return [
      finding(
        "availability.single_region", .warning, .failureDomain, context.plan.components.map(\.id),
        "every component runs in \(context.plan.primaryRegion); a regional outage stops the system, and \(FigureText.format(target))% allows about \(FigureText.format((100 - target) / 100 * 43_800)) minutes of downtime a month",
        "add a warm standby in a second allowed region, or agree a lower target")
    ]
  }

  static let sharedStore: Check = { context in
    guard let store = context.component("store"), store.option == "rds_postgres", context.component("train") != nil,
      context.component("serve") != nil, context.waitsPerRequest
    else { return [] }
    return [
      finding(
        "coupling.shared_store", .warning, .coupling, ["store", "train", "serve"],
        "training reads and online serving share one PostgreSQL database; a training scan slows predictions",
        "train from a snapshot or a read replica, or land training data in S3")
    ]
  }

  static let streamingIntoBatchFeatures: Check = { context in
    guard let ingest = context.option("ingest"), ingest.modes.first == "streaming", let feature = context.option("feature"),
      !feature.modes.contains("streaming") && !feature.modes.contains("online")
    else { return [] }
    return [
      finding(
        "coupling.streaming_batch_features", .warning, .coupling, ["ingest", "feature"],
        "streaming ingest feeds features that are only computed in batch, so fresh events wait for the next batch",
        "use an online feature store, or accept batch-fresh features and ingest in batch too")
    ]
  }

  static let gpu: Check = { context in
    guard context.constraints.hasGpuRequired, context.constraints.gpuRequired.value else { return [] }
    return ["serve", "train"].compactMap { id in
      guard let option = context.option(id), option.gpu == "none" else { return nil }
      return finding(
        "gpu.\(id)", .critical, .feasibility, [id],
        "a GPU is required but \(option.id) runs on CPUs only", "choose a GPU-capable option for \(id)")
    }
  }

  static let publicPath: Check = { context in
    guard context.isSensitive else { return [] }
    return context.plan.components.compactMap { component in
      let option = context.catalog.option(component.option)
      let publicFront = option?.services.contains("API Gateway") == true
      let open = component.settings["private_networking"] == "false"
      guard publicFront || open else { return nil }
      return finding(
        "security.public_path.\(component.id)", publicFront ? .warning : .critical, .security, [component.id],
        publicFront
          ? "\(component.option) puts a public endpoint in front of sensitive data"
          : "\(component.id) handles sensitive data without private networking",
        publicFront
          ? "use a private API (VPC endpoint) with IAM authorisation, or a private ALB"
          : "place \(component.id) in private subnets with VPC endpoints")
    }
  }
}
