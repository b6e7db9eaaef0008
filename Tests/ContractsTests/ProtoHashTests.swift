import Contracts
import Crypto
import Foundation
import SwiftProtobuf
import Testing

/// The generated code in Sources/Contracts must come from the Proto/ on disk. This recomputes
/// scripts/proto-hash in Swift and compares it with the hash generate-protos recorded.
@Suite struct ProtoHashTests {
  static let packageRoot = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func protoHash(of folder: URL) throws -> String {
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
    var paths: [String] = []
    while let url = enumerator?.nextObject() as? URL {
      guard url.pathExtension == "proto" else { continue }
      paths.append(String(url.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1)))
    }
    // sha256sum's listing, byte-sorted like `LC_ALL=C sort`.
    var listing = ""
    for path in paths.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
      let data = try Data(contentsOf: folder.appending(path: path))
      listing += hex(SHA256.hash(data: data)) + "  " + path + "\n"
    }
    return hex(SHA256.hash(data: Data(listing.utf8)))
  }

  static func hex(_ digest: SHA256.Digest) -> String {
    digest.map { String(format: "%02x", $0) }.joined()
  }

  @Test func generatedCodeMatchesProtoFolder() throws {
    let actual = try Self.protoHash(of: Self.packageRoot.appending(path: "Proto"))
    #expect(
      actual == ProtoHash.sha256,
      "Proto/ changed since Sources/Contracts was generated: run scripts/generate-protos and commit the result")
  }

  @Test func hashAgreesWithTheShellScript() async throws {
    let process = Process()
    process.executableURL = Self.packageRoot.appending(path: "scripts/proto-hash")
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    process.waitUntilExit()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 0)
    #expect(
      output.trimmingCharacters(in: .whitespacesAndNewlines)
        == (try Self.protoHash(of: Self.packageRoot.appending(path: "Proto"))))
  }

  @Test func stateEncodingIsDeterministic() throws {
    var state = Mlops_V1_DecisionState()
    state.brief = "fraud scoring"
    state.plan.components = [
      .with {
        $0.id = "serve"
        $0.settings = ["a": "1", "b": "2", "c": "3", "d": "4", "e": "5"]
      }
    ]
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    let first: Data = try state.serializedBytes(options: options)
    let second: Data = try state.serializedBytes(options: options)
    #expect(first == second)
    #expect(try Mlops_V1_DecisionState(serializedBytes: first) == state)
  }
}
