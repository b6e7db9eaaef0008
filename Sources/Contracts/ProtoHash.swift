// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "9c6e0d0821c3e18ef4e5ab6b7096c13a042a7badeb4a736a32fa1beb0a5a93fa"
}
