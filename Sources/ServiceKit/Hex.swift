extension Sequence where Element == UInt8 {
  /// Lower-case hexadecimal, two digits a byte: how hashes and signatures are written here.
  public var lowercaseHex: String {
    map { String(format: "%02x", $0) }.joined()
  }
}
