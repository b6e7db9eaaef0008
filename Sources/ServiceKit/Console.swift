import Foundation

/// Lines meant for the person at the terminal (where each service listens, command results).
/// Written straight to standard output, unbuffered, so they show at once even when piped.
public enum Console {
  public static func line(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }
}
