import Contracts
import Domain
import Foundation

/// ruff, mypy and pytest on each Python project of the bundle (each folder with a pyproject.toml).
enum PythonValidators {
  static func ruffCheck(_ run: ToolRun, projects: [String]) async throws -> Mlops_V1_ValidatorResult {
    guard case .success(let ruff) = run.locate("ruff") else { return ToolRun.skipped(.ruffCheck, reason: skip(run, "ruff")) }
    let started = ContinuousClock.now
    let output = try await run.run(ruff, ["check", "--no-cache", "--output-format=json"] + projects)
    var findings: [Mlops_V1_ValidatorFinding] = []
    if let data = output.standardOutput.data(using: .utf8),
      let diagnostics = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
    {
      for diagnostic in diagnostics {
        let location = diagnostic["location"] as? [String: Any]
        findings.append(
          ToolRun.finding(
            path: relative(diagnostic["filename"] as? String ?? "", to: run.root),
            line: location?["row"] as? Int ?? 0, rule: diagnostic["code"] as? String ?? "",
            message: diagnostic["message"] as? String ?? ""))
      }
    }
    if output.status != 0, findings.isEmpty { findings.append(ToolRun.generalFinding(output, tool: "ruff check")) }
    return ToolRun.result(
      .ruffCheck, version: await run.version(ruff), started: started, outcome: output.status == 0 ? .pass : .fail,
      findings: findings)
  }

  static func ruffFormat(_ run: ToolRun, projects: [String]) async throws -> Mlops_V1_ValidatorResult {
    guard case .success(let ruff) = run.locate("ruff") else { return ToolRun.skipped(.ruffFormat, reason: skip(run, "ruff")) }
    let started = ContinuousClock.now
    let output = try await run.run(ruff, ["format", "--check", "--no-cache"] + projects)
    // ruff prints "Would reformat: PATH" (older) or "unformatted: ..." then " --> PATH:LINE:COLUMN".
    var findings: [Mlops_V1_ValidatorFinding] = []
    for line in output.text.split(separator: "\n").map(String.init) {
      if line.hasPrefix("Would reformat: ") {
        findings.append(
          ToolRun.finding(
            path: String(line.dropFirst("Would reformat: ".count)), rule: "format", message: "not formatted as ruff format would")
        )
      } else if let arrow = line.range(of: "--> "), line[..<arrow.lowerBound].allSatisfy({ $0 == " " }) {
        let location = line[arrow.upperBound...].split(separator: ":")
        findings.append(
          ToolRun.finding(
            path: relative(String(location.first ?? ""), to: run.root), line: location.count > 1 ? Int(location[1]) ?? 0 : 0,
            rule: "format", message: "not formatted as ruff format would"))
      }
    }
    if output.status != 0, findings.isEmpty { findings.append(ToolRun.generalFinding(output, tool: "ruff format")) }
    return ToolRun.result(
      .ruffFormat, version: await run.version(ruff), started: started, outcome: output.status == 0 ? .pass : .fail,
      findings: findings)
  }

