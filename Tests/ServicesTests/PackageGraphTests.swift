import Foundation
import Testing

/// The services are siblings: each may lean on the shared layers below it, never on another
/// service. Read from the package graph itself (`swift package describe`), so a dependency
/// added in Package.swift fails here before it becomes a habit.
@Suite struct PackageGraphTests {
  /// Each service with its targets: Edge's API may use Edge's runtime, nothing else may.
  static let services: [String: Set<String>] = [
    "Planner": ["Planner"], "Critics": ["Critics"], "Policy": ["Policy"], "Codegen": ["Codegen"],
    "Edge": ["EdgeAPI", "EdgeRuntime"],
  ]
  static var serviceTargets: Set<String> { services.values.reduce(into: []) { $0.formUnion($1) } }
  /// What a service may depend on, directly or through another target.
  static let sharedLayers: Set<String> = ["Contracts", "ServiceKit", "Domain", "Providers"]

  struct Description: Decodable {
    struct Target: Decodable {
      var name: String
      var targetDependencies: [String]?

      enum CodingKeys: String, CodingKey {
        case name
        case targetDependencies = "target_dependencies"
      }
    }

    var targets: [Target]
  }

  static func packageGraph() throws -> [String: [String]] {
    let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    // A scratch folder of its own: `.build` is locked by the `swift test` running this.
    let scratch = FileManager.default.temporaryDirectory.appending(path: "package-graph-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let process = Process()
    process.executableURL = URL(filePath: "/usr/bin/env")
    process.arguments = [
      "swift", "package", "--package-path", root.path, "--scratch-path", scratch.path, "describe", "--type", "json",
    ]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "swift package describe failed")
    let description = try JSONDecoder().decode(Description.self, from: data)
    return Dictionary(uniqueKeysWithValues: description.targets.map { ($0.name, $0.targetDependencies ?? []) })
  }

  static func closure(of target: String, in graph: [String: [String]]) -> Set<String> {
    var seen: Set<String> = []
    var pending = graph[target] ?? []
    while let next = pending.popLast() {
      if seen.insert(next).inserted { pending.append(contentsOf: graph[next] ?? []) }
    }
    return seen
  }

  @Test func noServiceDependsOnAnother() throws {
    let graph = try Self.packageGraph()
    for (service, targets) in Self.services {
      for target in targets {
        try #require(graph[target] != nil, "\(target) is not a target any more")
        let reached = Self.closure(of: target, in: graph).subtracting(targets)
        let others = reached.intersection(Self.serviceTargets)
        #expect(others.isEmpty, "\(target) (\(service)) depends on \(others.sorted())")
        #expect(
          reached.isSubset(of: Self.sharedLayers), "\(target) depends on \(reached.subtracting(Self.sharedLayers).sorted())")
      }
    }
  }

  @Test func theSharedLayersDependOnNoService() throws {
    let graph = try Self.packageGraph()
    for layer in Self.sharedLayers {
      let reached = Self.closure(of: layer, in: graph)
      #expect(reached.isSubset(of: Self.sharedLayers), "\(layer) depends on \(reached.subtracting(Self.sharedLayers).sorted())")
    }
  }
}
