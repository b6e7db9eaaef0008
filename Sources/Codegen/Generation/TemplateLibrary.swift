import Foundation
import Mustache

/// The repository's templates, one file each under `Resources/templates`, named by the path
/// they render to plus `.mustache`. A single leading `_` on a path part stands for a dot
/// (`_github/` is `.github/`; `__init__.py` stays), since resource copying may drop hidden files.
public struct TemplateLibrary: Sendable {
  public struct Missing: Error, CustomStringConvertible {
    public var description: String
  }

  let library: MustacheLibrary
  /// Template names (paths without `.mustache`), sorted.
  public let names: [String]

  public init(directory: URL) throws {
    // The content-type pragmas name the encoders, and swift-mustache looks them up at parse time.
    _ = LanguageEncoder.registered
    let root = directory.standardizedFileURL.path
    var templates: [String: MustacheTemplate] = [:]
    guard let enumerator = FileManager.default.enumerator(atPath: root) else {
      throw Missing(description: "no template folder at \(root)")
    }
    for case let relative as String in enumerator where relative.hasSuffix(".mustache") {
      let text = try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
      do {
        templates[String(relative.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
      } catch {
        throw Missing(description: "template \(relative) does not parse: \(error)")
      }
    }
    library = MustacheLibrary(templates: templates)
    names = templates.keys.sorted()
  }

  /// The templates that ship with the service.
  public static func bundled() throws -> TemplateLibrary {
    guard let url = Bundle.module.url(forResource: "templates", withExtension: nil) else {
      throw Missing(description: "the Codegen bundle has no templates folder")
    }
    return try TemplateLibrary(directory: url)
  }

  func render(_ name: String, _ context: [String: Any]) throws -> String {
    guard let text = library.render(context, withTemplate: name) else {
      throw Missing(description: "no template named \(name)")
    }
    return text
  }

  /// Where a template's output goes in the repository (a `+VARIANT` suffix dropped).
  static func outputPath(of name: String) -> String {
    let name = name.split(separator: "+", maxSplits: 1).first.map(String.init) ?? name
    return name.split(separator: "/", omittingEmptySubsequences: false)
      .map { $0.hasPrefix("_") && !$0.hasPrefix("__") ? "." + $0.dropFirst() : String($0) }
      .joined(separator: "/")
  }
}
