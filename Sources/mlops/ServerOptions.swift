import ArgumentParser
import Assembly
import AsyncHTTPClient
import Foundation
import ServiceKit

/// `--server`, shared by the commands that talk to a running Edge.
struct ServerOptions: ParsableArguments {
  @Option(help: "The Edge to talk to (default: MLOPS_SERVER, else http://127.0.0.1:8080).")
  var server: String?

  @Option(
    help:
      "The bearer token to send (default: MLOPS_TOKEN, else one minted with the local issuer's key in MLOPS_DATA_DIR when it is there)."
  )
  var token: String?

  var serverURL: URL {
    get throws {
      let text = server ?? ProcessInfo.processInfo.environment["MLOPS_SERVER"] ?? "http://127.0.0.1:8080"
      guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
        throw ValidationError("--server must be an http(s) URL, not \(text)")
      }
      return url
    }
  }

  /// Runs `body` with a client for the server, shutting the client down afterwards.
  func withClient<T>(_ body: (APIClient) async throws -> T) async throws -> T {
    let url = try serverURL
    let token = try await CallerToken.resolve(explicit: token)
    // Streams carry a ping every few seconds, so a read that waits this long means a dead peer.
    let http = HTTPClient(
      eventLoopGroupProvider: .singleton,
      configuration: .init(timeout: .init(connect: .seconds(5), read: .seconds(60))))
    let result: Result<T, any Error>
    do {
      result = .success(try await body(APIClient(server: url, http: http, token: token)))
    } catch {
      result = .failure(error)
    }
    try? await http.shutdown()
    return try result.get()
  }
}

func printJSON(_ object: Any) {
  let data = (try? SortedJSON.data(object)) ?? Data()
  Console.line(String(decoding: data, as: UTF8.self))
}
