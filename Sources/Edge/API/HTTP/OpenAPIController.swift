import EdgeRuntime
import Foundation
import Hummingbird

/// `GET /openapi.yaml`: the API's OpenAPI 3.1 document, shipped as a resource and served as is.
package struct OpenAPIController<Context: RequestContext>: Sendable {
  let document: ByteBuffer

  package init() throws {
    guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
      throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "Edge's openapi.yaml resource is missing"])
    }
    document = ByteBuffer(data: try Data(contentsOf: url))
  }

  package func addRoutes(to router: Router<Context>) {
    let document = self.document
    router.get("openapi.yaml") { _, _ in
      Response(
        status: .ok,
        headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "no-cache"],
        body: .init(byteBuffer: document))
    }
  }
}
