import Crypto
import EdgeRuntime
import Foundation
import Testing

/// The local issuer's tokens verify, and every way of forging or stretching one is refused
/// with a reason: expiry and not-before outside the skew, another audience, another key, a
/// changed payload, `alg: none`, and HS256 keyed with the published public key.
struct TokenVerifierTests {
  static func folder() -> String {
    FileManager.default.temporaryDirectory.appending(path: "issuer-\(UUID())").path
  }

  static func issuer() throws -> LocalIssuer {
    try LocalIssuer.load(dataDirectory: folder())
  }

  static func refusal(_ verifier: TokenVerifier, _ token: String, now: Date = Date()) async -> String? {
    do {
      _ = try await verifier.verify(token, now: now)
      return nil
    } catch {
      return error.reason
    }
  }

  static func base64url(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }

  static func json(_ object: [String: Any]) -> Data {
    try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
  }

  @Test func aMintedTokenNamesItsUserAndGroups() async throws {
    let folder = Self.folder()
    let issuer = try LocalIssuer.load(dataDirectory: folder)
    let verifier = TokenVerifier.local(issuer, configuration: IdentityConfiguration())
    let token = try await issuer.mint(
      subject: "ada", name: "Ada Lovelace", groups: ["reviewers"], audience: "mlops", ttl: .seconds(600))
    let caller = try await verifier.verify(token)
    #expect(caller.subject == "ada" && caller.name == "Ada Lovelace" && caller.groups == ["reviewers"])
    #expect(caller.issuer == IdentityConfiguration.localIssuer)
    #expect(caller.displayName == "Ada Lovelace (ada)")
    // The key is kept, owner-only: a restarted Edge verifies the tokens minted before.
    let again = try LocalIssuer.load(dataDirectory: folder)
    #expect(again.keyID == issuer.keyID)
    #expect(try await TokenVerifier.local(again, configuration: IdentityConfiguration()).verify(token) == caller)
    let mode = try FileManager.default.attributesOfItem(atPath: folder + "/identity/issuer-key.pem")[.posixPermissions]
    #expect(mode as? Int == 0o600)
  }

  @Test func timesAreHeldWithinTheSkewAndTheAudienceMustMatch() async throws {
    let issuer = try Self.issuer()
    let verifier = TokenVerifier.local(issuer, configuration: IdentityConfiguration())
    let now = Date()
    let token = try await issuer.mint(subject: "ada", audience: "mlops", ttl: .seconds(60), now: now)
    #expect(await Self.refusal(verifier, token, now: now.addingTimeInterval(100)) == nil, "within 60 s of skew")
    #expect(await Self.refusal(verifier, token, now: now.addingTimeInterval(200)) == "the token has expired")
    #expect(await Self.refusal(verifier, token, now: now.addingTimeInterval(-200)) == "the token is not valid yet (nbf)")
    let other = try await issuer.mint(subject: "ada", audience: "someone-else", ttl: .seconds(60))
    #expect(await Self.refusal(verifier, other)?.contains("not for this audience") == true)
  }

  /// A verified token is remembered, but only for the times it was checked against: the same
  /// token is refused past its expiry and before its not-before, however often it verified.
  @Test func aRememberedTokenKeepsItsTimes() async throws {
    let issuer = try Self.issuer()
    let verifier = TokenVerifier.local(issuer, configuration: IdentityConfiguration())
    let now = Date()
    let token = try await issuer.mint(subject: "ada", audience: "mlops", ttl: .seconds(60), now: now)
    for _ in 0..<3 { #expect(await Self.refusal(verifier, token, now: now) == nil) }
    #expect(await Self.refusal(verifier, token, now: now.addingTimeInterval(121)) == "the token has expired")
    #expect(await Self.refusal(verifier, token, now: now.addingTimeInterval(-61)) == "the token is not valid yet (nbf)")
    #expect(await Self.refusal(verifier, token, now: now.addingTimeInterval(30)) == nil)
    // Changed by one character it is another token: verified afresh, and refused.
    var changed = Array(token)
    changed[changed.count - 2] = changed[changed.count - 2] == "A" ? "B" : "A"
    #expect(await Self.refusal(verifier, String(changed), now: now) != nil)
  }

  @Test func forgedTokensAreRefused() async throws {
    let issuer = try Self.issuer()
    let verifier = TokenVerifier.local(issuer, configuration: IdentityConfiguration())
    let stranger = try await Self.issuer().mint(subject: "eve", audience: "mlops", ttl: .seconds(60))
    #expect(await Self.refusal(verifier, stranger)?.contains("publishes no key") == true)

    let genuine = try await issuer.mint(subject: "ada", audience: "mlops", ttl: .seconds(60))
    let parts = genuine.split(separator: ".").map(String.init)
    let now = Date().timeIntervalSince1970
    let claims = Self.base64url(
      Self.json(["iss": IdentityConfiguration.localIssuer, "aud": "mlops", "sub": "admin", "exp": now + 600]))
    #expect(await Self.refusal(verifier, "\(parts[0]).\(claims).\(parts[2])") == "the token's signature does not verify")

    let none = Self.base64url(Self.json(["alg": "none", "kid": issuer.keyID]))
    #expect(await Self.refusal(verifier, "\(none).\(claims).")?.contains("is not one of") == true)

    // HS256 keyed with what the JWKS publishes: the classic algorithm-confusion forgery.
    let hs = Self.base64url(Self.json(["alg": "HS256", "kid": issuer.keyID]))
    let mac = HMAC<SHA256>.authenticationCode(for: Data("\(hs).\(claims)".utf8), using: SymmetricKey(data: issuer.jwks))
    #expect(await Self.refusal(verifier, "\(hs).\(claims).\(Self.base64url(Data(mac)))")?.contains("is not one of") == true)

    for junk in ["", "a.b", "not a token", String(repeating: "x", count: 20_000)] {
      #expect(await Self.refusal(verifier, junk) != nil, "\(junk.prefix(20))")
    }
  }
}
