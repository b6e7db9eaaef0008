import Contracts
import Foundation

/// A temporary folder holding a bundle's files, removed when the validation is done.
struct Checkout {
  let root: URL

  static func make(_ files: [Mlops_V1_GeneratedFile]) throws -> Checkout {
    let root = FileManager.default.temporaryDirectory.appending(path: "mlops-validate-\(UUID().uuidString)")
    for file in files {
      let parts = file.path.split(separator: "/", omittingEmptySubsequences: false)
      guard !file.path.hasPrefix("/"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
        throw CocoaError(.fileWriteInvalidFileName, userInfo: [NSLocalizedDescriptionKey: "unsafe path \(file.path)"])
      }
      let url = root.appending(path: file.path)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try file.content.write(to: url)
      try FileManager.default.setAttributes([.posixPermissions: file.mode == 0 ? 0o644 : Int(file.mode)], ofItemAtPath: url.path)
    }
    return Checkout(root: root)
  }

  func remove() {
    try? FileManager.default.removeItem(at: root)
  }
}
