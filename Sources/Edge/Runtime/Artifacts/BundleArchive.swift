import Foundation
import ZIPFoundation

/// A generated repository as one zip that is the same bytes every time for the same files:
/// entries sorted by path, one fixed timestamp, modes 0644 or 0755, deflate at the default level.
package enum BundleArchive {
  package struct File: Sendable, Equatable {
    package var path: String
    package var contents: Data
    package var executable: Bool

    package init(path: String, contents: Data, executable: Bool = false) {
      self.path = path
      self.contents = contents
      self.executable = executable
    }
  }

  package struct Invalid: Error, CustomStringConvertible {
    package var description: String
  }

  /// 1980-01-01T00:00:00Z, the earliest moment a zip entry can carry.
  package static let timestamp = Date(timeIntervalSince1970: 315_532_800)

  package static func make(_ files: [File]) throws -> Data {
    var seen: Set<String> = []
    for file in files {
      let parts = file.path.split(separator: "/", omittingEmptySubsequences: false)
      guard !file.path.hasPrefix("/"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
        throw Invalid(
          description: "a bundle path is relative with no empty, \".\" or \"..\" parts: \(file.path.debugDescription)")
      }
      guard seen.insert(file.path).inserted else { throw Invalid(description: "\(file.path) appears twice in the bundle") }
    }
    let archive = try Archive(data: Data(), accessMode: .create)
    for file in files.sorted(by: { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }) {
      let contents = file.contents
      try archive.addEntry(
        with: file.path, type: .file, uncompressedSize: Int64(contents.count), modificationDate: timestamp,
        permissions: file.executable ? 0o755 : 0o644, compressionMethod: .deflate
      ) { position, size in
        contents.subdata(in: Int(position)..<(Int(position) + size))
      }
    }
    guard let data = archive.data else { throw Invalid(description: "the archive produced no bytes") }
    return data
  }

  /// The files in a bundle, for checks and tests.
  package static func read(_ data: Data) throws -> [File] {
    let archive = try Archive(data: data, accessMode: .read)
    return try archive.map { entry in
      var contents = Data()
      _ = try archive.extract(entry) { contents.append($0) }
      let mode = (entry.fileAttributes[.posixPermissions] as? NSNumber)?.uint16Value ?? 0o644
      return File(path: entry.path, contents: contents, executable: mode & 0o100 != 0)
    }
  }
}
