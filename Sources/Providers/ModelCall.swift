import Domain
import Logging
import Metrics
import ServiceKit
import Tracing

/// One request to a chat model, observed: a `model.call` span (provider, model, attempt,
/// tokens in and out, latency, and the breaker's state when one guards the model), the
/// token and latency metrics by provider and model, and one log line.
public struct ModelCall: Sendable {
  public var task: String
  public var provider: ProviderIdentity
  public var attempt: Int
  let logger: Logger

  /// The state of the breaker guarding the model, set by `ResilientProvider` around its calls.
  @TaskLocal static var breaker: CircuitBreaker.State?

  public init(task: String, provider: ProviderIdentity, attempt: Int, logger: Logger) {
    self.task = task
    self.provider = provider
    self.attempt = attempt
    self.logger = logger
  }

  public func run(_ call: () async throws -> ChatReply) async throws -> ChatReply {
    try await withSpan("model.call", ofKind: .client) { span in
      span.attributes["gen_ai.system"] = provider.name
      span.attributes["gen_ai.request.model"] = provider.model
      span.attributes["mlops.task"] = task
      span.attributes["mlops.attempt"] = attempt
      if let breaker = Self.breaker { span.attributes["mlops.breaker.state"] = "\(breaker)" }
      let started = ContinuousClock.now
      let dimensions = [("provider", provider.name), ("model", provider.model)]
      do {
        let reply = try await call()
        let latency = ContinuousClock.now - started
        span.attributes["gen_ai.usage.input_tokens"] = reply.inputTokens
        span.attributes["gen_ai.usage.output_tokens"] = reply.outputTokens
        span.attributes["mlops.latency_ms"] = Int(saturating: latency.milliseconds)
        Counter(label: "mlops_model_tokens_total", dimensions: dimensions + [("direction", "input")])
          .increment(by: max(0, reply.inputTokens))
        Counter(label: "mlops_model_tokens_total", dimensions: dimensions + [("direction", "output")])
          .increment(by: max(0, reply.outputTokens))
        Timer(label: "mlops_model_call_seconds", dimensions: dimensions + [("outcome", "answered")]).record(latency)
        logger.info(
          "model call",
          metadata: [
            "task": "\(task)", "provider": "\(provider.name)", "model": "\(provider.model)", "attempt": "\(attempt)",
            "input_tokens": "\(reply.inputTokens)", "output_tokens": "\(reply.outputTokens)",
            "latency_ms": "\(Int(saturating: latency.milliseconds))",
          ])
        return reply
      } catch {
        let latency = ContinuousClock.now - started
        Timer(label: "mlops_model_call_seconds", dimensions: dimensions + [("outcome", "failed")]).record(latency)
        logger.warning(
          "model call failed",
          metadata: [
            "task": "\(task)", "provider": "\(provider.name)", "model": "\(provider.model)", "attempt": "\(attempt)",
            "latency_ms": "\(Int(saturating: latency.milliseconds))", "error": "\(error)",
          ])
        throw error
      }
    }
  }
}
