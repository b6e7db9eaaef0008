import Contracts
import Domain
import Foundation

/// A declarative rule pack: rules with an id, a description, a severity, a kind (which
/// evaluator reads it) and the kind's parameters. Validated on load, every problem named
/// with the file and the rule.
public struct RulePack: Sendable, Equatable {
  public struct Rule: Sendable, Equatable {
    public var id: String
    public var description: String
    public var severity: Mlops_V1_Severity
    public var kind: RuleKind
    public var parameters: RuleParameters
  }

  public var name: String
  public var version: String
  public var description: String
  public var rules: [Rule]

  public var label: String { "\(name)@\(version)" }

  struct File: Decodable {
    struct Rule: Decodable {
      var id: String?
      var description: String?
      var severity: String?
      var kind: String?
      var parameters: [String: ParameterValue]?
    }
    var pack: String?
    var version: String?
    var description: String?
    var rules: [Rule]?
  }

  public static func load(from data: Data, source: String) throws(PolicyPackError) -> RulePack {
    let file: File
    do {
      file = try JSONDecoder().decode(File.self, from: data)
    } catch {
      throw PolicyPackError(source: source, rule: nil, problem: "not a rule pack in JSON: \(error)")
    }
    guard let name = file.pack, !name.isEmpty else {
      throw PolicyPackError(source: source, rule: nil, problem: "\"pack\" (its name) is missing")
    }
    guard let rules = file.rules, !rules.isEmpty else {
      throw PolicyPackError(source: source, rule: nil, problem: "\"rules\" is missing or empty")
    }
    var seen: Set<String> = []
    var parsed: [Rule] = []
    for (index, rule) in rules.enumerated() {
      let label = rule.id ?? "rules[\(index)]"
      guard let id = rule.id, !id.isEmpty else {
        throw PolicyPackError(source: source, rule: label, problem: "\"id\" is missing")
      }
      guard seen.insert(id).inserted else { throw PolicyPackError(source: source, rule: id, problem: "the id is used twice") }
      guard let kindName = rule.kind, let kind = RuleKind(rawValue: kindName) else {
        throw PolicyPackError(
          source: source, rule: id,
          problem:
            "\"kind\" must be one of \(RuleKind.allCases.map(\.rawValue).joined(separator: ", ")), not \((rule.kind ?? "nothing").debugDescription)"
        )
      }
      guard let severity = ProtoNames.severity[rule.severity ?? ""] else {
        throw PolicyPackError(source: source, rule: id, problem: "\"severity\" must be info, warning or critical")
      }
      let parameters = RuleParameters(rule.parameters ?? [:])
      if let problem = kind.validate(parameters) { throw PolicyPackError(source: source, rule: id, problem: problem) }
      parsed.append(Rule(id: id, description: rule.description ?? id, severity: severity, kind: kind, parameters: parameters))
    }
    return RulePack(name: name, version: file.version ?? "1", description: file.description ?? "", rules: parsed)
  }

  /// The packs shipped with the service, read once.
  public static let bundled: [RulePack] = {
    guard let folder = Bundle.module.url(forResource: "packs", withExtension: nil),
      let loaded = try? loadFolder(folder), loaded.errors.isEmpty
    else { preconditionFailure("the Policy service's built-in rule packs are missing or malformed") }
    return loaded.packs
  }()

  /// Every `*.json` pack in a folder; a malformed one is reported and skipped.
  public static func loadFolder(_ folder: URL) throws -> (packs: [RulePack], errors: [PolicyPackError]) {
    let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    var packs: [RulePack] = []
    var errors: [PolicyPackError] = []
    for file in files {
      do {
        packs.append(try load(from: try Data(contentsOf: file), source: file.lastPathComponent))
      } catch let error as PolicyPackError {
        errors.append(error)
      } catch {
        errors.append(PolicyPackError(source: file.lastPathComponent, rule: nil, problem: "unreadable: \(error)"))
      }
    }
    return (packs, errors)
  }
}

public struct PolicyPackError: Error, CustomStringConvertible, Sendable, Equatable {
  public var source: String
  public var rule: String?
  public var problem: String
  public var description: String { "\(source)\(rule.map { ", rule \($0)" } ?? ""): \(problem)" }
}

/// A parameter as written in a pack: a number, a string or a list of strings.
enum ParameterValue: Decodable, Equatable, Sendable {
  case number(Double)
  case text(String)
  case list([String])
  case other

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let number = try? container.decode(Double.self) {
      self = .number(number)
    } else if let text = try? container.decode(String.self) {
      self = .text(text)
    } else if let list = try? container.decode([String].self) {
      self = .list(list)
    } else {
      self = .other
    }
  }
}

public struct RuleParameters: Sendable, Equatable {
  let values: [String: ParameterValue]

  init(_ values: [String: ParameterValue]) { self.values = values }

  func number(_ name: String) -> Double? { if case .number(let value)? = values[name] { value } else { nil } }
  func text(_ name: String) -> String? { if case .text(let value)? = values[name] { value } else { nil } }
  func list(_ name: String) -> [String]? { if case .list(let value)? = values[name] { value } else { nil } }
  func has(_ name: String) -> Bool { values[name] != nil }
}
