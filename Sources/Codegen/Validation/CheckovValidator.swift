import Contracts
import Foundation

/// checkov's Terraform checks on `infra/terraform`, offline. Every failed check is a finding;
/// every check the code skips for itself (`#checkov:skip=ID:reason`) is listed with its reason
/// in `suppressed`, so a skip is never silent.
enum CheckovValidator {
  static func validate(_ run: ToolRun, root: String) async throws -> Mlops_V1_ValidatorResult {
    guard case .success(let checkov) = run.locate("checkov") else {
      return ToolRun.skipped(.checkov, reason: PythonValidators.skip(run, "checkov"))
    }
    let started = ContinuousClock.now
    // The JSON report lists every passed check with the resource it read (megabytes for a
    // large bundle), so it goes to a file beside the checkout; the console copy checkov always
    // writes goes nowhere. (`--quiet` would shorten it, but drops the skipped checks too.)
    let reportFile = run.checkout.workspace.appending(path: "checkov.json")
    let output = try await run.run(
      checkov,
      [
        "--directory", root, "--framework", "terraform", "--output", "json", "--output", "cli",
        "--output-file-path", "\(reportFile.path),/dev/null", "--compact", "--skip-download",
      ],
      environment: ["BC_SKIP_MAPPING": "TRUE"])
    let version = await run.version(checkov)
    let text = (try? String(contentsOf: reportFile, encoding: .utf8)) ?? ""
    guard let report = Self.report(text) else {
      return ToolRun.result(
        .checkov, version: version, started: started, outcome: .fail, findings: [ToolRun.generalFinding(output, tool: "checkov")])
    }
    let findings = report.failed.map { check in
      ToolRun.finding(
        path: check.path(under: root), line: check.line, rule: check.id, message: "\(check.resource): \(check.name)")
    }
    var result = ToolRun.result(
      .checkov, version: version, started: started,
      outcome: findings.isEmpty && report.parsingErrors.isEmpty ? .pass : .fail,
      findings: findings
        + report.parsingErrors.map {
          ToolRun.finding(
            path: PythonValidators.relative($0, to: run.root), rule: "parsing-error",
            message: "checkov could not parse this file, so none of its checks ran on it")
        })
    result.suppressed = report.skipped.map { check in
      ToolRun.finding(
        path: check.path(under: root), line: check.line, rule: check.id, message: "\(check.resource): \(check.reason)")
    }
    return result
  }

  struct Check {
    var id: String
    var name: String
    var resource: String
    var file: String
    var line: Int
    var reason: String

    /// checkov names files from the scanned folder ("/modules/serving/main.tf").
    func path(under root: String) -> String {
      let trimmed = file.hasPrefix("/") ? String(file.dropFirst()) : file
      return trimmed.isEmpty ? root : "\(root)/\(trimmed)"
    }
  }

  struct Report {
    var failed: [Check] = []
    var skipped: [Check] = []
    var parsingErrors: [String] = []
  }

  /// One framework gives one object; several give a list of them. No Terraform at all gives
  /// a summary with no results.
  static func report(_ text: String) -> Report? {
    guard let data = text.data(using: .utf8), let document = try? JSONSerialization.jsonObject(with: data) else { return nil }
    let frameworks = (document as? [[String: Any]]) ?? [(document as? [String: Any])].compactMap { $0 }
    guard !frameworks.isEmpty else { return nil }
    var report = Report()
    for framework in frameworks {
      let results = framework["results"] as? [String: Any] ?? [:]
      report.failed += (results["failed_checks"] as? [[String: Any]] ?? []).map(check)
      report.skipped += (results["skipped_checks"] as? [[String: Any]] ?? []).map(check)
      report.parsingErrors += results["parsing_errors"] as? [String] ?? []
    }
    return report
  }

  static func check(_ object: [String: Any]) -> Check {
    let range = object["file_line_range"] as? [Int] ?? []
    let result = object["check_result"] as? [String: Any] ?? [:]
    return Check(
      id: object["check_id"] as? String ?? "", name: object["check_name"] as? String ?? "",
      resource: object["resource"] as? String ?? "", file: object["file_path"] as? String ?? "", line: range.first ?? 0,
      reason: result["suppress_comment"] as? String ?? "")
  }
}
