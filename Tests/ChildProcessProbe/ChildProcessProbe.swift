import Foundation
import ServiceKit

/// Starts its arguments as a command through `CommandRunner`, the way the services start
/// validators, git and PostgreSQL's tools, then idles until killed: the tests kill it and
/// look for what it started. It leads a process group of its own.
@main
enum ChildProcessProbe {
  static func main() async {
    let command = Array(CommandLine.arguments.dropFirst())
    guard !command.isEmpty else {
      FileHandle.standardError.write(Data("usage: ChildProcessProbe COMMAND [ARGUMENT...]\n".utf8))
      exit(2)
    }
    // A group of its own, so a test can kill it whole as an operator kills `serve`'s.
    _ = setpgid(0, 0)
    let running = Task { try? await CommandRunner.run(command, checked: false) }
    FileHandle.standardOutput.write(Data("started\n".utf8))
    _ = await running.value
    print("finished")
  }
}
