import Hummingbird
import Logging
import ServiceLifecycle

extension Router {
  /// `GET /metrics`: the process's registry in the Prometheus text format.
  public func addMetricsRoute() {
    get("metrics") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: Telemetry.exposition())))
    }
  }
}

/// A standalone service's HTTP listener for `/metrics` (and `/healthz`), beside its gRPC port.
/// When its address is the default one (not configured) and cannot be had, the service goes
/// on serving gRPC without it and says so: metrics are not worth an outage.
public struct MetricsServer: Service {
  let application: Application<RouterResponder<BasicRequestContext>>
  let address: ServiceAddress
  let required: Bool
  let logger: Logger

  public init(address: ServiceAddress, required: Bool, logger: Logger) {
    let router = Router()
    router.get("healthz") { _, _ in "ok" }
    router.addMetricsRoute()
    self.application = Application(
      router: router,
      configuration: .init(
        address: .hostname(address.host == "localhost" ? "127.0.0.1" : address.host, port: address.port)),
      logger: logger)
    self.address = address
    self.required = required
    self.logger = logger
  }

  public func run() async throws {
    do {
      try await application.run()
    } catch  where !required && !Task.isCancelled {
      logger.error(
        "no /metrics: its default address is not available; set MLOPS_METRICS_ADDR",
        metadata: ["address": "\(address)", "error": "\(error)"])
      try? await gracefulShutdown()
    }
  }
}
