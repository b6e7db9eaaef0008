import Hummingbird
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Assembles the Edge HTTP application: the routes, the problem+json middleware, the
/// database client and the downstream gRPC clients as services, and migrations before the
/// server accepts a request.
public enum EdgeApplication {
  public typealias Context = BasicRequestContext

  public static func build(
    configuration: Configuration,
    database: PostgresClient,
    downstream: [GRPCServiceClient],
    buildInfo: BuildInfo,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
  ) throws -> some ApplicationProtocol {
    let migrator = Migrator(client: database, migrations: try Migration.bundled(), logger: logger)
    let router = makeRouter(
      configuration: configuration, database: database, migrator: migrator, downstream: downstream,
      buildInfo: buildInfo, logger: logger)
    var app = Application(
      router: router,
      configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "mlops-edge"),
      services: [database as any Service] + downstream.map { $0 as any Service },
      onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.httpPort) },
      logger: logger
    )
    app.beforeServerStarts {
      try await migrator.migrate()
    }
    return app
  }

  public static func makeRouter(
    configuration: Configuration,
    database: PostgresClient,
    migrator: Migrator,
    downstream: [GRPCServiceClient],
    buildInfo: BuildInfo,
    logger: Logger
  ) -> Router<Context> {
    let router = Router(context: Context.self)
    router.middlewares.add(ProblemMiddleware(maxBodyBytes: configuration.maxBodyBytes))
    OperationsController(
      probe: ReadinessProbe(database: database, migrator: migrator, downstream: downstream, logger: logger),
      buildInfo: buildInfo
    ).addRoutes(to: router)
    // Everything under /v1 sits in one group, where authentication will go.
    let v1 = router.group("v1")
    ProjectsController<Context>(
      store: ProjectStore(client: database, logger: logger), maxBodyBytes: configuration.maxBodyBytes
    ).addRoutes(to: v1.group("projects"))
    return router
  }
}
