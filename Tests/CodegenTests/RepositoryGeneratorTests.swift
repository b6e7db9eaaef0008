import Codegen
import Contracts
import Foundation
import Testing

@Suite struct RepositoryGeneratorTests {
  static let generator = Result { try RepositoryGenerator() }

  @Test(arguments: CodegenFixtures.briefs.keys.sorted())
  func theRepositoryHasEveryPart(name: String) async throws {
    let repository = try Self.generator.get().generate(try await CodegenFixtures.request(name))
    let paths = Set(repository.files.map(\.path))
    for expected in [
      "README.md", ".gitignore", "services/inference/app/main.py", "services/inference/app/models.py",
      "services/inference/tests/test_api.py", "services/inference/Dockerfile", "services/inference/pyproject.toml",
      "pipelines/training/pipeline/train.py",
      "pipelines/training/tests/test_pipeline.py", "infra/terraform/versions.tf", "infra/terraform/main.tf",
      "infra/terraform/modules/storage/main.tf", "infra/terraform/modules/iam/main.tf",
      ".github/workflows/ci.yml", "docs/architecture.md", "docs/runbook.md",
      "docs/cost.md", "docs/policy.md", "docs/adr/0001-intake-extract.md", "docs/adr/0002-planner.md",
      "reports/policy.json", "reports/cost.json", "reports/index.md", "Makefile", "requirements.lock",
      "pipelines/training/pipeline/schema.json", "pipelines/training/pipeline/task.py",
      "pipelines/training/pipeline/synthetic.py", "pipelines/training/pipeline/sample.py",
      "services/inference/requirements.txt", "pipelines/training/requirements.txt", "docs/decision-record.md",
    ] {
      #expect(paths.contains(expected), "\(name): \(expected) is missing")
    }
    #expect(!paths.contains("docs/adr/decision.md"))
    #expect(!paths.contains { $0.contains("+") }, "a template variant's suffix never reaches a path")
    // One training task, one sample generator: the variants of the other tasks are left out.
    #expect(repository.files.filter { $0.path.hasPrefix("pipelines/training/pipeline/task") }.count == 1)
    let record = String(
      decoding: try #require(repository.files.first { $0.path == "docs/decision-record.md" }).content, as: UTF8.self)
    let brief = CodegenFixtures.briefs[name]!
    // Quoted as Markdown text: its first words stand as they are.
    #expect(record.contains("> " + brief.prefix(20)), "\(name): the decision record quotes the brief")
    #expect(record.contains("- Decision: approved") && record.contains("- Reviewer: reviewer@example.com"))
    #expect(record.contains("- Comment: Looks good; keep logs for a year."))
    for file in repository.files where file.path.hasPrefix("docs/adr/0") {
      let text = String(decoding: file.content, as: UTF8.self)
      for field in ["Policy:", "Cost:", "Answered by:"] {
        #expect(!text.contains("\(field)\n") && !text.hasSuffix(field), "\(name): \(file.path) has a blank \(field)")
      }
    }
    #expect(repository.manifest.files.map(\.path) == repository.files.map(\.path))
    #expect(repository.manifest.bundleSha256.count == 64)
    if let folder = ProcessInfo.processInfo.environment["MLOPS_CODEGEN_OUT"] {
      try CodegenFixtures.write(repository.files, to: URL(fileURLWithPath: folder).appending(path: name))
    }
  }
}
