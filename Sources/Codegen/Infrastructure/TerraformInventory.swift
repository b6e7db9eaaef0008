import Contracts
import Foundation

/// The resources a generated repository's root module declares, read from its rendered
/// Terraform: each `module "NAME" { source = "./modules/DIR" }` of `main.tf`, and each
/// `resource "TYPE" "NAME"` of that module's files. Addresses are configuration addresses
/// (`module.NAME.TYPE.NAME`, no count or for_each keys), as `terraform show -json` gives
/// them beside each instance.
struct TerraformInventory: Sendable, Equatable {
  struct Resource: Sendable, Hashable {
    var module: String
    var type: String
    var name: String
    /// The file it is declared in, from the repository's root.
    var path: String
    /// The block's text, from its `resource` line to its closing brace.
    var body: String
    var address: String { module.isEmpty ? "\(type).\(name)" : "module.\(module).\(type).\(name)" }
  }

  static let root = "infra/terraform"

  var resources: [Resource]
  /// Each module instance's arguments in main.tf, as written (`kms_key_arn` → `module.kms.key_arn`).
  var moduleArguments: [String: [String: String]]

  init(files: [Mlops_V1_GeneratedFile]) {
    let text = Dictionary(
      files.filter { $0.path.hasPrefix(Self.root + "/") && $0.path.hasSuffix(".tf") }
        .map { ($0.path, String(decoding: $0.content, as: UTF8.self)) },
      uniquingKeysWith: { first, _ in first })
    var resources: [Resource] = []
    let main = text["\(Self.root)/main.tf"] ?? ""
    moduleArguments = Self.arguments(in: main)
    for (path, body) in text where !path.dropFirst(Self.root.count + 1).contains("/") {
      resources += Self.declared(in: body, module: "", path: path)
    }
    // Local modules only: `source = "./modules/DIR"`.
    let local = moduleArguments.compactMap { instance, arguments -> (String, String)? in
      guard let source = arguments["source"], source.hasPrefix("\"./"), source.hasSuffix("\"") else { return nil }
      return (instance, String(source.dropFirst(3).dropLast()))
    }
    for (instance, directory) in local {
      let folder = "\(Self.root)/\(directory)/"
      for (path, body) in text where path.hasPrefix(folder) && !path.dropFirst(folder.count).contains("/") {
        resources += Self.declared(in: body, module: instance, path: path)
      }
    }
    self.resources = resources.sorted { $0.address < $1.address }
  }

  func resources(inModules modules: Set<String>) -> [Resource] {
    resources.filter { modules.contains($0.module) }
  }

  func resources(ofType type: String) -> [Resource] {
    resources.filter { $0.type == type }
  }

  // MARK: Reading HCL

  static func declared(in text: String, module: String, path: String) -> [Resource] {
    var resources: [Resource] = []
    var open: (labels: [String], lines: [Substring])?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if open == nil {
        let labels = quotedLabels(line, keyword: "resource")
        if labels.count == 2 { open = (labels, [line]) }
        continue
      }
      open!.lines.append(line)
      if line == "}", let block = open {
        resources.append(
          Resource(
            module: module, type: block.labels[0], name: block.labels[1], path: path,
            body: block.lines.joined(separator: "\n")))
        open = nil
      }
    }
    return resources
  }

  /// `module "NAME" { key = value ... }` → NAME → key → value, for one-line arguments.
  static func arguments(in main: String) -> [String: [String: String]] {
    var arguments: [String: [String: String]] = [:]
    var current: String?
    for line in main.split(separator: "\n", omittingEmptySubsequences: false) {
      if let name = quotedLabels(line, keyword: "module").first {
        current = name
        arguments[name] = [:]
      } else if line.hasPrefix("}") {
        current = nil
      } else if let instance = current, let equals = line.firstIndex(of: "=") {
        let key = line[..<equals].trimmingCharacters(in: .whitespaces)
        arguments[instance]?[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
      }
    }
    return arguments
  }

  /// The quoted labels of a top-level block opening (`KEYWORD "a" "b" {`).
  static func quotedLabels(_ line: Substring, keyword: String) -> [String] {
    guard line.hasPrefix(keyword + " \""), line.hasSuffix("{") else { return [] }
    return line.dropFirst(keyword.count).split(separator: "\"").map(String.init)
      .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && $0 != " {" && $0 != "{" }
  }
}
