import Foundation
import Testing

@testable import ServiceKit

/// Scratch a killed process left behind is removed; a live process's scratch is not.
@Suite struct ScratchFolderTests {
  /// The id of a process that has run and been reaped.
  static func deadProcessID() throws -> pid_t {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
  }

  @Test func onlyTheScratchOfProcessesThatAreGoneIsSwept() throws {
    let parent = FileManager.default.temporaryDirectory.appending(path: "mlops-sweep-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: parent) }
    let dead = parent.appending(path: "mlops-commit-\(try Self.deadProcessID())-a")
    let mine = ScratchFolder.make(prefix: "mlops-commit-", in: parent)
    let unrelated = parent.appending(path: "mlops-commit-notapid")
    let other = parent.appending(path: "something-else-1-b")
    for folder in [dead, mine, unrelated, other] {
      try FileManager.default.createDirectory(at: folder.appending(path: "tree"), withIntermediateDirectories: true)
    }
    #expect(mine.lastPathComponent.hasPrefix("mlops-commit-\(getpid())-"))
    #expect(ScratchFolder.sweep(prefix: "mlops-commit-", in: parent).map(\.lastPathComponent) == [dead.lastPathComponent])
    for kept in [mine, unrelated, other] { #expect(FileManager.default.fileExists(atPath: kept.path)) }
    #expect(!FileManager.default.fileExists(atPath: dead.path))
  }
}
