import Contracts
import Foundation
import Metrics
import ServiceKit
import Tracing

/// Runs the real tools on a temporary checkout of a bundle: ruff, mypy and pytest on the
/// Python projects; terraform fmt/init/validate/test and checkov on the infrastructure; the GitHub
/// workflow schema, actionlint and zizmor on the workflows; and the built-in secret scan on
/// everything. The Python lane and the infrastructure lane run side by side.
public struct ValidatorSuite: Sendable {
  /// The start of a validation checkout's folder name, for tools that look for leftovers.
  package static var scratchPrefix: String { Checkout.prefix }

  /// Removes the checkouts of validations whose process was killed (their folders carry the
  /// pid); returns how many.
  @discardableResult
  public static func removeAbandonedCheckouts() -> Int {
    ScratchFolder.sweep(prefix: Checkout.prefix).count
  }

  public struct Configuration: Sendable {
    /// Folders searched for the tools before PATH (the project's `.venv/bin`).
    public var toolDirectories: [String]
    /// A local provider mirror for `terraform init -plugin-dir` (`TF_PLUGIN_DIR`).
    public var terraformPluginDirectory: String?
    public var timeoutSeconds: Int
    /// Kept between runs so mypy does not re-read FastAPI and pydantic every time.
    public var cacheDirectory: URL
    /// Run only these validators (by `Validator.rawValue`); nil runs all.
    public var only: Set<Validator>?

    public init(
      toolDirectories: [String] = [], terraformPluginDirectory: String? = nil, timeoutSeconds: Int = 300,
      cacheDirectory: URL = FileManager.default.temporaryDirectory.appending(path: "mlops-validator-cache"),
      only: Set<Validator>? = nil
    ) {
      self.toolDirectories = toolDirectories
      self.terraformPluginDirectory = terraformPluginDirectory
      self.timeoutSeconds = timeoutSeconds
      self.cacheDirectory = cacheDirectory
      self.only = only
    }
  }

  public enum Validator: String, Sendable, CaseIterable {
    case ruffCheck = "ruff check"
    case ruffFormat = "ruff format"
    case mypy
    case pytest
    case terraformFormat = "terraform fmt"
    case terraformInit = "terraform init"
    case terraformValidate = "terraform validate"
    case terraformTest = "terraform test"
    case checkov
    case workflowSchema = "check-jsonschema"
    case actionlint
    case zizmor
    case secretScan = "secret-scan"
  }

  let configuration: Configuration
  let tools: ToolLocator
  let sandbox: Sandbox

  public init(configuration: Configuration = .init()) {
    self.configuration = configuration
    self.tools = ToolLocator(directories: configuration.toolDirectories)
    self.sandbox = Sandbox.detect(toolDirectories: configuration.toolDirectories)
  }

  public func validate(_ files: [Mlops_V1_GeneratedFile]) async throws -> Mlops_V1_ValidationReport {
    // The built-in scan reads the files from memory; only the external tools need them on disk.
    guard configuration.only.map({ !$0.subtracting([.secretScan]).isEmpty }) ?? true else {
      return Self.report([Self.secretScan(files)], sandbox: Sandbox.none.isolation)
    }
    let checkout = try Checkout.make(files)
    defer { checkout.remove() }
    try? FileManager.default.createDirectory(at: configuration.cacheDirectory, withIntermediateDirectories: true)
    sandbox.prepare([checkout.workspace.path, configuration.cacheDirectory.path])
    let paths = files.map(\.path)
    let run = ToolRun(tools: tools, checkout: checkout, configuration: configuration, sandbox: sandbox)

    let lock = files.first { $0.path == BundleEnvironment.lockFile }.map { String(decoding: $0.content, as: UTF8.self) }
    async let python = pythonLane(run, paths: paths, lockFile: lock)
    async let infrastructure = infrastructureLane(run, files: files)
    let report = Self.report(try await python + infrastructure, sandbox: sandbox.isolation)
    for result in report.results {
      Timer(label: "mlops_validator_duration_seconds", dimensions: [("tool", result.tool), ("outcome", "\(result.outcome)")])
        .recordMilliseconds(max(0, result.durationMs))
    }
    return report
  }

