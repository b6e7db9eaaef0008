import Foundation

/// The CPU time (user + system) a process has used, from `/proc/<pid>/stat`: steadier than wall
/// time on a machine other work shares, and what an overhead such as tracing adds to.
enum ProcessCPU {
  static func seconds(of pid: Int32) -> Double? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    // After "pid (comm) ": state is field 3, utime and stime are fields 14 and 15.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
  }

  static var ofThisProcess: Double? { seconds(of: getpid()) }

  /// The CPU time of every process on this host named `name` (PostgreSQL's server and its
  /// backends are all `postgres`); nil when none is visible, as when the database runs
  /// elsewhere. A backend that exits takes its time with it, so this is for spans over
  /// which the processes stay up, such as a benchmark's pooled connections.
  static func seconds(ofProcessesNamed name: String) -> Double? {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
    var total: Double?
    for entry in entries {
      guard let pid = Int32(entry),
        let comm = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8),
        comm.trimmingCharacters(in: .newlines) == name,
        let seconds = seconds(of: pid)
      else { continue }
      total = (total ?? 0) + seconds
    }
    return total
  }
}
