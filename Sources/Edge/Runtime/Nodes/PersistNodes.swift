import Contracts
import Crypto
import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceKit
import Tracing

/// rationale_compile: the run's Reason Cards become `reports/rationale.json` and
/// `docs/decisions.md`; diff_and_persist writes them from the same cards, so this step only
/// says what they hold.
struct RationaleCompileNode: GraphNode {
  var name: NodeName { .rationaleCompile }
  var agent: String { "rationale" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    var state = state
    let nodes = state.reasonCards.map(\.node)
    let comments = state.reasonCards.flatMap(\.quotedComments)
    state.reasonCards.append(
      .with {
        $0.agent = agent
        $0.node = name.rawValue
        $0.choice = "compile \(nodes.count + 1) Reason Cards"
        $0.rationale =
          "Every step of version \(state.version) in order (\(nodes.joined(separator: " → "))), with \(comments.count) quoted "
          + "reviewer comment(s), into \(RationaleExport.jsonPath) and \(RationaleExport.markdownPath)."
        $0.confidence = 1
        $0.links = [
          .with {
            $0.rel = "report"; $0.href = RationaleExport.jsonPath
          },
          .with {
            $0.rel = "report"; $0.href = RationaleExport.markdownPath
          },
        ]
      })
    return state
  }
}

/// diff_and_persist: publishes the bundle (generated files, manifest, validator report,
/// rationale) under its content hash, commits the versioned files to the project's git
/// repository tagged for this version, and says what changed against the previous version
/// (a `diff-update` event). The artifact and version rows commit with the step.
struct DiffAndPersistNode: GraphNode {
  let store: any ArtifactStore
  let repositories: ProjectRepositories
  let versions: VersionStore
  var name: NodeName { .diffAndPersist }
  var agent: String { "persist" }

  func run(state: Mlops_V1_DecisionState, context: NodeContext) async throws -> Mlops_V1_DecisionState {
    let generated = try await StagedFiles.get(manifest: state.manifest, projectID: context.projectID, from: store)
    let version = Int(state.version)
    let cards = state.reasonCards
    let rationale = try RationaleExport.json(cards, decisionSetID: state.decisionSetID, version: version)
    let decisions = RationaleExport.markdown(cards, version: version)

    let bundle = try PublishedBundle.make(
      generated: generated, manifest: state.manifest, validation: state.validation,
      extra: [(RationaleExport.jsonPath, rationale), (RationaleExport.markdownPath, decisions)])
    let bundleSHA = SHA256.hash(data: bundle).lowercaseHex
    let key = try ArtifactKey.bundle(projectID: context.projectID, sha256: bundleSHA)
    try await store.put(bundle, at: key)
    Recorder(label: "mlops_bundle_bytes").record(bundle.count)

    let commit = try await repositories.commit(
      projectID: context.projectID, decisionSetID: context.threadID, version: version,
      files: try Self.versionedFiles(state: state, generated: generated, rationale: rationale, decisions: decisions),
      message: "v\(version): \(state.plan.summary)\n\nbundle \(state.manifest.bundleSha256)\n")

    var state = state
    state.artifactKey = key.path
    let published = VersionStore.Version(
      version: version, state: state, bundleSHA256: state.manifest.bundleSha256, artifactKey: key.path, gitCommit: commit)
    var summaryText = "first version: \(generated.count) files"
    var event: [String: Any] = [
      "decision_set_id": context.threadID.lowercaseString, "from": NSNull(), "to": version,
      "commit": commit, "tag": ProjectRepositories.tag(decisionSetID: context.threadID, version: version),
    ]
    if version > 1, let previous = try await versions.version(version - 1, of: context.threadID) {
      let diff = try await repositories.diff(
        projectID: context.projectID, decisionSetID: context.threadID, from: previous.version, to: version)
      let summary = try ChangeSummary.make(decisionSetID: context.threadID, from: previous, to: published, diff: diff)
      event = summary.json(includeDiff: false)
      event["commit"] = commit
      event["tag"] = ProjectRepositories.tag(decisionSetID: context.threadID, version: version)
      summaryText =
        "\(summary.files.count) versioned file(s) changed against v\(previous.version), \(summary.stateChanges.count) "
        + "state field(s); cost \(String(format: "%+.2f", summary.costDelta)) USD per month"
    }
    event["changes_url"] =
      "/v1/decision-sets/\(context.threadID.lowercaseString)/changes?from=\(max(1, version - 1))&to=\(version)"
    context.events.emit(.diffUpdate, payload: try SortedJSON.string(event))

    state.reasonCards.append(
      .with {
        $0.agent = agent
        $0.node = name.rawValue
        $0.inputs = .with {
          $0.summary = "bundle of \(generated.count) generated files, version \(version)"
          $0.sha256 = state.manifest.bundleSha256
        }
        $0.choice = "publish v\(version): bundle \(bundleSHA.prefix(12)), commit \(commit.prefix(10))"
        $0.rationale = summaryText + "."
        $0.confidence = 1
        $0.links = [
          .with {
            $0.rel = "artifact"; $0.href = key.path
          },
          .with {
            $0.rel = "commit"; $0.href = commit
          },
        ]
      })
    let (projectID, threadID, size, final) = (context.projectID, context.threadID, bundle.count, state)
    context.effects.add { connection in
      let logger = Logger(label: "diff_and_persist")
      try await VersionStore.insertArtifact(
        projectID: projectID, decisionSetID: threadID, version: version, sha256: bundleSHA, sizeBytes: size, key: key.path,
        on: connection, logger: logger)
      try await VersionStore.insert(
        decisionSetID: threadID, projectID: projectID, state: final, bundleSHA256: final.manifest.bundleSha256,
        artifactKey: key.path, gitCommit: commit, on: connection, logger: logger)
    }
    return state
  }

  /// What each version commits: the plan, the docs, the manifest and the reports. The
  /// validator report leaves out durations, so a re-run with the same outcome shows no diff.
  static func versionedFiles(
    state: Mlops_V1_DecisionState, generated: [Mlops_V1_GeneratedFile], rationale: Data, decisions: Data
  ) throws -> [ProjectRepositories.File] {
    var files = generated.filter { $0.path.hasPrefix("docs/") || $0.path.hasPrefix("reports/") }
      .map { ProjectRepositories.File(path: $0.path, contents: $0.content) }
    var validation = state.validation
    for index in validation.results.indices { validation.results[index].durationMs = 0 }
    files += [
      .init(path: "plan.json", contents: try PublishedBundle.json(state.plan)),
      .init(path: PublishedBundle.manifestPath, contents: try PublishedBundle.manifestJSON(state.manifest)),
      .init(path: PublishedBundle.validatorsPath, contents: try PublishedBundle.validatorsJSON(validation)),
      .init(path: RationaleExport.jsonPath, contents: rationale),
      .init(path: RationaleExport.markdownPath, contents: decisions),
    ]
    return files
  }
}
