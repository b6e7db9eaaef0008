import EdgeRuntime
import Hummingbird

/// `GET /healthz/worker`: this process's worker counters and the queue's depth.
package struct WorkerHealthController<Context: RequestContext>: Sendable {
  let worker: Worker
  let queue: JobQueue

  package init(worker: Worker, queue: JobQueue) {
    self.worker = worker
    self.queue = queue
  }

  struct Report: Encodable {
    var owner: String
    var stopping: Bool
    var counters: WorkerCounters.Snapshot
    var queue: Depth
    struct Depth: Encodable {
      var ready: Int
      var running: Int
    }
  }

  package func addRoutes(to router: Router<Context>) {
    router.get("healthz/worker") { _, _ in
      let depth = try await queue.depth()
      return try JSONResponse.make(
        Report(
          owner: worker.owner, stopping: worker.isStopping, counters: worker.counters.snapshot,
          queue: .init(ready: depth.ready, running: depth.running)),
        status: .ok)
    }
  }
}
