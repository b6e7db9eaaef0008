import Contracts
import Foundation
import Policy
import Testing

/// Each built-in rule through pass, warn or fail, and not applicable.
@Suite struct PolicyRuleTests {
  static func component(_ id: String, _ option: String, region: String = "eu-west-1", _ settings: [String: String] = [:])
    -> Mlops_V1_Component
  {
    .with {
      $0.id = id
      $0.option = option
      $0.region = region
      $0.settings = ["encryption": "kms", "private_networking": "true", "block_public_access": "true", "retention_days": "365"]
        .merging(settings) { _, new in new }
    }
  }

  static let soundPlan = Mlops_V1_Plan.with {
    $0.components = [
      component("ingest", "s3_landing"), component("store", "s3_data_lake"), component("serve", "ecs_fargate_service"),
      component("govern", "iam_kms_cloudtrail"),
    ]
    $0.estimatedP95Ms = 40
    $0.estimatedAvailabilityPct = 99.95
  }

  static func cost(_ monthly: Double, components: [String] = ["ingest", "store", "serve", "govern"]) -> Mlops_V1_CostEstimate {
    .with {
      $0.method = "bom_v1"
      $0.monthlyUsd = monthly
      $0.breakdown = components.map { id in
        .with {
          $0.component = id; $0.item = "x"; $0.monthlyUsd = monthly / 4
        }
      }
    }
  }

  static func outcome(
    _ rule: String, plan: Mlops_V1_Plan = soundPlan, cost: Mlops_V1_CostEstimate? = cost(1000),
    review: Mlops_V1_TechnicalReview? = .init(), _ change: (inout Mlops_V1_Constraints) -> Void = { _ in }
  ) -> Mlops_V1_RuleOutcome? {
    var constraints = Mlops_V1_Constraints()
    constraints.inferenceMode.value = .online
    change(&constraints)
    let report = PolicyEngine().evaluate(
      .with {
        $0.plan = plan
        $0.constraints = constraints
        if let cost { $0.cost = cost }
        if let review { $0.technicalReview = review }
      })
    return report.results.first { $0.ruleID == rule }?.outcome
  }

