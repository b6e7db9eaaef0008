import Codegen
import Contracts
import Foundation
import Testing

@Suite struct GenerationDeterminismTests {
  @Test func theSameRequestGivesTheSameBytesAndHash() async throws {
    let request = try await CodegenFixtures.request("fraud-online-pii")
    let first = try RepositoryGenerator().generate(request)
    let second = try RepositoryGenerator().generate(request)
    #expect(first.manifest == second.manifest)
    #expect(first.files == second.files)
  }

  @Test func aChangedConstraintChangesTheHash() async throws {
    let request = try await CodegenFixtures.request("fraud-online-pii")
    var changed = request
    changed.constraints.latencyP95Ms.value = 60
    let before = try RepositoryGenerator().generate(request)
    let after = try RepositoryGenerator().generate(changed)
    #expect(before.manifest.bundleSha256 != after.manifest.bundleSha256)
    let differing = zip(before.files, after.files).filter { $0.content != $1.content }.map(\.0.path)
    #expect(differing.contains("services/inference/app/settings.py"), "the latency budget lives in the settings")
  }

  @Test func theManifestHashCoversPathsModesAndContents() async throws {
    let files = try RepositoryGenerator().generate(try await CodegenFixtures.request("demand-batch")).files
    let manifest = BundleManifestBuilder.manifest(for: files, generator: "g")
    var renamed = files
    renamed[0].path = "renamed-" + renamed[0].path
    var executable = files
    executable[0].mode = 0o755
    #expect(BundleManifestBuilder.manifest(for: renamed, generator: "g").bundleSha256 != manifest.bundleSha256)
    #expect(BundleManifestBuilder.manifest(for: executable, generator: "g").bundleSha256 != manifest.bundleSha256)
    #expect(BundleManifestBuilder.manifest(for: files.reversed(), generator: "g") == manifest, "order does not matter")
    #expect(BundleManifestBuilder.mismatches(files, manifest: manifest).isEmpty)
    var tampered = files
    tampered[1].content.append(0x20)
    #expect(
      BundleManifestBuilder.mismatches(tampered, manifest: manifest) == ["\(files[1].path): contents differ from the manifest"])
  }
}
