import Foundation
import Tracing

/// Any artifact store, with a span per write and read (`artifact.put`, `artifact.get`).
struct TracedArtifactStore: ArtifactStore {
  let store: any ArtifactStore
  let kind: String

  func put(_ bytes: Data, at key: ArtifactKey) async throws {
    try await withSpan("artifact.put", ofKind: .client) { span in
      span.attributes["mlops.artifact.store"] = kind
      span.attributes["mlops.artifact.key"] = key.path
      span.attributes["mlops.artifact.bytes"] = bytes.count
      try await store.put(bytes, at: key)
    }
  }

  func get(_ key: ArtifactKey) async throws -> Data? {
    try await withSpan("artifact.get", ofKind: .client) { span in
      span.attributes["mlops.artifact.store"] = kind
      span.attributes["mlops.artifact.key"] = key.path
      let bytes = try await store.get(key)
      span.attributes["mlops.artifact.bytes"] = bytes?.count ?? 0
      return bytes
    }
  }

  func presignedURL(for key: ArtifactKey, expiresIn seconds: Int) async throws -> URL? {
    try await store.presignedURL(for: key, expiresIn: seconds)
  }

  func removeProject(_ projectID: UUID) async throws -> Int {
    try await withSpan("artifact.remove_project", ofKind: .client) { span in
      span.attributes["mlops.artifact.store"] = kind
      span.attributes["mlops.project.id"] = projectID.lowercaseString
      return try await store.removeProject(projectID)
    }
  }
}
