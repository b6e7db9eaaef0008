import EdgeAPI
import EdgeRuntime
import Foundation
import Testing

@Suite struct StreamLimiterTests {
  @Test func capsStreamsInTotalAndPerClientAndGivesPlacesBack() throws {
    let limiter = StreamLimiter(maxStreams: 3, maxPerClient: 2)
    var held: [StreamLimiter.Permit] = []
    held.append(try limiter.acquire(client: "a").get())
    held.append(try limiter.acquire(client: "a").get())
    #expect(throws: StreamLimiter.Refusal.clientFull) { try limiter.acquire(client: "a").get() }
    held.append(try limiter.acquire(client: "b").get())
    #expect(throws: StreamLimiter.Refusal.full) { try limiter.acquire(client: "c").get() }
    #expect(limiter.openStreams == 3)
    held.removeFirst()
    #expect(limiter.openStreams == 2, "a released permit gives its place back")
    held.append(try limiter.acquire(client: "a").get())
    held.removeAll()
    #expect(limiter.openStreams == 0)
  }
}