  static let mypyLine = NSRegularExpression.builtIn(#"^(.+?):(\d+):(?:\d+:)? error: (.*?)(?:  \[([\w-]+)\])?$"#)

  /// With `environment`, mypy reads the packages installed in the bundle's own venv.
  static func mypy(_ run: ToolRun, projects: [String], environment: BundleEnvironment? = nil) async throws
    -> Mlops_V1_ValidatorResult
  {
    guard case .success(let mypy) = run.locate("mypy") else { return ToolRun.skipped(.mypy, reason: skip(run, "mypy")) }
    let started = ContinuousClock.now
    var findings: [Mlops_V1_ValidatorFinding] = []
    var passed = true
    var crashedOnCache: [String] = []
    let interpreter = environment.map { ["--python-executable", $0.python] } ?? []
    for project in projects {
      func check(cache: String) async throws -> ToolRun.Output {
        try await run.run(
          mypy, ["--cache-dir", cache, "--no-color-output", "--no-error-summary", "--show-traceback"] + interpreter,
          in: project)
      }
      var output = try await check(cache: run.cachePath + "/mypy/" + project.replacingOccurrences(of: "/", with: "_"))
      // The cache is shared by every bundle with this project path, and one written for
      // another tree can crash mypy (python/mypy#16214): that verdict is mypy's, not the
      // code's, so the project is checked again with no cache at all.
      if output.status != 0, output.text.contains("INTERNAL ERROR") {
        crashedOnCache.append(project)
        output = try await check(cache: "/dev/null")
      }
      guard output.status != 0 else { continue }
      passed = false
      var parsed = 0
      for line in output.standardOutput.split(separator: "\n").map(String.init) {
        guard let match = mypyLine.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) else { continue }
        func group(_ index: Int) -> String {
          Range(match.range(at: index), in: line).map { String(line[$0]) } ?? ""
        }
        findings.append(
          ToolRun.finding(path: join(project, group(1)), line: Int(group(2)) ?? 0, rule: group(4), message: group(3)))
        parsed += 1
      }
      if parsed == 0 { findings.append(ToolRun.generalFinding(output, tool: "mypy in \(project)")) }
    }
    var result = ToolRun.result(
      .mypy, version: await run.version(mypy), started: started, outcome: passed ? .pass : .fail, findings: findings)
    result.environment =
      ([environment?.summary]
      + crashedOnCache.map { project in
        "mypy crashed on its shared cache in \(project) and checked it again without one"
      }).compactMap { $0 }.joined(separator: "; ")
    return result
  }

  /// With `environment`, the bundle's tests run on its own pinned packages (`python -m
  /// pytest` from its venv); without, on the platform's tools.
  static func pytest(_ run: ToolRun, projects: [String], environment: BundleEnvironment? = nil) async throws
    -> Mlops_V1_ValidatorResult
  {
    let command: [String]
    if let environment {
      command = [environment.python, "-m", "pytest"]
    } else {
      guard case .success(let pytest) = run.locate("pytest") else {
        return ToolRun.skipped(.pytest, reason: skip(run, "pytest"))
      }
      command = [pytest]
    }
    let started = ContinuousClock.now
    var findings: [Mlops_V1_ValidatorFinding] = []
    var passed = true
    for project in projects {
      let output = try await run.run(
        command[0], Array(command.dropFirst()) + ["-q", "-p", "no:cacheprovider", "--color=no"], in: project)
      guard output.status != 0 else { continue }
      passed = false
      let failures = output.standardOutput.split(separator: "\n").filter { $0.hasPrefix("FAILED ") || $0.hasPrefix("ERROR ") }
      for line in failures {
        let test = line.split(separator: " ", maxSplits: 1).last.map(String.init) ?? String(line)
        let path = test.split(separator: ":").first.map(String.init) ?? ""
        findings.append(ToolRun.finding(path: join(project, path), rule: String(line.prefix { $0 != " " }), message: test))
      }
      if failures.isEmpty {
        let reason = output.status == 5 ? "no tests were collected in \(project)" : nil
        findings.append(
          reason.map { ToolRun.finding(path: project, message: $0) }
            ?? ToolRun.generalFinding(output, tool: "pytest in \(project)"))
      }
    }
    var result = ToolRun.result(
      .pytest, version: await run.version(command[0], arguments: Array(command.dropFirst()) + ["--version"]),
      started: started, outcome: passed ? .pass : .fail, findings: findings)
    result.environment = environment?.summary ?? ""
    return result
  }

  static func skip(_ run: ToolRun, _ program: String) -> String {
    if case .failure(let reason) = run.locate(program) { return reason.text }
    return ""
  }

  static func join(_ project: String, _ path: String) -> String {
    project == "." || path.isEmpty ? path : "\(project)/\(path)"
  }

  static func relative(_ path: String, to root: URL) -> String {
    let prefix = root.standardizedFileURL.path + "/"
    let resolved = URL(fileURLWithPath: path).standardizedFileURL.path
    return resolved.hasPrefix(prefix) ? String(resolved.dropFirst(prefix.count)) : path
  }
}
