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
public enum MetricsServer {
  public static func make(address: ServiceAddress, logger: Logger) -> some Service {
    let router = Router()
    router.get("healthz") { _, _ in "ok" }
    router.addMetricsRoute()
    return Application(
      router: router,
      configuration: .init(address: .hostname(address.host == "localhost" ? "127.0.0.1" : address.host, port: address.port)),
      logger: logger)
  }
}
