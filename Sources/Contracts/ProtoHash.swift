// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "cee75b9d8709d2769a18fdeb0f6e2bfcfad5d84d679d007a7dd9e91abe7d893a"
}
