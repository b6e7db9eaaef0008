import Foundation
import Testing

@testable import Codegen

/// A model's reply is data: it is refused, with a reason the model can act on, unless it names
/// known regions with bounded modules that import only what the region allows, define what
/// the region promises and reach for no dynamic code.
struct RegionReplyTests {
  static let module = """
    from typing import Any

    from sklearn.ensemble import RandomForestClassifier


    def classifier(seed: int) -> Any:
        return RandomForestClassifier(random_state=seed)


    def regressor(seed: int) -> Any:
        return classifier(seed)


    def tree_classifier(seed: int) -> Any:
        return classifier(seed)


    def tree_regressor(seed: int) -> Any:
        return classifier(seed)
    """

  static func reply(_ module: String, region: String = "model-choice", rationale: String = "forests") -> String {
    let object: [String: Any] = ["regions": [region: module], "rationale": rationale]
    return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
  }

  static let regions = [CodeRegion.modelChoice, CodeRegion.featureEngineering]

  @Test func aWellFormedReplyIsTakenAsOneLineOfRationaleAndModulesEndingInANewline() throws {
    let parsed = try RegionReply.parse(Self.reply(Self.module, rationale: "trees\nfor\u{7}interactions"), regions: Self.regions)
    #expect(parsed.modules.keys.sorted() == ["model-choice"])
    #expect(parsed.modules["model-choice"]?.hasSuffix("\n") == true)
    #expect(parsed.rationale == "trees forinteractions")
  }

  @Test(arguments: [
    ("not json at all", "not one JSON object"),
    (#"{"regions": {}}"#, "no \"regions\" object"),
    (#"{"regions": {"network-access": "x = 1"}}"#, "no region is named"),
    (#"{"regions": {"model-choice": 42}}"#, "not a string"),
  ])
  func aReplyThatIsNotTheAskedShapeIsRefused(text: String, reason: String) {
    #expect(throws: RegionReply.Rejected.self) { try RegionReply.parse(text, regions: Self.regions) }
    do {
      _ = try RegionReply.parse(text, regions: Self.regions)
    } catch {
      #expect(error.description.contains(reason), "\(error.description)")
    }
  }

  @Test(arguments: [
    ("import os\n", "imports os"),
    ("import numpy, subprocess\n", "imports subprocess"),
    ("from socket import socket\n", "imports socket"),
    ("from . import schema\n", "a relative import"),
    ("    import importlib\n", "imports importlib"),
    ("x = __import__('os')\n", "calls __import__()"),
    ("y = eval('1')\n", "calls eval()"),
    ("z = open('/etc/passwd').read()\n", "calls open()"),
    ("w = getattr(object, 'x')\n", "calls getattr()"),
    ("v = ().__class__.__bases__\n", "uses __class__"),
    ("# mlops:region model-choice: written by the templates\n", "the region marker"),
    ("s = 'nul\u{0}byte'\n", "control character"),
  ])
  func aModuleThatReachesBeyondItsRegionIsRefused(extra: String, reason: String) {
    do {
      _ = try RegionReply.parse(Self.reply(extra + Self.module), regions: Self.regions)
      Issue.record("accepted: \(extra)")
    } catch {
      #expect(error.description.contains(reason), "\(error.description)")
      #expect(error.description.hasPrefix("model-choice"), "names the region: \(error.description)")
    }
  }

  @Test func aModuleThatDropsAPromisedFunctionOrIsTooLargeIsRefused() {
    let missing = Self.module.replacingOccurrences(of: "def tree_regressor(", with: "def other(")
    #expect(
      throws: RegionReply.Rejected(description: "model-choice: the module does not define def tree_regressor(seed: int) -> Any")
    ) {
      try RegionReply.parse(Self.reply(missing), regions: Self.regions)
    }
    let large = Self.module + String(repeating: "# padding padding padding padding\n", count: 600)
    do {
      _ = try RegionReply.parse(Self.reply(large), regions: Self.regions)
      Issue.record("a module over the size bound was accepted")
    } catch {
      #expect(error.description.contains("at most"))
    }
  }

  @Test func aRegionMayImportALearnerOnlyWhenTheBundlePinsIt() async throws {
    let withXGBoost = CodeRegion.regions(
      in: try RepositoryGenerator().generate(try await CodegenFixtures.request("fraud-online-pii")).files)
    let withoutIt = CodeRegion.regions(
      in: try RepositoryGenerator().generate(try await CodegenFixtures.request("churn-postgres")).files)
    #expect(withXGBoost.map(\.name) == ["feature-engineering", "model-choice"])
    #expect(withXGBoost.allSatisfy { $0.importRoots.contains("xgboost") })
    #expect(withoutIt.allSatisfy { !$0.importRoots.contains("xgboost") && !$0.importRoots.contains("lightgbm") })
    let xgboost = Self.module.replacingOccurrences(
      of: "from sklearn.ensemble import RandomForestClassifier", with: "from xgboost import XGBClassifier")
    #expect(throws: Never.self) { try RegionReply.parse(Self.reply(xgboost), regions: withXGBoost) }
    #expect(throws: RegionReply.Rejected.self) { try RegionReply.parse(Self.reply(xgboost), regions: withoutIt) }
  }
}
