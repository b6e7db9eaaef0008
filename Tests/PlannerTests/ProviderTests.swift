import Contracts
import FakeModel
import Foundation
import Logging
import Planner
import Providers
import ServiceKit
import SwiftProtobuf
import Synchronization
import Testing

/// The provider layer against a local fake model server: a valid answer, an invalid one
/// corrected on retry, one that stays invalid, and a server that fails until the breaker
/// opens and then recovers.
@Suite(.serialized) struct ProviderTests {
  static let brief = "Fraud scoring at checkout, p95 under 80 ms, about $3k a month, PII, EU regions only."
  static let logger = Logger(label: "provider-tests")

  /// A model's answer: what the rules read, with a twist that shows whose answer was used.
  static func modelAnswer(latencySpanText: String? = nil) throws -> String {
    var constraints = IntakeExtractor().extract(brief)
    constraints.problemType.value = .anomalyDetection
    if let latencySpanText { constraints.latencyP95Ms.provenance.span.text = latencySpanText }
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    return try constraints.jsonString(options: options)
  }

  static func engine(
    _ kind: ProviderConfiguration.Kind, server: String, quarantine: URL, breakerFailures: Int = 3, coolDown: Int = 30
  ) throws -> (PlannerEngine, ResilientProvider?) {
    var configuration = ProviderConfiguration()
    configuration.kind = kind
    configuration.baseURL = kind == .openai ? "\(server)/v1" : server
    configuration.model = "fake-model"
    configuration.apiKey = "test-key"
    configuration.breakerFailures = breakerFailures
    configuration.breakerCooldownSeconds = coolDown
    let provider = ProviderFactory.make(
      configuration, packs: try PlannerEngine.bundledPacks(), quarantineFolder: quarantine, logger: logger)
    return (PlannerEngine(provider: provider), provider as? ResilientProvider)
  }

  static func scratch() -> URL {
    FileManager.default.temporaryDirectory.appending(path: "mlops-quarantine-\(UUID().uuidString.prefix(8))")
  }

