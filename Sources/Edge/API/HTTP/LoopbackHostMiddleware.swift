import EdgeRuntime
import Foundation
import Hummingbird

/// Refuses (421) a request whose `Host` is not a loopback name or address while Edge listens
/// on loopback only: a web page on another site can make a browser send requests to
/// 127.0.0.1 under a name that resolves there (DNS rebinding), and the API must not answer
/// them. Listening on another address, Edge accepts any Host.
package struct LoopbackHostMiddleware<Context: RequestContext>: RouterMiddleware {
  let enabled: Bool

  package init(listeningOn host: String) {
    enabled = Self.isLoopback(host)
  }

  package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
    async throws -> Response
  {
    guard enabled else { return try await next(request, context) }
    let authority = request.head.authority ?? ""
    // Browsers always send Host; a request without one is no rebinding attempt.
    guard authority.isEmpty || Self.isLoopback(Self.hostname(of: authority)) else {
      throw Problem(
        status: .misdirectedRequest, code: "host_not_allowed", title: "Host not allowed",
        detail: "this server listens on loopback and answers only requests addressed to localhost, 127.0.0.1 or [::1]")
    }
    return try await next(request, context)
  }

  /// `host` from `host`, `host:port`, `[v6]` or `[v6]:port`.
  static func hostname(of authority: String) -> String {
    if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
      return String(authority[authority.index(after: authority.startIndex)..<close])
    }
    if let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon {
      return String(authority[..<colon])
    }
    return authority
  }

  static func isLoopback(_ host: String) -> Bool {
    let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" { return true }
    let octets = name.split(separator: ".", omittingEmptySubsequences: false)
    return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
  }
}
