import Contracts
import FakeModel
import Foundation
import Logging
import Providers
import Testing

@testable import Codegen

/// The optional model provider against the fake model server: its code is kept only after
/// the bundle's own validators pass it, a failure is fed back and tried again, and anything
/// else leaves the templates' code, byte for byte, with the Reason Card saying why.
@Suite(.serialized) struct ModelRegionWriterTests {
  static let good = """
    \"\"\"Forests for every estimator: no scaling needed, and interactions come for free.\"\"\"

    from typing import Any

    from sklearn.ensemble import (
        ExtraTreesRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
    )


    def classifier(seed: int) -> Any:
        return RandomForestClassifier(n_estimators=200, random_state=seed)


    def regressor(seed: int) -> Any:
        return ExtraTreesRegressor(n_estimators=200, random_state=seed)


    def tree_classifier(seed: int) -> Any:
        return HistGradientBoostingClassifier(max_iter=200, random_state=seed)


    def tree_regressor(seed: int) -> Any:
        return HistGradientBoostingRegressor(max_iter=300, random_state=seed)

    """

  /// Passes the reply checks; fails ruff (F821) and mypy on a name nothing defines.
  static let broken = good.replacingOccurrences(
    of: "RandomForestClassifier(n_estimators=200, random_state=seed)", with: "GradientForest(random_state=seed)")

  static func reply(_ module: String) -> FakeModelServer.Reply {
    let object: [String: Any] = ["regions": ["model-choice": module], "rationale": "Forests need no scaling."]
    return .init(status: .ok, text: String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self))
  }

  static func writer(_ baseURL: String, attempts: Int, quarantine: URL? = nil) -> ModelRegionWriter {
    let logger = Logger(label: "model-region-writer-test")
    return ModelRegionWriter(
      transport: OpenAIChatTransport(
        baseURL: baseURL + "/v1", model: "fake-coder", apiKey: "test", client: .shared, timeout: .seconds(20)),
      validators: ValidatorSuite(configuration: ValidatorSuiteTests.configuration), attempts: attempts,
      quarantine: Quarantine(folder: quarantine, logger: logger), logger: logger)
  }

  /// The user message of the n-th request the fake server received, parsed.
  static func document(_ fake: FakeModelServer, _ index: Int) throws -> [String: Any] {
    let messages = try #require(fake.requests[index]["messages"] as? [[String: Any]])
    let user = try #require(messages.last?["content"] as? String)
    return try #require(try JSONSerialization.jsonObject(with: Data(user.utf8)) as? [String: Any])
  }

  @Test func aModelsCodeIsKeptOnlyOnceTheValidatorsPassItAndWhatFailedIsFedBack() async throws {
    let request = try await CodegenFixtures.request("churn-postgres")
    let templates = try RepositoryGenerator().generate(request)
    let fake = FakeModelServer()
    fake.enqueue([Self.reply(Self.broken), Self.reply(Self.good)])
    let outcome = try await fake.run { try await Self.writer($0, attempts: 3).write(templates, request: request) }

    #expect(fake.requests.count == 2)
    #expect(outcome.use.fallbackReason == "", "\(outcome.attempts)")
    #expect(outcome.use.attempts == 2)
    #expect(outcome.use.regions == ["model-choice"])
    #expect(outcome.attempts.first?.contains("ruff check") == true, "\(outcome.attempts)")
    // The first prompt holds the region's contract and current code; the second what failed.
    let first = try Self.document(fake, 0)
    let regions = try #require(first["regions"] as? [[String: Any]])
    #expect(regions.map { $0["name"] as? String } == ["feature-engineering", "model-choice"])
    #expect((regions[1]["current_module"] as? String)?.contains("LogisticRegression") == true)
    #expect(first["last_attempt_failed"] == nil)
    let retry = try #require(try Self.document(fake, 1)["last_attempt_failed"] as? String)
    #expect(retry.contains("F821") && retry.contains("pipelines/training/pipeline/learners.py"), "\(retry)")

    // Only the region's file changed; it names who wrote it, and the manifest covers it.
    let path = CodeRegion.modelChoice.path
    let written = String(decoding: try #require(outcome.repository.files.first { $0.path == path }).content, as: UTF8.self)
    #expect(written.hasPrefix("# mlops:region model-choice: written by openai model fake-coder (attempt 2), kept because"))
    #expect(written.contains("RandomForestClassifier"))
    let changed = zip(templates.files, outcome.repository.files).filter { $0.0 != $0.1 }.map(\.0.path)
    #expect(changed == [path])
    #expect(
      outcome.repository.manifest
        == BundleManifestBuilder.manifest(for: outcome.repository.files, generator: templates.manifest.generatorVersion))
    #expect(outcome.repository.manifest.bundleSha256 != templates.manifest.bundleSha256)

    let card = CodegenReasonCard.generated(outcome.repository, request: request, code: outcome)
    #expect(card.provider.name == "openai" && card.provider.model == "fake-coder" && card.provider.attempts == 2)
    #expect(card.rationale.contains("model-choice were written by openai model fake-coder on attempt 2"), "\(card.rationale)")
    #expect(card.rationale.contains("Forests need no scaling."))
    #expect(card.risks.contains { $0.contains("Model-written code in model-choice") })
  }

  @Test func repliesThatAreRefusedFailOrNeverComeLeaveTheTemplatesCode() async throws {
    let request = try await CodegenFixtures.request("churn-postgres")
    let templates = try RepositoryGenerator().generate(request)
    let quarantine = FileManager.default.temporaryDirectory.appending(path: "codegen-quarantine-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: quarantine) }
    let fake = FakeModelServer()
    fake.enqueue([
      Self.reply("import subprocess\n" + Self.good),
      .init(status: .serviceUnavailable, text: "overloaded"),
      Self.reply(Self.broken),
    ])
    let outcome = try await fake.run {
      try await Self.writer($0, attempts: 3, quarantine: quarantine).write(templates, request: request)
    }
    #expect(fake.requests.count == 3)
    #expect(outcome.repository.files == templates.files)
    #expect(outcome.repository.manifest == templates.manifest)
    #expect(outcome.use.regions.isEmpty)
    #expect(outcome.attempts.count == 3)
    #expect(outcome.attempts[0].contains("refused before any validator ran") && outcome.attempts[0].contains("subprocess"))
    #expect(outcome.attempts[1].contains("did not answer"))
    #expect(outcome.attempts[2].contains("failed on the model's code"))
    #expect(outcome.use.fallbackReason.contains("the templates' code was kept"), "\(outcome.use.fallbackReason)")
    // The refusal went back to the model, and the refused reply was kept for triage.
    let second = try Self.document(fake, 1)
    #expect((second["last_attempt_failed"] as? String)?.contains("imports subprocess") == true)
    let kept = try Quarantine(folder: quarantine, logger: Logger(label: "test")).entries()
    #expect(kept.map(\.task) == ["codegen-regions"])
    #expect(kept.first?.payload.contains("import subprocess") == true)

    let card = CodegenReasonCard.generated(outcome.repository, request: request, code: outcome)
    #expect(card.provider.fallbackReason == outcome.use.fallbackReason)
    #expect(card.rationale.contains("The code provider openai model fake-coder was asked for the marked regions"))
    #expect(!card.risks.contains { $0.contains("Model-written") })
  }

  @Test func withoutAModelProviderTheCardNamesNone() async throws {
    let request = try await CodegenFixtures.request("churn-postgres")
    let card = CodegenReasonCard.generated(try RepositoryGenerator().generate(request), request: request)
    #expect(!card.hasProvider)
  }
}
