import Contracts
import Domain
import Foundation
import ServiceKit

/// The values the templates see, built from the blueprint and the request. Keys are the
/// templates' own names; values are strings, numbers, booleans, lists and nested objects.
enum TemplateContext {
  static func make(_ blueprint: Blueprint, request: Mlops_V1_GenerateRequest, generator: String) -> [String: Any] {
    let b = blueprint
    let logRetentionDays = b.sensitiveData ? 365 : 90
    let multiAZ = request.plan.components.first { $0.id == "store" }?.settings["multi_az"] == "true" || b.sensitiveData
    var context: [String: Any] = [
      "generator": generator,
      "project_name_text": b.projectName,
      "slug": b.slug,
      "deploy_environment": b.deployEnvironment,
      "version": b.version,
      "problem": b.problem.replacingOccurrences(of: "_", with: " "),
      "inference_mode": b.inferenceMode,
      "payload": b.payload.rawValue,
      "tabular": b.payload == .tabular, "text": b.payload == .text, "image": b.payload == .image,
      "pred_label": b.prediction == .label, "pred_value": b.prediction == .value,
      "pred_series": b.prediction == .series, "pred_anomaly": b.prediction == .anomaly,
      "pred_ranking": b.prediction == .ranking, "pred_text": b.prediction == .text,
      "logistic_python": b.prediction == .label || b.prediction == .anomaly ? "True" : "False",
      "latency_budget_ms": FigureText.format(b.latencyP95Milliseconds ?? 1000),
      "has_latency": b.latencyP95Milliseconds != nil,
      "latency_text": b.latencyP95Milliseconds.map { "\(FigureText.format($0)) ms" } ?? "not stated",
      "throughput_text": b.throughputRPS.map { "\(FigureText.format($0)) requests/s" } ?? "not stated",
      "data_class": b.dataClass,
      "primary_region": b.primaryRegion,
      "allowed_regions_text": b.allowedRegions.joined(separator: ", "),
      "allowed_regions_hcl": hclList(b.allowedRegions),
      // A region outside the plan, for the Terraform test that expects it to be refused.
      "disallowed_region": ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"].first { !b.allowedRegions.contains($0) }
        ?? "cn-north-1",
      "retrain_cadence": b.retrainCadence.replacingOccurrences(of: "_", with: " "),
      "serve_ecs": b.serving == .ecs, "serve_sagemaker": b.serving == .sagemaker,
      "serve_serverless": b.serving == .sagemakerServerless, "serve_batch": b.serving == .batchTransform,
      "serve_lambda": b.serving == .lambda,
      "serve_any_sagemaker": [.sagemaker, .sagemakerServerless, .batchTransform].contains(b.serving),
      "sagemaker_routes": [.sagemaker, .sagemakerServerless, .batchTransform].contains(b.serving),
      "has_serving": b.serving != .none,
      "serving_in_vpc": b.network
        && (b.serving == .ecs || (b.privateNetworking && b.serving != .sagemakerServerless && b.serving != .none)),
      "serving_display": display(request.plan, id: "serve") ?? "no serving component",
      "serving_display_text": display(request.plan, id: "serve") ?? "none",
      "serving_instances": b.capacity.instances,
      "serving_max_instances": b.capacity.maximum,
      // Concurrent invocations at the priced 100 ms each, with room for twice the load.
      "reserved_concurrency": max(
        10, Int(saturating: ((b.throughputRPS ?? ServingCapacity.assumedRequestsPerSecond) * 0.2).rounded(.up))),
      "instance_type": instanceType(b.servingOption),
      "multi_az": multiAZ ? "true" : "false",
      "single_az_database": !multiAZ,
      "has_database": b.database != .none, "db_postgres": b.database == .postgres, "db_dynamodb": b.database == .dynamodb,
      "kms": b.customerManagedKey,
      "kms_key_arn": b.customerManagedKey ? "module.kms.key_arn" : "null",
      "network": b.network,
      "private_networking": b.privateNetworking,
      "log_retention_days": logRetentionDays,
      "log_retention_short": logRetentionDays < 365,
      "iam_services_hcl": hclList(iamServices(b)),
      "bucket_arns_hcl": "[" + b.buckets.map { "module.bucket_\(identifier($0.componentID)).arn" }.joined(separator: ", ") + "]",
      "buckets": b.buckets.map { bucket -> [String: Any] in
        [
          "id": bucket.componentID, "id_underscore": identifier(bucket.componentID),
          "purpose_text": bucket.purpose, "retention_days": bucket.retentionDays,
        ]
      },
      "train_display": display(request.plan, id: "train") ?? "run locally",
      "feature_display": display(request.plan, id: "feature") ?? "inline features (no feature store)",
      "observe_display": display(request.plan, id: "observe") ?? "CloudWatch",
      "feature_store": b.featureOption == "sagemaker_feature_store",
      "feature_redis": b.featureOption == "elasticache_redis",
      "feature_offline": b.featureOption == "s3_offline_features",
      "plan_summary": request.plan.summary.isEmpty ? "An ML system on AWS." : request.plan.summary + ".",
      "review_notes": b.reviewNotes,
      "has_review_notes": !b.reviewNotes.isEmpty,
    ]
    context.merge(trainingIO(b), uniquingKeysWith: { _, new in new })
    context.merge(examples(b), uniquingKeysWith: { _, new in new })
    context.merge(architecture(b, plan: request.plan, review: request.technicalReview), uniquingKeysWith: { _, new in new })
    context.merge(DecisionRecords.context(request.reasonCards), uniquingKeysWith: { _, new in new })
    context.merge(costAndPolicy(request), uniquingKeysWith: { _, new in new })
    return context
  }

