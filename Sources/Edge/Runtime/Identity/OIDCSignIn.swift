import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// The console as an OAuth 2 public client of the configured OIDC issuer: where to send the
/// browser (the discovery document's `authorization_endpoint`) and the exchange of the code
/// it brings back, with its PKCE verifier, for an access token at the `token_endpoint`.
package struct OIDCSignIn: Sendable {
  package struct Failure: Error, CustomStringConvertible {
    package var description: String
  }

  package struct Endpoints: Sendable {
    package var authorization: String
    package var token: String
  }

  let issuer: String
  package let clientID: String
  let client: HTTPClient

  package init(issuer: String, clientID: String, client: HTTPClient = .shared) {
    self.issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
    self.clientID = clientID
    self.client = client
  }

  package func endpoints() async throws -> Endpoints {
    let document = try await json(HTTPClientRequest(url: issuer + "/.well-known/openid-configuration"))
    guard let authorization = document["authorization_endpoint"] as? String,
      let token = document["token_endpoint"] as? String
    else { throw Failure(description: "the issuer's discovery document names no authorization or token endpoint") }
    return Endpoints(authorization: authorization, token: token)
  }

  /// The access token the issuer gives for `code`.
  package func exchange(code: String, verifier: String, redirectURI: String) async throws -> String {
    var request = HTTPClientRequest(url: try await endpoints().token)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
    var form = URLComponents()
    form.queryItems = [
      .init(name: "grant_type", value: "authorization_code"), .init(name: "code", value: code),
      .init(name: "redirect_uri", value: redirectURI), .init(name: "client_id", value: clientID),
      .init(name: "code_verifier", value: verifier),
    ]
    // URLComponents leaves '+' alone in queries; a form body reads it as a space.
    let body = (form.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
    request.body = .bytes(ByteBuffer(string: body))
    guard let token = try await json(request)["access_token"] as? String else {
      throw Failure(description: "the issuer's token answer holds no access_token")
    }
    return token
  }

  private func json(_ request: HTTPClientRequest) async throws -> [String: Any] {
    let response: HTTPClientResponse
    do {
      response = try await client.execute(request, timeout: .seconds(10))
    } catch {
      throw Failure(description: "the issuer could not be reached (\(request.url))")
    }
    let body = try await response.body.collect(upTo: 1 << 20)
    guard response.status == .ok,
      let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
    else { throw Failure(description: "\(request.url) answered \(response.status.code)") }
    return object
  }
}