  @Test func latency() {
    #expect(Self.outcome("latency.slo") == .notApplicable)
    #expect(Self.outcome("latency.slo") { $0.latencyP95Ms.value = 100 } == .pass)
    #expect(Self.outcome("latency.slo") { $0.latencyP95Ms.value = 45 } == .warn)
    #expect(Self.outcome("latency.slo") { $0.latencyP95Ms.value = 30 } == .fail)
    #expect(
      Self.outcome("latency.slo") {
        $0.latencyP95Ms.value = 30; $0.inferenceMode.value = .batch
      } == .notApplicable)
  }

  @Test func regions() {
    #expect(Self.outcome("regions.allowed") == .notApplicable)
    #expect(Self.outcome("regions.allowed") { $0.allowedRegions.values = ["eu-west-1", "eu-central-1"] } == .pass)
    var elsewhere = Self.soundPlan
    elsewhere.components.append(Self.component("observe", "cloudwatch_basic", region: "us-east-1"))
    #expect(Self.outcome("regions.allowed", plan: elsewhere) { $0.allowedRegions.values = ["eu-west-1"] } == .fail)
  }

  @Test func budgetWarnsFromEightyPercentAndFailsAboveTheCeiling() {
    #expect(Self.outcome("budget.band") == .notApplicable)
    #expect(Self.outcome("budget.band", cost: Self.cost(700)) { $0.monthlyBudget.maxUsd = 1000 } == .pass)
    #expect(Self.outcome("budget.band", cost: Self.cost(800)) { $0.monthlyBudget.maxUsd = 1000 } == .warn)
    #expect(Self.outcome("budget.band", cost: Self.cost(1000)) { $0.monthlyBudget.maxUsd = 1000 } == .warn)
    #expect(Self.outcome("budget.band", cost: Self.cost(1000.01)) { $0.monthlyBudget.maxUsd = 1000 } == .fail)
    #expect(Self.outcome("budget.band", cost: nil) { $0.monthlyBudget.maxUsd = 1000 } == .notApplicable)
  }

  @Test func availability() {
    #expect(Self.outcome("availability.target") == .notApplicable)
    #expect(Self.outcome("availability.target") { $0.availabilityTargetPct.value = 99.9 } == .pass)
    #expect(Self.outcome("availability.target") { $0.availabilityTargetPct.value = 99.99 } == .fail)
  }

  @Test(arguments: [
    ("data.encryption_kms", "encryption", "sse"),
    ("data.private_networking", "private_networking", "false"),
    ("data.no_public_buckets", "block_public_access", "false"),
    ("data.retention", "retention_days", "forever"),
  ])
  func dataClassControls(rule: String, setting: String, badValue: String) {
    #expect(Self.outcome(rule) == .notApplicable, "unknown data class")
    #expect(Self.outcome(rule) { $0.dataClass.value = .public } == .notApplicable)
    #expect(Self.outcome(rule) { $0.dataClass.value = .pii } == .pass)
    var weak = Self.soundPlan
    weak.components[1].settings[setting] = badValue
    #expect(Self.outcome(rule, plan: weak) { $0.dataClass.value = .phi } == .fail)
  }

  @Test func auditLoggingNeedsCloudTrail() {
    var unaudited = Self.soundPlan
    unaudited.components.removeAll { $0.id == "govern" }
    #expect(Self.outcome("data.audit_logging") { $0.dataClass.value = .pci } == .pass)
    #expect(Self.outcome("data.audit_logging", plan: unaudited) { $0.dataClass.value = .pci } == .fail)
  }

  @Test func aPublicAPIFrontIsNotPrivateNetworking() {
    var lambda = Self.soundPlan
    lambda.components[2] = Self.component("serve", "lambda_container")
    #expect(Self.outcome("data.private_networking", plan: lambda) { $0.dataClass.value = .pii } == .fail)
  }

  /// A serverless endpoint has no VPC attachment: claiming private networking in its
  /// settings does not make it suitable for PII.
  @Test func anOptionThatCannotProvideTheDataClassControlsFails() {
    var serverless = Self.soundPlan
    serverless.components[2] = Self.component("serve", "sagemaker_serverless")
    #expect(Self.outcome("data.suitable_options") { $0.dataClass.value = .pii } == .pass)
    #expect(Self.outcome("data.suitable_options", plan: serverless) { $0.dataClass.value = .pii } == .fail)
    #expect(Self.outcome("data.suitable_options", plan: serverless) { $0.dataClass.value = .public } == .notApplicable)
    let report = PolicyEngine().evaluate(
      .with {
        $0.plan = serverless
        $0.constraints.dataClass.value = .pii
      })
    let result = report.results.first { $0.ruleID == "data.suitable_options" }
    #expect(result?.message.contains("no VPC attachment") == true, "\(result?.message ?? "")")
    #expect(report.overall == .fail)
  }

  @Test func technicalFindingsAndCostCoverage() {
    let critical = Mlops_V1_TechnicalReview.with {
      $0.findings = [
        .with {
          $0.id = "x"; $0.severity = .critical
        }
      ]
    }
    let warning = Mlops_V1_TechnicalReview.with {
      $0.findings = [
        .with {
          $0.id = "y"; $0.severity = .warning
        }
      ]
    }
    #expect(Self.outcome("tech.critical_findings") == .pass)
    #expect(Self.outcome("tech.critical_findings", review: warning) == .warn)
    #expect(Self.outcome("tech.critical_findings", review: critical) == .fail)
    #expect(Self.outcome("tech.critical_findings", review: nil) == .notApplicable)
    #expect(Self.outcome("cost.estimated") == .pass)
    #expect(Self.outcome("cost.estimated", cost: Self.cost(100, components: ["serve"])) == .warn)
  }

  @Test func theOverallOutcomeAndTheSummaryLine() {
    var constraints = Mlops_V1_Constraints()
    constraints.inferenceMode.value = .online
    constraints.latencyP95Ms.value = 30
    constraints.monthlyBudget.maxUsd = 1100
    let report = PolicyEngine().evaluate(
      .with {
        $0.plan = Self.soundPlan
        $0.constraints = constraints
        $0.cost = Self.cost(1000)
        $0.technicalReview = .init()
      })
    #expect(report.overall == .fail)
    #expect(report.summary == "12 rules, 2 passed, 1 warning, 1 failure, 8 not applicable")
    #expect(report.packs == ["baseline@2"])
  }
}

