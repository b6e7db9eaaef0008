import Contracts
import Domain

/// The data-protection controls policy asked for, looked for in the generated Terraform:
/// each result of a `data.CONTROL` rule gets the addresses of the resources that implement
/// the control, and a control the code lacks turns the result into a fail, whatever the plan
/// claimed.
enum PolicyEvidence {
  struct Finding: Equatable {
    var resources: [String]
    /// What the code lacks; empty when the control is there.
    var missing: [String]
  }

  /// The verified report, and per rule id the addresses behind it.
  static func verify(_ report: Mlops_V1_PolicyReport, inventory: TerraformInventory) -> (
    report: Mlops_V1_PolicyReport, resources: [String: [String]]
  ) {
    var report = report
    var resources: [String: [String]] = [:]
    for index in report.results.indices {
      let result = report.results[index]
      guard result.outcome != .notApplicable, result.ruleID.hasPrefix("data."),
        let finding = check(String(result.ruleID.dropFirst("data.".count)), inventory)
      else { continue }
      resources[result.ruleID] = finding.resources
      // A reviewer waived this rule for the project: the missing control is what they accepted.
      if !finding.missing.isEmpty, result.outcome != .fail, result.outcome != .waived {
        report.results[index].outcome = .fail
        report.results[index].message = "the generated Terraform lacks it: " + finding.missing.joined(separator: "; ")
        report.results[index].remedy = "the generator must build the control; do not deploy this version"
      }
    }
    if report.results.contains(where: { $0.outcome == .fail }) { report.overall = .fail }
    report.summary = PolicySummary.text(report.results.map(\.outcome))
    return (report, resources)
  }

  static func check(_ control: String, _ inventory: TerraformInventory) -> Finding? {
    switch control {
    case "encryption_kms": encryption(inventory)
    case "private_networking": privateNetworking(inventory)
    case "no_public_buckets":
      perBucket(inventory, type: "aws_s3_bucket_public_access_block", what: "blocks public access") { block in
        ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].allSatisfy {
          block.sets($0, to: "true")
        }
      }
    case "retention":
      perBucket(inventory, type: "aws_s3_bucket_lifecycle_configuration", what: "expires objects") {
        $0.body.contains("expiration {")
      }
    case "audit_logging": audit(inventory)
    default: nil
    }
  }

  /// The stores that must be encrypted with the customer-managed key. The log archive is
  /// not among them: S3 access logs and load balancer logs are delivered only to SSE-S3.
  static let encryptedStores: Set<String> = [
    "aws_s3_bucket_server_side_encryption_configuration", "aws_db_instance", "aws_dynamodb_table", "aws_kinesis_stream",
    "aws_msk_cluster", "aws_elasticache_replication_group", "aws_sagemaker_feature_group", "aws_cloudwatch_log_group",
    "aws_sqs_queue", "aws_sagemaker_endpoint_configuration",
  ]

  static func encryption(_ inventory: TerraformInventory) -> Finding {
    let keys = inventory.resources(ofType: "aws_kms_key")
    let keyed = Set(inventory.moduleArguments.filter { $0.value["kms_key_arn"] == "module.kms.key_arn" }.keys)
    let stores = inventory.resources.filter { encryptedStores.contains($0.type) && $0.module != "logs" }
    let unkeyed = stores.filter { !keyed.contains($0.module) || !$0.body.contains("var.kms_key_arn") }
    var missing = unkeyed.map { "\($0.address) is not encrypted with the customer-managed key" }
    if keys.isEmpty { missing.insert("no customer-managed KMS key", at: 0) }
    return Finding(resources: (keys + stores.filter { !unkeyed.contains($0) }).map(\.address), missing: missing)
  }

  static func privateNetworking(_ inventory: TerraformInventory) -> Finding {
    var missing: [String] = []
    let vpc = inventory.resources.filter { ["aws_vpc", "aws_subnet", "aws_vpc_endpoint"].contains($0.type) }
    if !vpc.contains(where: { $0.type == "aws_vpc" }) { missing.append("no VPC") }
    let publicEntries = inventory.resources.filter {
      ["aws_internet_gateway", "aws_nat_gateway", "aws_eip", "aws_apigatewayv2_api", "aws_lambda_function_url"].contains($0.type)
        || ($0.type == "aws_lb" && !$0.sets("internal", to: "true"))
    }
    missing += publicEntries.map { "\($0.address) is reachable from public networks" }
    // What runs the workload must sit in the private subnets.
    let compute = inventory.resources.filter {
      ["aws_ecs_service", "aws_sagemaker_model", "aws_lambda_function"].contains($0.type)
    }
    let outside = compute.filter { resource in
      resource.type == "aws_ecs_service"
        ? !resource.sets("assign_public_ip", to: "false") : !resource.body.contains("vpc_config {")
    }
    missing += outside.map { "\($0.address) runs outside the VPC" }
    let inside =
      compute.filter { !outside.contains($0) }
      + inventory.resources.filter {
        ["aws_msk_cluster", "aws_elasticache_replication_group", "aws_db_instance"].contains($0.type)
      }
    return Finding(resources: (vpc + inside).map(\.address), missing: missing)
  }

  /// Every bucket's module holds a `type` resource that `holds` is true of.
  static func perBucket(
    _ inventory: TerraformInventory, type: String, what: String, holds: (TerraformInventory.Resource) -> Bool
  ) -> Finding {
    var found: [String] = []
    var missing: [String] = []
    for bucket in inventory.resources(ofType: "aws_s3_bucket") {
      let setting = inventory.resources.first { $0.module == bucket.module && $0.type == type && holds($0) }
      if let setting { found.append(setting.address) } else { missing.append("\(bucket.address) never \(what)") }
    }
    if inventory.resources(ofType: "aws_s3_bucket").isEmpty { missing.append("no bucket") }
    return Finding(resources: found, missing: missing)
  }

  static func audit(_ inventory: TerraformInventory) -> Finding {
    let trails = inventory.resources(ofType: "aws_cloudtrail").filter {
      $0.sets("enable_logging", to: "true") && $0.body.contains("\"AWS::S3::Object\"")
    }
    return Finding(
      resources: trails.map(\.address),
      missing: trails.isEmpty ? ["no CloudTrail trail recording the data buckets' object events"] : [])
  }
}

extension TerraformInventory.Resource {
  /// The block sets `key` to `value` on a line of its own (`key = value`, any alignment).
  func sets(_ key: String, to value: String) -> Bool {
    body.split(separator: "\n").contains { line in
      let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      return parts.count == 2 && parts[0] == key && parts[1] == value
    }
  }
}
