// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "736b118951ad35c101ba206deb3bfebfdbd15737f9affbebff6d3c18f7979832"
}
