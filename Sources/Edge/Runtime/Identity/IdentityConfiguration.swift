/// Who may call the API: tokens from an OIDC issuer (`MLOPS_OIDC_*`), or without one the
/// platform's own local issuer, whose key lives in the data directory.
package struct IdentityConfiguration: Sendable, Equatable {
  /// `MLOPS_OIDC_ISSUER`: the issuer's URL; its `/.well-known/openid-configuration` names the
  /// JWKS. Unset: the local issuer (`mlops token` mints its tokens).
  package var issuer: String?
  /// `MLOPS_OIDC_AUDIENCE`: the `aud` every token must carry, default `mlops`.
  package var audience = "mlops"
  /// `MLOPS_OIDC_USER_CLAIM`: the claim that names the user, default `sub`.
  package var userClaim = "sub"
  /// `MLOPS_OIDC_NAME_CLAIM`: the claim with the user's display name, default `name`.
  package var nameClaim = "name"
  /// `MLOPS_OIDC_GROUPS_CLAIM`: the claim with the user's groups or roles, default `groups`
  /// (Cognito: `cognito:groups`; Auth0: a namespaced claim such as `https://example.com/roles`).
  package var groupsClaim = "groups"
  /// `MLOPS_OIDC_CLOCK_SKEW_SECONDS`: leeway on `exp`, `nbf` and `iat`, default 60.
  package var clockSkewSeconds = 60
  /// `MLOPS_OIDC_JWKS_REFETCH_SECONDS`: the least time between two fetches of the JWKS that
  /// an unknown `kid` triggers, default 30 (so forged kids cannot make Edge hammer the issuer).
  package var jwksRefetchSeconds = 30
  /// `MLOPS_CONSOLE_CLIENT_ID`: the console's client id at the issuer (a public client that
  /// uses PKCE; register `{MLOPS_PUBLIC_URL}/console/callback` as its redirect), default
  /// `mlops-console`.
  package var consoleClientID = "mlops-console"

  package init() {}

  /// The issuer name of tokens the local issuer mints.
  package static let localIssuer = "mlops-local"
}
