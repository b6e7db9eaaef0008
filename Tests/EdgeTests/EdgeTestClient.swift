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
/// client that speaks JSON, as `TestIdentity.defaultUser` unless a call says otherwise.
struct EdgeTestClient: Sendable {
  let client: any TestClientProtocol
  let identity: TestIdentity

  static func withEdge(
    maxBodyBytes: Int = 1 << 20,
    _ body: @Sendable (EdgeTestClient, PostgresClient) async throws -> Void
  ) async throws {
    try await TestDatabase.withFreshDatabase { database, _ in
      var configuration = Configuration.defaults
      configuration.maxBodyBytes = maxBodyBytes
      let identity = try TestIdentity.make()
      configuration.dataDirectory = identity.dataDirectory
      let migrator = Migrator(client: database, migrations: try Migration.bundled(), logger: TestDatabase.logger)
      // The stream routes are there (for the access checks); nothing here follows NOTIFY.
      let router = try EdgeApplication.makeRouter(
        configuration: configuration, database: database, migrator: migrator, downstream: [],
        notifications: EventNotifications(client: database, logger: TestDatabase.logger),
        buildInfo: BuildInfo(version: "test", gitCommit: "test", protoSHA256: "test"), logger: TestDatabase.logger)
      let app = Application(router: router)
      try await app.test(.router) { client in
        try await body(EdgeTestClient(client: client, identity: identity), database)
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

  /// Sends the request with a token for `user`; nil sends none.
  @discardableResult
  func send(
    _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, raw: Data? = nil, headers: HTTPFields = [:],
    as user: String? = TestIdentity.defaultUser
  ) async throws -> Reply {
    var headers = headers
    if let user, headers[.authorization] == nil { headers[.authorization] = try await identity.bearer(user) }
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
