import Crypto
import Foundation
import ServiceKit

/// One versioned SQL file from `Sources/Edge/Runtime/Migrations`, named `NNNN_what_it_does.sql`.
package struct Migration: Sendable, Equatable {
  package var version: Int
  package var name: String
  package var sql: String

  package init(version: Int, name: String, sql: String) {
    self.version = version
    self.name = name
    self.sql = sql
  }

  /// sha256 of the file, recorded when applied so a later edit of a landed file is caught.
  package var checksum: String {
    SHA256.hash(data: Data(sql.utf8)).lowercaseHex
  }

  package struct InvalidName: Error, CustomStringConvertible {
    package var file: String
    package var description: String { "migration file \(file) is not named NNNN_description.sql" }
  }

  /// The migrations shipped with Edge, in version order.
  package static func bundled() throws -> [Migration] {
    guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
      throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "Edge's Migrations resource folder is missing"])
    }
    return try load(from: folder)
  }

  package static func load(from folder: URL) throws -> [Migration] {
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }
    let migrations = try files.map { file in
      let stem = file.dropLast(4)
      guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
        throw InvalidName(file: file)
      }
      let sql = try String(contentsOf: folder.appending(path: file), encoding: .utf8)
      return Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql)
    }
    return migrations.sorted { $0.version < $1.version }
  }
}
