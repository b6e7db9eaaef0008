import Foundation
import ServiceKit

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// `mlops run --embedded`: this binary's `mlops serve` as a child process on free loopback
/// ports (embedded PostgreSQL under MLOPS_DATA_DIR unless DATABASE_URL says otherwise), ready
/// before the run starts and stopped gracefully after it. Its logs go to a file.
package final class EmbeddedStack: @unchecked Sendable {
  package let process = Process()
  package let server: URL
  package let logFile: URL

  package struct NotReady: Error, CustomStringConvertible {
    package var description: String
  }

  package init(dataDirectory: String, environment extra: [String: String] = [:]) throws {
    var environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
    // The child's data (and so its issuer key, which the caller mints tokens with) is here.
    environment["MLOPS_DATA_DIR"] = dataDirectory
    let port = try FreePort.find()
    environment["MLOPS_HTTP_PORT"] = "\(port)"
    environment["MLOPS_HTTP_HOST"] = "127.0.0.1"
    for service in ServiceName.allCases {
      environment[service.addressVariable] = "127.0.0.1:\(try FreePort.find())"
    }
    server = URL(string: "http://127.0.0.1:\(port)")!
    try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
    logFile = URL(fileURLWithPath: dataDirectory).appending(path: "embedded-serve.log").standardizedFileURL
    // FileHandle(forWritingTo:) below reports a file that could not be made.
    _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
    let log = try FileHandle(forWritingTo: logFile)
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    process.arguments = ["serve"]
    process.environment = environment
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
  }

  /// Starts the stack and waits until `/readyz` answers 200 (the first start initialises the
  /// embedded PostgreSQL, which takes a few seconds).
  package func start(timeout: Duration = .seconds(120)) async throws {
    try process.run()
    let deadline = ContinuousClock.now + timeout
    let ready = server.appending(path: "readyz")
    while ContinuousClock.now < deadline {
      guard process.isRunning else { throw NotReady(description: "mlops serve exited early; see \(logFile.path)") }
      if let (_, response) = try? await URLSession.shared.data(from: ready), (response as? HTTPURLResponse)?.statusCode == 200 {
        return
      }
      try await Task.sleep(for: .milliseconds(200))
    }
    stop()
    throw NotReady(description: "the embedded stack was not ready after \(timeout); see \(logFile.path)")
  }

  /// SIGTERM, then wait: the services drain and the embedded PostgreSQL stops.
  package func stop() {
    guard process.isRunning else { return }
    process.terminate()
    process.waitUntilExit()
  }
}
