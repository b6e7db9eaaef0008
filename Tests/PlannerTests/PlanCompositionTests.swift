import Contracts
import Domain
import Foundation
import Planner
import SwiftProtobuf
import Testing

@Suite struct PlanCompositionTests {
  let engine = PlannerEngine()

  func plan(_ brief: String) async throws -> Mlops_V1_ComposePlanResponse {
    let constraints = try await engine.extract(.with { $0.brief = brief }).constraints
    return engine.composePlan(.with { $0.constraints = constraints })
  }

  static func json(_ message: some SwiftProtobuf.Message) throws -> String {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    options.useDeterministicOrdering = true
    return try message.jsonString(options: options)
  }

  /// Plans for fixed briefs, compared with the snapshots under Fixtures/golden. A change is
  /// reviewed: set MLOPS_RECORD_SNAPSHOTS=1 to write the new ones, then read the diff.
  @Test(arguments: ["fraud-card-eu", "phi-hipaa", "cv-defects-gpu", "demand-forecast-batch", "llm-support"])
  func goldenPlansAreStable(name: String) async throws {
    let corpus = try ExtractionScore.load("briefs")
    let brief = try #require(corpus.first { $0.name == name }?.brief)
    let response = try await plan(brief)
    let actual = try Self.json(response.plan)
    #expect(try Self.json(try await plan(brief).plan) == actual, "same input, same plan, byte for byte")

    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Fixtures/golden")
    let file = folder.appending(path: "\(name).plan.json")
    if ProcessInfo.processInfo.environment["MLOPS_RECORD_SNAPSHOTS"] == "1" {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try (actual + "\n").write(to: file, atomically: true, encoding: .utf8)
    }
    let expected = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(actual == expected, "the plan for \(name) changed; review it, then record with MLOPS_RECORD_SNAPSHOTS=1")
  }

  @Test func everyPlanIsCompleteAndEveryComponentHasReasonedCandidates() async throws {
    for item in try ExtractionScore.load("briefs") {
      let response = try await plan(item.brief)
      let plan = response.plan
      #expect(plan.decisions.count == 8, "\(item.name): one decision per capability")
      #expect(plan.catalogSha256.count == 64 && !plan.catalogVersion.isEmpty)
      #expect(!plan.summary.isEmpty && !plan.primaryRegion.isEmpty)
      for decision in plan.decisions {
        if decision.needed {
          #expect(!decision.candidates.isEmpty, "\(item.name)")
          #expect(decision.candidates.allSatisfy { !$0.reasons.isEmpty }, "\(item.name): every candidate says why")
        } else {
          #expect(!decision.notNeededReason.isEmpty)
        }
      }
      for component in plan.components {
        let decision = plan.decisions.first { $0.capability == component.capability }
        #expect(decision?.chosenOption == component.option, "\(item.name)")
        #expect(decision?.candidates.filter(\.chosen).count == 1)
      }
      let card = response.reasonCard
      #expect(card.node == "planner" && card.inputs.sha256.count == 64 && !card.rationale.isEmpty)
      #expect(card.confidence > 0 && card.confidence <= 1)
    }
  }

  @Test func plansRespectRegionsDataClassAndGPUNeed() async throws {
    let catalog = CapabilityCatalog.bundled
    var briefs = try ExtractionScore.load("briefs").map(\.brief)
    briefs += [
      "Online scoring of patient records (PHI), p95 under 400 ms, $2k a month, Ireland only, GPU inference.",
      "Cheap online classifier, p95 under 500 ms, under $500 a month, PII, US only, CPU only.",
      "Image classification on GPUs, p95 300 ms, $10k a month, public data, Tokyo region.",
    ]
    for brief in briefs {
      let constraints = try await engine.extract(.with { $0.brief = brief }).constraints
      let plan = engine.composePlan(.with { $0.constraints = constraints }).plan
      let allowed = Set(constraints.allowedRegions.values)
      for component in plan.components {
        if !allowed.isEmpty { #expect(allowed.contains(component.region), "\(brief): \(component.id) in \(component.region)") }
        let option = try #require(catalog.option(component.option))
        if constraints.hasDataClass {
          let name = ["pii", "phi", "pci", "confidential", "internal", "public"].first {
            constraints.dataClass.value
              == [
                "pii": .pii, "phi": .phi, "pci": .pci, "confidential": .confidential, "internal": .internal, "public": .public,
              ][$0]
          }
          #expect(option.dataClasses.contains(name ?? ""), "\(brief): \(option.id) is not for \(name ?? "?")")
        }
        if constraints.gpuRequired.value, component.id == "serve" || component.id == "train" {
          #expect(option.gpu != "none", "\(brief): GPU need on CPU-only \(option.id)")
        }
      }
    }
  }

  @Test func piiIsNeverServedFromAnOptionWithoutPrivateNetworking() async throws {
    let response = try await plan("Tiny online classifier, p95 under 900 ms, under $300 a month, PII, EU only.")
    let serve = try #require(response.plan.decisions.first { $0.capability == .serve })
    let serverless = try #require(serve.candidates.first { $0.option == "sagemaker_serverless" })
    #expect(!serverless.chosen)
    #expect(serverless.reasons.contains { $0.hasPrefix("excluded: not suitable for PII") })
    #expect(response.plan.components.first { $0.id == "serve" }?.settings["encryption"] == "kms")
  }

  @Test func aCapabilityThatIsNotNeededSaysWhy() async throws {
    let response = try await plan("An LLM chatbot for support, p95 under 3 seconds, $5k a month, internal docs, US only, GPUs.")
    let feature = try #require(response.plan.decisions.first { $0.capability == .feature })
    #expect(!feature.needed)
    #expect(feature.notNeededReason.contains("prompts"))
    #expect(!response.plan.components.contains { $0.id == "feature" })
  }
}
