import Codegen
import Contracts
import Domain
import Foundation
import Testing

/// What is built is what was approved and priced: the fixture plans together use every
/// catalog option, every option has Terraform, and each plan's cost lines and billable
/// resources match one to one.
@Suite struct InfrastructureCoverageTests {
  static let generator = Result { try RepositoryGenerator() }

  @Test func theFixturePlansUseEveryCatalogOption() async throws {
    var used: Set<String> = []
    for name in CodegenFixtures.briefs.keys {
      used.formUnion(try await CodegenFixtures.request(name).plan.components.map(\.option))
    }
    let catalog = Set(CapabilityCatalog.bundled.capabilities.flatMap { $0.options.map(\.id) })
    #expect(catalog.subtracting(used).isEmpty, "no fixture plan chooses \(catalog.subtracting(used).sorted())")
  }

  @Test(arguments: CodegenFixtures.briefs.keys.sorted())
  func everyCostLineNamesItsResourcesAndEveryBillableResourceIsPriced(name: String) async throws {
    let request = try await CodegenFixtures.request(name)
    let repository = try Self.generator.get().generate(request)
    let report = try #require(repository.files.first { $0.path == "reports/cost.json" })
    let object = try #require(try JSONSerialization.jsonObject(with: report.content) as? [String: Any])
    let lines = try #require(object["breakdown"] as? [[String: Any]])
    #expect(lines.count == request.cost.breakdown.count)
    let declared = Self.declaredAddresses(repository.files)
    var covered: Set<String> = []
    for line in lines {
      let resources = line["resources"] as? [String] ?? []
      let label = "\(name): \(line["component"] ?? "?")/\(line["item"] ?? "?")"
      if (line["quantity"] as? Double ?? 0) > 0 { #expect(!resources.isEmpty, "\(label) is priced but nothing builds it") }
      for address in resources { #expect(declared.contains(address), "\(label) names \(address), which is not declared") }
      covered.formUnion(resources)
    }
    // Read independently of the generator: every resource of a type that bills by the hour,
    // the gigabyte or the request.
    let billable = [
      "aws_s3_bucket", "aws_kms_key", "aws_lb", "aws_ecs_service", "aws_ecs_task_definition", "aws_db_instance",
      "aws_dynamodb_table", "aws_sagemaker_endpoint", "aws_lambda_function", "aws_kinesis_stream", "aws_msk_cluster",
      "aws_glue_job", "aws_emrserverless_application", "aws_kinesisanalyticsv2_application",
      "aws_elasticache_replication_group", "aws_sagemaker_feature_group", "aws_athena_workgroup", "aws_sagemaker_pipeline",
      "aws_sagemaker_monitoring_schedule", "aws_prometheus_workspace", "aws_grafana_workspace", "aws_cloudtrail",
      "aws_cloudwatch_log_group", "aws_cloudwatch_metric_alarm", "aws_flow_log", "aws_apigatewayv2_api",
    ]
    for address in declared where billable.contains(where: { address.contains(".\($0).") || address.hasPrefix("\($0).") }) {
      #expect(covered.contains(address), "\(name): \(address) bills and no cost line prices it")
    }
    for address in declared where address.contains(".aws_vpc_endpoint.interface") {
      #expect(covered.contains(address), "\(name): the interface endpoints bill by the hour and must be priced")
    }
    let costDoc = String(decoding: try #require(repository.files.first { $0.path == "docs/cost.md" }).content, as: UTF8.self)
    #expect(!costDoc.contains("Not in the estimate"), "\(name): docs/cost.md lists unpriced resources")
  }

  /// `module.NAME.TYPE.NAME` for every resource block of every module main.tf instantiates.
  static func declaredAddresses(_ files: [Mlops_V1_GeneratedFile]) -> Set<String> {
    func text(_ path: String) -> String {
      files.first { $0.path == path }.map { String(decoding: $0.content, as: UTF8.self) } ?? ""
    }
    let main = text("infra/terraform/main.tf")
    let modules = try! Regex(#"module "([a-z0-9_]+)" \{\s*\n\s*source\s*=\s*"\./modules/([a-z0-9_]+)""#)
    let resources = try! Regex(#"(?m)^resource "([a-z0-9_]+)" "([a-z0-9_]+)""#)
    var addresses: Set<String> = []
    for match in main.matches(of: modules) {
      let instance = String(match.output[1].substring!)
      let body = text("infra/terraform/modules/\(match.output[2].substring!)/main.tf")
      for resource in body.matches(of: resources) {
        addresses.insert("module.\(instance).\(resource.output[1].substring!).\(resource.output[2].substring!)")
      }
    }
    return addresses
  }
}
