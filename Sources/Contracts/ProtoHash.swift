// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "74dc29e3d4452de23af970b943996e6526c94c4aeef6b494a95331a2c1a98c50"
}
