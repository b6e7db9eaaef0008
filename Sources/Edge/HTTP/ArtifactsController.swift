import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// A decision set's published bundles with download links, and the downloads themselves.
/// Links are presigned by the store (S3) or signed by Edge (local store); downloads of Edge's
/// links sit outside `/v1` because the signature is their authorisation.
public struct ArtifactsController<Context: RequestContext>: Sendable {
  let store: any ArtifactStore
  let decisionSets: DecisionSetStore
  let signer: DownloadSigner
  let client: PostgresClient
  let ttlSeconds: Int
  /// The Edge's address as clients reach it (MLOPS_PUBLIC_URL); nil uses the request's Host.
  let publicURL: String?
  let logger: Logger

  public init(
    store: any ArtifactStore, decisionSets: DecisionSetStore, signer: DownloadSigner, client: PostgresClient, ttlSeconds: Int, publicURL: String?, logger: Logger
  ) {
    self.publicURL = publicURL
    self.store = store
    self.decisionSets = decisionSets
    self.signer = signer
    self.client = client
    self.ttlSeconds = ttlSeconds
    self.logger = logger
  }

  public func addRoutes(to router: Router<Context>, v1: RouterGroup<Context>) {
    v1.get("decision-sets/:id/artifacts", use: list)
    router.get("\(DownloadSigner.routePrefix)/**", use: download)
  }

  @Sendable func list(_ request: Request, context: Context) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    guard try await decisionSets.status(of: id) != nil else { throw DecisionSetRoute.notFound(id) }
    let rows = try await client.query(
      """
      SELECT version, sha256, size_bytes, key, status, created_at FROM artifacts
      WHERE decision_set_id = \(id) ORDER BY version, created_at
      """, logger: logger)
    let expires = Date().addingTimeInterval(Double(ttlSeconds))
    let base = publicURL ?? "http://\(request.head.authority ?? "127.0.0.1")"
    var artifacts: [[String: Any]] = []
    for try await (version, sha256, size, keyText, status, created) in rows.decode((Int?, String, Int, String, String, Date).self) {
      var item: [String: Any] = [
        "kind": "bundle", "version": version as Any? ?? NSNull(), "sha256": sha256, "size_bytes": size, "key": keyText,
        "status": status, "created_at": JSONResponse.timestamp(created),
      ]
      if status == "stored", let key = try? ArtifactKey(keyText) {
        let url = try store.presignedURL(for: key, expiresIn: ttlSeconds)?.absoluteString ?? base + signer.link(for: key, expires: expires)
        item["download_url"] = url
        item["expires_at"] = JSONResponse.timestamp(expires)
      }
      artifacts.append(item)
    }
    return try JSONResponse.make(object: ["decision_set_id": id.uuidString.lowercased(), "artifacts": artifacts], status: .ok)
  }

  @Sendable func download(_ request: Request, context: Context) async throws -> Response {
    let path = context.parameters.getCatchAll().joined(separator: "/")
    let key: ArtifactKey
    do {
      key = try signer.verify(
        path: path, expires: request.uri.queryParameters.get("expires"), signature: request.uri.queryParameters.get("signature"))
    } catch {
      throw Problem(status: .forbidden, code: "download_refused", title: "Forbidden", detail: error.description)
    }
    guard let bytes = try await store.get(key) else {
      throw Problem.notFound("artifact_not_found", "no artifact is stored at \(key.path)")
    }
    let name = key.path.split(separator: "/").last.map(String.init) ?? "bundle.zip"
    return Response(
      status: .ok,
      headers: [.contentType: "application/zip", .contentDisposition: "attachment; filename=\"\(name)\""],
      body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
  }
}
