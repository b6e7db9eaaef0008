import Foundation
import Mustache
import ServiceKit

/// How a value from a person or a model is written into a file of each language the
/// repository holds. Every template names its language in its first line
/// (`{{% CONTENT_TYPE: PYTHON}}`), and swift-mustache runs each `{{value}}` through that
/// language's encoder; `{{{value}}}` (raw) is kept for code the generator itself writes.
///
/// Each encoder makes text that is inert in every place its templates put values: inside a
/// double-quoted string, a docstring or a comment. Identifiers never reach an encoder as
/// free text: they are `Slug`s.
enum LanguageEncoder: String, CaseIterable, MustacheContentType {
  case python = "PYTHON"
  case hcl = "HCL"
  case yaml = "YAML"
  case toml = "TOML"
  case markdown = "MARKDOWN"
  case dockerfile = "DOCKERFILE"
  /// Files no outside text reaches (`.gitignore`, requirements).
  case plain = "PLAIN"

  /// Registers every encoder with swift-mustache, once per process.
  static let registered: Void = {
    for encoder in allCases { MustacheContentTypes.register(encoder, named: encoder.rawValue) }
  }()

  func escapeText(_ text: String) -> String {
    switch self {
    case .python: Self.quotedString(text, quote: "\\x22")
    case .toml, .yaml: Self.quotedString(text)
    case .hcl: Self.quotedString(text, dollarBraces: true)
    case .markdown: InertText.markdown(text)
    case .dockerfile, .plain: InertText.singleLine(text)
    }
  }

  /// The body of a double-quoted string in Python, TOML, YAML and HCL (the four share
  /// `\\`, `\"`, `\n`, `\r`, `\t` and `\uXXXX`): no quote ends it, no line break leaves it, no
  /// control or bidirectional character hides in it. HCL also reads `${` and `%{` as
  /// template sequences, written `\u0024{` and `\u0025{` to stay literal (Terraform also takes
  /// `$${`, but checkov's HCL parser fails on `$${{`, and a file it cannot parse goes unchecked). Python writes `"` as `\x22`:
  /// ruff format turns a double-quoted string holding an escaped `"` into a single-quoted
  /// one, and the generated code must already be formatted.
  static func quotedString(_ text: String, dollarBraces: Bool = false, quote: String = "\\\"") -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    var previous: Unicode.Scalar?
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case "\"": out += quote
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "{" where dollarBraces && (previous == "$" || previous == "%"):
        out.unicodeScalars.removeLast()
        out += previous == "$" ? "\\u0024{" : "\\u0025{"
      default:
        if InertText.needsEscape(scalar) {
          out +=
            scalar.value > 0xFFFF
            ? String(format: "\\U%08x", scalar.value) : String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
      previous = scalar
    }
    return out
  }
}
