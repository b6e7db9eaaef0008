import Logging
import ServiceLifecycle

extension ServiceGroup {
  /// The services of one `mlops` process, stopped by SIGTERM or SIGINT.
  ///
  /// A service that throws or returns shuts the others down gracefully rather than cancelling
  /// them: cancelling a NIO server while an accepted connection is still queued traps in
  /// `NIOAsyncWriter` (apple/swift-nio#3481), so a port that cannot be bound would crash the
  /// process instead of stopping it with the error. The first error is what `run()` throws.
  public static func process(services: [any Service], logger: Logger) -> ServiceGroup {
    ServiceGroup(
      configuration: .init(
        services: services.map {
          .init(
            service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
            failureTerminationBehavior: .gracefullyShutdownGroup)
        },
        gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
  }
}
