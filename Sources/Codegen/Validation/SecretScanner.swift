import Foundation
import Planner

/// Finds credentials in generated files before they can be published: cloud keys, private
/// keys, common token formats, and secret-looking values assigned to secret-looking names.
/// A line carrying `pragma: allowlist secret` (detect-secrets' marker) is skipped.
public struct SecretScanner: Sendable {
  public struct Finding: Sendable, Equatable {
    public var path: String
    public var line: Int
    public var rule: String
    public var message: String
  }

  struct Rule: @unchecked Sendable {
    var id: String
    var message: String
    var pattern: NSRegularExpression
    /// For assignment rules: the capture group holding the value, which must look random.
    var valueGroup: Int?
  }

  static let rules: [Rule] = [
    rule("aws-access-key-id", "an AWS access key id", #"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"#),
    rule(
      "aws-secret-access-key", "an AWS secret access key",
      #"(?i)aws_?secret_?access_?key\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"#),
    rule("private-key", "a private key", #"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY(?: BLOCK)?-----"#),
    rule("github-token", "a GitHub token", #"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})\b"#),
    rule("slack-token", "a Slack token", #"\bxox[abposr]-[A-Za-z0-9-]{10,}"#),
    rule("stripe-key", "a Stripe live key", #"\b[rs]k_live_[0-9A-Za-z]{20,}"#),
    rule("jwt", "a JSON Web Token", #"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"#),
    rule(
      "secret-assignment", "a high-entropy value assigned to a secret-looking name",
      #"(?i)\b[\w.-]*(?:password|passwd|secret|token|api_?key|access_?key|private_?key|credential)[\w.-]*["']?\s*(?:=|:|:=)\s*["']([^"'\s]{12,})["']"#,
      valueGroup: 1),
  ]

  public init() {}

  public func scan(path: String, contents: Data) -> [Finding] {
    guard let text = String(data: contents, encoding: .utf8) else { return [] }
    var findings: [Finding] = []
    var number = 0
    text.enumerateLines { line, _ in
      number += 1
      guard !line.contains("pragma: allowlist secret") else { return }
      let range = NSRange(line.startIndex..., in: line)
      for rule in Self.rules {
        for match in rule.pattern.matches(in: line, range: range) {
          if let group = rule.valueGroup {
            guard let valueRange = Range(match.range(at: group), in: line),
              Self.looksRandom(String(line[valueRange]))
            else { continue }
          }
          findings.append(Finding(path: path, line: number, rule: rule.id, message: "\(rule.message) on line \(number)"))
          break
        }
      }
    }
    return findings
  }

  /// Shannon entropy per character above what words and placeholders reach, and not a
  /// reference to somewhere else (`${VAR}`, `{{ ... }}`, `os.environ[...]`).
  static func looksRandom(_ value: String) -> Bool {
    if value.contains("${") || value.contains("{{") || value.hasPrefix("<") || value.lowercased().contains("example") {
      return false
    }
    var counts: [Character: Int] = [:]
    for character in value { counts[character, default: 0] += 1 }
    let length = Double(value.count)
    let entropy = counts.values.reduce(0.0) { sum, count in
      let p = Double(count) / length
      return sum - p * log2(p)
    }
    return entropy >= 3.0
  }

  static func rule(_ id: String, _ message: String, _ pattern: String, valueGroup: Int? = nil) -> Rule {
    Rule(id: id, message: message, pattern: .builtIn(pattern), valueGroup: valueGroup)
  }
}
