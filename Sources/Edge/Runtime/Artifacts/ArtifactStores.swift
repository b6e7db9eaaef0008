import Foundation
import ServiceKit

/// The store the configuration names: the local folder under the data directory by default.
package enum ArtifactStores {
  package static func make(_ artifacts: ArtifactConfiguration, dataDirectory: String) throws -> any ArtifactStore {
    switch artifacts.kind {
    case .local:
      return LocalArtifactStore(root: URL(fileURLWithPath: dataDirectory).appending(path: "artifacts").standardizedFileURL)
    case .s3:
      return try S3ArtifactStore(configuration: artifacts)
    }
  }
}
