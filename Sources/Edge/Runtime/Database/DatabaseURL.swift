import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=...` URL, as in `DATABASE_URL`.
package struct DatabaseURL: Sendable, Equatable {
  package enum SSLMode: String, Sendable {
    case disable, prefer, require
  }

  package var host: String
  package var port: Int
  package var username: String
  package var password: String?
  package var database: String?
  package var sslMode: SSLMode

  package init(
    host: String, port: Int = 5432, username: String, password: String?, database: String?,
    sslMode: SSLMode = .disable
  ) {
    self.host = host
    self.port = port
    self.username = username
    self.password = password
    self.database = database
    self.sslMode = sslMode
  }

  package struct ParseError: Error, CustomStringConvertible {
    package var reason: String
    package var description: String {
      "DATABASE_URL is not valid: \(reason); expected postgres://user:password@host:port/database"
    }
  }

  /// Parses `text`; a `password` given apart (`DATABASE_PASSWORD`) replaces the URL's. It is
  /// the password itself, or an RDS-managed secret's JSON (`{"username":…,"password":…}`, what
  /// App Runner hands over for a whole secret), whose `password` is taken.
  package init(parsing text: String, password: String?) throws(ParseError) {
    try self.init(parsing: text)
    guard let password else { return }
    self.password = Self.secretPassword(password) ?? password
  }

  private static func secretPassword(_ text: String) -> String? {
    guard text.hasPrefix("{"),
      let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    else { return nil }
    return object["password"] as? String
  }

  package init(parsing text: String) throws(ParseError) {
    guard let components = URLComponents(string: text) else { throw ParseError(reason: "not a URL") }
    guard let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme) else {
      throw ParseError(reason: "the scheme must be postgres or postgresql")
    }
    guard let host = components.host, !host.isEmpty else { throw ParseError(reason: "no host") }
    guard let user = components.user, !user.isEmpty else { throw ParseError(reason: "no user") }
    let database = components.path.split(separator: "/").first.map(String.init)
    var sslMode = SSLMode.prefer
    if let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
      switch mode {
      case "disable", "allow": sslMode = .disable
      case "prefer": sslMode = .prefer
      case "require", "verify-ca", "verify-full": sslMode = .require
      default: throw ParseError(reason: "unknown sslmode \(mode)")
      }
    }
    self.init(
      host: host, port: components.port ?? 5432,
      username: user.removingPercentEncoding ?? user,
      password: components.password.map { $0.removingPercentEncoding ?? $0 },
      database: database, sslMode: sslMode)
  }

  package var clientConfiguration: PostgresClient.Configuration {
    let tls: PostgresClient.Configuration.TLS =
      switch sslMode {
      case .disable: .disable
      case .prefer: .prefer(.makeClientConfiguration())
      case .require: .require(.makeClientConfiguration())
      }
    var configuration = PostgresClient.Configuration(
      host: host, port: port, username: username, password: password, database: database, tls: tls)
    configuration.options.maximumConnections = 20
    return configuration
  }

  /// The URL text, password included, for handing to a child process as `DATABASE_URL`.
  package var connectionString: String {
    func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
    let credentials = password.map { "\(encoded(username)):\(encoded($0))" } ?? encoded(username)
    return "postgres://\(credentials)@\(host):\(port)/\(database ?? "")?sslmode=\(sslMode.rawValue)"
  }

  /// The URL with the password masked, for logs and errors.
  package var redacted: String {
    "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database ?? "")"
  }
}
