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
    guard let transport = transport(configuration, client: client) else { return DeterministicProvider() }
    let model = ChatModelProvider(
      transport: transport, packs: packs, quarantine: Quarantine(folder: quarantineFolder, logger: logger),
      maxAttempts: configuration.maxAttempts, logger: logger)
    return ResilientProvider(
      primary: model,
      breaker: CircuitBreaker(
        failureThreshold: configuration.breakerFailures, coolDown: .seconds(configuration.breakerCooldownSeconds)),
      logger: logger)
  }

  /// The wire to the model the configuration names; nil for the deterministic rules.
  public static func transport(_ configuration: ProviderConfiguration, client: HTTPClient = .shared) -> (any ChatTransport)? {
    let timeout = Duration.seconds(configuration.timeoutSeconds)
    switch configuration.kind {
    case .deterministic:
      return nil
    case .openai:
      return OpenAIChatTransport(
        baseURL: configuration.resolvedBaseURL, model: configuration.model ?? "", apiKey: configuration.apiKey ?? "",
        client: client, timeout: timeout)
    case .anthropic:
      return AnthropicMessagesTransport(
        baseURL: configuration.resolvedBaseURL, model: configuration.model ?? "", apiKey: configuration.apiKey ?? "",
        client: client, timeout: timeout)
    }
  }
}
