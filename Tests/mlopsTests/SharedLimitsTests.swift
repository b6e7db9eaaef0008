import Foundation
import PostgresNIO
import ServiceKit
import TestSupport
import Testing

/// The API's limits live in PostgreSQL, so two API processes on one database share them: a
/// caller's requests count against one bucket whichever process answers, and a caller's open
/// event streams against one limit.
@Suite struct SharedLimitsTests {
  @Test func twoAPIProcessesShareTheCallersRateLimitAndStreamLimit() async throws {
    try await TestDatabase.withFreshDatabase { client, url in
      let directory = try ServeTests.scratchDirectory()
      defer { try? FileManager.default.removeItem(at: directory) }
      var processes: [MLOpsProcess] = []
      var bases: [String] = []
      for _ in 0..<2 {
        let ports = try TopologyPorts()
        var environment = ports.environment
        environment["DATABASE_URL"] = url.connectionString
        environment["MLOPS_RATE_LIMIT_PER_CALLER"] = "6"
        environment["MLOPS_SSE_MAX_STREAMS_PER_CALLER"] = "1"
        environment["MLOPS_SSE_MAX_SECONDS"] = "4"
        environment["MLOPS_SSE_PING_SECONDS"] = "1"
        let api = try MLOpsProcess(["edge", "--role", "api"], environment: environment, workingDirectory: directory)
        processes.append(api)
        let up = await HTTP.waitFor200("\(ports.baseURL)/healthz", timeout: .seconds(30)) { api.process.isRunning }
        try #require(up != nil, "\(api.errors)")
        bases.append(ports.baseURL)
      }
      let identity = try TestIdentity.of(dataDirectory: directory.appending(path: ".mlops").path)
      let ada = try await identity.token("ada")
      let bob = try await identity.token("bob")

      // Six requests, alternating between the processes, spend ada's bucket of six.
      for index in 0..<6 {
        let reply = try await HTTP.send("GET", "\(bases[index % 2])/v1/me", token: ada)
        #expect(reply.status == 200, "request \(index + 1): \(reply.status)")
        #expect(reply.headers["ratelimit-policy"] == "\"caller\";q=6;w=60")
        #expect(reply.headers["ratelimit"]?.hasPrefix("\"caller\";r=\(5 - index);") == true, "\(reply.headers)")
      }
      for base in bases {
        let refused = try await HTTP.send("GET", "\(base)/v1/me", token: ada)
        #expect(refused.status == 429)
        #expect(try refused.json()["code"] as? String == "rate_limited")
        let retry = Int(refused.headers["retry-after"] ?? "") ?? 0
        #expect((1...10).contains(retry), "one token comes back every 10 s: \(refused.headers)")
        #expect(refused.headers["ratelimit"]?.hasPrefix("\"caller\";r=0;") == true)
      }
      // Another caller has a bucket of their own.
      #expect(try await HTTP.send("GET", "\(bases[1])/v1/me", token: bob).status == 200)

      // bob holds one stream on the first process; the second refuses him another.
      let project = try #require(
        try await HTTP.send("POST", "\(bases[0])/v1/projects", json: #"{"name": "limits"}"#, token: bob).json()["id"]
          as? String)
      let id = try #require(
        try await HTTP.send("POST", "\(bases[0])/v1/projects/\(project)/decision-sets", json: #"{"brief": "b"}"#, token: bob)
          .json()["id"] as? String)
      let first = bases[0]
      async let held = HTTP.send("GET", "\(first)/v1/decision-sets/\(id)/stream", token: bob)
      // Wait for the held stream's lease, not a fixed time: on a loaded machine the first
      // process may take longer than a guess to open it.
      let opened = ContinuousClock.now + .seconds(10)
      while try await Fixtures.count("SELECT count(*) FROM stream_leases", on: client) == 0, ContinuousClock.now < opened {
        try await Task.sleep(for: .milliseconds(50))
      }
      let second = try await HTTP.send("GET", "\(bases[1])/v1/decision-sets/\(id)/stream", token: bob)
      #expect(second.status == 429, "\(String(decoding: second.body, as: UTF8.self))")
      #expect(try second.json()["code"] as? String == "too_many_streams")
      #expect(second.headers["retry-after"] != nil)
      // When the held stream ends (it rotates after 4 s), its lease is given back.
      #expect(try await held.status == 200)
      try await Task.sleep(for: .milliseconds(300))
      #expect(try await Fixtures.count("SELECT count(*) FROM stream_leases", on: client) == 0)
      let after = try await HTTP.send("GET", "\(bases[1])/v1/decision-sets/\(id)/stream", token: bob)
      #expect(after.status == 200)
      for process in processes { #expect(await process.terminate() == 0) }
    }
  }
}
