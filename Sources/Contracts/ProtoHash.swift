// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "574300f69a8954ce028226de5801627e0ce6f0f4811e1a3ebb58fd8b512a45a1"
}
