import Foundation
import Hummingbird
import ServiceKit

/// `/healthz` (the process is up), `/readyz` (it can serve) and `/version`.
public struct OperationsController<Context: RequestContext>: Sendable {
  let probe: ReadinessProbe
  let buildInfo: BuildInfo

  public init(probe: ReadinessProbe, buildInfo: BuildInfo) {
    self.probe = probe
    self.buildInfo = buildInfo
  }

  public func addRoutes(to router: Router<Context>) {
    router.get("healthz") { _, _ in
      try Self.json(["status": "ok"], status: .ok)
    }
    router.get("readyz") { _, _ in
      let report = await probe.check()
      return try Self.json(report, status: report.ready ? .ok : .serviceUnavailable)
    }
    router.get("version") { _, _ in
      try Self.json(buildInfo, status: .ok)
    }
  }

  static func json(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return Response(
      status: status, headers: [.contentType: "application/json"],
      body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
  }
}
