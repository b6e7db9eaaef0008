// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "b21d819a09751623c33c99b3979ced2182247ea4f7596df37a8fb77424ee851f"
}
