import Contracts

/// Which module instances of the root `main.tf` build each plan component, and the ones
/// every plan gets besides (the platform): the one map the architecture document and the
/// cost report's resource lists are read from.
enum ComponentModules {
  /// Module instance names (`module.NAME` in main.tf) for a component.
  static func instances(of componentID: String, option: String, blueprint: Blueprint) -> [String] {
    switch option {
    case "s3_landing", "s3_data_lake": ["bucket_\(TemplateContext.identifier(componentID))"]
    case "s3_offline_features": ["bucket_\(TemplateContext.identifier(componentID))", "features"]
    case "kinesis_streams", "msk_kafka": ["ingest"]
    case "lambda_transform", "glue_etl", "emr_spark", "managed_flink": ["transform"]
    case "rds_postgres", "dynamodb": ["database"]
    case "sagemaker_feature_store", "elasticache_redis": ["features"]
    case "sagemaker_training_cpu", "sagemaker_training_gpu", "fargate_training_task": ["training"]
    case "ecs_fargate_service", "sagemaker_realtime_endpoint", "sagemaker_gpu_endpoint", "sagemaker_serverless",
      "sagemaker_batch_transform", "lambda_container":
      ["serving"]
    case "cloudwatch_basic": ["observe"]
    case "sagemaker_model_monitor", "managed_prometheus_grafana": ["observe", "monitoring"]
    case "iam_kms_cloudtrail": ["iam", "audit"] + (blueprint.customerManagedKey ? ["kms"] : [])
    case "lake_formation_registry": ["iam", "audit", "governance"] + (blueprint.customerManagedKey ? ["kms"] : [])
    default: []
    }
  }

  /// What no component owns: the network, the log archive, the models bucket; named as the
  /// cost estimate's platform lines name them.
  static func platform(_ blueprint: Blueprint) -> [String: [String]] {
    var platform: [String: [String]] = ["logs": ["logs"]]
    if blueprint.network { platform["network"] = ["network"] }
    if blueprint.footprint.separateModelBucket { platform["models"] = ["bucket_models"] }
    return platform
  }

  /// Component id (or platform line name) → its module instances.
  static func all(_ blueprint: Blueprint, plan: Mlops_V1_Plan) -> [String: [String]] {
    var all = platform(blueprint)
    for component in plan.components {
      all[component.id] = instances(of: component.id, option: component.option, blueprint: blueprint)
    }
    return all
  }

  /// Where the architecture document says a component's Terraform is.
  static func home(of componentID: String, option: String, blueprint: Blueprint) -> String {
    let instances = instances(of: componentID, option: option, blueprint: blueprint)
    if instances.isEmpty { return "not generated: provision by hand (see docs/runbook.md)" }
    return instances.map { "module.\($0)" }.joined(separator: ", ")
  }
}
