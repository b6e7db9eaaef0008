import EdgeRuntime
import Hummingbird
import ServiceKit

/// `/healthz` (the process is up), `/readyz` (it can serve) and `/version`.
package struct OperationsController<Context: RequestContext>: Sendable {
  let probe: ReadinessProbe
  let buildInfo: BuildInfo

  package init(probe: ReadinessProbe, buildInfo: BuildInfo) {
    self.probe = probe
    self.buildInfo = buildInfo
  }

  package func addRoutes(to router: Router<Context>) {
    router.get("healthz") { _, _ in
      try JSONResponse.make(["status": "ok"], status: .ok)
    }
    router.get("readyz") { _, _ in
      let report = await probe.check()
      return try JSONResponse.make(report, status: report.ready ? .ok : .serviceUnavailable)
    }
    router.get("version") { _, _ in
      try JSONResponse.make(buildInfo, status: .ok)
    }
  }
}
