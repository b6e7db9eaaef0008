import EdgeRuntime
import Foundation
import Hummingbird

/// The caller's own identity (`GET /v1/me`) and, when Edge is its own issuer, the JWKS that
/// verifies its tokens (`GET /.well-known/jwks.json`).
package struct IdentityController<Context: IdentifiedRequestContext>: Sendable {
  let localIssuer: LocalIssuer?

  package init(localIssuer: LocalIssuer?) {
    self.localIssuer = localIssuer
  }

  package func addRoutes(to router: Router<Context>, v1: RouterGroup<Context>) {
    if let localIssuer {
      router.get(".well-known/jwks.json") { _, _ in
        Response(
          status: .ok, headers: [.contentType: "application/jwk-set+json", .cacheControl: "max-age=300"],
          body: .init(byteBuffer: ByteBuffer(bytes: localIssuer.jwks)))
      }
    }
    v1.get("me") { _, context in
      let caller = try context.authenticated()
      return try JSONResponse.make(
        object: [
          "issuer": caller.issuer, "subject": caller.subject, "name": caller.name, "groups": caller.groups,
          "expires_at": JSONResponse.timestamp(caller.expiresAt),
        ], status: .ok)
    }
  }
}
