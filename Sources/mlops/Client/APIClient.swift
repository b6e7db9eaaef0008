import ArgumentParser
import Foundation
import ServiceKit

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The Edge REST API from the command line: JSON in, JSON out, problem+json turned into a
/// readable error and a non-zero exit.
struct APIClient {
  var server: URL

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  func send(_ method: String, _ path: String, json body: Any? = nil, headers: [String: String] = [:]) async throws -> Any {
    guard let url = URL(string: path, relativeTo: server) else { throw Failure(description: "bad path \(path)") }
    var request = URLRequest(url: url)
    request.httpMethod = method
    request.timeoutInterval = 30
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    if let body {
      request.httpBody = try JSONSerialization.data(withJSONObject: body)
      request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let data: Data
    let response: URLResponse
    do {
      (data, response) = try await URLSession.shared.data(for: request)
    } catch {
      throw Failure(description: "cannot reach \(server.absoluteString): \(error.localizedDescription)")
    }
    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
    let object: Any = (data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data)) ?? [String: Any]()
    guard (200..<300).contains(status) else {
      let problem = object as? [String: Any]
      let code = problem?["code"] as? String ?? "http_\(status)"
      let detail = problem?["detail"] as? String ?? String(decoding: data, as: UTF8.self)
      throw Failure(description: "\(status) \(code): \(detail)")
    }
    return object
  }
}

/// `--server`, shared by the commands that talk to a running Edge.
struct ServerOptions: ParsableArguments {
  @Option(help: "The Edge to talk to (default: MLOPS_SERVER, else http://127.0.0.1:8080).")
  var server: String?

  var client: APIClient {
    get throws {
      let text = server ?? ProcessInfo.processInfo.environment["MLOPS_SERVER"] ?? "http://127.0.0.1:8080"
      guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
        throw ValidationError("--server must be an http(s) URL, not \(text)")
      }
      return APIClient(server: url)
    }
  }
}

func printJSON(_ object: Any) {
  let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
  Console.line(String(decoding: data, as: UTF8.self))
}
