// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "8f7b9252aa09a6689a925a4346794ba5b65c42d1577f9d2aa60b4b1fca9f3394"
}
