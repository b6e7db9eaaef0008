import AsyncHTTPClient
import Foundation
import JWTKit

/// Checks a bearer token and says who it belongs to: the header's algorithm must be the one
/// its key is for, the signature must verify with a key the issuer publishes, and `iss`,
/// `aud`, `exp`, `nbf` and `iat` must hold within the configured clock skew.
package struct TokenVerifier: Sendable {
  enum Keys: Sendable {
    case local(LocalKeySource)
    case remote(RemoteKeySource)

    func keys(for kid: String) async throws(Unauthenticated) -> KeySet {
      switch self {
      case .local(let source): try await source.keys()
      case .remote(let source): try await source.keys(for: kid)
      }
    }
  }

  let configuration: IdentityConfiguration
  let keys: Keys
  let expectedIssuer: String
  let verified = VerifiedTokenCache()

  /// The local issuer's tokens, verified through the JWKS it publishes.
  package static func local(_ issuer: LocalIssuer, configuration: IdentityConfiguration) -> TokenVerifier {
    TokenVerifier(
      configuration: configuration, keys: .local(LocalKeySource(jwks: issuer.jwks)),
      expectedIssuer: IdentityConfiguration.localIssuer)
  }

  /// An OIDC issuer's tokens, its keys found by discovery.
  package static func oidc(
    issuer: String, configuration: IdentityConfiguration, client: HTTPClient = .shared
  ) -> TokenVerifier {
    let source = RemoteKeySource(
      issuer: issuer, client: client, refetchInterval: .seconds(configuration.jwksRefetchSeconds))
    return TokenVerifier(configuration: configuration, keys: .remote(source), expectedIssuer: source.issuer)
  }

  package func verify(_ token: String, now: Date = Date()) async throws(Unauthenticated) -> Caller {
    if let caller = verified.caller(for: token, now: now) { return caller }
    let header = try TokenHeader.read(token)
    let keySet = try await keys.keys(for: header.keyID)
    guard let algorithm = keySet.algorithms[header.keyID] else {
      throw Unauthenticated("the issuer publishes no key \(header.keyID.prefix(60).debugDescription)")
    }
    guard algorithm == header.algorithm else {
      throw Unauthenticated("key \(header.keyID.prefix(60)) is for \(algorithm), not \(header.algorithm)")
    }
    let claims: AccessTokenClaims
    do {
      claims = try await keySet.collection.verify(token, as: AccessTokenClaims.self)
    } catch {
      throw Unauthenticated("the token's signature does not verify")
    }
    let skew = TimeInterval(configuration.clockSkewSeconds)
    let issuer = claims.string("iss") ?? ""
    guard issuer == expectedIssuer || issuer == expectedIssuer + "/" else {
      throw Unauthenticated("the token is from another issuer")
    }
    guard claims.strings("aud").contains(configuration.audience) else {
      throw Unauthenticated("the token is not for this audience (\(configuration.audience))")
    }
    guard let expires = claims.date("exp") else { throw Unauthenticated("the token has no expiry (exp)") }
    guard now.timeIntervalSince(expires) <= skew else { throw Unauthenticated("the token has expired") }
    if let notBefore = claims.date("nbf"), notBefore.timeIntervalSince(now) > skew {
      throw Unauthenticated("the token is not valid yet (nbf)")
    }
    if let issued = claims.date("iat"), issued.timeIntervalSince(now) > skew {
      throw Unauthenticated("the token was issued in the future (iat)")
    }
    guard let subject = claims.string(configuration.userClaim), !subject.isEmpty, subject.count <= 256 else {
      throw Unauthenticated("the token names no user (\(configuration.userClaim))")
    }
    var projectRoles: [UUID: Role] = [:]
    if expectedIssuer == IdentityConfiguration.localIssuer {
      for grant in claims.strings(LocalIssuer.projectRolesClaim).prefix(100) {
        let parts = grant.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let project = UUID(uuidString: String(parts[0])), let role = Role(rawValue: String(parts[1]))
        else { throw Unauthenticated("the token's \(LocalIssuer.projectRolesClaim) claim is not a list of project:role") }
        projectRoles[project] = max(role, projectRoles[project] ?? role)
      }
    }
    let caller = Caller(
      issuer: issuer, subject: subject, name: String((claims.string(configuration.nameClaim) ?? "").prefix(200)),
      groups: claims.strings(configuration.groupsClaim).prefix(100).map { String($0.prefix(200)) }, expiresAt: expires,
      projectRoles: projectRoles)
    let from = [claims.date("nbf"), claims.date("iat")].compactMap { $0 }.max() ?? .distantPast
    verified.store(
      caller, for: token, from: from.addingTimeInterval(-skew), until: expires.addingTimeInterval(skew), now: now)
    return caller
  }
}

extension TokenVerifier {
  /// The verifier the configuration names, and the local issuer when Edge is its own.
  package static func configured(
    _ configuration: IdentityConfiguration, dataDirectory: String
  ) throws -> (verifier: TokenVerifier, localIssuer: LocalIssuer?) {
    if let issuer = configuration.issuer {
      return (oidc(issuer: issuer, configuration: configuration), nil)
    }
    let local = try LocalIssuer.load(dataDirectory: dataDirectory)
    return (Self.local(local, configuration: configuration), local)
  }
}
