import EdgeRuntime
import Hummingbird

/// Reads `Authorization: Bearer <token>` and asks the verifier who it is; anything else is a
/// 401 problem that says what was wrong with the token, never a 500.
package struct BearerAuthentication: Sendable {
  let verifier: TokenVerifier

  package init(verifier: TokenVerifier) {
    self.verifier = verifier
  }

  package func caller(_ request: Request) async throws -> Caller {
    guard let header = request.headers[.authorization] else {
      throw Problem.unauthenticated("send Authorization: Bearer <token> (mlops token mints one for the local issuer)")
    }
    let parts = header.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else {
      throw Problem.unauthenticated("the Authorization header is not a Bearer token")
    }
    do {
      return try await verifier.verify(String(parts[1]).trimmingCharacters(in: .whitespaces))
    } catch {
      throw Problem.unauthenticated(error.reason)
    }
  }
}
