// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "d62483ecb00f95cff8c00d7d3f8b7ae1bbc6eb8a6d40e460789013a661f5db70"
}
