import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// An OIDC issuer's signing keys: found through its discovery document, fetched once and
/// cached. A token naming a key the cache lacks (the issuer rotated) triggers one refetch,
/// at most once per `refetchInterval`, so forged key ids cannot make Edge flood the issuer.
actor RemoteKeySource {
  let issuer: String
  let client: HTTPClient
  let refetchInterval: Duration
  private var keys = KeySet.empty
  private var fetchedAt: ContinuousClock.Instant?

  init(issuer: String, client: HTTPClient = .shared, refetchInterval: Duration) {
    self.issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
    self.client = client
    self.refetchInterval = refetchInterval
  }

  func keys(for kid: String) async throws(Unauthenticated) -> KeySet {
    if keys.algorithms[kid] != nil { return keys }
    if let fetchedAt, ContinuousClock.now - fetchedAt < refetchInterval { return keys }
    fetchedAt = .now
    keys = try await fetch()
    return keys
  }

  private func fetch() async throws(Unauthenticated) -> KeySet {
    let discovery = try await get(issuer + "/.well-known/openid-configuration")
    guard let document = try? JSONSerialization.jsonObject(with: discovery) as? [String: Any],
      let jwksURI = document["jwks_uri"] as? String
    else { throw Unauthenticated("the issuer's discovery document names no jwks_uri") }
    guard (document["issuer"] as? String).map({ $0 == issuer || $0 == issuer + "/" }) == true else {
      throw Unauthenticated("the issuer's discovery document is for another issuer")
    }
    return try await KeySet.parse(try await get(jwksURI))
  }

  private func get(_ url: String) async throws(Unauthenticated) -> Data {
    do {
      let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
      let body = try await response.body.collect(upTo: 1 << 20)
      guard response.status == .ok else { throw Unauthenticated("\(url) answered \(response.status.code)") }
      return Data(buffer: body)
    } catch let error as Unauthenticated {
      throw error
    } catch {
      throw Unauthenticated("the issuer could not be reached (\(url))")
    }
  }
}
