import Contracts
import Foundation

/// The workflows through actionlint (syntax, expressions, action inputs, runner labels) and
/// zizmor (security: unpinned actions, persisted credentials, template injection,
/// over-broad permissions), both offline. Either one's findings fail the bundle.
enum WorkflowLinters {
  static func actionlint(_ run: ToolRun, workflows: [String]) async throws -> Mlops_V1_ValidatorResult {
    guard !workflows.isEmpty else { return ToolRun.skipped(.actionlint, reason: "the bundle has no workflow files") }
    guard case .success(let actionlint) = run.locate("actionlint") else {
      return ToolRun.skipped(.actionlint, reason: PythonValidators.skip(run, "actionlint"))
    }
    let started = ContinuousClock.now
    let output = try await run.run(actionlint, ["-no-color", "-format", "{{json .}}"] + workflows)
    var findings: [Mlops_V1_ValidatorFinding] = []
    if let data = output.standardOutput.data(using: .utf8),
      let errors = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
    {
      findings = errors.map { error in
        ToolRun.finding(
          path: error["filepath"] as? String ?? "", line: error["line"] as? Int ?? 0, rule: error["kind"] as? String ?? "",
          message: error["message"] as? String ?? "")
      }
    }
    if output.status != 0, findings.isEmpty { findings.append(ToolRun.generalFinding(output, tool: "actionlint")) }
    return ToolRun.result(
      .actionlint, version: await run.version(actionlint), started: started,
      outcome: output.status == 0 && findings.isEmpty ? .pass : .fail, findings: findings)
  }

  static func zizmor(_ run: ToolRun, workflows: [String]) async throws -> Mlops_V1_ValidatorResult {
    guard !workflows.isEmpty else { return ToolRun.skipped(.zizmor, reason: "the bundle has no workflow files") }
    guard case .success(let zizmor) = run.locate("zizmor") else {
      return ToolRun.skipped(.zizmor, reason: PythonValidators.skip(run, "zizmor"))
    }
    let started = ContinuousClock.now
    let output = try await run.run(zizmor, ["--offline", "--no-progress", "--format", "json"] + workflows)
    var findings: [Mlops_V1_ValidatorFinding] = []
    let parsed = output.standardOutput.data(using: .utf8).flatMap {
      try? JSONSerialization.jsonObject(with: $0) as? [[String: Any]]
    }
    for finding in parsed ?? [] where finding["ignored"] as? Bool != true {
      let locations = finding["locations"] as? [[String: Any]] ?? []
      let primary = locations.first { ($0["symbolic"] as? [String: Any])?["kind"] as? String == "Primary" } ?? locations.first
      let symbolic = primary?["symbolic"] as? [String: Any]
      let key = (symbolic?["key"] as? [String: Any])?["Local"] as? [String: Any]
      let point = ((primary?["concrete"] as? [String: Any])?["location"] as? [String: Any])?["start_point"] as? [String: Any]
      let severity = (finding["determinations"] as? [String: Any])?["severity"] as? String ?? ""
      findings.append(
        ToolRun.finding(
          path: key?["verbatim_path"] as? String ?? "", line: (point?["row"] as? Int).map { $0 + 1 } ?? 0,
          rule: finding["ident"] as? String ?? "",
          message: [severity, finding["desc"] as? String, symbolic?["annotation"] as? String].compactMap { $0 }
            .filter { !$0.isEmpty }.joined(separator: ": ")))
    }
    // zizmor exits non-zero when it finds something (10 and up, by severity) or cannot run.
    if parsed == nil || (output.status != 0 && findings.isEmpty) {
      findings.append(ToolRun.generalFinding(output, tool: "zizmor"))
    }
    return ToolRun.result(
      .zizmor, version: await run.version(zizmor), started: started, outcome: findings.isEmpty ? .pass : .fail,
      findings: findings)
  }
}
