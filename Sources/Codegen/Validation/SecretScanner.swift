import Domain
import Foundation

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

  /// Every repeat in these patterns has an upper bound and none starts with an unanchored
  /// run: a match attempt then reads a bounded stretch, so a file costs time linear in its
  /// length (`\b[\w.-]*password` read `a-a-a-…` in quadratic time).
  static let rules: [Rule] = [
    rule("aws-access-key-id", "an AWS access key id", #"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"#),
    rule(
      "aws-secret-access-key", "an AWS secret access key",
      #"(?i)aws_?secret_?access_?key[ \t]*[:=][ \t]*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"#),
    rule("private-key", "a private key", #"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY(?: BLOCK)?-----"#),
    rule("github-token", "a GitHub token", #"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})\b"#),
    rule("slack-token", "a Slack token", #"\bxox[abposr]-[A-Za-z0-9-]{10,255}"#),
    rule("stripe-key", "a Stripe live key", #"\b[rs]k_live_[0-9A-Za-z]{20,255}"#),
    rule("jwt", "a JSON Web Token", #"\beyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{8,4096}"#),
    rule(
      "secret-assignment", "a high-entropy value assigned to a secret-looking name",
      #"(?i)(?:password|passwd|secret|token|api_?key|access_?key|private_?key|credential)[\w.-]{0,64}["']?[ \t]{0,16}(?:=|:|:=)[ \t]{0,16}["']([^"'\s]{12,512})["']"#,
      valueGroup: 1),
  ]

  /// The most one file may take; a file that needs longer is reported, not passed.
  let fileDeadline: Duration

  public init(fileDeadline: Duration = .seconds(5)) {
    self.fileDeadline = fileDeadline
  }

  /// Each rule runs once over the whole file (a regex per line was ten times slower); a
  /// match is reported on its line, once per line and rule.
  public func scan(path: String, contents: Data) -> [Finding] {
    guard let text = String(data: contents, encoding: .utf8) else { return [] }
    let utf16 = Array(text.utf16)
    var lineStarts = [0]
    for (offset, unit) in utf16.enumerated() where unit == 0x0A { lineStarts.append(offset + 1) }
    func line(at offset: Int) -> Int {
      var low = 0
      var high = lineStarts.count - 1
      while low < high {
        let middle = (low + high + 1) / 2
        if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
      }
      return low + 1
    }
    let whole = NSRange(location: 0, length: utf16.count)
    let nsText = text as NSString
    var flagged: Set<String> = []
    var findings: [Finding] = []
    // Whether a line carries the allowlist marker, read once per line: a file of one long
    // line with many matches would otherwise copy that line once per match.
    var allowlisted: [Int: Bool] = [:]
    func isAllowlisted(_ number: Int) -> Bool {
      if let known = allowlisted[number] { return known }
      let start = lineStarts[number - 1]
      let end = number < lineStarts.count ? lineStarts[number] : utf16.count
      let found =
        nsText.range(of: "pragma: allowlist secret", options: [], range: NSRange(location: start, length: end - start))
        .location != NSNotFound
      allowlisted[number] = found
      return found
    }
    let deadline = ContinuousClock.now + fileDeadline
    var timedOut = false
    // Progress is reported every few characters; reading the clock each time was a tenth of
    // a whole run's CPU (`mlops bench e2e` under perf), so it is read every 256th report.
    var reports = 0
    for rule in Self.rules where !timedOut {
      var matches: [NSTextCheckingResult] = []
      rule.pattern.enumerateMatches(in: nsText as String, options: [.reportProgress], range: whole) { match, _, stop in
        if let match { matches.append(match) }
        reports &+= 1
        if reports & 255 == 0, ContinuousClock.now > deadline {
          timedOut = true
          stop.pointee = true
        }
      }
      for match in matches {
        let number = line(at: match.range.location)
        let key = "\(number)|\(rule.id)"
        guard !flagged.contains(key), !isAllowlisted(number) else { continue }
        if let group = rule.valueGroup {
          let valueRange = match.range(at: group)
          guard valueRange.location != NSNotFound, Self.looksRandom(nsText.substring(with: valueRange)) else { continue }
        }
        flagged.insert(key)
        findings.append(Finding(path: path, line: number, rule: rule.id, message: "\(rule.message) on line \(number)"))
      }
    }
    if timedOut {
      findings.append(
        Finding(
          path: path, line: 0, rule: "scan-timeout",
          message: "the scan took longer than \(fileDeadline) on this file; it is not counted as clean"))
    }
    return findings.sorted { ($0.line, $0.rule) < ($1.line, $1.rule) }
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
