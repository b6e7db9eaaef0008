import Contracts
import Foundation

/// The Reason Cards of the codegen and validators steps.
enum CodegenReasonCard {
  /// `code` is set when a model was asked for the marked regions: the card names it, says
  /// whether its code was kept and why, and lists every attempt.
  static func generated(
    _ repository: RepositoryGenerator.Repository, request: Mlops_V1_GenerateRequest,
    code: ModelRegionWriter.Outcome? = nil
  ) -> Mlops_V1_ReasonCard {
    let paths = repository.files.map(\.path)
    func count(_ prefix: String) -> Int { paths.filter { $0.hasPrefix(prefix) }.count }
    let modules = Set(
      paths.compactMap { path -> String? in
        let parts = path.split(separator: "/")
        return parts.count > 4 && parts[2] == "modules" ? String(parts[3]) : nil
      }
    ).sorted()
    var comments = request.constraints.reviewNotes.map(\.value).filter { !$0.isEmpty }
    if !request.approval.comment.isEmpty, !comments.contains(request.approval.comment) {
      comments.append(request.approval.comment)
    }
    comments += request.approval.inlineComments.map { "\($0.path): \($0.text)" }
    let bytes = repository.files.reduce(0) { $0 + $1.content.count }
    return .with {
      $0.agent = "codegen"
      $0.node = "codegen"
      $0.inputs = .with {
        let reviewer = request.approval.reviewer.isEmpty ? "" : " by \(request.approval.reviewer)"
        $0.summary = "plan v\(request.version) approved\(reviewer): \(request.plan.components.count) components"
        $0.sha256 = repository.manifest.bundleSha256
      }
      $0.choice = "generate \(paths.count) files (bundle \(repository.manifest.bundleSha256.prefix(12)))"
      $0.rationale =
        "The repository follows the approved plan: an inference service (\(count("services/")) files), "
        + "a training pipeline (\(count("pipelines/")) files), Terraform for the chosen components only "
        + "(modules: \(modules.joined(separator: ", "))), CI and deploy workflows, "
        + "\(count("docs/adr/0")) decision records and the policy and cost reports; \(bytes) bytes in all."
      $0.quotedComments = comments
      $0.policySummary = request.policy.summary
      $0.costSummary = String(format: "$%.2f per month (%@)", request.cost.monthlyUsd, request.cost.method)
      $0.confidence = 1
      $0.links = [
        .with {
          $0.rel = "manifest"; $0.href = "manifest.json"
        }
      ]
      if let code {
        $0.provider = code.use
        $0.rationale += " " + Self.sentence(code)
        if code.kept {
          $0.risks.append(
            "Model-written code in \(code.use.regions.joined(separator: ", ")): it passed the validators, "
              + "but no person has read it yet; review those modules before merging.")
        }
      }
    }
  }

  static func sentence(_ code: ModelRegionWriter.Outcome) -> String {
    let who = "\(code.use.name) model \(code.use.model)"
    let tried = code.attempts.isEmpty ? "" : " (\(code.attempts.joined(separator: "; ")))"
    guard code.kept else {
      return "The code provider \(who) was asked for the marked regions: \(code.use.fallbackReason)\(tried)."
    }
    let why = code.rationale.isEmpty ? "" : " Its reason: \"\(code.rationale)\""
    return "The regions \(code.use.regions.joined(separator: ", ")) were written by \(who) on attempt "
      + "\(code.use.attempts) and kept because \(ModelRegionWriter.gate.map(\.rawValue).joined(separator: ", ")) "
      + "passed on the whole bundle\(tried).\(why)"
  }
}
