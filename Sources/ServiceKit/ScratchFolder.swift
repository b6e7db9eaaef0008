import Foundation

/// Temporary folders named `{prefix}{pid}-{uuid}` under the system's temporary directory, and
/// the sweep that removes the ones whose process is gone: a process killed with SIGKILL runs
/// no cleanup, so its scratch would otherwise stay for ever.
public enum ScratchFolder {
  /// A fresh, not yet created, folder for this process.
  public static func make(prefix: String, in parent: URL = FileManager.default.temporaryDirectory) -> URL {
    parent.appending(path: "\(prefix)\(getpid())-\(UUID().uuidString)")
  }

  /// Removes the entries of `parent` named `{prefix}{pid}-…` whose process no longer runs;
  /// returns what it removed.
  @discardableResult
  public static func sweep(prefix: String, in parent: URL = FileManager.default.temporaryDirectory) -> [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
    var removed: [URL] = []
    for name in names where name.hasPrefix(prefix) {
      guard let pid = owner(of: name, prefix: prefix), !isRunning(pid) else { continue }
      let url = parent.appending(path: name)
      if (try? FileManager.default.removeItem(at: url)) != nil { removed.append(url) }
    }
    return removed
  }

  /// The process id in `{prefix}{pid}-…`, nil for names made otherwise.
  public static func owner(of name: String, prefix: String) -> pid_t? {
    let rest = name.dropFirst(prefix.count)
    guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0 else { return nil }
    return pid
  }

  /// Whether a process with this id exists (one we may not signal still counts).
  public static func isRunning(_ pid: pid_t) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
  }
}
