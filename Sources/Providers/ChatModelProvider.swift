import Domain
import Foundation
import Logging
import ServiceKit

/// A chat model as an orchestration provider: asks with the task's instructions and its
/// few-shot pack, decodes and checks the reply, and on a rejected reply asks again with the
/// reason fed back, up to the determinism budget; every rejected payload is quarantined.
public struct ChatModelProvider: OrchestrationProvider {
  public struct InvalidOutput: Error, CustomStringConvertible {
    public var task: String
    public var attempts: Int
    public var lastReason: String
    public var tokens: TokenCount
    public var description: String { "\(task): no valid answer in \(attempts) attempts; last: \(lastReason)" }
  }

  let transport: any ChatTransport
  let packs: FewShotPackRegistry
  let quarantine: Quarantine
  let maxAttempts: Int
  let logger: Logger

  public init(
    transport: any ChatTransport, packs: FewShotPackRegistry, quarantine: Quarantine, maxAttempts: Int, logger: Logger
  ) {
    self.transport = transport
    self.packs = packs
    self.quarantine = quarantine
    self.maxAttempts = max(1, maxAttempts)
    self.logger = logger
  }

  public var identity: ProviderIdentity { transport.identity }

  public func answer<Task: OrchestrationTask>(_ task: Task) async throws -> ProviderAnswer<Task.Output> {
    let pack = packs.pack(for: task.name)
    var messages = [ChatMessage(.system, task.instructions)] + (pack?.messages ?? []) + [ChatMessage(.user, task.input)]
    var lastReason = ""
    var tokens = TokenCount()
    for attempt in 1...maxAttempts {
      let reply = try await ModelCall(task: task.name, provider: identity, attempt: attempt, logger: logger).run {
        try await transport.complete(messages)
      }
      tokens.add(input: reply.inputTokens, output: reply.outputTokens)
      do {
        return ProviderAnswer(
          output: try task.decode(reply.text), provider: identity, packSHA256: pack?.sha256 ?? "", tokens: tokens)
      } catch {
        lastReason = "\(error)"
        quarantine.keep(
          .init(
            task: task.name, provider: identity.name, model: identity.model, attempt: attempt, reason: lastReason,
            payload: reply.text, at: Date()))
        messages += [
          ChatMessage(.assistant, reply.text),
          ChatMessage(.user, "That reply was rejected: \(lastReason). Reply again with one corrected JSON object."),
        ]
      }
    }
    throw InvalidOutput(task: task.name, attempts: maxAttempts, lastReason: lastReason, tokens: tokens)
  }
}

/// The configured provider behind a circuit breaker, with the rules answering whenever it
/// fails or the breaker is open; the answer says which provider gave it and why.
public struct ResilientProvider: OrchestrationProvider {
  let primary: any OrchestrationProvider
  public let breaker: CircuitBreaker
  let fallback = DeterministicProvider()
  let logger: Logger

  public init(primary: any OrchestrationProvider, breaker: CircuitBreaker, logger: Logger) {
    self.primary = primary
    self.breaker = breaker
    self.logger = logger
  }

  public var identity: ProviderIdentity { primary.identity }

  public func answer<Task: OrchestrationTask>(_ task: Task) async throws -> ProviderAnswer<Task.Output> {
    guard breaker.allowsCall() else {
      return try await fallingBack(task, reason: "\(primary.identity.name) is paused after repeated failures (circuit open)")
    }
    do {
      let answer = try await ModelCall.$breaker.withValue(breaker.state) { try await primary.answer(task) }
      breaker.recordSuccess()
      return answer
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      breaker.recordFailure()
      logger.warning(
        "provider failed; the rules answer instead",
        metadata: ["task": "\(task.name)", "provider": "\(primary.identity.name)", "error": "\(error)"])
      return try await fallingBack(
        task, reason: "\(primary.identity.name) failed: \(error)", spent: (error as? ChatModelProvider.InvalidOutput)?.tokens)
    }
  }

  private func fallingBack<Task: OrchestrationTask>(
    _ task: Task, reason: String, spent: TokenCount? = nil
  ) async throws -> ProviderAnswer<Task.Output> {
    var answer = try await fallback.answer(task)
    answer.fallbackReason = reason
    answer.tokens = spent ?? TokenCount()
    return answer
  }
}
