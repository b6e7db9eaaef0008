import EdgeRuntime
import Foundation
import ServiceKit

/// The bearer token a command sends: `--token`, else `MLOPS_TOKEN`, else (for the embedded
/// default, where no OIDC issuer is set) a short-lived token minted with the local issuer's
/// key when the data directory already holds one. Reading that key is the same trust as
/// running `mlops token`; nil means the call goes without a token and the API says 401.
package enum CallerToken {
  package static func resolve(
    explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
  ) async throws -> String? {
    if let explicit, !explicit.isEmpty { return explicit }
    if let token = environment["MLOPS_TOKEN"], !token.isEmpty { return token }
    return try await local(environment: environment)
  }

  /// A token for the local default user, valid for a day, when this machine holds the key.
  package static func local(
    environment: [String: String] = ProcessInfo.processInfo.environment, ttl: Duration = .seconds(86_400)
  ) async throws -> String? {
    guard (environment["MLOPS_OIDC_ISSUER"] ?? "").isEmpty else { return nil }
    let dataDirectory = environment["MLOPS_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./.mlops"
    guard let issuer = try LocalIssuer.existing(dataDirectory: dataDirectory) else { return nil }
    let audience = environment["MLOPS_OIDC_AUDIENCE"].flatMap { $0.isEmpty ? nil : $0 } ?? IdentityConfiguration().audience
    return try await issuer.mint(subject: LocalIssuer.defaultUser, audience: audience, ttl: ttl)
  }
}
