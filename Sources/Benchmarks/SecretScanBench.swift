import ArgumentParser
import Assembly
import Codegen
import Foundation
import ServiceKit

/// The secret scan on adversarial files of growing size (runs of `a-a-a-…`, secret-looking
/// names with no value, repeated token prefixes): time per KB must stay flat as the file
/// grows, or a generated file could stall publishing.
struct SecretScanBench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "secret-scan", abstract: "The built-in secret scan on adversarial files of 25 to 200 KB: linear or not.")

  @Option(help: "Scans per size.") var rounds = 3

  static func adversarial(kilobytes: Int) -> Data {
    let patterns = ["a-", "password", "xoxb-", "ghp_", "eyJ", "secret_token_", "api_key=", "."]
    var text = ""
    let target = kilobytes * 1024
    var index = 0
    while text.utf8.count < target {
      text += String(repeating: patterns[index % patterns.count], count: 512)
      index += 1
    }
    return Data(text.utf8.prefix(target))
  }

  func run() async throws {
    guard rounds > 0 else { throw ValidationError("--rounds must be positive") }
    let scanner = SecretScanner()
    var rows: [[String]] = []
    var figures: [String: Any] = ["benchmark": "secret-scan"]
    var perKB: [Double] = []
    for kilobytes in [25, 50, 100, 200] {
      let file = Self.adversarial(kilobytes: kilobytes)
      var best = Double.infinity
      for _ in 0..<rounds {
        let (_, milliseconds) = await timed { scanner.scan(path: "adversarial.txt", contents: file) }
        best = min(best, milliseconds)
      }
      perKB.append(best / Double(kilobytes))
      rows.append([String(kilobytes), formatted(best, 1), formatted(best / Double(kilobytes), 3)])
      figures["scan_\(kilobytes)kb_ms"] = (best * 10).rounded() / 10
    }
    Console.line("secret-scan: best of \(rounds) per size, one file, release build expected")
    printTable(["KB", "ms", "ms per KB"], rows)
    figures["ms_per_kb_ratio_200_to_25"] = ((perKB.last! / perKB.first!) * 100).rounded() / 100
    Console.line(jsonLine(figures))
  }
}
