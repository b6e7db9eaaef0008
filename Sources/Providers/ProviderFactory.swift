import AsyncHTTPClient
import Foundation
import Logging
import ServiceKit

/// The provider the configuration names: the rules, or a model behind the breaker with the
/// rules as fallback.
public enum ProviderFactory {
  public static func make(
    _ configuration: ProviderConfiguration, packs: FewShotPackRegistry, quarantineFolder: URL?, logger: Logger,
    client: HTTPClient = .shared
  ) -> any OrchestrationProvider {
    let timeout = Duration.seconds(configuration.timeoutSeconds)
    let transport: any ChatTransport
    switch configuration.kind {
    case .deterministic:
      return DeterministicProvider()
    case .openai:
      transport = OpenAIChatTransport(
        baseURL: configuration.resolvedBaseURL, model: configuration.model ?? "", apiKey: configuration.apiKey ?? "",
        client: client, timeout: timeout)
    case .anthropic:
      transport = AnthropicMessagesTransport(
        baseURL: configuration.resolvedBaseURL, model: configuration.model ?? "", apiKey: configuration.apiKey ?? "",
        client: client, timeout: timeout)
    }
    let model = ChatModelProvider(
      transport: transport, packs: packs, quarantine: Quarantine(folder: quarantineFolder, logger: logger),
      maxAttempts: configuration.maxAttempts, logger: logger)
    return ResilientProvider(
      primary: model,
      breaker: CircuitBreaker(
        failureThreshold: configuration.breakerFailures, coolDown: .seconds(configuration.breakerCooldownSeconds)),
      logger: logger)
  }
}
