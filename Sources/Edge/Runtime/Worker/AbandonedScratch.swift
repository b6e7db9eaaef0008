import Foundation
import Logging
import ServiceKit

/// What a killed worker leaves behind on its machine, removed when a worker starts there:
/// commit scratch folders (`mlops-commit-{pid}-…`) and half-written bundles (`*.partial`) of
/// processes that no longer run.
package enum AbandonedScratch {
  package static func remove(dataDirectory: String, artifacts: ArtifactConfiguration, logger: Logger) {
    let folders = ScratchFolder.sweep(prefix: ProjectRepositories.scratchPrefix).count
    var partials = 0
    if artifacts.kind == .local {
      partials = LocalArtifactStore(
        root: URL(fileURLWithPath: dataDirectory).appending(path: "artifacts").standardizedFileURL
      ).removeAbandonedPartials()
    }
    if folders + partials > 0 {
      logger.notice(
        "removed what killed processes left behind",
        metadata: ["commit_folders": "\(folders)", "partial_bundles": "\(partials)"])
    }
  }
}
