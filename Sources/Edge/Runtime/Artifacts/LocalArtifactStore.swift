import Foundation

/// The default store: a folder (under the data directory). A write goes to a temporary file
/// beside its destination and is renamed into place, so a reader never sees half a bundle
/// and a crash leaves no partial file under a real key.
package struct LocalArtifactStore: ArtifactStore {
  package let root: URL

  package init(root: URL) {
    self.root = root
  }

  package func put(_ bytes: Data, at key: ArtifactKey) async throws {
    let destination = url(for: key)
    if let existing = try? Data(contentsOf: destination), existing == bytes { return }
    let folder = destination.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let temporary = folder.appending(path: ".\(destination.lastPathComponent).\(UUID().uuidString).partial")
    try bytes.write(to: temporary)
    // rename(2) replaces atomically; two writers of one content-addressed key write the same bytes.
    guard rename(temporary.path, destination.path) == 0 else {
      let code = errno
      try? FileManager.default.removeItem(at: temporary)
      throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot store \(key): errno \(code)"])
    }
  }

  package func get(_ key: ArtifactKey) async throws -> Data? {
    let location = url(for: key)
    guard FileManager.default.fileExists(atPath: location.path) else { return nil }
    return try Data(contentsOf: location)
  }

  func url(for key: ArtifactKey) -> URL { root.appending(path: key.path) }
}
