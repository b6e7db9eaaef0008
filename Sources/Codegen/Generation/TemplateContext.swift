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
      "serve_any_sagemaker": b.servesOnSageMaker,
      "sagemaker_routes": b.servesOnSageMaker,
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
      // The HTTP API's steady rate: twice the requests the plan states.
      "api_rate_limit": max(
        10, Int(saturating: ((b.throughputRPS ?? ServingCapacity.assumedRequestsPerSecond) * 2).rounded(.up))),
      "instance_type": instanceType(b.servingOption),
      "access_log_sample_every": b.logSampling.every,
      "access_log_sampled": b.logSampling.every > 1,
      "multi_az": b.footprint.multiAZDatabase ? "true" : "false",
      "single_az_database": !b.footprint.multiAZDatabase,
      "database_storage_gb": b.footprint.databaseStorageGB,
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
    context.merge(components(b, plan: request.plan), uniquingKeysWith: { _, new in new })
    context.merge(ModelContext.make(b), uniquingKeysWith: { _, new in new })
    context.merge(architecture(b, plan: request.plan, review: request.technicalReview), uniquingKeysWith: { _, new in new })
    context.merge(DecisionRecords.context(request.reasonCards), uniquingKeysWith: { _, new in new })
    context.merge(DecisionRecords.inputs(request), uniquingKeysWith: { _, new in new })
    return context
  }

  // MARK: Parts

  /// Which module sections the chosen options turn on, and the counts they are built with.
  static func components(_ b: Blueprint, plan: Mlops_V1_Plan) -> [String: Any] {
    let footprint = b.footprint
    let landing = b.buckets.first { $0.componentID == "ingest" }
    let data = b.buckets.first { $0.componentID == "store" } ?? b.buckets.first { $0.componentID == "models" } ?? b.buckets[0]
    let features = b.buckets.first { $0.componentID == "feature" } ?? data
    func bucket(_ bucket: Blueprint.Bucket) -> String { "module.bucket_\(identifier(bucket.componentID))" }
    let flags: [String: Bool] = [
      "ingest_kinesis": b.ingestOption == "kinesis_streams", "ingest_msk": b.ingestOption == "msk_kafka",
      "transform_lambda": b.transformOption == "lambda_transform", "transform_glue": b.transformOption == "glue_etl",
      "transform_emr": b.transformOption == "emr_spark", "transform_flink": b.transformOption == "managed_flink",
      "train_fargate": b.trainOption == "fargate_training_task", "train_sagemaker": b.trainOption.hasPrefix("sagemaker_training"),
      "observe_monitor": b.observeOption == "sagemaker_model_monitor",
      "observe_amp": b.observeOption == "managed_prometheus_grafana",
      "audit": ["iam_kms_cloudtrail", "lake_formation_registry"].contains(b.governOption),
      "govern_lake_formation": b.governOption == "lake_formation_registry",
    ]
    var context: [String: Any] = flags
    context["has_ingest_module"] = flags["ingest_kinesis"]! || flags["ingest_msk"]!
    context["has_transform"] = !b.transformOption.isEmpty
    context["transform_spark"] = flags["transform_glue"]! || flags["transform_emr"]!
    context["transform_from_landing"] = landing != nil
    context["transform_stream"] = flags["transform_flink"]! || (flags["transform_lambda"]! && landing == nil)
    context["workloads_in_vpc"] = b.network && (flags["train_fargate"]! || flags["transform_lambda"]!)
    context["has_features"] = ["sagemaker_feature_store", "elasticache_redis", "s3_offline_features"].contains(b.featureOption)
    context["has_training"] = flags["train_fargate"]! || flags["train_sagemaker"]!
    context["has_monitoring"] = flags["observe_monitor"]! || flags["observe_amp"]!
    context["needs_execution_role"] = b.serving == .ecs || flags["train_fargate"]!
    context["training_instance_type"] = b.trainOption == "sagemaker_training_gpu" ? "ml.g5.2xlarge" : "ml.m5.2xlarge"
    let schedule = scheduleExpression(b.retrainCadence)
    context["has_schedule"] = schedule != nil
    context["schedule_expression"] = schedule ?? ""
    context["ingest_display"] = display(plan, id: "ingest") ?? "none"
    context["transform_display"] = display(plan, id: "transform") ?? "none"
    context["govern_display"] = display(plan, id: "govern") ?? "none"
    context["ecr_repositories_hcl"] = hclList(
      ["inference"] + (flags["train_fargate"]! || flags["train_sagemaker"]! ? ["training"] : []))
    context["az_count"] = footprint.availabilityZones
    let letters = ["a", "b", "c", "d"].prefix(max(footprint.availabilityZones, 2)).map { $0 }
    context["az_letters_hcl"] = hclList(letters)
    context["az_names_hcl"] = hclList(letters.map { b.primaryRegion + $0 })
    context["interface_endpoints_hcl"] = hclList(footprint.interfaceEndpoints)
    context["has_interface_endpoints"] = !footprint.interfaceEndpoints.isEmpty
    context["msk_brokers"] = footprint.kafkaBrokers
    context["msk_volume_gb"] = footprint.kafkaVolumeGB
    context["cache_nodes"] = footprint.cacheNodes
    context["landing_bucket"] = landing.map { "\(bucket($0)).name" } ?? "\(bucket(data)).name"
    context["data_bucket"] = "\(bucket(data)).name"
    // The registry training writes (TRAINING_INPUT's bucket, models/): SageMaker unpacks it instead.
    context["serving_model_uri_hcl"] =
      b.servesOnSageMaker
      ? "\"/opt/ml/model\"" : "\"s3://${\(bucket(data)).name}/models/\""
    context["data_bucket_arn"] = "\(bucket(data)).arn"
    context["feature_bucket"] = "\(bucket(features)).name"
    context["stream_arn"] =
      flags["ingest_kinesis"]! ? "module.ingest.stream_arn" : flags["ingest_msk"]! ? "module.ingest.cluster_arn" : "null"
    return context
  }

  /// EventBridge Scheduler's expression for a retraining cadence; none when on demand.
  static func scheduleExpression(_ cadence: String) -> String? {
    switch cadence {
    case "hourly": "rate(1 hour)"
    case "daily": "cron(0 3 * * ? *)"
    case "weekly": "cron(0 3 ? * MON *)"
    case "monthly": "cron(0 3 1 * ? *)"
    case "quarterly": "cron(0 3 1 1,4,7,10 ? *)"
    default: nil
    }
  }

  static func architecture(_ b: Blueprint, plan: Mlops_V1_Plan, review: Mlops_V1_TechnicalReview) -> [String: Any] {
    let components = plan.components.map { component -> [String: Any] in
      [
        "id": component.id, "capability": capabilityName(component.capability), "option": component.option,
        "display_name": component.displayName, "region": component.region,
        "mermaid_label": mermaidLabel(component.displayName),
        "terraform": ComponentModules.home(of: component.id, option: component.option, blueprint: b),
        "runbook_note": runbookNote(component.capability),
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

  /// The cost and policy documents' values; `cost` is the estimate with each line's
  /// resources filled in from the generated Terraform.
  static func costAndPolicy(
    cost: Mlops_V1_CostEstimate, policy: Mlops_V1_PolicyReport, resources: [String: [String]]
  ) -> [String: Any] {
    let lines = cost.breakdown.map { line -> [String: Any] in
      [
        "component": line.component, "item": line.item, "quantity": FigureText.format(line.quantity),
        "unit": line.unit, "unit_price": String(format: "%.4f", line.unitPriceUsd),
        "monthly": String(format: "%.2f", line.monthlyUsd), "assumption": line.assumption,
        "resources": line.resources.isEmpty ? "none" : line.resources.joined(separator: ", "),
      ]
    }
    var delta = ""
    if cost.delta.hasPrevious_p {
      delta = String(
        format: "%@ $%.2f against $%.2f per month before.", cost.delta.deltaUsd >= 0 ? "Up" : "Down",
        abs(cost.delta.deltaUsd), cost.delta.previousMonthlyUsd)
    }
    let results = policy.results.map { result -> [String: Any] in
      [
        "rule_id": result.ruleID, "outcome": ProtoNames.outcome(result.outcome),
        "message": result.outcome == .waived ? "\(PolicySummary.waiverText(result)). \(result.message)" : result.message,
        "remedy": result.remedy,
        "resources": (resources[result.ruleID] ?? []).joined(separator: ", "),
      ]
    }
    return [
      "cost_monthly": String(format: "$%.2f", cost.monthlyUsd), "cost_method": cost.method.isEmpty ? "bom_v1" : cost.method,
      "cost_catalog": cost.priceCatalogVersion.isEmpty ? "unknown" : cost.priceCatalogVersion,
      "cost_lines": lines, "cost_assumptions": cost.assumptions, "has_cost_assumptions": !cost.assumptions.isEmpty,
      "cost_delta": delta,
      "policy_overall": ProtoNames.outcome(policy.overall),
      "policy_summary": policy.summary, "policy_results": results,
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
    switch b.transformOption {
    case "lambda_transform": services.insert("lambda.amazonaws.com")
    case "glue_etl": services.insert("glue.amazonaws.com")
    case "emr_spark": services.insert("emr-serverless.amazonaws.com")
    case "managed_flink": services.insert("kinesisanalytics.amazonaws.com")
    default: break
    }
    if b.featureOption == "sagemaker_feature_store" || b.observeOption == "sagemaker_model_monitor" {
      services.insert("sagemaker.amazonaws.com")
    }
    if services.isEmpty { services.insert("ecs-tasks.amazonaws.com") }
    return services.sorted()
  }

  /// What to look at first when a component of this capability misbehaves.
  static func runbookNote(_ capability: Mlops_V1_Capability) -> String {
    switch capability {
    case .ingest: "If records stop arriving, check the producer's errors and the stream's incoming-records metrics."
    case .transform: "A failed run logs to its log group; rerun it after fixing the input, it overwrites its output."
    case .store: "Data is encrypted and versioned; restore an object from a previous version, a database from its backups."
    case .feature: "Features are the raw columns of the schema; a missing one shows as a 422 at the service."
    case .train: "A run that does not beat its baseline writes no model; read its logs for the metrics it printed."
    case .serve: "Not ready means no model or no keys: `/readyz` says which. Scale and latency are in `/metrics`."
    case .observe: "Alarms and logs live here; a silent alarm is checked by reading the log group it counts."
    case .govern: "Access is granted through the IAM role and its policy; changes go through a pull request."
    default: "See its Terraform module."
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
