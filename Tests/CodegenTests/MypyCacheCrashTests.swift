import Codegen
import Contracts
import Foundation
import Testing

/// mypy's incremental cache is shared by every bundle with the same project path, and a cache
/// written for one tree can crash mypy on another (python/mypy#16214, #18473): seen once in the
/// full suite as an INTERNAL ERROR that failed a bundle whose code was fine. A crash is mypy's,
/// not the bundle's, so the project is checked again without the cache, and the result says so.
@Suite struct MypyCacheCrashTests {
  /// A mypy that crashes unless its cache is off, as the real one did on a cache it could not read.
  static let crashingOnItsCache = """
    #!/bin/sh
    if [ "$1" = "--version" ]; then echo "mypy 0.0 (crashes on its cache)"; exit 0; fi
    previous=""
    for argument in "$@"; do
      if [ "$previous" = "--cache-dir" ] && [ "$argument" = "/dev/null" ]; then exit 0; fi
      previous="$argument"
    done
    echo "error: INTERNAL ERROR -- Please try using mypy master on GitHub:"
    echo "version: 0.0"
    exit 2

    """

  @Test func aCrashOnTheSharedCacheIsCheckedAgainWithoutIt() async throws {
    let tools = FileManager.default.temporaryDirectory.appending(path: "mypy-crash-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: tools, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: tools) }
    let mypy = tools.appending(path: "mypy")
    try Data(Self.crashingOnItsCache.utf8).write(to: mypy)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: mypy.path)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tools.path)

    var configuration = ValidatorSuiteTests.configuration
    configuration.toolDirectories.insert(tools.path, at: 0)
    configuration.only = [.mypy]
    let files = [
      SandboxTests.file("probe/pyproject.toml", "[project]\nname = \"probe\"\nversion = \"0\"\n"),
      SandboxTests.file("probe/probe/__init__.py", "VALUE: int = 1\n"),
    ]
    let report = try await ValidatorSuite(configuration: configuration).validate(files)
    let result = try #require(report.results.first { $0.tool == ValidatorSuite.Validator.mypy.rawValue })
    #expect(result.outcome == .pass, "\(ValidatorSuiteTests.summary(report))")
    #expect(result.findings.isEmpty)
    #expect(result.environment.contains("crashed on its shared cache"), "\(result.environment)")
  }
}
