import Contracts
import Foundation

/// The validators step's Reason Card: what ran, what was skipped and why, what failed where.
enum ValidationReasonCard {
  static func card(_ report: Mlops_V1_ValidationReport, manifest: Mlops_V1_BundleManifest) -> Mlops_V1_ReasonCard {
    let passed = report.results.filter { $0.outcome == .pass }.map(\.tool)
    let skipped = report.results.filter { $0.outcome == .skipped }
    let failed = report.results.filter { $0.outcome == .fail }
    var rationale = "Passed: \(passed.isEmpty ? "none" : passed.joined(separator: ", "))."
    if !skipped.isEmpty {
      rationale +=
        " Skipped (not counted as passed): " + skipped.map { "\($0.tool) (\($0.skipReason))" }.joined(separator: "; ") + "."
    }
    if !report.sandbox.isEmpty { rationale += " Sandbox: \(report.sandbox)." }
    // Where the bundle's own tests ran, and what building that environment cost.
    for environment in Set(report.results.map(\.environment).filter { !$0.isEmpty }).sorted() {
      let tools = report.results.filter { $0.environment == environment }.map(\.tool).joined(separator: " and ")
      rationale += " \(tools) ran in \(environment)."
    }
    var risks: [String] = []
    if report.sandbox.hasPrefix("NOT isolated") {
      risks.append("the validators ran without network isolation: \(report.sandbox)")
    }
    for result in failed {
      for finding in result.findings.prefix(5) {
        let place = finding.path.isEmpty ? "" : (finding.line > 0 ? "\(finding.path):\(finding.line) " : "\(finding.path) ")
        risks.append("\(result.tool): \(place)\(finding.rule.isEmpty ? "" : "[\(finding.rule)] ")\(finding.message)")
      }
    }
    return .with {
      $0.agent = "validators"
      $0.node = "validators"
      $0.inputs = .with {
        $0.summary = "bundle of \(manifest.files.count) files"
        $0.sha256 = manifest.bundleSha256
      }
      $0.choice = report.passed ? "publish the bundle" : "block publishing: \(failed.map(\.tool).joined(separator: ", ")) failed"
      $0.rationale = rationale
      $0.risks = risks
      $0.confidence = skipped.isEmpty ? 1 : Double(passed.count) / Double(max(1, report.results.count))
      $0.links = [
        .with {
          $0.rel = "report"; $0.href = "reports/validators.json"
        }
      ]
    }
  }
}
