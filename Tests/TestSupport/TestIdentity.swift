import EdgeRuntime
import Foundation

/// A local issuer in a fresh temporary data folder, for tests that build an Edge router with
/// that folder: the tokens it mints are the ones that router verifies.
package struct TestIdentity: Sendable {
  package let dataDirectory: String
  package let issuer: LocalIssuer

  package static let defaultUser = "tester"

  package static func make() throws -> TestIdentity {
    let folder = FileManager.default.temporaryDirectory.appending(path: "mlops-test-identity-\(UUID())").path
    return TestIdentity(dataDirectory: folder, issuer: try LocalIssuer.load(dataDirectory: folder))
  }

  /// The identity of a running `mlops serve` or `edge` whose data folder is `dataDirectory`
  /// (its key is made at start).
  package static func of(dataDirectory: String) throws -> TestIdentity {
    TestIdentity(dataDirectory: dataDirectory, issuer: try LocalIssuer.load(dataDirectory: dataDirectory))
  }

  /// A token for the embedded platform's default user, the one `mlops run` calls as.
  package static func localUserToken(dataDirectory: String) async throws -> String {
    try await of(dataDirectory: dataDirectory).token(LocalIssuer.defaultUser)
  }

  /// A token for `user` (ten minutes, the default audience).
  package func token(_ user: String = defaultUser, name: String = "", groups: [String] = []) async throws -> String {
    try await issuer.mint(
      subject: user, name: name, groups: groups, audience: IdentityConfiguration().audience, ttl: .seconds(600))
  }

  /// `Bearer <token>` for an Authorization header.
  package func bearer(_ user: String = defaultUser, groups: [String] = []) async throws -> String {
    "Bearer " + (try await token(user, groups: groups))
  }
}
