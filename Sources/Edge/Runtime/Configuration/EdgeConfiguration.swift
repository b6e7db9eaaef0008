import ServiceKit

/// Edge's own settings: the worker role, the SSE streams, and where bundles are stored with
/// the S3 credentials. Read from the environment beside the process-wide `Configuration`.
package struct EdgeConfiguration: Sendable, Equatable {
  /// The worker role's settings (`MLOPS_WORKER_*`, `MLOPS_JOB_LEASE_SECONDS`, `MLOPS_CHECKPOINTS_KEPT`,
  /// `MLOPS_MAX_STEP_SECONDS`).
  package var worker = WorkerConfiguration()
  /// Server-Sent Events streams (`MLOPS_SSE_*`).
  package var streams = StreamConfiguration()
  /// Where bundles are stored and how downloads are signed (`MLOPS_ARTIFACT_STORE`, `MLOPS_S3_*`,
  /// `AWS_*`, `MLOPS_DOWNLOAD_*`, `MLOPS_BUNDLE_RETENTION_DAYS`, `MLOPS_PUBLIC_URL`).
  package var artifacts = ArtifactConfiguration()
  /// Who may call the API (`MLOPS_OIDC_*`).
  package var identity = IdentityConfiguration()
  /// The API's rate limits (`MLOPS_RATE_LIMIT_*`, `MLOPS_SSE_MAX_STREAMS_PER_CALLER`).
  package var limits = LimitConfiguration()
  /// What is kept and for how long (`MLOPS_RETAIN_*`).
  package var retention = RetentionConfiguration()

  package init() {}

  /// Reads the environment; an empty variable counts as unset. A step's default limit leaves
  /// room for a whole Validate or Generate call (`configuration.validateDeadlineSeconds`,
  /// `generateDeadlineSeconds`), whichever is longer.
  package init(environment: [String: String], configuration: Configuration) throws(ConfigurationError) {
    let reader = EnvironmentReader(environment)
    let value = reader.value
    func positive(_ name: String, default fallback: Int) throws(ConfigurationError) -> Int {
      try reader.positive(name, default: fallback)
    }
    worker.concurrency = try positive("MLOPS_WORKER_CONCURRENCY", default: worker.concurrency)
    worker.leaseSeconds = try positive("MLOPS_JOB_LEASE_SECONDS", default: worker.leaseSeconds)
    worker.pollSeconds = try positive("MLOPS_WORKER_POLL_SECONDS", default: worker.pollSeconds)
    worker.checkpointsKept = try positive("MLOPS_CHECKPOINTS_KEPT", default: worker.checkpointsKept)
    worker.healthPort = try reader.port("MLOPS_WORKER_PORT", default: worker.healthPort)
    if let template = value("MLOPS_TRACE_URL") {
      guard TraceLink.isValidTemplate(template) else {
        throw ConfigurationError(
          variable: "MLOPS_TRACE_URL", value: template,
          expected: "an http(s) URL with {trace_id} in it, e.g. https://grafana.example/explore?traceId={trace_id}")
      }
      worker.traceURL = template
    }
    worker.maxStepSeconds = try positive(
      "MLOPS_MAX_STEP_SECONDS", default: max(configuration.validateDeadlineSeconds, configuration.generateDeadlineSeconds) + 120)
    streams.pingSeconds = try positive("MLOPS_SSE_PING_SECONDS", default: streams.pingSeconds)
    streams.maxSeconds = try positive("MLOPS_SSE_MAX_SECONDS", default: streams.maxSeconds)
    streams.maxStreams = try positive("MLOPS_SSE_MAX_STREAMS", default: streams.maxStreams)
    streams.maxStreamsPerClient = try positive("MLOPS_SSE_MAX_STREAMS_PER_CLIENT", default: streams.maxStreamsPerClient)
    retention.runHistoryDays = try positive("MLOPS_RETAIN_RUN_HISTORY_DAYS", default: retention.runHistoryDays)
    retention.finishedJobsDays = try positive("MLOPS_RETAIN_FINISHED_JOBS_DAYS", default: retention.finishedJobsDays)
    retention.deletedProjectHours = try reader.nonNegative(
      "MLOPS_RETAIN_DELETED_PROJECT_HOURS", default: retention.deletedProjectHours)
    limits.callerPerMinute = try positive("MLOPS_RATE_LIMIT_PER_CALLER", default: limits.callerPerMinute)
    limits.projectPerMinute = try positive("MLOPS_RATE_LIMIT_PER_PROJECT", default: limits.projectPerMinute)
    limits.streamsPerCaller = try positive("MLOPS_SSE_MAX_STREAMS_PER_CALLER", default: limits.streamsPerCaller)
    artifacts.kind = try reader.choice("MLOPS_ARTIFACT_STORE", default: artifacts.kind, expected: "local or s3")
    artifacts.repositories = try reader.choice(
      "MLOPS_REPOSITORIES", default: artifacts.repositories, expected: "local or database")
    artifacts.bucket = value("MLOPS_S3_BUCKET")
    artifacts.region = value("MLOPS_S3_REGION") ?? value("AWS_REGION") ?? artifacts.region
    artifacts.endpoint = value("MLOPS_S3_ENDPOINT")
    artifacts.credentials = try AWSCredentials.source(environment: environment)
    artifacts.retentionDays = try positive("MLOPS_BUNDLE_RETENTION_DAYS", default: artifacts.retentionDays)
    artifacts.downloadSecret = value("MLOPS_DOWNLOAD_SECRET")
    artifacts.downloadTTLSeconds = try positive("MLOPS_DOWNLOAD_TTL_SECONDS", default: artifacts.downloadTTLSeconds)
    artifacts.publicURL = value("MLOPS_PUBLIC_URL")
    identity.issuer = value("MLOPS_OIDC_ISSUER")
    if let issuer = identity.issuer, !(issuer.hasPrefix("https://") || issuer.hasPrefix("http://")) {
      throw ConfigurationError(variable: "MLOPS_OIDC_ISSUER", value: issuer, expected: "the issuer's http(s) URL")
    }
    identity.audience = value("MLOPS_OIDC_AUDIENCE") ?? identity.audience
    identity.userClaim = value("MLOPS_OIDC_USER_CLAIM") ?? identity.userClaim
    identity.nameClaim = value("MLOPS_OIDC_NAME_CLAIM") ?? identity.nameClaim
    identity.groupsClaim = value("MLOPS_OIDC_GROUPS_CLAIM") ?? identity.groupsClaim
    identity.consoleClientID = value("MLOPS_CONSOLE_CLIENT_ID") ?? identity.consoleClientID
    identity.clockSkewSeconds = try reader.nonNegative("MLOPS_OIDC_CLOCK_SKEW_SECONDS", default: identity.clockSkewSeconds)
    identity.jwksRefetchSeconds = try positive("MLOPS_OIDC_JWKS_REFETCH_SECONDS", default: identity.jwksRefetchSeconds)
    if artifacts.kind == .s3 {
      if artifacts.bucket == nil {
        throw ConfigurationError(variable: "MLOPS_S3_BUCKET", value: "", expected: "a value when MLOPS_ARTIFACT_STORE is s3")
      }
      if artifacts.credentials == nil {
        throw ConfigurationError(
          variable: "AWS_ACCESS_KEY_ID", value: "",
          expected:
            "credentials when MLOPS_ARTIFACT_STORE is s3: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a task role's AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI"
        )
      }
    }
  }
}

