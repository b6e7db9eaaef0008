import Codegen
import Contracts
import Foundation
import Testing

@Suite struct SecretScannerTests {
  /// Fake credentials assembled at run time, so this source file holds none.
  static let seeded: [(path: String, line: String, rule: String)] = [
    ("app/settings.py", "AWS_KEY = \"" + "AKIA" + "QYLPMN5HFIQR7XYZ" + "\"", "aws-access-key-id"),
    ("deploy/key.pem", "-----BEGIN " + "RSA PRIVATE KEY-----", "private-key"),
    ("ci.yml", "token: gh" + "p_" + String(repeating: "aB3dE5fG7h", count: 4), "github-token"),
    ("config.py", "api_key = \"" + "q8Zr2LmX9vT4kP1wY7bN" + "\"", "secret-assignment"),
    ("notify.py", "SLACK = \"xo" + "xb-" + "2048-1024-AbCdEfGhIj\"", "slack-token"),
  ]

  @Test func findsEachSeededSecretWithFileLineAndRule() {
    let scanner = SecretScanner()
    for seed in Self.seeded {
      let findings = scanner.scan(path: seed.path, contents: Data("# header\n\(seed.line)\n".utf8))
      #expect(findings.map(\.rule) == [seed.rule], "\(seed.path)")
      #expect(findings.first?.line == 2)
    }
  }

  @Test func leavesPlaceholdersReferencesAndAllowlistedLinesAlone() {
    let scanner = SecretScanner()
    for line in [
      "password = \"changeme\"", "token: ${{ secrets.DEPLOY_TOKEN }}", "api_key = os.environ[\"API_KEY\"]",
      "secret = \"aaaaaaaaaaaaaaaa\"", "api_key = \"" + "q8Zr2LmX9vT4kP1wY7bN" + "\"  # pragma: allowlist secret",
      "manage_master_user_password = true",
    ] {
      #expect(scanner.scan(path: "f", contents: Data(line.utf8)).isEmpty, "\(line)")
    }
  }

  @Test func generatedRepositoriesAreClean() async throws {
    let scanner = SecretScanner()
    for name in CodegenFixtures.briefs.keys.sorted() {
      let files = try RepositoryGenerator().generate(try await CodegenFixtures.request(name)).files
      let findings = files.flatMap { scanner.scan(path: $0.path, contents: $0.content) }
      #expect(findings.isEmpty, "\(name): \(findings)")
    }
  }
}
