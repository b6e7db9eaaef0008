import Assembly
import EdgeAPI
import EdgeRuntime
import Foundation
import ServiceKit

/// Where a finished run's results land on this machine: the bundle unpacked under
/// `{out}/{decision set}/v{version}/`, and the Change Summary against the previous version
/// (or, for a first version, against nothing) beside it as `change-summary.json`.
struct RunOutput {
  let root: URL

  struct Saved {
    var folder: URL
    var files: Int
    var changeSummary: URL
    var changedFiles: Int
  }

  func save(decisionSetPath: String, id: String, client: APIClient) async throws -> Saved? {
    let artifacts = try await client.send(.GET, "\(decisionSetPath)/artifacts").fields["artifacts"] as? [[String: Any]] ?? []
    guard let latest = artifacts.last(where: { $0["status"] as? String == "stored" }),
      let link = latest["download_url"] as? String, let version = latest["version"] as? Int
    else { return nil }
    let folder = root.appending(path: id).appending(path: "v\(version)").standardizedFileURL
    try? FileManager.default.removeItem(at: folder)
    let files = try BundleArchive.read(try await client.download(link))
    for file in files {
      let url = folder.appending(path: "bundle").appending(path: file.path)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try file.contents.write(to: url)
      if file.executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
    }
    let summary = try await client.send(.GET, "\(decisionSetPath)/changes?from=\(version - 1)&to=\(version)").fields
    let summaryURL = folder.appending(path: "change-summary.json")
    try SortedJSON.document(summary)
      .write(to: summaryURL)
    return Saved(
      folder: folder.appending(path: "bundle"), files: files.count, changeSummary: summaryURL,
      changedFiles: (summary["files"] as? [Any])?.count ?? 0)
  }
}
