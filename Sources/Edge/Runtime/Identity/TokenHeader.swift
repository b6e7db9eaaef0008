import Foundation

/// The protected header of a compact JWS, read before any key is chosen, so the algorithm is
/// the verifier's decision and never the token's: only the asymmetric ones a key set names.
struct TokenHeader: Sendable, Equatable {
  var algorithm: String
  var keyID: String

  /// The algorithms a token may be signed with; `none` and every HMAC are refused, so a
  /// public key can never be used as a shared secret.
  static let allowed: Set<String> = ["RS256", "ES256", "EdDSA"]

  static func read(_ token: String) throws(Unauthenticated) -> TokenHeader {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, token.utf8.count <= 16 << 10 else {
      throw Unauthenticated("the token is not a compact JWS (three dot-separated parts, at most 16 KiB)")
    }
    guard let data = Base64URL.decode(parts[0]),
      let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { throw Unauthenticated("the token's header is not base64url JSON") }
    guard let algorithm = header["alg"] as? String, allowed.contains(algorithm) else {
      throw Unauthenticated(
        "the token's algorithm \(String(describing: header["alg"] ?? "none")) is not one of "
          + allowed.sorted().joined(separator: ", "))
    }
    guard let keyID = header["kid"] as? String, !keyID.isEmpty, keyID.count <= 200 else {
      throw Unauthenticated("the token's header names no key (kid)")
    }
    return TokenHeader(algorithm: algorithm, keyID: keyID)
  }
}

enum Base64URL {
  static func decode(_ text: Substring) -> Data? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64.append("=") }
    return Data(base64Encoded: base64)
  }

  static func encode(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }
}
