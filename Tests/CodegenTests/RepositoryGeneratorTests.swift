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
      "pipelines/training/pipeline/train.py", "pipelines/training/pipeline/features.py",
      "pipelines/training/tests/test_pipeline.py", "infra/terraform/versions.tf", "infra/terraform/main.tf",
      "infra/terraform/modules/storage/main.tf", "infra/terraform/modules/iam/main.tf",
      ".github/workflows/ci.yml", "docs/architecture.md", "docs/runbook.md",
      "docs/cost.md", "docs/policy.md", "docs/adr/0001-intake-extract.md", "docs/adr/0002-planner.md",
      "reports/policy.json", "reports/cost.json", "reports/index.md",
    ] {
      #expect(paths.contains(expected), "\(name): \(expected) is missing")
    }
    #expect(!paths.contains("docs/adr/decision.md"))
    #expect(repository.manifest.files.map(\.path) == repository.files.map(\.path))
    #expect(repository.manifest.bundleSha256.count == 64)
    if let folder = ProcessInfo.processInfo.environment["MLOPS_CODEGEN_OUT"] {
      try CodegenFixtures.write(repository.files, to: URL(fileURLWithPath: folder).appending(path: name))
    }
  }
}
