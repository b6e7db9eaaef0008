import Contracts
import Crypto
import Foundation
import ServiceKit

/// The manifest of a generated repository: every file's path, size, mode and SHA-256, sorted
/// by path, and the bundle's hash over them.
///
/// `bundle_sha256` is the SHA-256 of one line per file, in path order:
/// `{sha256} {mode in octal} {size} {path}\n`. It names the generated content, whatever
/// archive carries it.
public enum BundleManifestBuilder {
  public static func manifest(for files: [Mlops_V1_GeneratedFile], generator: String) -> Mlops_V1_BundleManifest {
    let sorted = files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    var hasher = SHA256()
    var entries: [Mlops_V1_ManifestEntry] = []
    for file in sorted {
      let sha = file.sha256.isEmpty ? hex(SHA256.hash(data: file.content)) : file.sha256
      hasher.update(data: Data("\(sha) \(String(file.mode, radix: 8)) \(file.content.count) \(file.path)\n".utf8))
      entries.append(
        .with {
          $0.path = file.path
          $0.size = UInt64(file.content.count)
          $0.mode = file.mode
          $0.sha256 = sha
        })
    }
    return .with {
      $0.files = entries
      $0.bundleSha256 = hex(hasher.finalize())
      $0.generatorVersion = generator
    }
  }

  /// Files that do not match their manifest: missing, extra, or with other contents.
  public static func mismatches(_ files: [Mlops_V1_GeneratedFile], manifest: Mlops_V1_BundleManifest) -> [String] {
    let actual = Dictionary(files.map { ($0.path, hex(SHA256.hash(data: $0.content))) }, uniquingKeysWith: { first, _ in first })
    var problems: [String] = []
    for entry in manifest.files {
      guard let sha = actual[entry.path] else {
        problems.append("\(entry.path): missing")
        continue
      }
      if sha != entry.sha256 { problems.append("\(entry.path): contents differ from the manifest") }
    }
    let listed = Set(manifest.files.map(\.path))
    for file in files where !listed.contains(file.path) { problems.append("\(file.path): not in the manifest") }
    return problems
  }

  static func hex(_ digest: SHA256.Digest) -> String {
    digest.lowercaseHex
  }
}
