// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "807d067a1b8cf3ee443461ce72a3a104de3b2e2e6bc39b0ed49cc4bc2f99c7f5"
}
