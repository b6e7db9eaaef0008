import Foundation
import JWTKit

/// The signing keys one JWKS document publishes, usable ones only: each key's algorithm is
/// the one it names (or its type implies) and must be one `TokenHeader.allowed` lists.
struct KeySet: Sendable {
  let collection: JWTKeyCollection
  /// kid → the one algorithm that key verifies.
  let algorithms: [String: String]

  static let empty = KeySet(collection: JWTKeyCollection(), algorithms: [:])

  static func parse(_ data: Data) async throws(Unauthenticated) -> KeySet {
    guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let keys = document["keys"] as? [[String: Any]]
    else { throw Unauthenticated("the issuer's JWKS is not a JSON object with keys") }
    let collection = JWTKeyCollection()
    var algorithms: [String: String] = [:]
    for key in keys {
      guard let kid = key["kid"] as? String, !kid.isEmpty, (key["use"] as? String ?? "sig") == "sig",
        let algorithm = (key["alg"] as? String) ?? implied(key), TokenHeader.allowed.contains(algorithm),
        let json = try? JSONSerialization.data(withJSONObject: key),
        let jwk = try? JSONDecoder().decode(JWK.self, from: json)
      else { continue }
      guard (try? await collection.add(jwk: jwk)) != nil else { continue }
      algorithms[kid] = algorithm
    }
    return KeySet(collection: collection, algorithms: algorithms)
  }

  /// The algorithm a key without `alg` is for, from its type and curve.
  static func implied(_ key: [String: Any]) -> String? {
    switch (key["kty"] as? String, key["crv"] as? String) {
    case ("RSA", _): "RS256"
    case ("EC", "P-256"): "ES256"
    case ("OKP", "Ed25519"): "EdDSA"
    default: nil
    }
  }
}

/// The local issuer's key set, read from the JWKS it publishes on first use.
actor LocalKeySource {
  let jwks: Data
  private var parsed: KeySet?

  init(jwks: Data) { self.jwks = jwks }

  func keys() async throws(Unauthenticated) -> KeySet {
    if let parsed { return parsed }
    let keys = try await KeySet.parse(jwks)
    parsed = keys
    return keys
  }
}
