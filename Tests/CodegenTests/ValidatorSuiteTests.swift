import Codegen
import Contracts
import Foundation
import Testing

/// The generated repositories against the real tools, and the validators against broken input.
@Suite(.serialized) struct ValidatorSuiteTests {
  static var configuration: ValidatorSuite.Configuration {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let environment = ProcessInfo.processInfo.environment
    return ValidatorSuite.Configuration(
      toolDirectories: [root.appending(path: ".venv/bin").path],
      terraformPluginDirectory: environment["TF_PLUGIN_DIR"],
      cacheDirectory: FileManager.default.temporaryDirectory.appending(path: "mlops-validator-test-cache"))
  }

  static func summary(_ report: Mlops_V1_ValidationReport) -> String {
    report.results.map { result in
      "\(result.tool): \(result.outcome) \(result.skipReason) "
        + result.findings.prefix(3).map { "\($0.path):\($0.line) [\($0.rule)] \($0.message)" }.joined(separator: " | ")
    }.joined(separator: "\n")
  }

  @Test(arguments: CodegenFixtures.briefs.keys.sorted())
  func everyGeneratedRepositoryPassesEveryValidator(name: String) async throws {
    let repository = try RepositoryGenerator().generate(try await CodegenFixtures.request(name))
    let report = try await ValidatorSuite(configuration: Self.configuration).validate(repository.files)
    #expect(report.passed, "\(name):\n\(Self.summary(report))")
    #expect(Set(report.results.map(\.tool)) == Set(ValidatorSuite.Validator.allCases.map(\.rawValue)))
    let skipped = report.results.filter { $0.outcome == .skipped }
    // A tool missing here is a missing test dependency: scripts/bootstrap installs them all.
    // Terraform init/validate may only be skipped for want of a provider mirror, and say so.
    for result in skipped {
      #expect(
        result.tool.hasPrefix("terraform") && Self.configuration.terraformPluginDirectory == nil,
        "\(name): \(result.tool) skipped: \(result.skipReason)")
    }
    for result in report.results where result.outcome == .pass {
      #expect(!result.version.isEmpty, "\(result.tool) reports its version")
    }
    // Every check the Terraform turns off for itself is listed, on a real file, with its reason.
    let checkov = try #require(report.results.first { $0.tool == ValidatorSuite.Validator.checkov.rawValue })
    // docs/policy.md lists the same skips, read from the same files, one row per file and check.
    let policy = String(decoding: try #require(repository.files.first { $0.path == "docs/policy.md" }).content, as: UTF8.self)
    let listed = Set(
      policy.split(separator: "\n").filter { $0.hasPrefix("| CKV") }.map { row in
        row.split(separator: "|").prefix(2).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
      })
    #expect(listed == Set(checkov.suppressed.map { "\($0.rule) \($0.path)" }), "\(name): docs/policy.md and checkov agree")
    for skip in checkov.suppressed {
      #expect(skip.rule.hasPrefix("CKV"), "\(name): \(skip)")
      #expect(repository.files.contains { $0.path == skip.path }, "\(name): \(skip.path) is a file of the bundle")
      #expect(skip.message.split(separator: ":").last.map { $0.count > 20 } == true, "\(name): \(skip.rule) says why")
    }
  }

