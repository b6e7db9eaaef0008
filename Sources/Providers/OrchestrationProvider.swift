import Domain
import Logging

/// One non-codegen decision a provider can make (intake extraction, say): how to ask a
/// model for it, how to check a model's answer, and the rules' own answer.
public protocol OrchestrationTask: Sendable {
  associatedtype Output: Sendable
  /// A stable name: the few-shot pack's key and the quarantine's label.
  var name: String { get }
  /// What the model is told it is doing, including the JSON shape wanted.
  var instructions: String { get }
  /// The input, as the model sees it.
  var input: String { get }
  /// Decodes and semantically checks a model's reply; the error's text is fed back.
  func decode(_ reply: String) throws -> Output
  /// The deterministic answer, used by the default provider and as the fallback.
  func answerByRules() throws -> Output
}

/// An answer and where it came from.
public struct ProviderAnswer<Output: Sendable>: Sendable {
  public var output: Output
  public var provider: ProviderIdentity
  /// The SHA-256 of the few-shot pack used, when a model was asked with one.
  public var packSHA256: String
  /// Why the configured provider did not answer, when the rules did instead.
  public var fallbackReason: String
  /// What the model calls behind this answer consumed, every attempt counted (a model that
  /// failed before the rules answered still spent them).
  public var tokens: TokenCount

  public init(
    output: Output, provider: ProviderIdentity, packSHA256: String = "", fallbackReason: String = "",
    tokens: TokenCount = TokenCount()
  ) {
    self.output = output
    self.provider = provider
    self.packSHA256 = packSHA256
    self.fallbackReason = fallbackReason
    self.tokens = tokens
  }
}

/// A source of orchestration decisions. The deterministic provider is the default; model
/// providers plug in behind the same protocol.
public protocol OrchestrationProvider: Sendable {
  var identity: ProviderIdentity { get }
  func answer<Task: OrchestrationTask>(_ task: Task) async throws -> ProviderAnswer<Task.Output>
}

/// The rules: no network, same input → same output.
public struct DeterministicProvider: OrchestrationProvider {
  public init() {}
  public var identity: ProviderIdentity { .deterministic }

  public func answer<Task: OrchestrationTask>(_ task: Task) async throws -> ProviderAnswer<Task.Output> {
    ProviderAnswer(output: try task.answerByRules(), provider: identity)
  }
}
