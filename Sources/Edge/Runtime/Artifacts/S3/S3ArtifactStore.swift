import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// Bundles in an S3 bucket (or an S3-compatible server at MLOPS_S3_ENDPOINT, addressed
/// path-style), signed with SigV4 over async-http-client. Keys are content-addressed, so a
/// second PUT of a key writes the same bytes.
package struct S3ArtifactStore: ArtifactStore {
  package struct Failure: Error, CustomStringConvertible {
    package var description: String
  }

  let bucket: String
  let base: URL
  let region: String
  let credentials: AWSCredentials
  let http: HTTPClient

  package init(configuration: ArtifactConfiguration, http: HTTPClient = .shared) throws {
    guard let bucket = configuration.bucket, let source = configuration.credentials else {
      throw Failure(description: "the S3 store needs MLOPS_S3_BUCKET, and AWS credentials or a task role")
    }
    self.bucket = bucket
    if let endpoint = configuration.endpoint {
      guard let url = URL(string: endpoint) else { throw Failure(description: "MLOPS_S3_ENDPOINT is not a URL: \(endpoint)") }
      base = url.appending(path: bucket)
    } else {
      base = URL(string: "https://\(bucket).s3.\(configuration.region).amazonaws.com")!
    }
    region = configuration.region
    credentials = AWSCredentials(source: source, http: http)
    self.http = http
  }

  package func put(_ bytes: Data, at key: ArtifactKey) async throws {
    let response = try await send("PUT", url: url(key), body: bytes, headers: ["content-type": "application/zip"])
    guard response.status == .ok else { throw failure("PUT \(key)", response) }
  }

  package func get(_ key: ArtifactKey) async throws -> Data? {
    let response = try await send("GET", url: url(key))
    if response.status == .notFound { return nil }
    guard response.status == .ok else { throw failure("GET \(key)", response) }
    return response.body
  }

  package func presignedURL(for key: ArtifactKey, expiresIn seconds: Int) async throws -> URL? {
    try await signer().presign(url: url(key), expires: seconds)
  }

  /// A signer with the credentials of the moment (a task role's are renewed as they expire).
  func signer() async throws -> SigV4Signer {
    SigV4Signer(credentials: try await credentials.current(), region: region)
  }

  /// Creates the bucket when it is missing (an existing bucket of ours is fine).
  package func createBucket(region: String) async throws {
    let body =
      region == "us-east-1"
      ? Data()
      : Data(
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>"
          .utf8)
    let response = try await send("PUT", url: base, body: body)
    guard response.status == .ok || response.text.contains("BucketAlreadyOwnedByYou") else {
      throw failure("create bucket \(bucket)", response)
    }
  }

  /// Expires bundles (and staged files) `days` after they were written.
  package func setBundleExpiry(days: Int) async throws {
    let rule: (String, String) -> String = { id, prefix in
      "<Rule><ID>\(id)</ID><Filter><Prefix>\(prefix)</Prefix></Filter><Status>Enabled</Status><Expiration><Days>\(days)</Days></Expiration></Rule>"
    }
    let body = Data(
      ("<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + rule("expire-bundles", "projects/")
        + "</LifecycleConfiguration>").utf8)
    let md5 = Data(Insecure.MD5.hash(data: body)).base64EncodedString()
    var lifecycle = URLComponents(url: base, resolvingAgainstBaseURL: false)!
    lifecycle.percentEncodedQuery = "lifecycle="
    let response = try await send(
      "PUT", url: lifecycle.url!, body: body, headers: ["content-md5": md5, "content-type": "application/xml"])
    guard response.status == .ok else { throw failure("set the lifecycle of \(bucket)", response) }
  }

  /// Lists the keys under `projects/{project_id}/` a page at a time (ListObjectsV2) and
  /// deletes each; in a versioned bucket that leaves delete markers, and the lifecycle
  /// expires the old versions.
  package func removeProject(_ projectID: UUID) async throws -> Int {
    let prefix = "projects/\(projectID.lowercaseString)/"
    var removed = 0
    while true {
      var listing = URLComponents(url: base, resolvingAgainstBaseURL: false)!
      listing.queryItems = [URLQueryItem(name: "list-type", value: "2"), URLQueryItem(name: "prefix", value: prefix)]
      let response = try await send("GET", url: listing.url!)
      guard response.status == .ok else { throw failure("list \(prefix) in \(bucket)", response) }
      let keys = Self.keys(inListing: response.text).compactMap { try? ArtifactKey($0) }
        .filter { $0.projectID == projectID }
      if keys.isEmpty { return removed }
      for key in keys {
        let deleted = try await send("DELETE", url: url(key))
        guard deleted.status == .noContent || deleted.status == .ok else {
          throw failure("delete \(key.path) from \(bucket)", deleted)
        }
        removed += 1
      }
    }
  }

  /// The `<Key>` values of a ListObjectsV2 answer, unescaped.
  static func keys(inListing xml: String) -> [String] {
    xml.matches(of: /<Key>([^<]*)<\/Key>/).map {
      String($0.1).replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
        .replacingOccurrences(of: "&amp;", with: "&")
    }
  }

  /// The bucket's lifecycle configuration as S3 returns it (XML).
  package func lifecycle() async throws -> String {
    var lifecycle = URLComponents(url: base, resolvingAgainstBaseURL: false)!
    lifecycle.percentEncodedQuery = "lifecycle="
    let response = try await send("GET", url: lifecycle.url!)
    guard response.status == .ok else { throw failure("read the lifecycle of \(bucket)", response) }
    return response.text
  }

  func url(_ key: ArtifactKey) -> URL {
    key.path.split(separator: "/").reduce(base) { $0.appending(path: String($1)) }
  }

  struct Reply {
    var status: HTTPResponseStatus
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
  }

  func send(_ method: String, url: URL, body: Data = Data(), headers: [String: String] = [:]) async throws -> Reply {
    let payload = SigV4Signer.hex(SHA256.hash(data: body))
    var request = HTTPClientRequest(url: url.absoluteString)
    request.method = HTTPMethod(rawValue: method)
    for (name, value) in try await signer().sign(method: method, url: url, headers: headers, payloadSHA256: payload) {
      request.headers.add(name: name, value: value)
    }
    if !body.isEmpty || method == "PUT" { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await http.execute(request, timeout: .seconds(60))
    let bytes = try await response.body.collect(upTo: 512 << 20)
    return Reply(status: response.status, body: Data(buffer: bytes))
  }

  func failure(_ what: String, _ reply: Reply) -> Failure {
    Failure(description: "S3 refused to \(what): HTTP \(reply.status.code) \(reply.text.prefix(500))")
  }
}
