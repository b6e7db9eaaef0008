import Metrics

extension Timer {
  /// Records a `Duration` (clamped to what an Int64 of nanoseconds holds).
  public func record(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    recordNanoseconds(overflow ? Int64.max : whole.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue)
  }
}