@Suite struct CustomPackTests {
  static func folder(_ files: [String: String]) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appending(path: "mlops-policy-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(to: folder.appending(path: name), atomically: true, encoding: .utf8) }
    return folder
  }

  static let strictBudget = #"""
    {"pack": "finance", "version": "3", "rules": [
      {"id": "finance.budget", "description": "Stay under 60% of the ceiling", "severity": "critical", "kind": "budget_band",
       "parameters": {"warn_from_pct": 60}}]}
    """#

  @Test func aCustomPackAppliesBesideTheBuiltInOnes() throws {
    let folder = try Self.folder(["finance.json": Self.strictBudget])
    defer { try? FileManager.default.removeItem(at: folder) }
    let engine = PolicyEngine.withCustomPacks(from: folder)
    #expect(engine.loadErrors.isEmpty)
    #expect(engine.packs.map(\.label) == ["baseline@2", "finance@3"])
    var constraints = Mlops_V1_Constraints()
    constraints.monthlyBudget.maxUsd = 1000
    let report = engine.evaluate(
      .with {
        $0.constraints = constraints
        $0.cost = .with {
          $0.method = "bom_v1"; $0.monthlyUsd = 700
        }
      })
    #expect(report.results.first { $0.ruleID == "finance.budget" }?.outcome == .warn)
    #expect(report.results.first { $0.ruleID == "budget.band" }?.outcome == .pass)
  }

  @Test(arguments: [
    ("not json", "not a rule pack in JSON"),
    (#"{"pack": "p", "rules": [{"id": "a", "severity": "critical", "kind": "telepathy"}]}"#, "rule a: \"kind\" must be one of"),
    (#"{"pack": "p", "rules": [{"id": "a", "severity": "loud", "kind": "regions"}]}"#, "rule a: \"severity\" must be"),
    (
      #"{"pack": "p", "rules": [{"id": "a", "severity": "info", "kind": "regions"}, {"id": "a", "severity": "info", "kind": "regions"}]}"#,
      "rule a: the id is used twice"
    ),
    (
      #"{"pack": "p", "rules": [{"id": "b", "severity": "critical", "kind": "budget_band", "parameters": {"warn_from_pct": 300}}]}"#,
      "rule b: \"warn_from_pct\""
    ),
    (
      #"{"pack": "p", "rules": [{"id": "c", "severity": "critical", "kind": "data_class_control", "parameters": {"control": "magic"}}]}"#,
      "rule c: \"control\" must be"
    ),
    (#"{"rules": []}"#, "\"pack\" (its name) is missing"),
  ])
  func aMalformedPackIsReportedAndTheServiceKeepsTheBuiltInPacks(text: String, message: String) throws {
    let folder = try Self.folder(["broken.json": text, "finance.json": Self.strictBudget])
    defer { try? FileManager.default.removeItem(at: folder) }
    let engine = PolicyEngine.withCustomPacks(from: folder)
    #expect(engine.loadErrors.count == 1)
    let error = try #require(engine.loadErrors.first)
    #expect(error.description.hasPrefix("broken.json"), "\(error)")
    #expect(error.description.contains(message), "\(error)")
    #expect(engine.packs.map(\.label) == ["baseline@2", "finance@3"], "the good packs still apply")
  }

  @Test func aMissingFolderIsAnErrorNotACrash() {
    let engine = PolicyEngine.withCustomPacks(from: URL(fileURLWithPath: "/nonexistent/mlops-policies"))
    #expect(engine.loadErrors.count == 1)
    #expect(engine.packs.map(\.label) == ["baseline@2"])
  }
}
