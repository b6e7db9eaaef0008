import Foundation

/// Asks a person at the terminal. Reads standard input, or the terminal itself when the
/// brief came in on standard input; with no one to ask, every question is an error that
/// says which flag answers it.
final class Prompter {
  private let input: FileHandle?

  init(interactive: Bool, briefFromStandardInput: Bool) {
    if !interactive {
      input = nil
    } else if briefFromStandardInput {
      input = FileHandle(forReadingAtPath: "/dev/tty")
    } else {
      input = FileHandle.standardInput
    }
  }

  struct NoOneToAsk: Error, CustomStringConvertible {
    var description: String
  }

  /// Prints `prompt` and returns the line typed, without its newline; `flagHint` names the
  /// option that answers it when there is no input to read.
  func ask(_ prompt: String, flagHint: String) throws -> String {
    guard let input else { throw NoOneToAsk(description: "the run needs input (\(prompt)); pass \(flagHint)") }
    FileHandle.standardOutput.write(Data(prompt.utf8))
    var line: [UInt8] = []
    while true {
      guard let byte = try input.read(upToCount: 1), let first = byte.first else {
        if line.isEmpty {
          throw NoOneToAsk(description: "input ended before an answer to \(prompt.debugDescription); pass \(flagHint)")
        }
        break
      }
      if first == UInt8(ascii: "\n") { break }
      line.append(first)
    }
    return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
