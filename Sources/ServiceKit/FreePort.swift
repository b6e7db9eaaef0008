import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Asks the kernel about TCP ports on IPv4 addresses: which one is free now, and whether a
/// given one can be bound (so a busy port is reported by name before a server tries it).
public enum FreePort {
  public struct Unavailable: Error, CustomStringConvertible {
    public var errno: Int32
    public var description: String { "could not find a free loopback port (errno \(errno))" }
  }

  /// A port on 127.0.0.1 that nothing listens on right now.
  ///
  /// It is drawn below the kernel's ephemeral range: a port the kernel hands out (to a
  /// `bind` on port 0, or as the local end of an outgoing connection) could be taken again
  /// by any other process between this answer and the server's own `bind`.
  /// A port is handed out once per process, so two callers here never race for one.
  public static func find() throws(Unavailable) -> Int {
    let ephemeralStart = ephemeralRange().lowerBound
    if ephemeralStart > 10_000 {
      for _ in 0..<64 {
        let port = Int.random(in: 10_000..<ephemeralStart)
        guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
        if case .success = bindProbe(host: "127.0.0.1", port: port) { return port }
      }
    }
    let result = bindProbe(host: "127.0.0.1", port: 0)
    guard case .success(let port) = result else {
      if case .failure(let code) = result { throw Unavailable(errno: code) }
      throw Unavailable(errno: 0)
    }
    return port
  }

  /// Whether `host:port` can be bound now; nil when it can, else the errno (98 is "in use").
  /// Hosts that are not IPv4 literals are not probed.
  public static func bindError(host: String, port: Int) -> Int32? {
    if case .failure(let code) = bindProbe(host: host, port: port) { return code }
    return nil
  }

  private static let handedOut = Mutex<Set<Int>>([])

  /// The ports the kernel assigns by itself (Linux's `ip_local_port_range`, else IANA's).
  static func ephemeralRange() -> ClosedRange<Int> {
    let fallback = 49_152...65_535
    guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) else {
      return fallback
    }
    let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
    guard bounds.count == 2, bounds[0] <= bounds[1] else { return fallback }
    return bounds[0]...bounds[1]
  }

  private enum Probe {
    case success(Int)
    case failure(Int32)
  }

  private static func bindProbe(host: String, port: Int) -> Probe {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else { return .success(port) }
    #if canImport(Glibc)
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { return .failure(errno) }
    defer { close(fd) }
    var reuse: Int32 = 1
    _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { return .failure(errno) }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { return .failure(errno) }
    return .success(Int(UInt16(bigEndian: address.sin_port)))
  }
}