/// Where bundles are stored, and how their download links are signed.
package struct ArtifactConfiguration: Sendable, Equatable {
  package enum Kind: String, Sendable { case local, s3 }
  /// `MLOPS_ARTIFACT_STORE`: `local` (default, under the data directory) or `s3`.
  package var kind = Kind.local
  /// `MLOPS_S3_BUCKET`, `MLOPS_S3_REGION` (or `AWS_REGION`, default us-east-1), `MLOPS_S3_ENDPOINT`
  /// (for S3-compatible servers; path-style addressing).
  package var bucket: String?
  package var region = "us-east-1"
  package var endpoint: String?
  /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, else a task role's
  /// container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`,
  /// with `AWS_CONTAINER_AUTHORIZATION_TOKEN` or `_TOKEN_FILE`).
  package var credentials: AWSCredentials.Source?
  /// `MLOPS_BUNDLE_RETENTION_DAYS`: `mlops storage init` sets the bucket to expire bundles after this, default 90.
  package var retentionDays = 90
  /// `MLOPS_DOWNLOAD_SECRET`: the HMAC key of local download links; default: a random key kept in the data directory.
  package var downloadSecret: String?
  /// `MLOPS_DOWNLOAD_TTL_SECONDS`: how long a download link works, default 900.
  package var downloadTTLSeconds = 900
  /// `MLOPS_PUBLIC_URL`: the Edge's address as clients reach it, for download links; default http://MLOPS_HTTP_HOST:MLOPS_HTTP_PORT.
  package var publicURL: String?
  package enum Repositories: String, Sendable { case local, database }
  /// `MLOPS_REPOSITORIES`: where each project's git history lives, `local` (default: the data
  /// directory's `repositories/`) or `database` (a log of git bundles in PostgreSQL, with the
  /// folder as each machine's cache), for an API and a worker on different machines.
  package var repositories = Repositories.local

  package init() {}
}

