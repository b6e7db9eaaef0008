import Foundation

/// One thread that lives as long as the process, on which every child process is started.
///
/// A child's parent-death signal (`PR_SET_PDEATHSIG`) fires when the *thread* that started it
/// ends, not the process. The cooperative pool retires idle threads, so a child started from
/// one would be killed while its parent still waits for it.
final class ChildSpawnThread: TaskExecutor, @unchecked Sendable {
  static let shared = ChildSpawnThread()

  private let condition = NSCondition()
  private var jobs: [UnownedJob] = []

  private init() {
    let thread = Thread { [self] in loop() }
    thread.name = "mlops-child-spawn"
    thread.start()
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    condition.lock()
    jobs.append(job)
    condition.signal()
    condition.unlock()
  }

  private func loop() -> Never {
    while true {
      condition.lock()
      while jobs.isEmpty { condition.wait() }
      let ready = jobs
      jobs.removeAll(keepingCapacity: true)
      condition.unlock()
      for job in ready { job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
  }
}
