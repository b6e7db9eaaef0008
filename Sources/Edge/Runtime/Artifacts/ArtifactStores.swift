import Foundation
import ServiceKit

/// The store the configuration names: the local folder under the data directory by default.
public enum ArtifactStores {
  public static func make(_ configuration: Configuration) throws -> any ArtifactStore {
    switch configuration.artifacts.kind {
    case .local:
      return LocalArtifactStore(
        root: URL(fileURLWithPath: configuration.dataDirectory).appending(path: "artifacts").standardizedFileURL)
    case .s3:
      return try S3ArtifactStore(configuration: configuration.artifacts)
    }
  }
}
