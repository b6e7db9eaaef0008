import Edge
import Foundation
import PostgresNIO
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
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["\(String(repeating: "0f", count: 32)).zip"],
      "no partial files left behind")
  }
}

@Suite struct BundleArtifactsTests {
  struct BrokenStore: ArtifactStore {
    struct Full: Error {}
    func put(_ bytes: Data, at key: ArtifactKey) async throws { throw Full() }
    func get(_ key: ArtifactKey) async throws -> Data? { nil }
  }

  @Test func oneRowPerProjectAndHashStoredOnlyOnceTheBytesAre() async throws {
    try await TestDatabase.withFreshDatabase { client, _ in
      let (project, threads) = try await Fixtures.threads(2, on: client)
      let root = LocalArtifactStoreTests.scratch()
      defer { try? FileManager.default.removeItem(at: root) }
      let bundle = Data("a reproducible bundle".utf8)

      let broken = BundleArtifacts(store: BrokenStore(), client: client, logger: TestDatabase.logger)
      await #expect(throws: BrokenStore.Full.self) {
        try await broken.store(bundle, projectID: project, decisionSetID: threads[0], version: 1)
      }
      #expect(try await Fixtures.count("SELECT count(*) FROM artifacts WHERE status = 'failed'", on: client) == 1)

      let artifacts = BundleArtifacts(store: LocalArtifactStore(root: root), client: client, logger: TestDatabase.logger)
      let first = try await artifacts.store(bundle, projectID: project, decisionSetID: threads[0], version: 1)
      let again = try await artifacts.store(bundle, projectID: project, decisionSetID: threads[1], version: 1)
      #expect(first == again)
      #expect(first.sizeBytes == bundle.count)
      #expect(try await LocalArtifactStore(root: root).get(first.key) == bundle)
      #expect(try await Fixtures.count("SELECT count(*) FROM artifacts", on: client) == 1)
      #expect(try await Fixtures.count("SELECT count(*) FROM artifacts WHERE status = 'stored'", on: client) == 1)
    }
  }
}
