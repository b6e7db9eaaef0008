import EdgeRuntime
import Hummingbird

/// Reads `Authorization: Bearer <token>` and says who it is: a personal access token
/// (`mlops_pat_…`) by its stored digest, any other token by the JWT verifier; anything else is
/// a 401 problem that says what was wrong with the token, never a 500.
package struct BearerAuthentication: Sendable {
  let verifier: TokenVerifier
  let accessTokens: AccessTokenStore?

  package init(verifier: TokenVerifier, accessTokens: AccessTokenStore? = nil) {
    self.verifier = verifier
    self.accessTokens = accessTokens
  }

  package func caller(_ request: Request) async throws -> Caller {
    guard let header = request.headers[.authorization] else {
      throw Problem.unauthenticated("send Authorization: Bearer <token> (mlops token mints one for the local issuer)")
    }
    let parts = header.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else {
      throw Problem.unauthenticated("the Authorization header is not a Bearer token")
    }
    let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
    if let accessTokens, token.hasPrefix(AccessTokenStore.prefix) {
      guard let caller = try await accessTokens.caller(presenting: token) else {
        throw Problem.unauthenticated("the personal access token is unknown, revoked or expired")
      }
      return caller
    }
    do {
      return try await verifier.verify(token)
    } catch {
      throw Problem.unauthenticated(error.reason)
    }
  }
}
