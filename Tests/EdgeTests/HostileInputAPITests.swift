import EdgeAPI
import EdgeRuntime
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

/// What a hostile or careless client sends gets a 4xx that names the field, never a 500.
@Suite struct HostileInputAPITests {
  static let extremes = [#""NaN""#, #""Infinity""#, #""-Infinity""#, "1e308", "-1", "5e-324", "0"]

  @Test func constraintOverridesOutsideTheirRangesAre422WithTheField() async throws {
    try await EdgeTestClient.withEdge { edge, _ in
      let project = try await DecisionSetsAPITests.project(edge)
      let cases: [(String, String, Bool)] = Self.extremes.flatMap { value in
        [
          (#"{"latency_p95_ms": {"value": \#(value)}}"#, "constraints.latency_p95_ms.value", value == "5e-324"),
          (#"{"throughput_rps": {"value": \#(value)}}"#, "constraints.throughput_rps.value", ["5e-324", "0"].contains(value)),
          (
            #"{"data_class": {"value": "DATA_CLASS_PII", "provenance": {"confidence": \#(value)}}}"#,
            "constraints.data_class.provenance.confidence", ["5e-324", "0"].contains(value)
          ),
          (
            #"{"monthly_budget": {"min_usd": 0, "max_usd": \#(value)}}"#, "constraints.monthly_budget.max_usd",
            ["5e-324", "0"].contains(value)
          ),
        ]
      }
      for (constraints, field, allowed) in cases {
        let reply = try await edge.send(
          .post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "fraud scoring", "constraints": \#(constraints)}"#)
        if allowed {
          #expect(reply.status == .accepted, "\(constraints): \(String(decoding: reply.body, as: UTF8.self))")
        } else {
          #expect(reply.status == .unprocessableContent, "\(constraints): \(reply.status)")
          #expect(try reply.json()["field"] as? String == field, "\(constraints)")
          #expect(try reply.json()["code"] as? String == "out_of_range")
        }
      }
      let region = try await edge.send(
        .post, "/v1/projects/\(project)/decision-sets",
        json: #"{"brief": "b", "constraints": {"allowed_regions": {"values": ["eu-west-1\nAWS_REGION: evil"]}}}"#)
      #expect(region.status == .unprocessableContent)
      #expect(try region.json()["field"] as? String == "constraints.allowed_regions.values[0]")
    }
  }

  @Test func nulAnywhereAndOversizedHeadersAre4xx() async throws {
    try await EdgeTestClient.withEdge { edge, client in
      let project = try await DecisionSetsAPITests.project(edge)
      let nul = try await edge.send(.post, "/v1/projects", json: #"{"name": "a", "extra": {"deep": ["x\u0000y"]}}"#)
      #expect(nul.status == .unprocessableContent)
      #expect(try nul.json()["field"] as? String == "extra.deep[0]")
      let id = try #require(
        try await edge.send(.post, "/v1/projects/\(project)/decision-sets", json: #"{"brief": "b"}"#).json()["id"] as? String)
      #expect(try await DecisionSetsAPITests.runPendingJob(client) == .waiting(.answers))
      _ = try await edge.send(
        .post, "/v1/decision-sets/\(id)/answers", json: #"{"answers": [{"question_id": "q-budget", "value": "5000"}]}"#)
      #expect(try await DecisionSetsAPITests.runPendingJob(client) == .waiting(.approval))
      let inline = try await edge.send(
        .post, "/v1/decision-sets/\(id)/approve",
        json: #"{"status": "approved", "inline_comments": [{"path": "a", "text": "x\u0000"}]}"#)
      #expect(inline.status == .unprocessableContent)
      let tooMany = try await edge.send(
        .post, "/v1/decision-sets/\(id)/approve",
        json: #"{"status": "approved", "inline_comments": ["#
          + Array(repeating: #"{"path": "a", "text": "b"}"#, count: 51).joined(separator: ",") + "]}")
      #expect(tooMany.status == .unprocessableContent)
      for value in ["2147483648", "99999999999999999999", "\"9223372036854775808\""] {
        let reply = try await edge.send(
          .post, "/v1/decision-sets/\(id)/approve", json: #"{"status": "approved"}"#, headers: [.ifMatch: value])
        #expect(reply.status == .badRequest, "If-Match \(value): \(reply.status)")
      }
      let long = try await edge.send(
        .post, "/v1/decision-sets/\(id)/approve",
        json: #"{"status": "approved", "comment": "\#(String(repeating: "a", count: 10_001))"}"#)
      #expect(long.status == .unprocessableContent)
    }
  }

  @Test func aLoopbackEdgeRefusesForeignHostHeaders() async throws {
    try await TestDatabase.withFreshDatabase { database, _ in
      let migrator = Migrator(client: database, migrations: try Migration.bundled(), logger: TestDatabase.logger)
      // Its own data folder: the issuer's key is made there, not in the working directory.
      var configuration = Configuration.defaults
      configuration.dataDirectory = try TestIdentity.make().dataDirectory
      let router = try EdgeApplication.makeRouter(
        configuration: configuration, database: database, migrator: migrator, downstream: [],
        buildInfo: BuildInfo(version: "test", gitCommit: "test", protoSHA256: "test"), logger: TestDatabase.logger)
      let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
      try await app.test(.live) { client in
        // curl sends the Host header as given, as a browser tricked by DNS rebinding would.
        func status(_ host: String, _ path: String) throws -> String {
          let process = Process()
          process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
          process.arguments = [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: \(host)", "http://127.0.0.1:\(client.port!)\(path)",
          ]
          let pipe = Pipe()
          process.standardOutput = pipe
          try process.run()
          process.waitUntilExit()
          return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }
        for name in ["localhost:8080", "127.0.0.1", "[::1]:8080", "app.localhost"] {
          let code = try status(name, "/healthz")
          #expect(code == "200", "\(name)")
        }
        for name in ["evil.example", "127.0.0.1.evil.example", "10.0.0.1:8080", "localhost.evil.example"] {
          let code = try status(name, "/v1/projects")
          #expect(code == "421", "\(name)")
        }
      }
    }
  }
}
