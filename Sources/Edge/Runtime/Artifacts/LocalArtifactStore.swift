import Foundation
import ServiceKit

/// The default store: a folder (under the data directory). A write goes to a temporary file
/// beside its destination, is flushed to disk, and is renamed into place, and the folder is
/// flushed too: a reader never sees half a bundle, a crash leaves no partial file under a
/// real key, and once `put` returns the bundle survives a power cut.
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
    let temporary = folder.appending(path: ".\(getpid())-\(UUID().uuidString).\(destination.lastPathComponent).partial")
    do {
      try Self.writeDurably(bytes, to: temporary)
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw error
    }
    // rename(2) replaces atomically; two writers of one content-addressed key write the same bytes.
    guard rename(temporary.path, destination.path) == 0 else {
      let code = errno
      try? FileManager.default.removeItem(at: temporary)
      throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot store \(key): errno \(code)"])
    }
    try Self.flush(folder)
  }

  /// Writes `bytes` to a new file and fsyncs it before returning.
  static func writeDurably(_ bytes: Data, to url: URL) throws {
    let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot create \(url.path): errno \(errno)"])
    }
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    try handle.write(contentsOf: bytes)
    try handle.synchronize()
  }

  /// fsyncs a folder, so the names renamed into it are on disk too.
  static func flush(_ folder: URL) throws {
    let descriptor = open(folder.path, O_RDONLY | O_DIRECTORY)
    guard descriptor >= 0 else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot open \(folder.path): errno \(errno)"])
    }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot flush \(folder.path): errno \(errno)"])
    }
  }

  package func get(_ key: ArtifactKey) async throws -> Data? {
    let location = url(for: key)
    guard FileManager.default.fileExists(atPath: location.path) else { return nil }
    return try Data(contentsOf: location)
  }

  func url(for key: ArtifactKey) -> URL { root.appending(path: key.path) }

  package func removeProject(_ projectID: UUID) async throws -> Int {
    let folder = root.appending(path: "projects/\(projectID.lowercaseString)")
    guard FileManager.default.fileExists(atPath: folder.path) else { return 0 }
    let files =
      FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])?
      .compactMap { ($0 as? URL).flatMap { try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile } }
      .filter { $0 }.count ?? 0
    try FileManager.default.removeItem(at: folder)
    return files
  }

  /// Removes the `.{pid}-{uuid}.{name}.partial` files of writers that were killed mid-write;
  /// returns how many.
  @discardableResult
  package func removeAbandonedPartials() -> Int {
    guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return 0 }
    var removed = 0
    for case let url as URL in files where url.lastPathComponent.hasSuffix(".partial") {
      guard let pid = ScratchFolder.owner(of: url.lastPathComponent, prefix: "."), !ScratchFolder.isRunning(pid) else {
        continue
      }
      if (try? FileManager.default.removeItem(at: url)) != nil { removed += 1 }
    }
    return removed
  }
}
