// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "802bfade77221b9b060ffbe03b61e24dbc820ea741521430ea5c1b50f828bced"
}
