import Contracts
import Foundation

/// The workflow files against the GitHub workflow JSON schema that check-jsonschema ships
/// (`--builtin-schema vendor.github-workflows`, no network needed).
enum WorkflowSchemaValidator {
  static func validate(_ run: ToolRun, workflows: [String]) async throws -> Mlops_V1_ValidatorResult {
    guard !workflows.isEmpty else {
      return ToolRun.skipped(.workflowSchema, reason: "the bundle has no workflow files")
    }
    guard case .success(let checker) = run.locate("check-jsonschema") else {
      return ToolRun.skipped(.workflowSchema, reason: PythonValidators.skip(run, "check-jsonschema"))
    }
    let started = ContinuousClock.now
    let output = try await run.run(checker, ["--builtin-schema", "vendor.github-workflows", "--color", "never"] + workflows)
    var findings: [Mlops_V1_ValidatorFinding] = []
    if output.status != 0 {
      // Text output names each failing file and the JSON path of each error: "  path::$.jobs: message".
      for line in output.text.split(separator: "\n").map(String.init) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let workflow = workflows.first(where: { trimmed.hasPrefix($0 + "::") }) else { continue }
        findings.append(
          ToolRun.finding(path: workflow, rule: "github-workflow-schema", message: String(trimmed.dropFirst(workflow.count + 2))))
      }
      if findings.isEmpty { findings.append(ToolRun.generalFinding(output, tool: "check-jsonschema")) }
    }
    return ToolRun.result(
      .workflowSchema, version: await run.version(checker), started: started, outcome: output.status == 0 ? .pass : .fail,
      findings: findings)
  }
}
