import EdgeRuntime
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceKit

/// A decision set's published bundles with download links, and the downloads themselves.
/// Links go only to members of the decision set's project; they are presigned by the store
/// (S3) or signed by Edge (local store) for the caller. Downloads of Edge's links sit outside
/// `/v1` because the signature is their authorisation; each download is audited.
package struct ArtifactsController<Context: IdentifiedRequestContext>: Sendable {
  let store: any ArtifactStore
  let access: ProjectAccess
  let audit: AuditLog
  let signer: DownloadSigner
  let versions: VersionStore
  let ttlSeconds: Int
  /// The Edge's address as clients reach it (MLOPS_PUBLIC_URL); nil uses the request's Host.
  let publicURL: String?
  let logger: Logger

  package init(
    store: any ArtifactStore, access: ProjectAccess, audit: AuditLog, signer: DownloadSigner, versions: VersionStore,
    ttlSeconds: Int, publicURL: String?, logger: Logger
  ) {
    self.publicURL = publicURL
    self.store = store
    self.access = access
    self.audit = audit
    self.signer = signer
    self.versions = versions
    self.ttlSeconds = ttlSeconds
    self.logger = logger
  }

  package func addRoutes(to router: Router<Context>, v1: RouterGroup<Context>) {
    v1.get("decision-sets/:id/artifacts", use: list)
    router.get("\(DownloadSigner.routePrefix)/**", use: download)
  }

  @Sendable func list(_ request: Request, context: Context) async throws -> Response {
    let id = try DecisionSetRoute.id(context)
    let caller = try context.authenticated()
    try await access.decisionSet(id, caller, needs: .viewer)
    let expires = Date().addingTimeInterval(Double(ttlSeconds))
    let base = publicURL ?? "http://\(request.head.authority ?? "127.0.0.1")"
    var artifacts: [[String: Any]] = []
    for artifact in try await versions.artifacts(of: id) {
      var item: [String: Any] = [
        "kind": "bundle", "version": artifact.version as Any? ?? NSNull(), "sha256": artifact.sha256,
        "size_bytes": artifact.sizeBytes, "key": artifact.key, "status": artifact.status,
        "created_at": JSONResponse.timestamp(artifact.createdAt),
      ]
      if artifact.status == "stored", let key = try? ArtifactKey(artifact.key) {
        let url =
          try await store.presignedURL(for: key, expiresIn: ttlSeconds)?.absoluteString ?? base
          + signer.link(for: key, expires: expires, by: caller.subject)
        item["download_url"] = url
        item["expires_at"] = JSONResponse.timestamp(expires)
      }
      artifacts.append(item)
    }
    return try JSONResponse.make(object: ["decision_set_id": id.lowercaseString, "artifacts": artifacts], status: .ok)
  }

  @Sendable func download(_ request: Request, context: Context) async throws -> Response {
    let path = context.parameters.getCatchAll().joined(separator: "/")
    let key: ArtifactKey
    let subject: String
    do {
      let query = request.uri.queryParameters
      (key, subject) = try signer.verify(
        path: path, expires: query.get("expires"), by: query.get("by"), signature: query.get("signature"))
    } catch {
      throw Problem(status: .forbidden, code: "download_refused", title: "Forbidden", detail: error.description)
    }
    guard let bytes = try await store.get(key) else {
      throw Problem.notFound("artifact_not_found", "no artifact is stored at \(key.path)")
    }
    if let expected = key.contentSHA256, case .corrupt(let actual) = ArtifactIntegrity.check(bytes, expectedSHA256: expected) {
      logger.error(
        "a stored artifact does not match its SHA-256", metadata: ["key": "\(key.path)", "actual_sha256": "\(actual)"])
      throw Problem(
        status: .internalServerError, code: "artifact_corrupt", title: "Artifact corrupt",
        detail: "the stored bytes of \(key.path) do not match their SHA-256 (\(actual)); nothing was sent")
    }
    let name = key.path.split(separator: "/").last.map(String.init) ?? "bundle.zip"
    try await audit.record(
      AuditLog.Entry(
        projectID: key.projectID, actor: subject, action: "artifact.downloaded", target: name,
        requestID: context.requestID))
    return Response(
      status: .ok,
      headers: [.contentType: "application/zip", .contentDisposition: "attachment; filename=\"\(name)\""],
      body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
  }
}
