// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "b132eb5e25b94882226a795a7baf000fdfa2dd599f5a0d59dd160286333d47e9"
}
