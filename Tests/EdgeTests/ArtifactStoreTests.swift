import EdgeAPI
import EdgeRuntime
import Foundation
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

@Suite struct ArtifactKeyTests {
  @Test func keysStayInsideTheirProject() throws {
    let project = UUID()
    let hash = String(repeating: "ab", count: 32)
    let key = try ArtifactKey.bundle(projectID: project, sha256: hash)
    #expect(key.path == "projects/\(project.uuidString.lowercased())/bundles/\(hash).zip")
    for bad in [
      "bundles/x.zip", "projects/not-a-uuid/bundles/x.zip", "projects/\(project)/../other/x.zip",
      "projects/\(project)//x.zip", "projects/\(project)/./x.zip",
    ] {
      #expect(throws: ArtifactKey.Invalid.self, "\(bad)") { try ArtifactKey(bad) }
    }
    #expect(throws: ArtifactKey.Invalid.self) { try ArtifactKey.bundle(projectID: project, sha256: hash.uppercased()) }
    #expect(throws: ArtifactKey.Invalid.self) { try ArtifactKey.bundle(projectID: project, sha256: "abc") }
  }
}

@Suite struct LocalArtifactStoreTests {
  static func scratch() -> URL {
    FileManager.default.temporaryDirectory.appending(path: "mlops-artifacts-\(UUID().uuidString.prefix(8))")
  }

  @Test func writingTheSameBundleTwiceOrAtOnceIsHarmless() async throws {
    let root = Self.scratch()
    defer { try? FileManager.default.removeItem(at: root) }
    let store = LocalArtifactStore(root: root)
    let bytes = Data((0..<100_000).map { UInt8($0 % 251) })
    let key = try ArtifactKey.bundle(projectID: UUID(), sha256: String(repeating: "0f", count: 32))
    #expect(try await store.get(key) == nil)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<8 { group.addTask { try await store.put(bytes, at: key) } }
      try await group.waitForAll()
    }
    try await store.put(bytes, at: key)
    #expect(try await store.get(key) == bytes)
    let folder = root.appending(path: key.path).deletingLastPathComponent()
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["\(String(repeating: "0f", count: 32)).zip"],
      "no partial files left behind")
  }
}

@Suite struct BundleArchiveTests {
  static let files = [
    BundleArchive.File(path: "services/inference/app.py", contents: Data("print('hi')\n".utf8)),
    BundleArchive.File(path: "README.md", contents: Data(String(repeating: "docs ", count: 2000).utf8)),
    BundleArchive.File(path: "scripts/run.sh", contents: Data("#!/bin/sh\necho run\n".utf8), executable: true),
  ]

  @Test func halfWrittenBundlesOfKilledWritersAreRemovedAndNoOthers() async throws {
    let root = FileManager.default.temporaryDirectory.appending(path: "mlops-artifacts-\(UUID().uuidString.prefix(8))")
    defer { try? FileManager.default.removeItem(at: root) }
    let store = LocalArtifactStore(root: root)
    let project = UUID()
    let key = try ArtifactKey.bundle(projectID: project, sha256: String(repeating: "0f", count: 32))
    try await store.put(Data("bundle".utf8), at: key)
    let folder = root.appending(path: "projects/\(project.lowercaseString)/bundles")
    let killed = Process()
    killed.executableURL = URL(fileURLWithPath: "/bin/true")
    try killed.run()
    killed.waitUntilExit()
    let abandoned = folder.appending(path: ".\(killed.processIdentifier)-\(UUID().uuidString).x.zip.partial")
    let live = folder.appending(path: ".\(getpid())-\(UUID().uuidString).y.zip.partial")
    for file in [abandoned, live] { try Data("half".utf8).write(to: file) }
    #expect(store.removeAbandonedPartials() == 1)
    #expect(!FileManager.default.fileExists(atPath: abandoned.path))
    #expect(FileManager.default.fileExists(atPath: live.path))
    #expect(try await store.get(key) == Data("bundle".utf8))
  }

  @Test func theSameFilesInAnyOrderGiveTheSameBytes() throws {
    let first = try BundleArchive.make(Self.files)
    let shuffled = try BundleArchive.make(Self.files.reversed())
    #expect(first == shuffled)
    let read = try BundleArchive.read(first)
    #expect(read.map(\.path) == ["README.md", "scripts/run.sh", "services/inference/app.py"], "entries sorted by path")
    #expect(Set(read.map(\.path)) == Set(Self.files.map(\.path)))
    for file in Self.files {
      let back = try #require(read.first { $0.path == file.path })
      #expect(back.contents == file.contents)
      #expect(back.executable == file.executable)
    }
    #expect(first.count < Self.files.reduce(0) { $0 + $1.contents.count }, "deflated")
  }

  /// Python's zipfile, a reader we did not write, sees the same entries, modes and contents.
  @Test func anIndependentReaderAgrees() async throws {
    let file = FileManager.default.temporaryDirectory.appending(path: "bundle-\(UUID().uuidString.prefix(8)).zip")
    defer { try? FileManager.default.removeItem(at: file) }
    try BundleArchive.make(Self.files).write(to: file)
    let script = """
      import sys, zipfile
      z = zipfile.ZipFile(sys.argv[1])
      assert z.testzip() is None
      for i in z.infolist():
          print(i.filename, oct(i.external_attr >> 16 & 0o777), i.date_time[0], len(z.read(i)))
      """
    let output = try await CommandRunner.run(["python3", "-c", script, file.path])
    #expect(
      output.standardOutput.split(separator: "\n") == [
        "README.md 0o644 1980 10000", "scripts/run.sh 0o755 1980 19", "services/inference/app.py 0o644 1980 12",
      ], "\(output.standardOutput)")
  }

  @Test func pathsThatEscapeOrRepeatAreRefused() {
    for bad in ["/etc/passwd", "a/../b", "a//b", "./a"] {
      #expect(throws: BundleArchive.Invalid.self, "\(bad)") { try BundleArchive.make([.init(path: bad, contents: Data())]) }
    }
    #expect(throws: BundleArchive.Invalid.self) {
      try BundleArchive.make([.init(path: "a", contents: Data()), .init(path: "a", contents: Data("x".utf8))])
    }
  }
}