  // MARK: Parts

  static func trainingIO(_ b: Blueprint) -> [String: Any] {
    if b.trainOption.hasPrefix("sagemaker_training") {
      return [
        "train_io": "SageMaker Training's SM_CHANNEL_TRAIN and SM_MODEL_DIR",
        "train_input_default": #"Path(os.environ.get("SM_CHANNEL_TRAIN", ".")) / "train.csv""#,
        "train_output_default": #"Path(os.environ.get("SM_MODEL_DIR", "model"))"#,
      ]
    }
    return [
      "train_io": "TRAINING_INPUT and MODEL_OUTPUT in the task's environment",
      "train_input_default": #"Path(os.environ.get("TRAINING_INPUT", "train.csv"))"#,
      "train_output_default": #"Path(os.environ.get("MODEL_OUTPUT", "model"))"#,
    ]
  }

  /// A request the generated tests send (one key a line, so ruff format keeps it as it is),
  /// and CSV rows the training tests learn from: the first four are positives.
  static func examples(_ b: Blueprint) -> [String: Any] {
    var fields: [String]
    let header: String
    let rows: [String]
    let recordWithoutTarget: String
    switch b.payload {
    case .tabular:
      fields = [#""features": {"amount": 42.0, "age_days": 3.0}"#]
      header = "amount,age_days,target"
      rows = ["0.9,0.1", "0.8,0.2", "0.9,0.3", "0.7,0.1", "0.1,0.9", "0.2,0.8", "0.1,0.7", "0.2,0.9"]
      recordWithoutTarget = #"{"amount": "1"}"#
    case .text:
      fields = [#""text": "the parcel arrived late and damaged""#]
      header = "text,target"
      rows = [
        "great service", "great great", "fine and great", "great", "awful service", "awful awful", "slow and awful", "awful",
      ]
      recordWithoutTarget = #"{"text": "hello"}"#
    case .image:
      fields = [#""image_base64": "////AAAA""#]
      header = "image_base64,target"
      rows = ["////", "/////w==", "//8=", "/w==", "AAAA", "AAAAAA==", "AAA=", "AA=="]
      recordWithoutTarget = #"{"image_base64": "AAAA"}"#
    }
    if b.prediction == .series { fields.append(#""horizon": 3"#) }
    if b.prediction == .ranking { fields.append(#""candidates": ["item-b", "item-a"]"#) }
    let labelled = rows.enumerated().map { index, row in "\(row),\(index < 4 ? 1 : 0)" }
    return [
      "example_request": "{\n" + fields.map { "    \($0),\n" }.joined() + "}",
      "training_rows": ([header] + labelled).joined(separator: "\n"),
      "record_without_target": recordWithoutTarget,
    ]
  }

  static func architecture(_ b: Blueprint, plan: Mlops_V1_Plan, review: Mlops_V1_TechnicalReview) -> [String: Any] {
    let components = plan.components.map { component -> [String: Any] in
      [
        "id": component.id, "capability": capabilityName(component.capability), "option": component.option,
        "display_name": component.displayName, "region": component.region,
        "mermaid_label": mermaidLabel(component.displayName),
        "terraform": terraformHome(component, blueprint: b),
      ]
    }
    let order = ["ingest", "transform", "store", "feature", "train", "serve"]
    let present = order.filter { id in plan.components.contains { $0.id == id } }
    var edges = zip(present, present.dropFirst()).map { "\($0) --> \($1)" }
    for watcher in ["observe", "govern"] where plan.components.contains(where: { $0.id == watcher }) {
      if present.contains("serve") { edges.append("\(watcher) -.- serve") }
    }
    let findings = review.findings.map { finding -> [String: Any] in
      ["severity": ProtoNames.severity(finding.severity), "message": finding.message, "recommendation": finding.recommendation]
    }
    return [
      "components": components, "mermaid_edges": edges, "findings": findings, "has_findings": !findings.isEmpty,
      "estimated_p95": plan.estimatedP95Ms > 0 ? "\(FigureText.format(plan.estimatedP95Ms)) ms" : "",
      "estimated_availability": plan.estimatedAvailabilityPct > 0
        ? String(format: "%.2f%%", plan.estimatedAvailabilityPct) : "",
    ]
  }

  static func costAndPolicy(_ request: Mlops_V1_GenerateRequest) -> [String: Any] {
    let cost = request.cost
    let lines = cost.breakdown.map { line -> [String: Any] in
      [
        "component": line.component, "item": line.item, "quantity": FigureText.format(line.quantity),
        "unit": line.unit, "unit_price": String(format: "%.4f", line.unitPriceUsd),
        "monthly": String(format: "%.2f", line.monthlyUsd), "assumption": line.assumption,
      ]
    }
    var delta = ""
    if cost.delta.hasPrevious_p {
      delta = String(
        format: "%@ $%.2f against $%.2f per month before.", cost.delta.deltaUsd >= 0 ? "Up" : "Down",
        abs(cost.delta.deltaUsd), cost.delta.previousMonthlyUsd)
    }
    let results = request.policy.results.map { result -> [String: Any] in
      [
        "rule_id": result.ruleID, "outcome": ProtoNames.outcome(result.outcome),
        "message": result.message, "remedy": result.remedy,
      ]
    }
    return [
      "cost_monthly": String(format: "$%.2f", cost.monthlyUsd), "cost_method": cost.method.isEmpty ? "bom_v1" : cost.method,
      "cost_catalog": cost.priceCatalogVersion.isEmpty ? "unknown" : cost.priceCatalogVersion,
      "cost_lines": lines, "cost_assumptions": cost.assumptions, "has_cost_assumptions": !cost.assumptions.isEmpty,
      "cost_delta": delta,
      "policy_overall": ProtoNames.outcome(request.policy.overall),
      "policy_summary": request.policy.summary, "policy_results": results,
    ]
  }

  // MARK: Helpers

  static func iamServices(_ b: Blueprint) -> [String] {
    var services: Set<String> = []
    switch b.serving {
    case .ecs: services.insert("ecs-tasks.amazonaws.com")
    case .sagemaker, .sagemakerServerless, .batchTransform: services.insert("sagemaker.amazonaws.com")
    case .lambda: services.insert("lambda.amazonaws.com")
    case .none: break
    }
    if b.trainOption.hasPrefix("sagemaker_training") { services.insert("sagemaker.amazonaws.com") }
    if b.trainOption == "fargate_training_task" { services.insert("ecs-tasks.amazonaws.com") }
    if services.isEmpty { services.insert("ecs-tasks.amazonaws.com") }
    return services.sorted()
  }

  static func terraformHome(_ component: Mlops_V1_Component, blueprint: Blueprint) -> String {
    switch component.option {
    case "s3_landing", "s3_data_lake", "s3_offline_features": "modules/storage (bucket_\(identifier(component.id)))"
    case "rds_postgres", "dynamodb": "modules/database"
    case "ecs_fargate_service", "sagemaker_realtime_endpoint", "sagemaker_gpu_endpoint", "sagemaker_serverless",
      "sagemaker_batch_transform", "lambda_container":
      "modules/serving"
    case "cloudwatch_basic": "modules/observe"
    case "iam_kms_cloudtrail": blueprint.customerManagedKey ? "modules/iam, modules/kms" : "modules/iam"
    default: "not generated: provision by hand (see docs/runbook.md)"
    }
  }

  static func instanceType(_ option: String) -> String {
    switch option {
    case "sagemaker_gpu_endpoint": "ml.g5.xlarge"
    case "sagemaker_batch_transform": "ml.m5.xlarge"
    default: "ml.c6i.large"
    }
  }

  static func display(_ plan: Mlops_V1_Plan, id: String) -> String? {
    plan.components.first { $0.id == id }.map(\.displayName)
  }

  static func capabilityName(_ capability: Mlops_V1_Capability) -> String {
    switch capability {
    case .ingest: "ingest"
    case .transform: "transform"
    case .store: "store"
    case .feature: "feature"
    case .train: "train"
    case .serve: "serve"
    case .observe: "observe"
    case .govern: "govern"
    default: "other"
    }
  }

  /// A name HCL and Python accept as an identifier: ASCII letters, digits and `_`.
  static func identifier(_ text: String) -> String {
    String(
      text.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) ? Character($0) : "_" })
  }

  /// A Mermaid node label inside `["..."]`: letters, digits, spaces and plain punctuation
  /// only, since Mermaid has no escape that every renderer reads.
  static func mermaidLabel(_ text: String) -> String {
    let kept = text.unicodeScalars.map { scalar -> Character in
      scalar.properties.isAlphabetic || scalar.properties.numericType != nil || " ,./()+:".unicodeScalars.contains(scalar)
        ? Character(scalar) : " "
    }
    return String(String(kept).prefix(80))
  }

  /// An HCL list of strings, each encoded as an HCL string body.
  static func hclList(_ values: [String]) -> String {
    "[" + values.map { "\"\(LanguageEncoder.quotedString($0, dollarBraces: true))\"" }.joined(separator: ", ") + "]"
  }
}
