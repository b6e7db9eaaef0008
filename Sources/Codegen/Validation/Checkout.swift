import Contracts
import Foundation
import ServiceKit

/// A temporary workspace holding a bundle's files (`root`) and a HOME for the tools
/// (`home`), removed when the validation is done.
struct Checkout {
  let workspace: URL
  let root: URL
  let home: URL
  /// Where the tools see the validator cache when they run sandboxed.
  var cacheMount: URL { workspace.appending(path: "cache") }

  static let prefix = "mlops-validate-"

  static func make(_ files: [Mlops_V1_GeneratedFile]) throws -> Checkout {
    let workspace = ScratchFolder.make(prefix: prefix)
    let root = workspace.appending(path: "repo")
    let home = workspace.appending(path: "home")
    try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: workspace.appending(path: "cache"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    for file in files {
      guard BundlePath.isSafe(file.path) else {
        throw CocoaError(.fileWriteInvalidFileName, userInfo: [NSLocalizedDescriptionKey: "unsafe path \(file.path)"])
      }
      let url = root.appending(path: file.path)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try file.content.write(to: url)
      try FileManager.default.setAttributes(
        [.posixPermissions: file.mode == 0 ? 0o644 : Int(file.mode & 0o755)], ofItemAtPath: url.path)
    }
    return Checkout(workspace: workspace, root: root, home: home)
  }

  func remove() {
    try? FileManager.default.removeItem(at: workspace)
  }
}

/// A path inside a bundle: relative, forward slashes, no empty, `.` or `..` part, no control
/// characters, at most 512 bytes.
enum BundlePath {
  static func isSafe(_ path: String) -> Bool {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    return !path.isEmpty && path.utf8.count <= 512 && !path.hasPrefix("/")
      && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
      && !path.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }
  }
}
