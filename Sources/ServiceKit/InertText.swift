/// Text from people and models made inert where it lands as prose: Markdown (the generated
/// docs, the decision record Edge writes) and one-line comments.
public enum InertText {
  /// Text in a Markdown paragraph, list item, table cell or quote: one line, no HTML, no
  /// link, emphasis, code or table syntax of its own.
  public static func markdown(_ text: String) -> String {
    var out = ""
    for scalar in singleLine(text).unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\\", "`", "*", "[", "]", "|", "#", "!", "~", "$":
        out += "\\"
        out.unicodeScalars.append(scalar)
      default: out.unicodeScalars.append(scalar)
      }
    }
    // A value that starts a line must not start a list, a heading or a quote.
    if let first = out.unicodeScalars.first, ["-", "+", "=", ">"].contains(first) { out = "\\" + out }
    if let dot = out.firstIndex(of: "."), !out[..<dot].isEmpty, out[..<dot].allSatisfy(\.isASCII),
      out[..<dot].allSatisfy(\.isNumber)
    {
      out.insert("\\", at: dot)
    }
    return out
  }

  /// One line of text: line breaks become spaces, other control and bidirectional characters
  /// are dropped (a comment in a Dockerfile or `.gitignore` has no escapes).
  public static func singleLine(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      if ["\n", "\r", "\t", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar) {
        out += " "
      } else if !needsEscape(scalar) {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// Control characters, and the format characters (bidirectional overrides, zero-width
  /// joiners, BOM) that make text read differently from what a reviewer sees.
  public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { return true }
    if scalar.value == 0x2028 || scalar.value == 0x2029 { return true }
    return scalar.properties.generalCategory == .format
  }
}
