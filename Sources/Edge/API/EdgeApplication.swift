import EdgeRuntime
import Hummingbird
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Assembles the Edge HTTP application: the routes behind the problem+json middleware, with
/// the worker's health route when the worker runs in the same process. The caller runs the
/// database client and applies migrations before starting it.
package enum EdgeApplication {
  package typealias Context = EdgeRequestContext

  package static func build(
    configuration: Configuration,
    edge: EdgeConfiguration,
    database: PostgresClient,
    downstream: [GRPCServiceClient],
    worker: WorkerRole?,
    buildInfo: BuildInfo,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
  ) throws -> some ApplicationProtocol {
    let migrator = Migrator(client: database, migrations: try Migration.bundled(), logger: logger)
    let notifications = EventNotifications(client: database, logger: logger)
    let router = try makeRouter(
      configuration: configuration, edge: edge, database: database, migrator: migrator, downstream: downstream,
      notifications: notifications, buildInfo: buildInfo, logger: logger)
    if let worker { WorkerHealthController<Context>(worker: worker.worker, queue: worker.queue).addRoutes(to: router) }
    return Application(
      router: router,
      server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.httpIdleTimeoutSeconds)))),
      configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "mlops-edge"),
      services: [notifications],
      onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.httpPort) },
      logger: logger
    )
  }

  /// The worker role's own HTTP listener, for `mlops worker`: `/healthz` and `/healthz/worker`.
  package static func buildWorkerHealth(
    configuration: Configuration, edge: EdgeConfiguration, worker: WorkerRole, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
  ) -> some ApplicationProtocol {
    let router = Router(context: Context.self)
    router.middlewares.add(ProblemMiddleware(maxBodyBytes: configuration.maxBodyBytes))
    router.middlewares.add(LoopbackHostMiddleware(listeningOn: configuration.httpHost))
    router.get("healthz") { _, _ in try JSONResponse.make(["status": "ok"], status: .ok) }
    router.addMetricsRoute()
    WorkerHealthController<Context>(worker: worker.worker, queue: worker.queue).addRoutes(to: router)
    return Application(
      router: router,
      server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.httpIdleTimeoutSeconds)))),
      configuration: .init(
        address: .hostname(configuration.httpHost, port: edge.worker.healthPort), serverName: "mlops-worker"),
      onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? edge.worker.healthPort) },
      logger: logger
    )
  }

  package static func makeRouter(
    configuration: Configuration,
    edge: EdgeConfiguration = EdgeConfiguration(),
    database: PostgresClient,
    migrator: Migrator,
    downstream: [GRPCServiceClient],
    notifications: EventNotifications? = nil,
    buildInfo: BuildInfo,
    clock: EdgeClock = .system,
    logger: Logger
  ) throws -> Router<Context> {
    let router = Router(context: Context.self)
    // A span and a count per request, outermost so they see the status every other layer set.
    router.middlewares.add(MetricsMiddleware<Context>())
    router.middlewares.add(TracingMiddleware<Context>())
    // Next, so the problem documents the next one makes carry the request id too.
    router.middlewares.add(RequestIDMiddleware<Context>())
    router.middlewares.add(ProblemMiddleware(maxBodyBytes: configuration.maxBodyBytes))
    router.middlewares.add(LoopbackHostMiddleware(listeningOn: configuration.httpHost))
    OperationsController(
      probe: ReadinessProbe(database: database, migrator: migrator, downstream: downstream, logger: logger),
      buildInfo: buildInfo
    ).addRoutes(to: router)
    try OpenAPIController<Context>().addRoutes(to: router)
    router.addMetricsRoute()
    // Everything under /v1 sits in one group behind the bearer-token check; the routes
    // outside it (health, the JWKS, signed downloads, ticketed streams) carry their own proof.
    let identity = try TokenVerifier.configured(edge.identity, dataDirectory: configuration.dataDirectory)
    let accessTokens = AccessTokenStore(client: database, logger: logger)
    let authentication = BearerAuthentication(verifier: identity.verifier, accessTokens: accessTokens)
    let rateLimits = APIRateLimits(
      limiter: RateLimiter(client: database, logger: logger), callerPerMinute: edge.limits.callerPerMinute,
      projectPerMinute: edge.limits.projectPerMinute)
    let v1 = router.group("v1")
      .add(middleware: AuthenticationMiddleware<Context>(authentication: authentication))
      .add(middleware: RateLimitMiddleware<Context>(limits: rateLimits))
      .add(
        middleware: IdempotencyMiddleware<Context>(
          store: IdempotencyStore(client: database, logger: logger), maxBodyBytes: configuration.maxBodyBytes,
          logger: logger))
    IdentityController<Context>(localIssuer: identity.localIssuer).addRoutes(to: router, v1: v1)
    let members = MemberStore(client: database, logger: logger)
    let access = ProjectAccess(members: members, rateLimits: rateLimits)
    let audit = AuditLog(client: database, logger: logger)
    AccessTokensController<Context>(store: accessTokens, audit: audit, maxBodyBytes: configuration.maxBodyBytes)
      .addRoutes(to: v1)
    let projectStore = ProjectStore(client: database, logger: logger)
    let projects = v1.group("projects")
    let projectsController = ProjectsController<Context>(
      store: projectStore, access: access, audit: audit, maxBodyBytes: configuration.maxBodyBytes)
    projectsController.addRoutes(to: projects)
    MembersController<Context>(
      members: members, access: access, audit: audit, maxBodyBytes: configuration.maxBodyBytes
    ).addRoutes(to: projects)
    AuditController<Context>(audit: audit, access: access).addRoutes(to: projects)
    let budgets = BudgetStore(client: database, logger: logger)
    let gateRules = GateRuleStore(client: database, logger: logger)
    let waivers = WaiverStore(client: database, logger: logger)
    LimitsController<Context>(
      budgets: budgets, gateRules: gateRules, access: access, audit: audit, maxBodyBytes: configuration.maxBodyBytes
    ).addRoutes(to: projects)
    WaiversController<Context>(
      waivers: waivers, access: access, audit: audit, clock: clock, maxBodyBytes: configuration.maxBodyBytes
    ).addRoutes(to: projects)
    // The API starts and resumes runs; executing them is the worker's.
    let runs = RunControl(client: database, queue: JobQueue(client: database, logger: logger), logger: logger)
    let decisionSets = DecisionSetStore(client: database, runs: runs, clock: clock, logger: logger)
    let decisionSetsController = DecisionSetsController<Context>(
      store: decisionSets, projects: projectStore, access: access, audit: audit, maxBodyBytes: configuration.maxBodyBytes)
    decisionSetsController.addRoutes(to: v1)
    let versions = VersionStore(client: database, logger: logger)
    CardsController<Context>(
      store: decisionSets, access: access, agentRuns: AgentRunLookup(client: database, logger: logger)
    ).addRoutes(to: v1)
    let versionsController = VersionsController<Context>(
      store: decisionSets, access: access, audit: audit, versions: versions,
      repositories: ProjectRepositories(
        dataDirectory: configuration.dataDirectory, client: database, logger: logger,
        shared: edge.artifacts.repositories == .database),
      maxBodyBytes: configuration.maxBodyBytes)
    versionsController.addRoutes(to: v1)
    let signer = try DownloadSigner.load(secret: edge.artifacts.downloadSecret, dataDirectory: configuration.dataDirectory)
    let artifactsController = ArtifactsController<Context>(
      store: try ArtifactStores.make(edge.artifacts, dataDirectory: configuration.dataDirectory), access: access,
      audit: audit, signer: signer, versions: versions, ttlSeconds: edge.artifacts.downloadTTLSeconds,
      publicURL: edge.artifacts.publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }, logger: logger)
    artifactsController.addRoutes(to: router, v1: v1)
    let streamer = notifications.map { notifications in
      EventStreamer(
        store: decisionSets, notifications: notifications,
        settings: EventStreamer.Settings(
          ping: .seconds(edge.streams.pingSeconds), maxDuration: .seconds(edge.streams.maxSeconds)),
        logger: logger)
    }
    let streams = streamer.map { streamer in
      StreamsController<Context>(
        streamer: streamer,
        access: access, store: decisionSets, signer: signer,
        limiter: StreamLimiter(
          maxStreams: edge.streams.maxStreams, maxPerClient: edge.streams.maxStreamsPerClient),
        leases: StreamLeases(client: database, logger: logger), perCaller: edge.limits.streamsPerCaller,
        maxStreamSeconds: edge.streams.maxSeconds)
    }
    streams?.addRoutes(to: router, v1: v1)
    ConsoleController<Context>(
      renderer: try ConsoleRenderer.bundled(), sessions: ConsoleSessionStore(client: database, logger: logger),
      verifier: identity.verifier, localIssuer: identity.localIssuer,
      oidc: edge.identity.issuer.map { OIDCSignIn(issuer: $0, clientID: edge.identity.consoleClientID) },
      publicURL: edge.artifacts.publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 },
      audience: edge.identity.audience,
      pages: ConsolePages(
        projects: projectStore, decisionSets: decisionSets, versions: versions, access: access,
        limits: .init(budgets: budgets, gateRules: gateRules, waivers: waivers)),
      handlers: .init(
        projects: projectsController, decisionSets: decisionSetsController, versions: versionsController,
        artifacts: artifactsController),
      streams: streams, maxBodyBytes: configuration.maxBodyBytes
    ).addRoutes(to: router)
    return router
  }
}
