import Contracts
import Critics
import Planner
import Testing

/// Each finding, triggered by the smallest plan and constraints that should raise it, and
/// not raised by the same plan without the trigger.
@Suite struct TechnicalCriticTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var finding: String
    var plan: Mlops_V1_Plan
    var constraints: Mlops_V1_Constraints
    var severity: Mlops_V1_Severity
    var testDescription: String { finding }
  }

  static func component(_ id: String, _ option: String, _ settings: [String: String] = [:]) -> Mlops_V1_Component {
    .with {
      $0.id = id
      $0.option = option
      $0.region = "eu-west-1"
      $0.settings = ["min_capacity": "2", "multi_az": "true", "private_networking": "true", "encryption": "kms"]
        .merging(settings) { _, new in new }
    }
  }

  static func plan(_ components: [Mlops_V1_Component], p95: Double = 30) -> Mlops_V1_Plan {
    .with {
      $0.components = components
      $0.estimatedP95Ms = p95
      $0.estimatedAvailabilityPct = 99.9
      $0.primaryRegion = "eu-west-1"
    }
  }

  static func online(_ change: (inout Mlops_V1_Constraints) -> Void = { _ in }) -> Mlops_V1_Constraints {
    var constraints = Mlops_V1_Constraints()
    constraints.inferenceMode.value = .online
    change(&constraints)
    return constraints
  }

  static let cases: [Case] = [
    Case(finding: "plan.empty", plan: plan([]), constraints: online(), severity: .critical),
    Case(
      finding: "latency.slo", plan: plan([component("serve", "ecs_fargate_service")], p95: 120),
      constraints: online { $0.latencyP95Ms.value = 100 }, severity: .critical),
    Case(
      finding: "latency.margin", plan: plan([component("serve", "ecs_fargate_service")], p95: 90),
      constraints: online { $0.latencyP95Ms.value = 100 }, severity: .warning),
    Case(
      finding: "throughput.capacity", plan: plan([component("serve", "sagemaker_serverless")]),
      constraints: online { $0.throughputRps.value = 500 }, severity: .critical),
    Case(
      finding: "throughput.headroom", plan: plan([component("serve", "ecs_fargate_service")]),
      constraints: online { $0.throughputRps.value = 75_000 }, severity: .warning),
    Case(
      finding: "availability.single_instance", plan: plan([component("serve", "ecs_fargate_service", ["min_capacity": "1"])]),
      constraints: online { $0.availabilityTargetPct.value = 99.9 }, severity: .critical),
    Case(
      finding: "availability.single_az", plan: plan([component("serve", "ecs_fargate_service", ["multi_az": "false"])]),
      constraints: online { $0.availabilityTargetPct.value = 99.9 }, severity: .warning),
    Case(
      finding: "availability.single_region", plan: plan([component("serve", "ecs_fargate_service")]),
      constraints: online { $0.availabilityTargetPct.value = 99.99 }, severity: .warning),
    Case(
      finding: "coupling.shared_store",
      plan: plan([
        component("store", "rds_postgres"), component("train", "sagemaker_training_cpu"),
        component("serve", "ecs_fargate_service"),
      ]),
      constraints: online(), severity: .warning),
    Case(
      finding: "coupling.streaming_batch_features",
      plan: plan([component("ingest", "msk_kafka"), component("feature", "s3_offline_features")]),
      constraints: online(), severity: .warning),
    Case(
      finding: "gpu.serve", plan: plan([component("serve", "ecs_fargate_service")]),
      constraints: online { $0.gpuRequired.value = true }, severity: .critical),
    Case(
      finding: "security.public_path.serve", plan: plan([component("serve", "lambda_container")]),
      constraints: online { $0.dataClass.value = .pii }, severity: .warning),
    Case(
      finding: "security.public_path.store", plan: plan([component("store", "s3_data_lake", ["private_networking": "false"])]),
      constraints: online { $0.dataClass.value = .phi }, severity: .critical),
  ]

  @Test(arguments: cases)
  func eachFindingIsRaisedByItsTrigger(_ item: Case) {
    let review = TechnicalCritic().review(plan: item.plan, constraints: item.constraints)
    let finding = review.findings.first { $0.id == item.finding }
    #expect(finding != nil, "\(review.findings.map(\.id))")
    #expect(finding?.severity == item.severity)
    #expect(finding?.recommendation.isEmpty == false)
    #expect(finding?.category != .unspecified)
  }

  @Test func aSoundPlanHasNoFindings() {
    let plan = Self.plan([Self.component("serve", "ecs_fargate_service"), Self.component("store", "s3_data_lake")])
    let review = TechnicalCritic().review(
      plan: plan,
      constraints: Self.online {
        $0.latencyP95Ms.value = 100; $0.throughputRps.value = 100; $0.availabilityTargetPct.value = 99.9
      })
    #expect(review.findings.isEmpty, "\(review.findings.map(\.id))")
    #expect(review.summary == "no findings")
  }
}