  @Test func aValidAnswerIsUsedAndTheCardNamesTheProviderAndPack() async throws {
    let fake = FakeModelServer()
    fake.enqueue([.init(status: .ok, text: try Self.modelAnswer())])
    let quarantine = Self.scratch()
    try await fake.run { server in
      let (engine, _) = try Self.engine(.openai, server: server, quarantine: quarantine)
      let response = try await engine.extract(.with { $0.brief = Self.brief })
      #expect(response.constraints.problemType.value == .anomalyDetection, "the model's answer, not the rules'")
      #expect(response.reasonCard.provider.name == "openai")
      #expect(response.reasonCard.provider.model == "fake-model")
      #expect(
        response.reasonCard.provider.packSha256 == (try PlannerEngine.bundledPacks().pack(for: "extract_constraints")?.sha256))
      #expect(response.reasonCard.provider.fallbackReason.isEmpty)
    }
    let sent = try #require(fake.requests.first)
    #expect(sent["temperature"] as? Int == 0)
    #expect((sent["response_format"] as? [String: Any])?["type"] as? String == "json_object")
    let messages = try #require(sent["messages"] as? [[String: Any]])
    #expect(messages.first?["role"] as? String == "system")
    #expect(messages.count == 1 + 4 + 1, "instructions, two worked examples, the brief")
    #expect(messages.last?["content"] as? String == Self.brief)
  }

  @Test func anInvalidAnswerIsQuarantinedAndRetriedWithTheReason() async throws {
    let fake = FakeModelServer()
    fake.enqueue([
      .init(status: .ok, text: try Self.modelAnswer(latencySpanText: "90 ms")),
      .init(status: .ok, text: try Self.modelAnswer()),
    ])
    let quarantine = Self.scratch()
    defer { try? FileManager.default.removeItem(at: quarantine) }
    try await fake.run { server in
      let (engine, _) = try Self.engine(.openai, server: server, quarantine: quarantine)
      let response = try await engine.extract(.with { $0.brief = Self.brief })
      #expect(response.reasonCard.provider.name == "openai")
      #expect(response.constraints.problemType.value == .anomalyDetection)
    }
    #expect(fake.requests.count == 2)
    let retry = try #require(fake.requests.last?["messages"] as? [[String: Any]])
    let feedback = try #require(retry.last?["content"] as? String)
    #expect(feedback.contains("rejected") && feedback.contains("latency_p95_ms"), "\(feedback)")
    let kept = try Quarantine(folder: quarantine, logger: Self.logger).entries()
    #expect(kept.count == 1)
    #expect(kept.first?.reason.contains("is not what the brief says") == true)
    #expect(kept.first?.payload.contains("90 ms") == true)
  }

  @Test func anAnswerThatStaysInvalidFailsAfterTheBudgetAndTheRulesAnswer() async throws {
    let fake = FakeModelServer()
    let invalid = try Self.modelAnswer(latencySpanText: "90 ms")
    fake.enqueue([.init(status: .ok, text: invalid), .init(status: .ok, text: "not json"), .init(status: .ok, text: invalid)])
    let quarantine = Self.scratch()
    defer { try? FileManager.default.removeItem(at: quarantine) }
    try await fake.run { server in
      let (engine, _) = try Self.engine(.openai, server: server, quarantine: quarantine)
      let response = try await engine.extract(.with { $0.brief = Self.brief })
      #expect(response.reasonCard.provider.name == "deterministic")
      #expect(response.reasonCard.provider.fallbackReason.contains("no valid answer in 3 attempts"))
      #expect(response.constraints.problemType.value == .classification, "the rules' answer")
    }
    #expect(fake.requests.count == 3)
    #expect(try Quarantine(folder: quarantine, logger: Self.logger).entries().count == 3)
  }

  @Test func serverErrorsOpenTheBreakerAndItHalfOpensAfterTheCoolDown() async throws {
    let fake = FakeModelServer()
    fake.enqueue([.init(status: .internalServerError, text: "boom"), .init(status: .internalServerError, text: "boom")])
    let quarantine = Self.scratch()
    try await fake.run { server in
      let (engine, resilient) = try Self.engine(.openai, server: server, quarantine: quarantine, breakerFailures: 2, coolDown: 1)
      let breaker = try #require(resilient?.breaker)
      for _ in 0..<2 {
        let response = try await engine.extract(.with { $0.brief = Self.brief })
        #expect(response.reasonCard.provider.name == "deterministic")
        #expect(response.reasonCard.provider.fallbackReason.contains("500"))
      }
      #expect(breaker.state == .open)
      let whileOpen = try await engine.extract(.with { $0.brief = Self.brief })
      #expect(whileOpen.reasonCard.provider.fallbackReason.contains("circuit open"))
      #expect(fake.requests.count == 2, "an open circuit sends nothing")

      try await Task.sleep(for: .milliseconds(1100))
      #expect(breaker.state == .halfOpen)
      fake.enqueue([.init(status: .ok, text: try Self.modelAnswer())])
      let recovered = try await engine.extract(.with { $0.brief = Self.brief })
      #expect(recovered.reasonCard.provider.name == "openai")
      #expect(breaker.state == .closed)
    }
    #expect(fake.requests.count == 3)
  }

  @Test func theAnthropicTransportSpeaksMessages() async throws {
    let fake = FakeModelServer()
    fake.enqueue([.init(status: .ok, text: try Self.modelAnswer())])
    try await fake.run { server in
      let (engine, _) = try Self.engine(.anthropic, server: server, quarantine: Self.scratch())
      let response = try await engine.extract(.with { $0.brief = Self.brief })
      #expect(response.reasonCard.provider.name == "anthropic")
    }
    let sent = try #require(fake.requests.first)
    #expect(sent["system"] as? String != nil)
    #expect((sent["messages"] as? [[String: Any]])?.allSatisfy { $0["role"] as? String != "system" } == true)
    #expect(sent["temperature"] as? Int == 0)
  }

  @Test func theBreakerClosesOpensAndHalfOpensOnItsClock() {
    let now = Mutex(ContinuousClock.now)
    let breaker = CircuitBreaker(failureThreshold: 2, coolDown: .seconds(10)) { now.withLock { $0 } }
    #expect(breaker.allowsCall())
    breaker.recordFailure()
    #expect(breaker.state == .closed)
    breaker.recordFailure()
    #expect(breaker.state == .open && !breaker.allowsCall())
    now.withLock { $0 += .seconds(10) }
    #expect(breaker.allowsCall(), "one trial after the cool-down")
    #expect(!breaker.allowsCall(), "and only one at a time")
    breaker.recordFailure()
    #expect(breaker.state == .open, "a failed trial opens it again")
    now.withLock { $0 += .seconds(10) }
    #expect(breaker.allowsCall())
    breaker.recordSuccess()
    #expect(breaker.state == .closed && breaker.allowsCall())
  }
}
