import Contracts
import Foundation
import ServiceKit
import SwiftProtobuf

/// The bundle people download: the generated files, `manifest.json` (every generated file
/// with its hash, and the bundle hash), `reports/validators.json` (what the validators
/// found) and the rationale (`reports/rationale.json`, `docs/decisions.md`). The manifest's hash names the generated content; the zip's own hash names this
/// archive, durations and all.
package enum PublishedBundle {
  package static let manifestPath = "manifest.json"
  package static let validatorsPath = "reports/validators.json"

  package static func files(from generated: [Mlops_V1_GeneratedFile]) -> [BundleArchive.File] {
    generated.map { BundleArchive.File(path: $0.path, contents: $0.content, executable: $0.mode & 0o100 != 0) }
  }

  package static func generatedFiles(_ files: [BundleArchive.File]) -> [Mlops_V1_GeneratedFile] {
    files.map { file in
      .with {
        $0.path = file.path
        $0.content = file.contents
        $0.mode = file.executable ? 0o755 : 0o644
      }
    }
  }

  package static func make(
    generated: [Mlops_V1_GeneratedFile], manifest: Mlops_V1_BundleManifest, validation: Mlops_V1_ValidationReport,
    extra: [(path: String, contents: Data)] = []
  ) throws -> Data {
    var files = Self.files(from: generated)
    files.append(BundleArchive.File(path: manifestPath, contents: try manifestJSON(manifest)))
    files.append(BundleArchive.File(path: validatorsPath, contents: try validatorsJSON(validation)))
    files += extra.map { BundleArchive.File(path: $0.path, contents: $0.contents) }
    return try BundleArchive.make(files)
  }

  /// The manifest as people read it: without Codegen's signature, which only Codegen can
  /// check and which would differ between installations for the same files.
  package static func manifestJSON(_ manifest: Mlops_V1_BundleManifest) throws -> Data {
    var published = manifest
    published.signature = ""
    return try json(published)
  }

  /// Protobuf JSON with the proto's field names, pretty and with sorted keys.
  /// `reports/validators.json`: the report, with `passed` and `complete` always written
  /// (protobuf JSON leaves out a false), so an incomplete bundle says so.
  package static func validatorsJSON(_ report: Mlops_V1_ValidationReport) throws -> Data {
    var object = try ProtoJSON.object(report, options: ProtoJSON.documentEncoding) as? [String: Any] ?? [:]
    object["passed"] = report.passed
    object["complete"] = report.complete
    object["not_run"] = report.notRun
    var data = try SortedJSON.document(object)
    data.append(0x0A)
    return data
  }

  static func json(_ message: some SwiftProtobuf.Message) throws -> Data {
    var data = try SortedJSON.document(try ProtoJSON.object(message, options: ProtoJSON.documentEncoding))
    data.append(0x0A)
    return data
  }
}
