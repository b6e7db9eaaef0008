import Foundation
import Subprocess
import SystemPackage

/// Runs a program to completion and collects what it printed. A non-zero exit is an error
/// carrying the program's own words, so callers can show them.
///
/// A child never outlives this process: it is started under `setpriv --pdeathsig TERM` from
/// a thread that never ends, so it gets SIGTERM when this process dies, even by SIGKILL. It
/// stays in this process's group (an operator's `kill -- -PGID` reaches it too); a wrapper
/// that leaves the group, GNU `timeout`, passes the TERM on to its own group. Cancelled, it
/// gets SIGTERM and, 7 s later, SIGKILL.
public enum CommandRunner {
  public struct Output: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
  }

  public struct Failure: Error, CustomStringConvertible {
    public var command: [String]
    public var output: Output
    public var description: String {
      let detail =
        [output.standardError, output.standardOutput]
        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        .first { !$0.isEmpty } ?? "no output"
      return "`\(command.joined(separator: " "))` exited with status \(output.status): \(detail)"
    }
  }

  /// Runs `command` (an absolute path or a name looked up in PATH, then its arguments).
  /// `environment` is added to this process's own, or is the whole environment when
  /// `inheritEnvironment` is false (for programs that must not see our secrets).
  @discardableResult
  public static func run(
    _ command: [String],
    environment: [String: String] = [:],
    inheritEnvironment: Bool = true,
    workingDirectory: String? = nil,
    input: String? = nil,
    checked: Bool = true
  ) async throws -> Output {
    precondition(!command.isEmpty, "a command needs a program")
    let launched = diesWithParent(command, searchPath: environment["PATH"])
    let program = launched[0]
    let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
    var options = PlatformOptions()
    // Before the final SIGKILL, a wrapper such as `timeout` gets to stop its own group.
    options.teardownSequence = [.send(signal: .terminate, allowedDurationToNextStep: .seconds(7))]
    var overrides: [Environment.Key: String?] = [:]
    for (key, value) in environment { overrides[Environment.Key(stringLiteral: key)] = value }
    var exact: [Environment.Key: String] = [:]
    for (key, value) in environment { exact[Environment.Key(stringLiteral: key)] = value }
    func launch<Input: InputProtocol>(_ input: Input) async throws -> ExecutionResult<
      Void, StringOutput<Unicode.UTF8>, StringOutput<Unicode.UTF8>
    > {
      try await Subprocess.run(
        executable,
        arguments: Arguments(Array(launched.dropFirst())),
        environment: inheritEnvironment ? .inherit.updating(overrides) : .custom(exact),
        workingDirectory: workingDirectory.map { FilePath($0) },
        platformOptions: options,
        input: input,
        output: .string(limit: 1 << 20),
        error: .string(limit: 1 << 20)
      )
    }
    let result = try await withTaskExecutorPreference(ChildSpawnThread.shared) {
      if let input { try await launch(.string(input)) } else { try await launch(.none) }
    }
    let status: Int32 =
      switch result.terminationStatus {
      case .exited(let code): Int32(code)
      case .signaled(let signal): 128 + Int32(signal)
      }
    let output = Output(
      status: status,
      standardOutput: result.standardOutput,
      standardError: result.standardError)
    if checked, status != 0 { throw Failure(command: command, output: output) }
    return output
  }

  static let setpriv = "/usr/bin/setpriv"

  /// `command` under `setpriv --pdeathsig TERM`, when setpriv is here and the program can be
  /// found (a missing program is left to fail as it would alone, with its usual error).
  static func diesWithParent(_ command: [String], searchPath: String?) -> [String] {
    guard FileManager.default.isExecutableFile(atPath: setpriv) else { return command }
    let program = command[0]
    let resolved: String?
    if program.contains("/") {
      resolved = FileManager.default.isExecutableFile(atPath: program) ? program : nil
    } else {
      let path = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
      resolved = path.split(separator: ":").lazy.map { "\($0)/\(program)" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    guard let resolved else { return command }
    return [setpriv, "--pdeathsig", "TERM", "--", resolved] + command.dropFirst()
  }
}
