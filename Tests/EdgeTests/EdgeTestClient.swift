import EdgeAPI
import EdgeRuntime
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

/// Runs the Edge router (no gRPC downstream) against a fresh database and hands the test a
/// client that speaks JSON.
struct EdgeTestClient: Sendable {
  let client: any TestClientProtocol

  static func withEdge(
    maxBodyBytes: Int = 1 << 20,
    _ body: @Sendable (EdgeTestClient, PostgresClient) async throws -> Void
  ) async throws {
    try await TestDatabase.withFreshDatabase { database, _ in
      var configuration = Configuration.defaults
      configuration.maxBodyBytes = maxBodyBytes
      let migrator = Migrator(client: database, migrations: try Migration.bundled(), logger: TestDatabase.logger)
      let router = try EdgeApplication.makeRouter(
        configuration: configuration, database: database, migrator: migrator, downstream: [],
        buildInfo: BuildInfo(version: "test", gitCommit: "test", protoSHA256: "test"), logger: TestDatabase.logger)
      let app = Application(router: router)
      try await app.test(.router) { client in
        try await body(EdgeTestClient(client: client), database)
      }
    }
  }

  struct Reply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Data

    func json() throws -> [String: Any] {
      try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    }
  }

  @discardableResult
  func send(
    _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, raw: Data? = nil, headers: HTTPFields = [:]
  ) async throws -> Reply {
    var headers = headers
    var buffer: ByteBuffer?
    if let json {
      headers[.contentType] = "application/json"
      buffer = ByteBuffer(string: json)
    } else if let raw {
      buffer = ByteBuffer(bytes: raw)
    }
    return try await client.execute(uri: uri, method: method, headers: headers, body: buffer) { response in
      Reply(status: response.status, headers: response.headers, body: Data(buffer: response.body))
    }
  }
}
