import Foundation

/// Finds the validators' programs: the configured tool folders first (the project's venv),
/// then PATH. A program that is not found makes its validator `skipped`, never `pass`.
struct ToolLocator: Sendable {
  let directories: [String]

  init(directories: [String]) {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    self.directories = directories + path.split(separator: ":").map(String.init)
  }

  func find(_ program: String) -> String? {
    for directory in directories {
      let candidate = URL(fileURLWithPath: directory).appending(path: program).path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// PATH for the tools' own children (pytest's python, mypy's plugins).
  var searchPath: String { directories.joined(separator: ":") }
}
