import Contracts
import Crypto
import Foundation
import PostgresNIO
import ServiceKit

/// codegen: the approved plan into a repository. The files wait in the store's staging area,
/// keyed by their manifest hash, for the validators; the state carries the manifest.
struct CodegenNode: GraphNode {
  let codegen: any Mlops_V1_Codegen.ClientProtocol
  let store: any ArtifactStore
  var name: NodeName { .codegen }
  var agent: String { "codegen" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    let request = Mlops_V1_GenerateRequest.with {
      $0.projectID = state.projectID
      $0.projectName = state.projectName
      $0.version = state.version
      $0.plan = state.plan
      $0.constraints = state.constraints
      $0.cost = state.cost
      $0.policy = state.policy
      $0.technicalReview = state.technicalReview
      $0.approval = state.approval
      $0.reasonCards = state.reasonCards
      $0.brief = state.brief
      $0.questions = state.askedQuestions
      $0.answers = state.answers
      $0.constraintEdits = state.constraintEdits
      $0.candidateChoices = state.candidateChoices
    }
    let (files, manifest, card) = try await codegen.generate(request) { response in
      var files: [Mlops_V1_GeneratedFile] = []
      var manifest: Mlops_V1_BundleManifest?
      var card: Mlops_V1_ReasonCard?
      for try await message in response.messages {
        switch message.item {
        case .file(let file): files.append(file)
        case .manifest(let value): manifest = value
        case .reasonCard(let value): card = value
        case nil: break
        }
      }
      guard let manifest else { throw CodegenNodeError.incomplete("Codegen.Generate ended without a manifest") }
      return (files, manifest, card ?? Mlops_V1_ReasonCard())
    }
    try await StagedFiles.put(files, manifest: manifest, projectID: context.projectID, in: store)
    var state = state
    state.manifest = manifest
    state.reasonCards.append(card.stamped(agent: agent, node: name))
    return state
  }
}

/// validators: the real tools on the staged files. A pass lets the run go on to publish
/// (diff_and_persist); a failure blocks publishing and ends the run with a run-error naming
/// the files and rules. So does a bundle some validator did not run on, unless the
/// project's settings allow incomplete bundles (then the report says what did not run).
struct ValidatorsNode: GraphNode {
  let codegen: any Mlops_V1_Codegen.ClientProtocol
  let store: any ArtifactStore
  /// The project's `allow_incomplete_bundles` setting.
  let allowsIncompleteBundles: @Sendable (UUID) async throws -> Bool
  var name: NodeName { .validators }
  var agent: String { "validators" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    let files = try await StagedFiles.get(manifest: state.manifest, projectID: context.projectID, from: store)
    let response = try await codegen.validate(
      .with {
        $0.files = files
        $0.manifest = state.manifest
      })
    var state = state
    state.validation = response.report
    state.reasonCards.append(response.reasonCard.stamped(agent: agent, node: name))
    guard response.report.passed else {
      context.events.emit(.runError, payload: try Self.blockedPayload(response.report))
      return state
    }
    if !response.report.complete {
      state.validation.incompleteAllowed = try await allowsIncompleteBundles(context.projectID)
      if !state.validation.incompleteAllowed {
        context.events.emit(.runError, payload: try Self.incompletePayload(response.report))
      }
    }
    return state
  }

  /// Whether the validated bundle may be published.
  static func publishable(_ report: Mlops_V1_ValidationReport) -> Bool {
    report.passed && (report.complete || report.incompleteAllowed)
  }

  static func incompletePayload(_ report: Mlops_V1_ValidationReport) throws -> String {
    try SortedJSON.string([
      "node": NodeName.validators.rawValue,
      "error": "publishing blocked: the bundle is incomplete, and the project does not allow incomplete bundles: "
        + report.notRun.joined(separator: "; "),
      "not_run": report.notRun,
    ])
  }

  /// "publishing blocked: secret-scan: services/inference/app/settings.py:12 [aws-access-key-id] ..."
  static func blockedPayload(_ report: Mlops_V1_ValidationReport) throws -> String {
    var problems: [String] = []
    var findings: [[String: Any]] = []
    for result in report.results where result.outcome == .fail {
      let first = result.findings.first
      let place = first.map { finding in
        finding.path.isEmpty
          ? String(finding.message.prefix(120))
          : (finding.line > 0 ? "\(finding.path):\(finding.line)" : finding.path)
            + (finding.rule.isEmpty ? "" : " [\(finding.rule)]")
      }
      problems.append(
        "\(result.tool): " + (place ?? "failed") + (result.findings.count > 1 ? " and \(result.findings.count - 1) more" : ""))
      for finding in result.findings.prefix(20) {
        findings.append([
          "tool": result.tool, "path": finding.path, "line": Int(finding.line), "rule": finding.rule, "message": finding.message,
        ])
      }
    }
    let object: [String: Any] = [
      "node": NodeName.validators.rawValue, "error": "publishing blocked: " + problems.joined(separator: "; "),
      "findings": findings,
    ]
    return try SortedJSON.string(object)
  }
}

/// Generated files between codegen and diff_and_persist: one zip in the store's staging area,
/// keyed by the manifest's hash, so staging the same files twice is harmless.
enum StagedFiles {
  static func put(
    _ files: [Mlops_V1_GeneratedFile], manifest: Mlops_V1_BundleManifest, projectID: UUID, in store: any ArtifactStore
  ) async throws {
    let key = try ArtifactKey.staging(projectID: projectID, bundleSHA256: manifest.bundleSha256)
    try await store.put(try BundleArchive.make(PublishedBundle.files(from: files)), at: key)
  }

  static func get(manifest: Mlops_V1_BundleManifest, projectID: UUID, from store: any ArtifactStore) async throws
    -> [Mlops_V1_GeneratedFile]
  {
    let key = try ArtifactKey.staging(projectID: projectID, bundleSHA256: manifest.bundleSha256)
    guard let archive = try await store.get(key) else {
      throw CodegenNodeError.incomplete("the generated files are missing from the store (\(key))")
    }
    return PublishedBundle.generatedFiles(try BundleArchive.read(archive))
  }
}

enum CodegenNodeError: Error, CustomStringConvertible {
  case incomplete(String)
  var description: String {
    switch self {
    case .incomplete(let text): text
    }
  }
}
