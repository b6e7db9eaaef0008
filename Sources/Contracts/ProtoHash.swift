// Written by scripts/generate-protos; do not edit.
// The hash of Proto/ that the code in Generated/ was made from (see scripts/proto-hash).

public enum ProtoHash {
  public static let sha256 = "342522d06fc27335ff52e12421f1cefe3e94fd5b8fb4b3640bce61186c5489dc"
}