  @Test func brokenCodeFailsItsValidatorsWithFindings() async throws {
    var files = try RepositoryGenerator().generate(try await CodegenFixtures.request("churn-postgres")).files
    let index = try #require(files.firstIndex { $0.path == "services/inference/app/model_store.py" })
    files[index].content.append(Data("\n\ndef untyped(x):\n    return x+undefined_name\n".utf8))
    let tf = try #require(files.firstIndex { $0.path == "infra/terraform/main.tf" })
    files[tf].content.append(Data("\nresource \"aws_s3_bucket\" \"broken\" {\n  no_such_argument = true\n}\n".utf8))
    // An SSH port open to the world, and a workflow step on an action that is not pinned.
    files[tf].content.append(
      Data(
        """

        resource "aws_security_group" "open" {
          description = "planted"

          ingress {
            description = "planted"
            from_port   = 22
            to_port     = 22
            protocol    = "tcp"
            cidr_blocks = ["0.0.0.0/0"]
          }
        }

        """.utf8))
    let ci = try #require(files.firstIndex { $0.path == ".github/workflows/ci.yml" })
    let pinned = "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0"
    files[ci].content = Data(
      String(decoding: files[ci].content, as: UTF8.self).replacingOccurrences(of: pinned, with: "actions/checkout@v4").utf8)
    let report = try await ValidatorSuite(configuration: Self.configuration).validate(files)
    #expect(!report.passed)
    func result(_ tool: ValidatorSuite.Validator) -> Mlops_V1_ValidatorResult? {
      report.results.first { $0.tool == tool.rawValue }
    }
    let checkov = try #require(result(.checkov))
    #expect(checkov.outcome == .fail)
    #expect(checkov.findings.contains { $0.path == "infra/terraform/main.tf" && $0.rule == "CKV_AWS_24" && $0.line > 0 })
    #expect(result(.zizmor)?.findings.contains { $0.path == ".github/workflows/ci.yml" && $0.rule == "unpinned-uses" } == true)
    #expect(result(.actionlint)?.findings.contains { $0.path == ".github/workflows/ci.yml" && $0.line > 0 } == true)
    let ruff = try #require(result(.ruffCheck))
    #expect(ruff.outcome == .fail)
    #expect(ruff.findings.contains { $0.path == "services/inference/app/model_store.py" && $0.rule == "F821" })
    #expect(result(.ruffFormat)?.outcome == .fail)
    #expect(result(.ruffFormat)?.findings.contains { $0.path == "services/inference/app/model_store.py" && $0.line > 0 } == true)
    #expect(result(.mypy)?.findings.contains { $0.path == "services/inference/app/model_store.py" } == true)
    if Self.configuration.terraformPluginDirectory != nil {
      let validate = try #require(result(.terraformValidate))
      #expect(validate.outcome == .fail)
      #expect(validate.findings.contains { $0.path == "infra/terraform/main.tf" && $0.line > 0 })
      #expect(result(.terraformTest)?.outcome == .fail, "the mock-provider plan fails on the same configuration")
    }
  }

  @Test func terraformTestWithoutTestFilesIsSkippedNeverPassed() async throws {
    let files = try RepositoryGenerator().generate(try await CodegenFixtures.request("support-text")).files
      .filter { !$0.path.hasPrefix("infra/terraform/tests/") }
    var configuration = Self.configuration
    configuration.only = [.terraformInit, .terraformTest]
    let report = try await ValidatorSuite(configuration: configuration).validate(files)
    let test = try #require(report.results.first { $0.tool == ValidatorSuite.Validator.terraformTest.rawValue })
    #expect(test.outcome == .skipped)
    #expect(test.skipReason.contains("no Terraform tests"))
  }

  @Test func aMissingToolIsSkippedNeverPassed() async throws {
    let files = try RepositoryGenerator().generate(try await CodegenFixtures.request("churn-postgres")).files
    var configuration = ValidatorSuite.Configuration(toolDirectories: ["/nonexistent"], only: [.ruffCheck, .mypy, .secretScan])
    configuration.cacheDirectory = FileManager.default.temporaryDirectory.appending(path: "mlops-validator-test-cache")
    // PATH is searched too; only run this where the venv's tools are not on PATH.
    guard ProcessInfo.processInfo.environment["PATH"]?.contains(".venv") != true else { return }
    let report = try await ValidatorSuite(configuration: configuration).validate(files)
    let ruff = try #require(report.results.first { $0.tool == "ruff check" })
    #expect(ruff.outcome == .skipped)
    #expect(ruff.skipReason.contains("not installed"))
    #expect(report.results.first { $0.tool == "secret-scan" }?.outcome == .pass)
    #expect(report.passed, "a skip does not fail the bundle")
  }
}
