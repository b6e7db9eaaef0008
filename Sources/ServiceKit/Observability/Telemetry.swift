import Logging
import Metrics
import OTel
import Prometheus
import ServiceLifecycle
import Synchronization
import Tracing

/// The process's logs, metrics and traces, installed once at start:
/// - logs: JSON lines carrying the ids of the work in hand (`Logger.MetadataProvider.work`);
/// - metrics: swift-metrics into one Prometheus registry, which `/metrics` renders;
/// - traces: swift-otel exporting over OTLP/gRPC, only when the standard `OTEL_*` variables
///   ask for it (an endpoint, or `OTEL_TRACES_EXPORTER=otlp`); otherwise the no-op tracer,
///   whose spans cost a task-local read.
public enum Telemetry {
  /// Every metric this process records.
  public static let registry = PrometheusCollectorRegistry()

  /// The registry in the Prometheus text format.
  public static func exposition() -> [UInt8] { registry.emitToBuffer() }

  /// Installs logging, metrics and (when configured) tracing. Returns the service that
  /// exports spans, to run beside the others (and flush on shutdown); nil when tracing is off.
  /// Only the first call in a process installs anything.
  public static func bootstrap(
    serviceName: String, level: Logger.Level, environment: [String: String]
  ) throws -> (any Service)? {
    try installed.withLock { done -> (any Service)? in
      guard !done else { return nil }
      done = true
      LoggingSystem.bootstrap(
        { label, provider in
          var handler = JSONLogHandler(label: label, level: level)
          handler.metadataProvider = provider
          return handler
        }, metadataProvider: .work)
      var factory = PrometheusMetricsFactory(registry: registry)
      factory.valueHistogramBuckets["mlops_bundle_bytes"] = [
        16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864,
      ]
      factory.nameAndLabelSanitizer = { name, labels in
        (PrometheusName.sanitized(name), labels.map { (PrometheusName.sanitized($0.0), $0.1) })
      }
      MetricsSystem.bootstrap(factory)
      let settings = TracingSettings(environment: environment, serviceName: serviceName)
      guard var configuration = settings.configuration else { return nil }
      configuration.diagnosticLogger = .custom(Logger(label: "otel"))
      return try OTel.bootstrap(configuration: configuration, environment: settings.environment)
    }
  }

  private static let installed = Mutex(false)
}

/// When and where spans go, from the standard OpenTelemetry variables.
struct TracingSettings {
  var configuration: OTel.Configuration?
  /// The `OTEL_*` variables that are set (an empty one counts as unset, as the specification says).
  var environment: [String: String]

  init(environment: [String: String], serviceName: String) {
    // OTEL_SDK_DISABLED is decided here: passed on, "false" would turn swift-otel's logs and
    // metrics on beside ours.
    self.environment = environment.filter {
      $0.key.hasPrefix("OTEL_") && $0.key != "OTEL_SDK_DISABLED" && !$0.value.isEmpty
    }
    let value = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    let disabled = value("OTEL_SDK_DISABLED")?.lowercased() == "true"
    let exporter = value("OTEL_TRACES_EXPORTER")?.lowercased()
    let endpoint = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ?? value("OTEL_EXPORTER_OTLP_ENDPOINT")
    guard !disabled, exporter != "none", exporter == "otlp" || endpoint != nil else {
      configuration = nil
      return
    }
    var configuration = OTel.Configuration.default
    configuration.serviceName = serviceName
    configuration.logs.enabled = false
    configuration.metrics.enabled = false
    configuration.traces.enabled = true
    // Only the gRPC exporter is built in; the OTLP variables (endpoint, headers, certificates,
    // OTEL_SERVICE_NAME, the sampler) still apply on top.
    configuration.traces.otlpExporter.protocol = .grpc
    configuration.traces.otlpExporter.endpoint = "http://localhost:4317"
    configuration.diagnosticLogLevel = .warning
    self.configuration = configuration
  }
}

/// Prometheus names allow `[a-zA-Z_:][a-zA-Z0-9_:]*`; swift-metrics labels such as
/// `http.server.request.duration` become `http_server_request_duration`.
enum PrometheusName {
  static func sanitized(_ name: String) -> String {
    var out = ""
    for (index, scalar) in name.unicodeScalars.enumerated() {
      let allowed =
        (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_" || scalar == ":"
        || (index > 0 && scalar >= "0" && scalar <= "9")
      out.unicodeScalars.append(allowed ? scalar : "_")
    }
    return out
  }
}
