import Foundation
import Subprocess
import SystemPackage

/// Runs a program to completion and collects what it printed. A non-zero exit is an error
/// carrying the program's own words, so callers can show them.
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
    let program = command[0]
    let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
    var overrides: [Environment.Key: String?] = [:]
    for (key, value) in environment { overrides[Environment.Key(stringLiteral: key)] = value }
    var exact: [Environment.Key: String] = [:]
    for (key, value) in environment { exact[Environment.Key(stringLiteral: key)] = value }
    func launch<Input: InputProtocol>(_ input: Input) async throws -> ExecutionResult<
      Void, StringOutput<Unicode.UTF8>, StringOutput<Unicode.UTF8>
    > {
      try await Subprocess.run(
        executable,
        arguments: Arguments(Array(command.dropFirst())),
        environment: inheritEnvironment ? .inherit.updating(overrides) : .custom(exact),
        workingDirectory: workingDirectory.map { FilePath($0) },
        input: input,
        output: .string(limit: 1 << 20),
        error: .string(limit: 1 << 20)
      )
    }
    let result = if let input { try await launch(.string(input)) } else { try await launch(.none) }
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
}