  /// Passed when nothing failed; complete when every validator ran, so a skipped or
  /// unselected one is named in `not_run` and never counted as a pass.
  static func report(_ results: [Mlops_V1_ValidatorResult], sandbox: String) -> Mlops_V1_ValidationReport {
    let ran = Set(results.map(\.tool))
    let notRun =
      results.filter { $0.outcome == .skipped }.map { "\($0.tool): \($0.skipReason)" }
      + Validator.allCases.map(\.rawValue).filter { !ran.contains($0) }.map { "\($0): not selected (MLOPS_VALIDATORS)" }
    return .with {
      $0.results = results
      $0.passed = !results.contains { $0.outcome == .fail }
      $0.complete = notRun.isEmpty
      $0.notRun = notRun
      $0.sandbox = sandbox
    }
  }

  /// A validator whose tool cannot be started is skipped with the reason, never failed or passed.
  private func guarded(
    _ validator: Validator, _ body: () async throws -> Mlops_V1_ValidatorResult
  ) async throws -> Mlops_V1_ValidatorResult {
    try await withSpan("validator \(validator.rawValue)", ofKind: .internal) { span in
      let result: Mlops_V1_ValidatorResult
      do {
        result = try await body()
      } catch let error as ToolRun.Unrunnable {
        result = ToolRun.skipped(validator, reason: error.text)
      }
      span.attributes["mlops.validator.outcome"] = "\(result.outcome)"
      span.attributes["mlops.validator.findings"] = result.findings.count
      return result
    }
  }

  private func wanted(_ validator: Validator) -> Bool {
    configuration.only?.contains(validator) ?? true
  }

  private func pythonLane(_ run: ToolRun, paths: [String], lockFile: String?) async throws -> [Mlops_V1_ValidatorResult] {
    let projects = paths.filter { $0.hasSuffix("/pyproject.toml") || $0 == "pyproject.toml" }
      .map { $0 == "pyproject.toml" ? "." : String($0.dropLast("/pyproject.toml".count)) }
      .sorted()
    var results: [Mlops_V1_ValidatorResult] = []
    if wanted(.ruffCheck) {
      results.append(try await guarded(.ruffCheck) { try await PythonValidators.ruffCheck(run, projects: projects) })
    }
    if wanted(.ruffFormat) {
      results.append(try await guarded(.ruffFormat) { try await PythonValidators.ruffFormat(run, projects: projects) })
    }
    guard wanted(.mypy) || wanted(.pytest) else { return results }
    // A bundle that pins its packages is checked and tested on exactly those.
    var environment: BundleEnvironment?
    if let lock = lockFile {
      do {
        environment = try await prepareEnvironment(run, lock: lock)
      } catch .invalidLock(let line, let text) {
        let finding = ToolRun.finding(
          path: BundleEnvironment.lockFile, line: line, rule: "pin", message: "not a name==version pin: \(text)")
        for validator in [Validator.mypy, .pytest] where wanted(validator) {
          results.append(ToolRun.result(validator, version: "", started: .now, outcome: .fail, findings: [finding]))
        }
        return results
      } catch .unavailable(let reason) {
        for validator in [Validator.mypy, .pytest] where wanted(validator) {
          results.append(ToolRun.skipped(validator, reason: reason))
        }
        return results
      }
    }
    if wanted(.mypy) {
      results.append(
        try await guarded(.mypy) { try await PythonValidators.mypy(run, projects: projects, environment: environment) })
    }
    if wanted(.pytest) {
      results.append(
        try await guarded(.pytest) { try await PythonValidators.pytest(run, projects: projects, environment: environment) })
    }
    return results
  }

  private func prepareEnvironment(_ run: ToolRun, lock: String) async throws(BundleEnvironment.Failure) -> BundleEnvironment {
    guard case .success(let python3) = run.locate("python3") else {
      throw .unavailable("python3 is not installed, so the bundle's venv cannot be made")
    }
    return try await BundleEnvironment.prepare(
      lock: lock, python3: python3, cache: configuration.cacheDirectory, cacheAsSeen: run.cachePath,
      timeoutSeconds: max(configuration.timeoutSeconds, 600))
  }

