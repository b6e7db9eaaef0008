import Contracts
import Foundation

/// terraform fmt, init (from a local provider mirror when one is configured), validate and test.
enum TerraformValidators {
  static func format(_ run: ToolRun, root: String) async throws -> Mlops_V1_ValidatorResult {
    guard case .success(let terraform) = run.locate("terraform") else {
      return ToolRun.skipped(.terraformFormat, reason: PythonValidators.skip(run, "terraform"))
    }
    let started = ContinuousClock.now
    let output = try await run.run(
      terraform, ["fmt", "-check", "-recursive", "-list=true", "-no-color"], in: root, environment: environment(run))
    var findings = output.standardOutput.split(separator: "\n").map {
      ToolRun.finding(path: "\(root)/\($0)", rule: "fmt", message: "not formatted as terraform fmt would")
    }
    if output.status != 0, findings.isEmpty { findings.append(ToolRun.generalFinding(output, tool: "terraform fmt")) }
    return ToolRun.result(
      .terraformFormat, version: await run.version(terraform, arguments: ["version"]), started: started,
      outcome: output.status == 0 ? .pass : .fail, findings: findings)
  }

  /// `packagers`: the bundle's own build steps for what the Terraform deploys from files
  /// (`pipelines/transform/package.py` builds build/transform.zip); run first, as CI does.
  static func initialise(_ run: ToolRun, root: String, packagers: [String] = []) async throws -> Mlops_V1_ValidatorResult {
    guard case .success(let terraform) = run.locate("terraform") else {
      return ToolRun.skipped(.terraformInit, reason: PythonValidators.skip(run, "terraform"))
    }
    let started = ContinuousClock.now
    for packager in packagers {
      guard case .success(let python) = run.locate("python3") else {
        return ToolRun.skipped(.terraformInit, reason: "\(packager) needs python3, which was not found")
      }
      let built = try await run.run(python, [packager])
      if built.status != 0 {
        return ToolRun.result(
          .terraformInit, version: await run.version(terraform, arguments: ["version"]), started: started, outcome: .fail,
          findings: [ToolRun.generalFinding(built, tool: packager)])
      }
    }
    var arguments = ["init", "-backend=false", "-input=false", "-no-color"]
    let mirror = run.configuration.terraformPluginDirectory
    if let mirror { arguments.append("-plugin-dir=\(mirror)") }
    let output = try await run.run(terraform, arguments, in: root, environment: environment(run))
    let version = await run.version(terraform, arguments: ["version"])
    if output.status != 0, mirror == nil, unreachableRegistry(output.text) {
      var result = ToolRun.skipped(
        .terraformInit,
        reason: "the AWS provider could not be installed: the Terraform registry is unreachable and no local "
          + "provider mirror is configured (set TF_PLUGIN_DIR)")
      result.version = version
      return result
    }
    return ToolRun.result(
      .terraformInit, version: version, started: started, outcome: output.status == 0 ? .pass : .fail,
      findings: output.status == 0 ? [] : [ToolRun.generalFinding(output, tool: "terraform init")])
  }

  static func validate(_ run: ToolRun, root: String, after initialised: Mlops_V1_ValidatorResult) async throws
    -> Mlops_V1_ValidatorResult
  {
    let terraform: String
    switch initialisedTerraform(run, after: initialised) {
    case .success(let path): terraform = path
    case .failure(let reason): return ToolRun.skipped(.terraformValidate, reason: reason.text)
    }
    let started = ContinuousClock.now
    let output = try await run.run(terraform, ["validate", "-json", "-no-color"], in: root, environment: environment(run))
    var findings: [Mlops_V1_ValidatorFinding] = []
    if let data = output.standardOutput.data(using: .utf8),
      let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let diagnostics = document["diagnostics"] as? [[String: Any]]
    {
      for diagnostic in diagnostics where diagnostic["severity"] as? String == "error" {
        let range = diagnostic["range"] as? [String: Any]
        let start = range?["start"] as? [String: Any]
        let file = range?["filename"] as? String
        findings.append(
          ToolRun.finding(
            path: file.map { "\(root)/\($0)" } ?? root, line: start?["line"] as? Int ?? 0, rule: "validate",
            message: [diagnostic["summary"] as? String, diagnostic["detail"] as? String].compactMap { $0 }.filter { !$0.isEmpty }
              .joined(separator: ": ")))
      }
    }
    if output.status != 0, findings.isEmpty { findings.append(ToolRun.generalFinding(output, tool: "terraform validate")) }
    return ToolRun.result(
      .terraformValidate, version: await run.version(terraform, arguments: ["version"]), started: started,
      outcome: output.status == 0 ? .pass : .fail, findings: findings)
  }

  /// `terraform test`: the bundle's own tests (`tests/*.tftest.hcl`, a mock AWS provider), after init.
  static func test(_ run: ToolRun, root: String, after initialised: Mlops_V1_ValidatorResult) async throws
    -> Mlops_V1_ValidatorResult
  {
    let terraform: String
    switch initialisedTerraform(run, after: initialised) {
    case .success(let path): terraform = path
    case .failure(let reason): return ToolRun.skipped(.terraformTest, reason: reason.text)
    }
    let started = ContinuousClock.now
    let output = try await run.run(terraform, ["test", "-no-color"], in: root, environment: environment(run))
    // "  run \"plans_with_the_approved_variables\"... fail", under "tests/plan.tftest.hcl... fail".
    var file = ""
    var findings: [Mlops_V1_ValidatorFinding] = []
    for line in output.standardOutput.split(separator: "\n").map(String.init) {
      if !line.hasPrefix(" "), line.hasSuffix(".hcl... fail") || line.hasSuffix(".hcl... pass") {
        file = String(line.dropLast("... fail".count))
      } else if line.hasPrefix("  run "), line.hasSuffix("... fail") {
        let name = line.dropFirst("  run ".count).dropLast("... fail".count)
        findings.append(ToolRun.finding(path: "\(root)/\(file)", rule: "terraform-test", message: "run \(name) failed"))
      }
    }
    if output.status != 0 { findings.append(ToolRun.generalFinding(output, tool: "terraform test")) }
    return ToolRun.result(
      .terraformTest, version: await run.version(terraform, arguments: ["version"]), started: started,
      outcome: output.status == 0 ? .pass : .fail, findings: findings)
  }

  /// The terraform program, when init ran and passed: validate and test need its providers.
  static func initialisedTerraform(_ run: ToolRun, after initialised: Mlops_V1_ValidatorResult) -> Result<
    String, ToolRun.SkipReason
  > {
    guard initialised.outcome == .pass, case .success(let terraform) = run.locate("terraform") else {
      return .failure(
        ToolRun.SkipReason(
          text: initialised.outcome == .skipped
            ? "needs terraform init, which was skipped: \(initialised.skipReason)" : "terraform init failed"))
    }
    return .success(terraform)
  }

  /// No telemetry calls, no prompts, and no user CLI configuration leaking in.
  static func environment(_ run: ToolRun) -> [String: String] {
    let config = run.configuration.cacheDirectory.appending(path: "terraformrc")
    if !FileManager.default.fileExists(atPath: config.path) {
      try? Data().write(to: config)
    }
    return [
      "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "TF_CLI_CONFIG_FILE": run.cachePath + "/terraformrc",
    ]
  }

  static func unreachableRegistry(_ text: String) -> Bool {
    [
      "Failed to query available provider packages", "could not connect to registry", "no such host",
      "Failed to install provider",
    ]
    .contains { text.contains($0) }
  }
}
