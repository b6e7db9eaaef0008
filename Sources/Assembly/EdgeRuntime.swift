import ArgumentParser
import Contracts
import EdgeAPI
import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Which parts of Edge a process runs.
package enum EdgeRole: String, ExpressibleByArgument, CaseIterable {
  /// The REST API and the worker.
  case all
  /// The REST API only (scale it apart from the workers).
  case api
  /// The worker only, with its health endpoint on MLOPS_WORKER_PORT.
  case worker
}

/// Runs Edge in the given role (and, for `mlops serve`, the gRPC services beside it) until
/// SIGTERM or SIGINT, then stops the embedded PostgreSQL if this process started it.
/// Migrations are applied before anything serves or claims a job.
package enum EdgeRuntime {
  package static func run(environment: ProcessEnvironment, role: EdgeRole, alongside hosts: [GRPCServiceHost] = []) async throws {
    let logger = environment.logger
    let database = try await DatabaseBootstrap.prepare(configuration: environment.configuration, logger: logger)
    do {
      try await runServices(environment: environment, role: role, hosts: hosts, database: database.url)
    } catch {
      await database.release(logger: logger)
      throw error
    }
    await database.release(logger: logger)
  }

  private static func runServices(
    environment: ProcessEnvironment, role: EdgeRole, hosts: [GRPCServiceHost], database url: DatabaseURL
  ) async throws {
    let configuration = environment.configuration
    let logger = environment.logger
    try await url.withRunningClient(logger: logger) { client in
      try await Migrator(client: client, migrations: try Migration.bundled(), logger: logger).migrate()

      let tls = try configuration.grpcTransportTLS()
      let downstream = try ServiceName.allCases.map {
        try GRPCServiceClient(
          service: $0, addresses: configuration.addresses(of: $0), tls: tls, timeout: .seconds(configuration.rpcTimeoutSeconds),
          methodTimeouts: $0 == .codegen
            ? [
              "Generate": .seconds(configuration.generateDeadlineSeconds),
              "Validate": .seconds(configuration.validateDeadlineSeconds),
            ] : [:])
      }
      func grpc(_ name: ServiceName) -> GRPCServiceClient { downstream.first { $0.service == name }! }
      let clients = ServiceClients(
        planner: Mlops_V1_Planner.Client(wrapping: grpc(.planner).client),
        critics: Mlops_V1_Critics.Client(wrapping: grpc(.critics).client),
        policy: Mlops_V1_Policy.Client(wrapping: grpc(.policy).client),
        codegen: Mlops_V1_Codegen.Client(wrapping: grpc(.codegen).client))
      if role != .api {
        AbandonedScratch.remove(
          dataDirectory: configuration.dataDirectory, artifacts: environment.edge.artifacts, logger: logger)
      }
      let store = try ArtifactStores.make(environment.edge.artifacts, dataDirectory: configuration.dataDirectory)
      let repositories = ProjectRepositories(
        dataDirectory: configuration.dataDirectory, client: client, logger: logger,
        shared: environment.edge.artifacts.repositories == .database)
      let worker =
        role == .api
        ? nil
        : WorkerRole(
          database: client,
          nodes: clients.nodes(
            store: store, repositories: repositories, versions: VersionStore(client: client, logger: logger),
            projects: ProjectStore(client: client, logger: logger)),
          configuration: environment.edge.worker,
          retention: RetentionPass(
            client: client, store: store, repositories: repositories, configuration: environment.edge.retention,
            logger: logger),
          logger: logger)

      // Shutdown runs in reverse: the worker stops first, while the services it calls still answer.
      // Tracing first, so it stops last and flushes the spans of everything else.
      var services: [any Service] = [environment.tracing].compactMap { $0 }
      services += hosts.map { $0 as any Service } + downstream.map { $0 as any Service }
      if role == .worker, let worker {
        services.append(
          EdgeApplication.buildWorkerHealth(
            configuration: configuration, edge: environment.edge, worker: worker, logger: logger
          ) { port in
            Console.line("worker   http://\(configuration.httpHost):\(port)/healthz/worker")
          })
      } else {
        services.append(
          try EdgeApplication.build(
            configuration: configuration, edge: environment.edge, database: client, downstream: downstream, worker: worker,
            buildInfo: await BuildInfo.current(), logger: logger
          ) { port in
            Console.line("edge     http://\(configuration.httpHost):\(port)")
            Console.line("console  http://\(configuration.httpHost):\(port)/console")
          })
      }
      services += worker?.services ?? []
      try await ServiceGroup.process(services: services, logger: logger).run()
    }
  }
}
