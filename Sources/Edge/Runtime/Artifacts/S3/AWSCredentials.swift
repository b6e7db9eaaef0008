import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit
import Synchronization

/// Where the S3 store's credentials come from: the keys in the environment, or the container
/// credentials endpoint that ECS, App Runner and EKS give a task's role
/// (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`), whose keys are fetched when first
/// needed and again five minutes before they expire.
package final class AWSCredentials: Sendable {
  package enum Source: Sendable, Equatable {
    case keys(accessKeyID: String, secretAccessKey: String, sessionToken: String?)
    /// The endpoint, and the Authorization header's value or the file holding it.
    case container(url: URL, token: String?, tokenFile: String?)
  }

  package struct Failure: Error, CustomStringConvertible {
    package var description: String
  }

  let source: Source
  let http: HTTPClient
  private let cached = Mutex<(credentials: SigV4Signer.Credentials, expires: Date)?>(nil)
  static let renewBefore: TimeInterval = 300

  package init(source: Source, http: HTTPClient = .shared) {
    self.source = source
    self.http = http
  }

  /// The environment's choice: its keys when set, else the container endpoint, else nil.
  /// A `_FULL_URI` must be https, or http to a loopback or the link-local endpoint addresses
  /// (the rule AWS's SDKs keep), so credentials never cross a network in the clear.
  package static func source(environment: [String: String]) throws(ConfigurationError) -> Source? {
    func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    if let key = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") {
      return .keys(accessKeyID: key, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
    }
    let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    let tokenFile = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
      guard relative.hasPrefix("/"), let url = URL(string: "http://169.254.170.2" + relative) else {
        throw ConfigurationError(variable: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", value: relative, expected: "a path")
      }
      return .container(url: url, token: token, tokenFile: tokenFile)
    }
    if let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
      guard let url = URL(string: full), let host = url.host(),
        url.scheme == "https" || (url.scheme == "http" && allowedHTTPHosts.contains(host))
      else {
        throw ConfigurationError(
          variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: full,
          expected: "an https URL, or http to 127.0.0.1, localhost, ::1, 169.254.170.2 or 169.254.170.23")
      }
      return .container(url: url, token: token, tokenFile: tokenFile)
    }
    return nil
  }

  static let allowedHTTPHosts: Set<String> = [
    "127.0.0.1", "localhost", "::1", "[::1]", "169.254.170.2", "169.254.170.23", "fd00:ec2::23",
  ]

  /// Keys to sign a request with now.
  package func current(now: Date = Date()) async throws -> SigV4Signer.Credentials {
    switch source {
    case .keys(let key, let secret, let token):
      return SigV4Signer.Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token)
    case .container(let url, let token, let tokenFile):
      if let (credentials, expires) = cached.withLock({ $0 }), expires.timeIntervalSince(now) > Self.renewBefore {
        return credentials
      }
      let fetched = try await fetch(url: url, token: token, tokenFile: tokenFile)
      cached.withLock { $0 = fetched }
      return fetched.credentials
    }
  }

  private struct Reply: Decodable {
    var accessKeyID: String
    var secretAccessKey: String
    var token: String?
    var expiration: Date

    enum CodingKeys: String, CodingKey {
      case accessKeyID = "AccessKeyId"
      case secretAccessKey = "SecretAccessKey"
      case token = "Token"
      case expiration = "Expiration"
    }
  }

  private func fetch(url: URL, token: String?, tokenFile: String?) async throws -> (
    credentials: SigV4Signer.Credentials, expires: Date
  ) {
    var request = HTTPClientRequest(url: url.absoluteString)
    let authorization =
      try tokenFile.map {
        try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
      } ?? token
    if let authorization { request.headers.add(name: "Authorization", value: authorization) }
    let response = try await http.execute(request, timeout: .seconds(10))
    let body = Data(buffer: try await response.body.collect(upTo: 1 << 16))
    guard response.status == .ok else {
      throw Failure(description: "the container credentials endpoint answered HTTP \(response.status.code)")
    }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    guard let reply = try? decoder.decode(Reply.self, from: body) else {
      throw Failure(description: "the container credentials endpoint's reply has no AccessKeyId, SecretAccessKey and Expiration")
    }
    return (
      SigV4Signer.Credentials(accessKeyID: reply.accessKeyID, secretAccessKey: reply.secretAccessKey, sessionToken: reply.token),
      reply.expiration
    )
  }
}
