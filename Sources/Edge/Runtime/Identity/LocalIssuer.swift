import Crypto
import Foundation
import JWTKit

/// The embedded default's own token issuer: an ES256 key kept in the data directory (made on
/// first use, readable by its owner only), the JWKS that publishes it, and the tokens
/// `mlops token` and `mlops run --embedded` mint with it.
package struct LocalIssuer: Sendable {
  package let keyID: String
  let key: ES256PrivateKey

  /// The default user of the embedded platform: whoever can read the data directory.
  package static let defaultUser = "local-user"
  /// The claim of roles a local token grants in projects: `["{project id}:{role}", ...]`.
  package static let projectRolesClaim = "mlops_roles"

  package static func load(dataDirectory: String) throws -> LocalIssuer {
    let folder = URL(fileURLWithPath: dataDirectory).appending(path: "identity")
    let file = keyFile(dataDirectory)
    let key: ES256PrivateKey
    if let pem = try? String(contentsOf: file, encoding: .utf8) {
      key = try ES256PrivateKey(pem: pem)
    } else {
      // Only the key's own folder is owner-only; the data folder stays traversable.
      try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
      try FileManager.default.createDirectory(
        at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      key = ES256PrivateKey()
      let written = FileManager.default.createFile(
        atPath: file.path, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
      guard written else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path]) }
    }
    return LocalIssuer(key: key)
  }

  /// The issuer whose key is already in the data directory, or nil: a client never makes one.
  package static func existing(dataDirectory: String) throws -> LocalIssuer? {
    guard let pem = try? String(contentsOf: keyFile(dataDirectory), encoding: .utf8) else { return nil }
    return LocalIssuer(key: try ES256PrivateKey(pem: pem))
  }

  static func keyFile(_ dataDirectory: String) -> URL {
    URL(fileURLWithPath: dataDirectory).appending(path: "identity/issuer-key.pem")
  }

  init(key: ES256PrivateKey) {
    self.key = key
    let digest = SHA256.hash(data: Data(key.publicKey.pemRepresentation.utf8))
    keyID = "local-" + digest.prefix(8).map { String(format: "%02x", $0) }.joined()
  }

  /// The JWKS document Edge serves at `/.well-known/jwks.json`.
  package var jwks: Data {
    let parameters = key.publicKey.parameters
    let document: [String: Any] = [
      "keys": [
        [
          "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": keyID, "x": parameters?.x ?? "",
          "y": parameters?.y ?? "",
        ]
      ]
    ]
    return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data()
  }

  /// A token for `subject` with the given groups, good for `ttl` from `now`.
  package func mint(
    subject: String, name: String = "", groups: [String] = [], projectRoles: [UUID: Role] = [:], audience: String,
    ttl: Duration, now: Date = Date()
  ) async throws -> String {
    let issued = now.timeIntervalSince1970.rounded(.down)
    var values: [String: AccessTokenClaims.Value] = [
      "iss": .string(IdentityConfiguration.localIssuer), "aud": .string(audience), "sub": .string(subject),
      "iat": .number(issued), "nbf": .number(issued), "exp": .number(issued + Double(ttl.components.seconds)),
      "jti": .string(UUID().uuidString.lowercased()),
    ]
    if !name.isEmpty { values["name"] = .string(name) }
    if !groups.isEmpty { values["groups"] = .strings(groups) }
    if !projectRoles.isEmpty {
      values[Self.projectRolesClaim] = .strings(
        projectRoles.map { "\($0.key.uuidString.lowercased()):\($0.value.rawValue)" }.sorted())
    }
    let keys = JWTKeyCollection()
    await keys.add(ecdsa: key, kid: JWKIdentifier(string: keyID))
    return try await keys.sign(AccessTokenClaims(values: values), kid: JWKIdentifier(string: keyID))
  }
}
