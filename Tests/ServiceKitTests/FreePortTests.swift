import Foundation
import Testing

@testable import ServiceKit

struct FreePortTests {
  /// Ports the kernel hands out by itself (to outgoing connections, to `bind` on port 0) are
  /// never offered: another process could take one before the server binds it.
  @Test func aFreePortLiesBelowTheEphemeralRange() throws {
    let ephemeral = FreePort.ephemeralRange()
    for _ in 0..<20 {
      let port = try FreePort.find()
      #expect(port < ephemeral.lowerBound, "\(port) is in the ephemeral range \(ephemeral)")
      #expect(FreePort.bindError(host: "127.0.0.1", port: port) == nil)
    }
  }
}
