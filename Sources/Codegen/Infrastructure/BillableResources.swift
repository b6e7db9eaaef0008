/// Which Terraform resources cost money, and which BOM items price them. Every resource
/// type the templates create is named here, either as priced by an item or as free with
/// the reason, so a new resource cannot be generated without deciding which.
enum BillableResources {
  /// BOM item → the resource types (or `TYPE.NAME`, for one resource of a type) it prices.
  static let pricedBy: [String: [String]] = [
    "s3_storage": ["aws_s3_bucket"], "s3_put_requests": ["aws_s3_bucket"],
    "kinesis_on_demand_stream_hours": ["aws_kinesis_stream"], "kinesis_ingest_gb": ["aws_kinesis_stream"],
    "msk_broker_hours": ["aws_msk_cluster"], "msk_storage": ["aws_msk_cluster"],
    "glue_dpu_hours": ["aws_glue_job"],
    "lambda_gb_seconds": ["aws_lambda_function"], "lambda_requests": ["aws_lambda_function"],
    "flink_kpu_hours": ["aws_kinesisanalyticsv2_application"],
    "emr_vcpu_hours": ["aws_emrserverless_application"], "emr_memory_gb_hours": ["aws_emrserverless_application"],
    "kms_keys": ["aws_kms_key"],
    "rds_instance_hours": ["aws_db_instance"], "rds_gp3_storage": ["aws_db_instance"],
    "dynamodb_storage": ["aws_dynamodb_table"], "dynamodb_read_units": ["aws_dynamodb_table"],
    "feature_store_write_units": ["aws_sagemaker_feature_group"],
    "feature_store_read_units": ["aws_sagemaker_feature_group"],
    "feature_store_storage": ["aws_sagemaker_feature_group"],
    "elasticache_node_hours": ["aws_elasticache_replication_group"],
    "athena_scanned_tb": ["aws_athena_workgroup"],
    "sagemaker_training_m5_2xlarge_hours": ["aws_sagemaker_pipeline"],
    "sagemaker_training_g5_2xlarge_hours": ["aws_sagemaker_pipeline"],
    "fargate_vcpu_hours": ["aws_ecs_service", "aws_ecs_task_definition"],
    "fargate_memory_gb_hours": ["aws_ecs_service", "aws_ecs_task_definition"],
    "alb_hours": ["aws_lb"], "alb_lcu_hours": ["aws_lb"],
    "sagemaker_endpoint_c6i_large_hours": ["aws_sagemaker_endpoint"],
    "sagemaker_endpoint_g5_xlarge_hours": ["aws_sagemaker_endpoint"],
    "sagemaker_serverless_gb_seconds": ["aws_sagemaker_endpoint"],
    "api_gateway_requests": ["aws_apigatewayv2_api"],
    // Batch Transform jobs the pipeline starts run this model; the jobs are not Terraform.
    "sagemaker_batch_m5_xlarge_hours": ["aws_sagemaker_model"],
    "data_transfer_out": ["aws_sagemaker_endpoint", "aws_apigatewayv2_api"],
    "cloudwatch_logs_ingest": ["aws_cloudwatch_log_group"],
    "cloudwatch_alarms": ["aws_cloudwatch_metric_alarm"],
    "sagemaker_monitor_m5_large_hours": ["aws_sagemaker_monitoring_schedule"],
    "amp_samples_ingested": ["aws_prometheus_workspace"],
    "grafana_editor_seats": ["aws_grafana_workspace"],
    "cloudtrail_data_events": ["aws_cloudtrail"],
    "vpc_interface_endpoint_hours": ["aws_vpc_endpoint.interface"],
    "vpc_flow_logs_ingest": ["aws_flow_log", "aws_cloudwatch_log_group"],
  ]

  /// Items whose line covers every matching resource no other line claims (one line prices
  /// all log ingestion, wherever the log group is declared).
  static let shared: Set<String> = ["cloudwatch_logs_ingest"]

  /// Billable resources: each must be behind some line of the estimate.
  static let billable: Set<String> = Set(pricedBy.values.joined()).subtracting(["aws_sagemaker_model"])

