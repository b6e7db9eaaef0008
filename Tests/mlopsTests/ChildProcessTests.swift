import Foundation
import ServiceKit
import TestSupport
import Testing

/// What a process starts through `CommandRunner` (validators, git, PostgreSQL's tools) dies
/// with it, however it dies, and lives as long as it does.
@Suite struct ChildProcessTests {
  enum Kill: String, CaseIterable, Sendable {
    /// `kill -9 PID`: only the parent.
    case parent
    /// `kill -9 -PGID`: the parent's whole process group, as an operator stops `serve`.
    case group
  }

  /// How the child is started: bare, or under GNU `timeout` as the validators are where
  /// bubblewrap is missing (`timeout` moves itself into a process group of its own).
  static let wrappers: [String: [String]] = [
    "bare": [],
    "timeout": ["/usr/bin/timeout", "--kill-after=5", "120"],
  ]

  static var probe: URL { MLOpsProcess.binary.deletingLastPathComponent().appending(path: "ChildProcessProbe") }

  /// Starts the probe running `sleep` (under `wrapper`); returns the probe and the sleep's pid.
  func startProbe(wrapper: [String], in directory: URL) async throws -> (MLOpsProcess, pid_t) {
    let pidFile = directory.appending(path: "child.pid")
    let command = wrapper + ["/bin/sh", "-c", "echo $$ > '\(pidFile.path)'; exec sleep 120"]
    let probe = try MLOpsProcess(command, environment: [:], workingDirectory: directory, binary: Self.probe)
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
      if let text = try? String(contentsOf: pidFile, encoding: .utf8),
        let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
      {
        return (probe, pid)
      }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw ProbeDidNotStart(errors: probe.errors)
  }

  struct ProbeDidNotStart: Error {
    var errors: String
  }

  /// Alive and not a zombie waiting for a reaper.
  static func isAlive(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    return !stat[close...].dropFirst(2).hasPrefix("Z")
  }

  static func waitUntilGone(_ pid: pid_t, within limit: Duration) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
      if !isAlive(pid) { return true }
      try? await Task.sleep(for: .milliseconds(100))
    }
    return !isAlive(pid)
  }

  @Test(arguments: ["bare", "timeout"], Kill.allCases)
  func aChildDiesWithTheProcessThatStartedIt(wrapper: String, kill how: Kill) async throws {
    let directory = try ServeTests.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (probe, child) = try await startProbe(wrapper: Self.wrappers[wrapper]!, in: directory)
    defer { kill(child, SIGKILL) }
    let parent = probe.process.processIdentifier
    #expect(kill(how == .group ? -parent : parent, SIGKILL) == 0)
    _ = await probe.waitForExit(timeout: .seconds(10))
    // `timeout` gives its command 5 s after the signal before it kills the group.
    #expect(await Self.waitUntilGone(child, within: .seconds(15)), "the child outlived its parent (\(wrapper), \(how))")
  }

  /// The parent-death signal follows the thread that started the child, not the process: a
  /// child started from a pool thread that later exits for being idle would be killed early.
  @Test func aChildOutlivesTheIdleThreadThatStartedIt() async throws {
    let directory = try ServeTests.scratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (probe, child) = try await startProbe(wrapper: [], in: directory)
    defer { kill(child, SIGKILL) }
    try await Task.sleep(for: .seconds(12))
    #expect(Self.isAlive(child), "the child died while its parent idled")
    #expect(probe.process.isRunning)
    await probe.terminate()
    #expect(await Self.waitUntilGone(child, within: .seconds(15)))
  }
}
