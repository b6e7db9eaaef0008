import Contracts
import Foundation
import Testing

@testable import Codegen

/// A data-protection control the plan promises but the generated Terraform lacks fails the
/// policy result; present, the result names the resources that implement it.
@Suite struct PolicyEvidenceTests {
  /// The files with the resource blocks of `type` (in any module) taken out.
  static func removing(_ type: String, from files: [Mlops_V1_GeneratedFile]) -> [Mlops_V1_GeneratedFile] {
    files.map { file in
      guard file.path.hasSuffix(".tf") else { return file }
      var kept: [Substring] = []
      var skipping = false
      for line in String(decoding: file.content, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("resource \"\(type)\"") { skipping = true }
        if !skipping { kept.append(line) }
        if skipping, line == "}" { skipping = false }
      }
      var changed = file
      changed.content = Data(kept.joined(separator: "\n").utf8)
      return changed
    }
  }

  static func outcome(_ rule: String, _ report: Mlops_V1_PolicyReport) -> Mlops_V1_RuleOutcome? {
    report.results.first { $0.ruleID == rule }?.outcome
  }

  @Test func aControlTheCodeLacksFailsWhateverThePlanSaid() async throws {
    let request = try await CodegenFixtures.request("recs-phi")
    let files = try RepositoryGenerator().generate(request).files
    for rule in ["data.encryption_kms", "data.private_networking", "data.no_public_buckets", "data.audit_logging"] {
      #expect(Self.outcome(rule, request.policy) == .pass, "\(rule) passes on the plan")
    }
    let sound = PolicyEvidence.verify(request.policy, inventory: TerraformInventory(files: files))
    #expect(sound.report.overall == request.policy.overall)
    #expect(sound.resources["data.audit_logging"] == ["module.audit.aws_cloudtrail.this"])
    #expect(sound.resources["data.encryption_kms"]?.contains("module.kms.aws_kms_key.this") == true)

    for (type, rule) in [
      ("aws_cloudtrail", "data.audit_logging"), ("aws_kms_key", "data.encryption_kms"),
      ("aws_s3_bucket_public_access_block", "data.no_public_buckets"),
      ("aws_s3_bucket_lifecycle_configuration", "data.retention"), ("aws_vpc", "data.private_networking"),
    ] {
      let verified = PolicyEvidence.verify(request.policy, inventory: TerraformInventory(files: Self.removing(type, from: files)))
      #expect(Self.outcome(rule, verified.report) == .fail, "without \(type), \(rule) fails")
      #expect(verified.report.overall == .fail)
      let message = verified.report.results.first { $0.ruleID == rule }?.message ?? ""
      #expect(message.hasPrefix("the generated Terraform lacks it"), "\(message)")
    }
  }

  /// A public entry point in front of sensitive data is caught in the code too.
  @Test func aPublicAPIInTheCodeFailsPrivateNetworking() async throws {
    let request = try await CodegenFixtures.request("recs-phi")
    var files = try RepositoryGenerator().generate(request).files
    let index = try #require(files.firstIndex { $0.path == "infra/terraform/modules/serving/main.tf" })
    files[index].content.append(Data("\nresource \"aws_internet_gateway\" \"planted\" {\n  vpc_id = var.vpc_id\n}\n".utf8))
    let verified = PolicyEvidence.verify(request.policy, inventory: TerraformInventory(files: files))
    #expect(Self.outcome("data.private_networking", verified.report) == .fail)
  }
}