  private func infrastructureLane(_ run: ToolRun, files: [Mlops_V1_GeneratedFile]) async throws -> [Mlops_V1_ValidatorResult] {
    var results: [Mlops_V1_ValidatorResult] = []
    // The system's root module, and the bootstrap one applied before it.
    let terraformRoot = "infra/terraform"
    let roots = [terraformRoot, "infra/bootstrap"].filter { root in files.contains { $0.path.hasPrefix(root + "/") } }
    if !roots.isEmpty {
      if wanted(.terraformFormat) {
        var formatted: [Mlops_V1_ValidatorResult] = []
        for root in roots {
          formatted.append(try await guarded(.terraformFormat) { try await TerraformValidators.format(run, root: root) })
        }
        results.append(ToolRun.merged(formatted))
      }
      let packagers = files.map(\.path).filter { $0.hasPrefix("pipelines/") && $0.hasSuffix("/package.py") }.sorted()
      var initialised: [String: Mlops_V1_ValidatorResult] = [:]
      if wanted(.terraformInit) || wanted(.terraformValidate) || wanted(.terraformTest) {
        for root in roots {
          initialised[root] = try await guarded(.terraformInit) {
            try await TerraformValidators.initialise(run, root: root, packagers: root == terraformRoot ? packagers : [])
          }
        }
        if wanted(.terraformInit) { results.append(ToolRun.merged(roots.compactMap { initialised[$0] })) }
      }
      if wanted(.terraformValidate) {
        var validated: [Mlops_V1_ValidatorResult] = []
        for root in roots {
          guard let initialised = initialised[root] else { continue }
          validated.append(
            try await guarded(.terraformValidate) { try await TerraformValidators.validate(run, root: root, after: initialised) })
        }
        results.append(ToolRun.merged(validated))
      }
      if wanted(.terraformTest), let initialised = initialised[terraformRoot] {
        // terraform test with no test files says "0 passed, 0 failed" and exits 0: that is not a pass.
        let hasTests = files.contains { $0.path.hasPrefix(terraformRoot + "/tests/") && $0.path.hasSuffix(".tftest.hcl") }
        results.append(
          hasTests
            ? try await guarded(.terraformTest) {
              try await TerraformValidators.test(run, root: terraformRoot, after: initialised)
            }
            : ToolRun.skipped(.terraformTest, reason: "the bundle has no Terraform tests (\(terraformRoot)/tests/*.tftest.hcl)"))
      }
    }
    if !roots.isEmpty, wanted(.checkov) {
      results.append(try await guarded(.checkov) { try await CheckovValidator.validate(run, root: "infra") })
    }
    let workflows = files.map(\.path).filter { $0.hasPrefix(".github/workflows/") }.sorted()
    if wanted(.workflowSchema) {
      results.append(try await guarded(.workflowSchema) { try await WorkflowSchemaValidator.validate(run, workflows: workflows) })
    }
    if wanted(.actionlint) {
      results.append(try await guarded(.actionlint) { try await WorkflowLinters.actionlint(run, workflows: workflows) })
    }
    if wanted(.zizmor) {
      results.append(try await guarded(.zizmor) { try await WorkflowLinters.zizmor(run, workflows: workflows) })
    }
    if wanted(.secretScan) { results.append(Self.secretScan(files)) }
    return results
  }

  static func secretScan(_ files: [Mlops_V1_GeneratedFile]) -> Mlops_V1_ValidatorResult {
    let started = ContinuousClock.now
    let scanner = SecretScanner()
    let findings = files.flatMap { scanner.scan(path: $0.path, contents: $0.content) }
    return ToolRun.result(
      .secretScan, version: "builtin-1", started: started, outcome: findings.isEmpty ? .pass : .fail,
      findings: findings.map { finding in
        .with {
          $0.path = finding.path
          $0.line = Int32(finding.line)
          $0.rule = finding.rule
          $0.message = finding.message
        }
      })
  }
}
