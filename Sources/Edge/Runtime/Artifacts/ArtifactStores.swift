import Foundation
import ServiceKit

/// The store the configuration names: the local folder under the data directory by default.
package enum ArtifactStores {
  /// Every read and write of it is traced.
  package static func make(_ artifacts: ArtifactConfiguration, dataDirectory: String) throws -> any ArtifactStore {
    switch artifacts.kind {
    case .local:
      return TracedArtifactStore(
        store: LocalArtifactStore(
          root: URL(fileURLWithPath: dataDirectory).appending(path: "artifacts").standardizedFileURL),
        kind: "local")
    case .s3:
      return TracedArtifactStore(store: try S3ArtifactStore(configuration: artifacts), kind: "s3")
    }
  }
}
