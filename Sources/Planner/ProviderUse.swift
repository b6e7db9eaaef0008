import Contracts
import Providers

extension ProviderAnswer {
  /// The Reason Card's record of which provider answered, with its pack and any fallback.
  var providerUse: Mlops_V1_ProviderUse {
    .with {
      $0.name = provider.name
      $0.model = provider.model
      $0.packSha256 = packSHA256
      $0.fallbackReason = fallbackReason
      $0.inputTokens = Int64(tokens.input)
      $0.outputTokens = Int64(tokens.output)
    }
  }
}
