import Contracts
import Foundation
import ServiceKit

/// `reports/rationale.json` (shape: `Resources/rationale.schema.json`) and `docs/decisions.md`:
/// every Reason Card of a version's run, in order.
package enum RationaleExport {
  package static let schemaVersion = 1
  package static let jsonPath = "reports/rationale.json"
  package static let markdownPath = "docs/decisions.md"

  package static func json(_ cards: [Mlops_V1_ReasonCard], decisionSetID: String, version: Int) throws -> Data {
    let items = cards.enumerated().map { index, card -> [String: Any] in
      var item: [String: Any] = [
        "index": index + 1, "agent": card.agent, "node": card.node, "choice": card.choice, "rationale": card.rationale,
        "confidence": card.confidence, "inputs": ["summary": card.inputs.summary, "sha256": card.inputs.sha256],
        "candidates": card.candidates.map { candidate in
          ["option": candidate.option, "score": candidate.score, "chosen": candidate.chosen, "reasons": candidate.reasons]
            as [String: Any]
        },
        "risks": card.risks, "quoted_comments": card.quotedComments, "policy_summary": card.policySummary,
        "cost_summary": card.costSummary, "links": card.links.map { ["rel": $0.rel, "href": $0.href] },
      ]
      if card.hasProvider {
        item["provider"] = [
          "name": card.provider.name, "model": card.provider.model, "pack_sha256": card.provider.packSha256,
          "fallback_reason": card.provider.fallbackReason,
        ]
      }
      return item
    }
    let document: [String: Any] = [
      "schema_version": schemaVersion, "decision_set_id": decisionSetID, "version": version, "cards": items,
    ]
    var data = try SortedJSON.document(document)
    data.append(0x0A)
    return data
  }

  package static func markdown(_ cards: [Mlops_V1_ReasonCard], version: Int) -> Data {
    var lines = ["# Decisions (version \(version))", "", "Every step of the run that produced this version, in order.", ""]
    for (index, card) in cards.enumerated() {
      lines.append("## \(index + 1). \(InertText.markdown(card.node)) (\(InertText.markdown(card.agent)))")
      lines.append("")
      let choice = card.choice.isEmpty ? "no choice recorded" : InertText.markdown(card.choice)
      lines.append("**\(choice)** (confidence \(String(format: "%.2f", card.confidence)))")
      if !card.rationale.isEmpty {
        lines.append("")
        lines.append(InertText.markdown(card.rationale))
      }
      // Cards come from services and models: their text is data, never Markdown of its own.
      for risk in card.risks { lines.append("- risk: \(InertText.markdown(risk))") }
      for comment in card.quotedComments { lines.append("> \(InertText.markdown(comment))") }
      lines.append("")
    }
    return Data(lines.joined(separator: "\n").utf8)
  }

  package static func schema() throws -> Data {
    guard let url = Bundle.module.url(forResource: "rationale.schema", withExtension: "json") else {
      throw CocoaError(.fileNoSuchFile)
    }
    return try Data(contentsOf: url)
  }
}
