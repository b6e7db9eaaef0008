import Contracts
import Foundation
import Providers
import ServiceKit

/// What a chat model is told when it writes the marked regions: the rules the bundle's
/// validators hold its code to, the plan's task and data, each region's contract and current
/// code, and on a retry what the last attempt got wrong.
enum RegionPrompt {
  static let system = """
    You write Python modules for a generated machine-learning repository. Each module you \
    write replaces one marked region whole. Your code is kept only when the repository, with \
    it in, passes ruff check (rules E, F, W, I, B, UP, S; isort with pipeline first-party), \
    ruff format, mypy --strict and pytest: the tests train the model on the repository's \
    sample data, require it to beat a naive baseline, and serve it. Python 3.11. \
    Keep every function the region's contract names, with that signature; import only the \
    packages the region allows; no file, network or process access. \
    Reply with one JSON object and nothing else: \
    {"regions": {"<region name>": "<the whole module as Python source>"}, \
    "rationale": "<one or two sentences: what you chose and why>"}. \
    Leave out a region you would not improve.
    """

  static func messages(
    regions: [CodeRegion], files: [Mlops_V1_GeneratedFile], request: Mlops_V1_GenerateRequest, feedback: String?
  ) -> [ChatMessage] {
    let blueprint = Blueprint(request: request)
    var document: [String: Any] = [
      "project": blueprint.slug,
      "problem": blueprint.problem,
      "regions": regions.map { region in
        [
          "name": region.name, "path": region.path, "purpose": region.purpose, "contract": region.contract,
          "may_import": region.importRoots.sorted(), "current_module": region.body(in: files) ?? "",
        ] as [String: Any]
      },
    ]
    if let schema = files.first(where: { $0.path == "pipelines/training/pipeline/schema.json" }),
      let parsed = try? JSONSerialization.jsonObject(with: schema.content)
    {
      document["dataset_schema"] = parsed
    }
    if let feedback {
      document["last_attempt_failed"] = feedback
    }
    let text = (try? SortedJSON.data(document)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    return [ChatMessage(.system, system), ChatMessage(.user, text)]
  }

  /// What the validators found, as the next attempt's feedback: the failing tools and their
  /// first findings, bounded so a noisy tool cannot crowd out the prompt.
  static func feedback(_ report: Mlops_V1_ValidationReport) -> String {
    var lines: [String] = []
    for result in report.results where result.outcome == .fail {
      lines.append("\(result.tool) failed:")
      for finding in result.findings.prefix(12) {
        let place = finding.line > 0 ? "\(finding.path):\(finding.line)" : finding.path
        lines.append("  \(place) \(finding.rule) \(finding.message.prefix(300))")
      }
    }
    return String(lines.joined(separator: "\n").prefix(6000))
  }
}
