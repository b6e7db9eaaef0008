import Contracts
import EdgeRuntime
import GRPCCore
import Logging
import PostgresNIO
import ServiceKit

/// Whether this Edge can serve: the database answers, its schema is current, and every
/// downstream gRPC service reports SERVING. Each check is bounded by a short deadline.
package struct ReadinessProbe: Sendable {
  package struct Report: Sendable, Encodable {
    package var ready: Bool
    package var checks: [String: String]
    package var failing: [String]
  }

  let database: PostgresClient
  let migrator: Migrator
  let downstream: [GRPCServiceClient]
  let logger: Logger
  var timeout: Duration = .seconds(2)

  package init(database: PostgresClient, migrator: Migrator, downstream: [GRPCServiceClient], logger: Logger) {
    self.database = database
    self.migrator = migrator
    self.downstream = downstream
    self.logger = logger
  }

  package func check() async -> Report {
    var checks: [String: String] = [:]
    await withTaskGroup(of: (String, String).self) { group in
      group.addTask { ("database", await self.databaseStatus()) }
      for service in downstream {
        group.addTask { (service.service.rawValue, await self.healthStatus(of: service)) }
      }
      for await (name, status) in group { checks[name] = status }
    }
    let failing = checks.filter { $0.value != "ok" }.map(\.key).sorted()
    return Report(ready: failing.isEmpty, checks: checks, failing: failing)
  }

  private func databaseStatus() async -> String {
    do {
      let pending = try await withDeadline(timeout) { try await self.migrator.pendingVersions() }
      return pending.isEmpty ? "ok" : "migrations pending: \(pending.map(String.init).joined(separator: ", "))"
    } catch {
      return "unreachable: \(String(describing: error).prefix(200))"
    }
  }

  private func healthStatus(of service: GRPCServiceClient) async -> String {
    let health = Grpc_Health_V1_Health.Client(wrapping: service.client)
    var options = CallOptions.defaults
    options.timeout = timeout
    do {
      let response = try await health.check(.with { $0.service = service.service.grpcServiceName }, options: options)
      return response.status == .serving ? "ok" : "\(response.status) at \(service.address)"
    } catch let error as RPCError {
      return "\(error.code) at \(service.address): \(error.message)"
    } catch {
      return "unreachable at \(service.address)"
    }
  }
}

struct DeadlineExceeded: Error, CustomStringConvertible {
  var description: String { "no answer before the deadline" }
}

/// Runs `operation`, giving up with `DeadlineExceeded` after `timeout`.
func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
  try await withThrowingTaskGroup(of: T.self) { group in
    group.addTask { try await operation() }
    group.addTask {
      try await Task.sleep(for: timeout)
      throw DeadlineExceeded()
    }
    defer { group.cancelAll() }
    return try await group.next()!
  }
}
