import Foundation
import ServiceKit

/// Where bundles live: content-addressed keys under `projects/{project_id}/`, so writing the
/// same bytes twice is harmless and a key always names the same content.
package protocol ArtifactStore: Sendable {
  /// Stores `bytes` at `key`; a key that already holds these bytes is left as it is.
  func put(_ bytes: Data, at key: ArtifactKey) async throws
  func get(_ key: ArtifactKey) async throws -> Data?
  /// A link that downloads `key` without credentials until it expires, when the store can
  /// sign one itself (S3); nil means Edge signs its own link (`DownloadSigner`).
  func presignedURL(for key: ArtifactKey, expiresIn seconds: Int) async throws -> URL?
  /// Removes everything under `projects/{project_id}/` (a deleted project's bundles); how
  /// many objects went.
  func removeProject(_ projectID: UUID) async throws -> Int
}

extension ArtifactStore {
  package func presignedURL(for key: ArtifactKey, expiresIn seconds: Int) async throws -> URL? { nil }
}

/// A validated store key. Every key starts with `projects/{project_id}/`: tenancy is in the
/// key itself, and no key can climb out of the store.
package struct ArtifactKey: Sendable, Hashable, CustomStringConvertible {
  package let path: String

  package struct Invalid: Error, CustomStringConvertible {
    package var description: String
  }

  package init(_ path: String) throws(Invalid) {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count >= 3, parts[0] == "projects", UUID(uuidString: String(parts[1])) != nil else {
      throw Invalid(description: "an artifact key starts with projects/{project_id}/, not \(path.debugDescription)")
    }
    guard parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }), !path.contains("\\") else {
      throw Invalid(description: "an artifact key has no empty, \".\" or \"..\" parts: \(path.debugDescription)")
    }
    self.path = path
  }

  /// The project the key is under.
  package var projectID: UUID? { path.split(separator: "/").dropFirst().first.flatMap { UUID(uuidString: String($0)) } }

  /// `projects/{project_id}/bundles/{sha256}.zip`
  package static func bundle(projectID: UUID, sha256: String) throws(Invalid) -> ArtifactKey {
    guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
      throw Invalid(description: "a bundle is named by its lower-case SHA-256, not \(sha256.debugDescription)")
    }
    return try ArtifactKey("projects/\(projectID.lowercaseString)/bundles/\(sha256).zip")
  }

  /// `projects/{project_id}/staging/{bundle_sha256}.zip`: generated files waiting for the
  /// validators; never listed or downloadable.
  package static func staging(projectID: UUID, bundleSHA256: String) throws(Invalid) -> ArtifactKey {
    let bundle = try bundle(projectID: projectID, sha256: bundleSHA256)
    return try ArtifactKey(bundle.path.replacingOccurrences(of: "/bundles/", with: "/staging/"))
  }

  /// The SHA-256 a bundle's key names (`projects/{project_id}/bundles/{sha256}.zip`); nil for
  /// other keys.
  package var contentSHA256: String? {
    let parts = path.split(separator: "/")
    guard parts.count == 4, parts[2] == "bundles", parts[3].hasSuffix(".zip") else { return nil }
    let name = String(parts[3].dropLast(4))
    return name.count == 64 && name.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) ? name : nil
  }

  package var description: String { path }
}
