// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "6615392caa6f1f3d59ee7d63fde54b24ffee975c919922b583989a192e3cb0b5"
}
