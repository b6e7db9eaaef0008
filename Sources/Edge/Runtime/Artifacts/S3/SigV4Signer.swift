import Crypto
import Foundation
import ServiceKit

/// AWS Signature Version 4 for S3: signed headers for requests, and presigned URLs.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
package struct SigV4Signer: Sendable {
  package struct Credentials: Sendable {
    package var accessKeyID: String
    package var secretAccessKey: String
    package var sessionToken: String?

    package init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
      self.accessKeyID = accessKeyID
      self.secretAccessKey = secretAccessKey
      self.sessionToken = sessionToken
    }
  }

  package static let unsignedPayload = "UNSIGNED-PAYLOAD"
  let credentials: Credentials
  let region: String
  let service: String

  package init(credentials: Credentials, region: String, service: String = "s3") {
    self.credentials = credentials
    self.region = region
    self.service = service
  }

  /// The headers to send: `headers` plus x-amz-date, x-amz-content-sha256, the session
  /// token when there is one, and Authorization.
  package func sign(
    method: String, url: URL, headers: [String: String] = [:], payloadSHA256: String, date: Date = Date()
  ) -> [String: String] {
    let (amzDate, day) = Self.timestamps(date)
    var headers = headers
    headers["host"] = Self.host(url)
    headers["x-amz-date"] = amzDate
    headers["x-amz-content-sha256"] = payloadSHA256
    if let token = credentials.sessionToken { headers["x-amz-security-token"] = token }
    let canonical = Dictionary(
      headers.map { ($0.key.lowercased(), $0.value.trimmingCharacters(in: .whitespaces)) }, uniquingKeysWith: { $1 })
    let names = canonical.keys.sorted()
    let request = [
      method, Self.canonicalPath(url), Self.canonicalQuery(url),
      names.map { "\($0):\(canonical[$0]!)\n" }.joined(), names.joined(separator: ";"), payloadSHA256,
    ].joined(separator: "\n")
    let scope = "\(day)/\(region)/\(service)/aws4_request"
    let signature = self.signature(request: request, amzDate: amzDate, day: day, scope: scope)
    headers["Authorization"] =
      "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope),SignedHeaders=\(names.joined(separator: ";")),Signature=\(signature)"
    headers.removeValue(forKey: "host")
    return headers
  }

  /// A URL that performs `method` on `url` without credentials for `expires` seconds.
  package func presign(method: String = "GET", url: URL, expires: Int, date: Date = Date()) -> URL {
    let (amzDate, day) = Self.timestamps(date)
    let scope = "\(day)/\(region)/\(service)/aws4_request"
    var query: [(String, String)] = [
      ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope)"),
      ("X-Amz-Date", amzDate), ("X-Amz-Expires", String(expires)), ("X-Amz-SignedHeaders", "host"),
    ]
    if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
    let queryText = query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.sorted().joined(separator: "&")
    let request = [method, Self.canonicalPath(url), queryText, "host:\(Self.host(url))\n", "host", Self.unsignedPayload]
      .joined(separator: "\n")
    let signature = self.signature(request: request, amzDate: amzDate, day: day, scope: scope)
    var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
    components.percentEncodedQuery = queryText + "&X-Amz-Signature=\(signature)"
    return components.url!
  }

  func signature(request: String, amzDate: String, day: String, scope: String) -> String {
    let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(request.utf8)))].joined(
      separator: "\n")
    var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
    for part in [day, region, service, "aws4_request"] {
      key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
    }
    return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
  }

  static func timestamps(_ date: Date) -> (amzDate: String, day: String) {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    let amzDate = formatter.string(from: date)
    return (amzDate, String(amzDate.prefix(8)))
  }

  static func host(_ url: URL) -> String {
    let host = url.host ?? ""
    guard let port = url.port else { return host }
    return (url.scheme == "https" && port == 443) || (url.scheme == "http" && port == 80) ? host : "\(host):\(port)"
  }

  /// Each path segment URI-encoded once, as S3 expects.
  static func canonicalPath(_ url: URL) -> String {
    let path = url.path(percentEncoded: false)
    guard !path.isEmpty else { return "/" }
    return path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }.joined(separator: "/")
  }

  static func canonicalQuery(_ url: URL) -> String {
    let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
    return items.map { "\(encode($0.name))=\(encode($0.value ?? ""))" }.sorted().joined(separator: "&")
  }

  static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

  static func encode(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
  }

  static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
    bytes.lowercaseHex
  }
}
