import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The console's pages: Mustache templates (HTML-escaped by default, so every person- or
/// model-written value lands as text) under `Resources/console`, its stylesheet and script,
/// and the headers every console response carries.
package struct ConsoleRenderer: Sendable {
  struct Missing: Error, CustomStringConvertible {
    var description: String
  }

  let library: MustacheLibrary
  let stylesheet: ByteBuffer
  let script: ByteBuffer

  /// A strict policy: only this origin's own script and stylesheet, no inline script or
  /// style, no framing, forms only to this origin.
  static let contentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

  package static func bundled() throws -> ConsoleRenderer {
    guard let folder = Bundle.module.url(forResource: "console", withExtension: nil) else {
      throw Missing(description: "the EdgeAPI bundle has no console folder")
    }
    _ = ConsoleHTML.registered  // the templates name it, and swift-mustache looks it up as it parses
    var templates: [String: MustacheTemplate] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".mustache") {
      let text = try String(contentsOf: folder.appending(path: name), encoding: .utf8)
      templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
    }
    return ConsoleRenderer(
      library: MustacheLibrary(templates: templates),
      stylesheet: ByteBuffer(bytes: try Data(contentsOf: folder.appending(path: "app.css"))),
      script: ByteBuffer(bytes: try Data(contentsOf: folder.appending(path: "app.js"))))
  }

  package func render(_ template: String, _ context: [String: Any]) throws -> String {
    guard let html = library.render(context, withTemplate: template) else {
      throw Missing(description: "no console template named \(template)")
    }
    return html
  }

  func page(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
    var response = Response(
      status: status, headers: [.contentType: "text/html; charset=utf-8"],
      body: .init(byteBuffer: ByteBuffer(string: try render(template, context))))
    Self.secure(&response.headers)
    return response
  }

  static func secure(_ headers: inout HTTPFields) {
    headers[.contentSecurityPolicy] = contentSecurityPolicy
    headers[.xContentTypeOptions] = "nosniff"
    headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
    headers[.cacheControl] = "no-store"
    headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
  }

  func asset(_ buffer: ByteBuffer, type: String) -> Response {
    var response = Response(
      status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"], body: .init(byteBuffer: buffer))
    Self.secure(&response.headers)
    response.headers[.cacheControl] = "max-age=300"
    return response
  }
}
