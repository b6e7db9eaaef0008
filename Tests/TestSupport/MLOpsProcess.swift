import Foundation
import ServiceKit

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The `mlops` binary started as a child process, as a person would start it, with its
/// output kept in files for when a test needs to show it.
package final class MLOpsProcess: @unchecked Sendable {
  package let process = Process()
  package let outputFile: URL
  package let errorFile: URL

  /// `MLOPS_BIN` (set by scripts/test), else the `mlops` built beside the test bundle.
  package static var binary: URL {
    if let path = ProcessInfo.processInfo.environment["MLOPS_BIN"], !path.isEmpty { return URL(filePath: path) }
    return URL(filePath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "mlops")
  }

  /// The test worker, built beside `mlops`.
  package static var testWorkerBinary: URL {
    binary.deletingLastPathComponent().appending(path: "TestWorker")
  }

  package init(
    _ arguments: [String], environment: [String: String], workingDirectory: URL, binary: URL = MLOpsProcess.binary,
    input: String? = nil
  ) throws {
    let stem = ([binary.lastPathComponent] + arguments.prefix(1)).joined(separator: "-").replacingOccurrences(of: "/", with: "_")
    outputFile = workingDirectory.appending(path: "\(stem)-\(UUID().uuidString.prefix(8)).out")
    errorFile = outputFile.deletingPathExtension().appendingPathExtension("err")
    _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    process.executableURL = binary
    process.arguments = arguments
    var merged = ProcessInfo.processInfo.environment
    merged.removeValue(forKey: "DATABASE_URL")
    for (key, value) in environment { merged[key] = value }
    process.environment = merged
    process.currentDirectoryURL = workingDirectory
    process.standardOutput = try FileHandle(forWritingTo: outputFile)
    process.standardError = try FileHandle(forWritingTo: errorFile)
    let pipe = input.map { _ in Pipe() }
    if let pipe { process.standardInput = pipe }
    try process.run()
    if let pipe, let input {
      pipe.fileHandleForWriting.write(Data(input.utf8))
      try pipe.fileHandleForWriting.close()
    }
  }

  package var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }
  package var errors: String { (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "" }

  /// Sends SIGTERM and waits up to `timeout` for the exit; returns the exit status.
  @discardableResult
  package func terminate(timeout: Duration = .seconds(30)) async -> Int32 {
    if process.isRunning { process.terminate() }
    return await waitForExit(timeout: timeout)
  }

  package func waitForExit(timeout: Duration) async -> Int32 {
    let deadline = ContinuousClock.now + timeout
    while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    return process.terminationStatus
  }

  deinit {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
  }
}

/// Plain HTTP against a process under test.
package enum HTTP {
  package struct Reply: Sendable {
    package var status: Int
    package var body: Data
    /// Header names in lower case.
    package var headers: [String: String] = [:]
    package func json() throws -> [String: Any] {
      (try JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
    }
  }

  package static func send(_ method: String, _ url: String, json: String? = nil, token: String? = nil) async throws -> Reply {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    request.timeoutInterval = 10
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    if let json {
      request.httpBody = Data(json.utf8)
      request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as? HTTPURLResponse
    var headers: [String: String] = [:]
    for (name, value) in http?.allHeaderFields ?? [:] {
      if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
    }
    return Reply(status: http?.statusCode ?? 0, body: data, headers: headers)
  }

  /// Polls `url` until it answers 200; returns how long that took, or nil after `timeout`.
  package static func waitFor200(_ url: String, timeout: Duration, while alive: () -> Bool = { true }) async -> Duration? {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < timeout, alive() {
      if let reply = try? await send("GET", url), reply.status == 200 { return ContinuousClock.now - start }
      try? await Task.sleep(for: .milliseconds(100))
    }
    return nil
  }
}

/// Free loopback ports for every listener of one `mlops` topology.
package struct TopologyPorts: Sendable {
  package var http: Int
  package var services: [ServiceName: Int]

  package init() throws {
    http = try FreePort.find()
    services = try Dictionary(uniqueKeysWithValues: ServiceName.allCases.map { ($0, try FreePort.find()) })
  }

  package var environment: [String: String] {
    var environment = ["MLOPS_HTTP_PORT": "\(http)", "MLOPS_HTTP_HOST": "127.0.0.1"]
    for (service, port) in services { environment[service.addressVariable] = "127.0.0.1:\(port)" }
    return environment
  }

  package var baseURL: String { "http://127.0.0.1:\(http)" }
}

/// A TCP listener on 127.0.0.1 that holds a port busy for as long as a test needs.
package final class ListeningSocket: @unchecked Sendable {
  private let handle: FileHandle

  package init(port: Int) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard fd >= 0, bound == 0, listen(fd, 1) == 0 else { throw CocoaError(.fileWriteUnknown) }
    handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
  }

  package func close() { try? handle.close() }
}
