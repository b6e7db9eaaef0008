import Codegen
import Contracts
import Foundation
import Testing

/// The validators execute the code they check (pytest runs the repository's tests), so the
/// sandbox is judged by code that tries to get out: it must see none of our environment,
/// reach no server on this machine, and leave no process behind when it times out.
@Suite(.serialized) struct SandboxTests {
  static func file(_ path: String, _ text: String) -> Mlops_V1_GeneratedFile {
    .with {
      $0.path = path
      $0.content = Data(text.utf8)
      $0.mode = 0o644
    }
  }

  static func project(_ test: String) -> [Mlops_V1_GeneratedFile] {
    [
      file(
        "probe/pyproject.toml",
        "[project]\nname = \"probe\"\nversion = \"0\"\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n"),
      file("probe/tests/test_probe.py", test),
    ]
  }

  static func configuration(timeout: Int = 120) -> ValidatorSuite.Configuration {
    var configuration = ValidatorSuiteTests.configuration
    configuration.only = [.pytest]
    configuration.timeoutSeconds = timeout
    return configuration
  }

  @Test func theToolsSeeNoSecretAndReachNoServerHere() async throws {
    // A server on this machine's loopback that a tool outside the sandbox could reach.
    let listener = try Self.listen()
    defer { close(listener.fd) }
    let test = """
      import os
      import socket


      def test_no_service_variable_is_visible():
          leaked = sorted(k for k in os.environ if k.startswith(("MLOPS_", "AWS_", "DATABASE_URL")))
          assert leaked == []


      def test_no_server_on_this_machine_answers():
          try:
              socket.create_connection(("127.0.0.1", \(listener.port)), timeout=2).close()
          except OSError:
              return
          raise AssertionError("reached a server outside the sandbox")

      """
    // The test runner's own MLOPS_TEST_DATABASE_URL is there too; this one makes sure.
    setenv("MLOPS_SANDBOX_PROBE_SECRET", "leaked-if-seen", 1)
    defer { unsetenv("MLOPS_SANDBOX_PROBE_SECRET") }
    let suite = ValidatorSuite(configuration: Self.configuration())
    let report = try await suite.validate(Self.project(test))
    #expect(report.sandbox.hasPrefix("bubblewrap"), "\(report.sandbox)")
    let pytest = try #require(report.results.first { $0.tool == "pytest" })
    #expect(pytest.outcome == .pass, "\(ValidatorSuiteTests.summary(report))")
  }

  @Test func aTimedOutToolLeavesNoProcessBehind() async throws {
    let marker = "mlops-sandbox-orphan-\(UUID().uuidString.prefix(8))"
    let test = """
      import subprocess
      import time


      def test_hangs_with_a_detached_child():
          subprocess.Popen(["bash", "-c", "exec -a \(marker) sleep 600"], start_new_session=True)
          time.sleep(600)

      """
    let report = try await ValidatorSuite(configuration: Self.configuration(timeout: 5)).validate(Self.project(test))
    let pytest = try #require(report.results.first { $0.tool == "pytest" })
    #expect(pytest.outcome == .fail)
    try await Task.sleep(for: .seconds(1))
    let survivors = Process()
    survivors.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
    survivors.arguments = ["-f", marker]
    survivors.standardOutput = FileHandle.nullDevice
    try survivors.run()
    survivors.waitUntilExit()
    #expect(survivors.terminationStatus == 1, "a process the tool started outlived its timeout")
  }

  static func listen() throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0, Glibc.listen(fd, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
  }
}
