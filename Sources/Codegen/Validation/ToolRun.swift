import Contracts
import Foundation
import ServiceKit
import Synchronization

/// Runs one tool in the checkout with a time limit, and shapes what it found into a result.
struct ToolRun: Sendable {
  struct Output: Sendable {
    var status: Int32
    var standardOutput: String
    var standardError: String
    var timedOut: Bool
    var text: String { [standardOutput, standardError].filter { !$0.isEmpty }.joined(separator: "\n") }
  }

  let tools: ToolLocator
  let checkout: Checkout
  let configuration: ValidatorSuite.Configuration
  let sandbox: Sandbox
  private static let versions = Mutex<[String: String]>([:])

  var root: URL { checkout.root }
  /// The cache folder as the tools see it (inside the sandbox it has a path of its own).
  var cachePath: String { sandbox.cachePath(configuration.cacheDirectory, mount: checkout.cacheMount.path) }

  init(tools: ToolLocator, checkout: Checkout, configuration: ValidatorSuite.Configuration, sandbox: Sandbox) {
    self.tools = tools
    self.checkout = checkout
    self.configuration = configuration
    self.sandbox = sandbox
  }

  /// The program's path, or the reason the validator is skipped.
  func locate(_ program: String) -> Result<String, SkipReason> {
    if let path = tools.find(program) { return .success(path) }
    return .failure(
      SkipReason(
        text:
          "\(program) is not installed (looked in \(configuration.toolDirectories.joined(separator: ", ")) and PATH); scripts/bootstrap installs it"
      ))
  }

  struct SkipReason: Error {
    var text: String
  }

  /// The tool was found but could not be started inside the sandbox (a launcher that lives
  /// in a home the sandbox hides, such as a pyenv shim): the validator did not run.
  struct Unrunnable: Error {
    var text: String
  }

  func run(_ program: String, _ arguments: [String], in directory: String = ".", environment: [String: String] = [:]) async throws
    -> Output
  {
    let workingDirectory = root.appending(path: directory).path
    let command = sandbox.wrap(
      [program] + arguments, writable: [checkout.workspace.path],
      cache: (configuration.cacheDirectory.path, checkout.cacheMount.path),
      workingDirectory: workingDirectory, timeoutSeconds: configuration.timeoutSeconds)
    let output = try await CommandRunner.run(
      command, environment: Sandbox.environment(path: tools.searchPath, home: checkout.home.path, extra: environment),
      inheritEnvironment: false, workingDirectory: workingDirectory, checked: false)
    let stderr = output.standardError
    if [126, 127].contains(output.status),
      stderr.contains("failed to run command") || stderr.hasPrefix("bwrap: execvp")
        || stderr.contains("prlimit: failed to execute")
    {
      throw Unrunnable(
        text:
          "\(program) could not be started in the sandbox (\(stderr.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))); "
          + "set MLOPS_TOOLS_DIR to the project's .venv/bin (scripts/bootstrap makes it)")
    }
    return Output(
      status: output.status, standardOutput: output.standardOutput, standardError: output.standardError,
      timedOut: output.status == 124 || output.status == 137)
  }

  /// `program --version`'s first line, asked once per program.
  func version(_ path: String, arguments: [String] = ["--version"]) async -> String {
    if let known = Self.versions.withLock({ $0[path] }) { return known }
    let output = try? await CommandRunner.run(
      [path] + arguments, environment: ["PATH": tools.searchPath, "HOME": FileManager.default.temporaryDirectory.path],
      inheritEnvironment: false, checked: false)
    let text = [output?.standardOutput ?? "", output?.standardError ?? ""].joined(separator: "\n")
    let first = text.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? "unknown"
    Self.versions.withLock { $0[path] = first }
    return first
  }

  static func result(
    _ validator: ValidatorSuite.Validator, version: String, started: ContinuousClock.Instant,
    outcome: Mlops_V1_ValidatorOutcome, findings: [Mlops_V1_ValidatorFinding] = [], skipReason: String = ""
  ) -> Mlops_V1_ValidatorResult {
    .with {
      $0.tool = validator.rawValue
      $0.version = version
      $0.outcome = outcome
      $0.durationMs = Int64(Int(saturating: (ContinuousClock.now - started).seconds * 1000))
      $0.findings = findings
      $0.skipReason = skipReason
    }
  }

  /// One validator's results over several roots as one: failed if any failed, else skipped
  /// if any did not run (a part that did not run is not a pass), else passed.
  static func merged(_ results: [Mlops_V1_ValidatorResult]) -> Mlops_V1_ValidatorResult {
    guard var merged = results.first, results.count > 1 else { return results.first ?? Mlops_V1_ValidatorResult() }
    let outcomes = results.map(\.outcome)
    merged.outcome = outcomes.contains(.fail) ? .fail : outcomes.contains(.skipped) ? .skipped : .pass
    merged.skipReason = results.map(\.skipReason).filter { !$0.isEmpty }.joined(separator: "; ")
    merged.version = results.map(\.version).first { !$0.isEmpty } ?? ""
    merged.durationMs = results.reduce(0) { $0 + $1.durationMs }
    merged.findings = results.flatMap(\.findings)
    merged.suppressed = results.flatMap(\.suppressed)
    return merged
  }

  static func skipped(_ validator: ValidatorSuite.Validator, reason: String) -> Mlops_V1_ValidatorResult {
    .with {
      $0.tool = validator.rawValue
      $0.outcome = .skipped
      $0.skipReason = reason
    }
  }

  static func finding(path: String = "", line: Int = 0, rule: String = "", message: String) -> Mlops_V1_ValidatorFinding {
    .with {
      $0.path = path
      $0.line = Int32(line)
      $0.rule = rule
      $0.message = message
    }
  }

  /// What a failed tool said, when it said nothing more specific.
  static func generalFinding(_ output: Output, tool: String) -> Mlops_V1_ValidatorFinding {
    if output.timedOut { return finding(message: "\(tool) timed out") }
    let text = output.text.trimmingCharacters(in: .whitespacesAndNewlines)
    return finding(message: text.isEmpty ? "\(tool) exited with status \(output.status)" : String(text.suffix(2000)))
  }
}