/// How a worker process claims and runs jobs.
package struct WorkerConfiguration: Sendable, Equatable {
  /// `MLOPS_WORKER_CONCURRENCY`: jobs run at once per process.
  package var concurrency = 4
  /// `MLOPS_JOB_LEASE_SECONDS`: how long a claim lasts without a heartbeat.
  package var leaseSeconds = 30
  /// `MLOPS_WORKER_POLL_SECONDS`: the safety-net poll when no NOTIFY arrives.
  package var pollSeconds = 5
  /// `MLOPS_CHECKPOINTS_KEPT`: checkpoints kept per finished run (interrupts are always kept).
  package var checkpointsKept = 20
  /// `MLOPS_WORKER_PORT`: where `mlops worker` serves its health endpoint.
  package var healthPort = 8081
  /// `MLOPS_MAX_STEP_SECONDS`: the most one step may take before it is stopped and its job
  /// fails (unset: room for a whole Validate call and a margin).
  package var maxStepSeconds = 1_800
  /// `MLOPS_TRACE_URL`: the trace viewer a Reason Card's `trace` link opens, an http(s) URL
  /// with `{trace_id}` in it (e.g. Grafana's explore view); unset: `urn:otel:trace:<id>`.
  package var traceURL: String?

  package init() {}
}

/// The API's rate limits, shared by every replica through PostgreSQL.
package struct LimitConfiguration: Sendable, Equatable {
  /// `MLOPS_RATE_LIMIT_PER_CALLER`: `/v1` requests one caller may make per minute (a burst
  /// may spend them at once), default 1200.
  package var callerPerMinute = 1_200
  /// `MLOPS_RATE_LIMIT_PER_PROJECT`: requests on one project's data per minute, whoever makes
  /// them, default 2400.
  package var projectPerMinute = 2_400
  /// `MLOPS_SSE_MAX_STREAMS_PER_CALLER`: event streams one caller may hold open across every
  /// replica, default 20.
  package var streamsPerCaller = 20

  package init() {}
}

/// How long SSE streams live and how often they ping.
package struct StreamConfiguration: Sendable, Equatable {
  /// `MLOPS_SSE_PING_SECONDS`: an `event: ping` after this long without an event.
  package var pingSeconds = 10
  /// `MLOPS_SSE_MAX_SECONDS`: a stream closes cleanly after this long (under a proxy's 120 s
  /// limit); clients resume with Last-Event-ID.
  package var maxSeconds = 100
  /// `MLOPS_SSE_MAX_STREAMS`: open streams one API process serves at once (503 past it).
  package var maxStreams = 5_000
  /// `MLOPS_SSE_MAX_STREAMS_PER_CLIENT`: open streams from one client address.
  package var maxStreamsPerClient = 100

  package init() {}
}
