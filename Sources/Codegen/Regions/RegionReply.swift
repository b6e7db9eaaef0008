import Foundation

/// A model's reply for the marked regions, checked before any of it is written into a
/// bundle: one JSON object naming known regions only, each a bounded Python module whose
/// imports come from the region's packages, that defines what the region promises and
/// reaches for no dynamic code. The validators and the sandbox judge the rest.
struct RegionReply: Sendable, Equatable {
  /// Region name → the module's source, without a marker line.
  var modules: [String: String]
  var rationale: String

  struct Rejected: Error, Equatable, CustomStringConvertible {
    var description: String
  }

  static let maxReplyBytes = 64 << 10
  static let maxModuleBytes = 16 << 10
  static let maxModuleLines = 400
  static let maxRationale = 600

  /// Calls and attributes that run or reach code by name; a region has no use for them.
  static let forbidden: [String] = [
    "eval", "exec", "compile", "__import__", "open", "globals", "locals", "vars", "getattr", "setattr", "delattr",
    "breakpoint", "input",
  ]
  static let forbiddenAttributes: [String] = [
    "__builtins__", "__subclasses__", "__globals__", "__code__", "__class__", "__bases__", "__mro__", "__dict__",
    "__getattribute__", "__reduce__",
  ]

  static func parse(_ text: String, regions: [CodeRegion]) throws(Rejected) -> RegionReply {
    guard text.utf8.count <= maxReplyBytes else {
      throw Rejected(description: "the reply is \(text.utf8.count) bytes; at most \(maxReplyBytes)")
    }
    guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
      throw Rejected(description: "the reply is not one JSON object")
    }
    guard let given = object["regions"] as? [String: Any], !given.isEmpty else {
      throw Rejected(description: "the reply has no \"regions\" object naming at least one region")
    }
    var modules: [String: String] = [:]
    for (name, value) in given.sorted(by: { $0.key < $1.key }) {
      guard let region = regions.first(where: { $0.name == name }) else {
        throw Rejected(
          description: "no region is named \(String(name.prefix(40)).debugDescription); "
            + "the regions are \(regions.map(\.name).joined(separator: ", "))")
      }
      guard let source = value as? String else { throw Rejected(description: "\(name): the module is not a string") }
      modules[name] = try check(source, region: region)
    }
    // One line of plain text: it is quoted in the Reason Card.
    let rationale = (object["rationale"] as? String ?? "").map { $0.isNewline ? " " : $0 }
      .filter { !$0.unicodeScalars.contains { $0.properties.generalCategory == .control } }
    return RegionReply(modules: modules, rationale: String(String(rationale).prefix(maxRationale)))
  }

  static func check(_ source: String, region: CodeRegion) throws(Rejected) -> String {
    let name = region.name
    guard source.utf8.count <= maxModuleBytes else {
      throw Rejected(description: "\(name): the module is \(source.utf8.count) bytes; at most \(maxModuleBytes)")
    }
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.count <= maxModuleLines else {
      throw Rejected(description: "\(name): the module is \(lines.count) lines; at most \(maxModuleLines)")
    }
    if let bad = source.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" || $0.value == 0x7F }) {
      throw Rejected(description: "\(name): the module holds the control character U+\(String(bad.value, radix: 16))")
    }
    for (number, line) in lines.enumerated() {
      let at = "\(name) line \(number + 1)"
      if line.contains("mlops:region") {
        throw Rejected(description: "\(at): the region marker is Codegen's to write")
      }
      for root in try importedRoots(line, at: at) where !region.importRoots.contains(root) {
        throw Rejected(
          description: "\(at): imports \(root), which this region may not; it may import "
            + region.importRoots.sorted().joined(separator: ", "))
      }
      if let call = forbidden.first(where: { line.range(of: "\\b\($0)\\s*\\(", options: .regularExpression) != nil }) {
        throw Rejected(description: "\(at): calls \(call)(), which runs or reaches code by name")
      }
      if let attribute = forbiddenAttributes.first(where: { line.contains($0) }) {
        throw Rejected(description: "\(at): uses \(attribute), which reaches into the interpreter")
      }
    }
    for name in region.contractNames where !lines.contains(where: { $0.hasPrefix("def \(name)(") }) {
      let promised = region.contract.first { $0.hasPrefix("def \(name)(") } ?? name
      throw Rejected(description: "\(region.name): the module does not define \(promised)")
    }
    return source.hasSuffix("\n") ? source : source + "\n"
  }

  /// The top-level package names an `import` or `from … import` line names.
  static func importedRoots(_ line: Substring, at: String) throws(Rejected) -> [String] {
    let text = line.trimmingCharacters(in: .whitespaces)
    let code = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
    if code.hasPrefix("from ") {
      let module = code.dropFirst("from ".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? ""
      guard !module.hasPrefix(".") else { throw Rejected(description: "\(at): a relative import") }
      return [String(module.split(separator: ".").first ?? module)]
    }
    guard code.hasPrefix("import ") else { return [] }
    return code.dropFirst("import ".count).split(separator: ",").compactMap { part in
      part.trimmingCharacters(in: .whitespaces).split(separator: " ").first?.split(separator: ".").first.map(String.init)
    }
  }
}
