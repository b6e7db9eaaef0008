extension Duration {
  /// Whole and fractional seconds, for SQL intervals and printed timings.
  public var seconds: Double {
    let (whole, attoseconds) = components
    return Double(whole) + Double(attoseconds) / 1e18
  }

  /// Whole and fractional milliseconds, for latencies.
  public var milliseconds: Double { seconds * 1000 }
}