  /// Resource types that cost nothing themselves, and why.
  static let free: [String: String] = [
    "aws_iam_role": "IAM is free", "aws_iam_role_policy": "IAM is free",
    "aws_iam_role_policy_attachment": "IAM is free",
    "aws_vpc": "a VPC without NAT gateways is free", "aws_subnet": "subnets are free",
    "aws_route_table": "route tables are free", "aws_route_table_association": "route tables are free",
    "aws_default_security_group": "security groups are free", "aws_security_group": "security groups are free",
    "aws_vpc_security_group_ingress_rule": "security groups are free",
    "aws_vpc_security_group_egress_rule": "security groups are free",
    "aws_vpc_endpoint.s3": "gateway endpoints are free",
    "aws_kms_alias": "aliases are free (the key is priced)",
    "aws_s3_bucket_public_access_block": "bucket settings are free", "aws_s3_bucket_versioning": "bucket settings are free",
    "aws_s3_bucket_server_side_encryption_configuration": "bucket settings are free",
    "aws_s3_bucket_lifecycle_configuration": "bucket settings are free", "aws_s3_bucket_logging": "bucket settings are free",
    "aws_s3_bucket_notification": "bucket settings are free", "aws_s3_bucket_policy": "bucket settings are free",
    "aws_s3_bucket_ownership_controls": "bucket settings are free",
    "aws_s3_object": "code objects of a few KB, inside a priced bucket",
    "aws_sns_topic": "the first million publishes a month are free", "aws_sns_topic_policy": "topic policies are free",
    "aws_cloudwatch_log_metric_filter": "metric filters are free (the alarm is priced)",
    "aws_cloudwatch_log_stream": "log streams are free (ingestion is priced)",
    "aws_cloudwatch_event_rule": "events from AWS services to EventBridge are free",
    "aws_cloudwatch_event_target": "events from AWS services to EventBridge are free",
    "aws_lambda_permission": "permissions are free", "aws_lambda_event_source_mapping": "polling is free",
    "aws_sqs_queue": "a dead-letter queue stays within the free million requests a month",
    "aws_scheduler_schedule": "the first 14 million scheduled invocations a month are free",
    "aws_db_subnet_group": "free", "aws_db_parameter_group": "free",
    "aws_elasticache_subnet_group": "free", "aws_elasticache_user": "free", "aws_elasticache_user_group": "free",
    "aws_ecs_cluster": "ECS clusters are free (Fargate tasks are priced)",
    "aws_lb_target_group": "priced with the load balancer", "aws_lb_listener": "priced with the load balancer",
    "aws_appautoscaling_target": "autoscaling is free", "aws_appautoscaling_policy": "autoscaling is free",
    "aws_sagemaker_model": "a model definition is free (what runs it is priced)",
    "aws_sagemaker_endpoint_configuration": "priced with the endpoint",
    "aws_sagemaker_data_quality_job_definition": "priced with the monitoring schedule that runs it",
    "aws_sagemaker_model_package_group": "the model registry is free",
    "aws_glue_security_configuration": "free", "aws_glue_trigger": "free (the job runs are priced)",
    "aws_glue_catalog_database": "the first million catalog objects are free",
    "aws_lakeformation_resource": "Lake Formation permissions are free",
    "aws_lakeformation_permissions": "Lake Formation permissions are free",
    "aws_apigatewayv2_integration": "priced with the API", "aws_apigatewayv2_route": "priced with the API",
    "aws_apigatewayv2_stage": "priced with the API",
  ]

  static func key(_ resource: TerraformInventory.Resource, in keys: some Collection<String>) -> String? {
    let named = "\(resource.type).\(resource.name)"
    return keys.contains(named) ? named : keys.contains(resource.type) ? resource.type : nil
  }

  static func isBillable(_ resource: TerraformInventory.Resource) -> Bool {
    if free["\(resource.type).\(resource.name)"] != nil { return false }
    return key(resource, in: billable) != nil
  }
}
