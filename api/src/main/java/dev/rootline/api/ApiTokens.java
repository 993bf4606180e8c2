package dev.rootline.api;

import java.util.List;
import java.util.Optional;

/**
 * The token table: which presented bearer token is which principal. The presented token is
 * hashed once and compared with every configured digest in constant time, and the loop never stops
 * early, so neither the answer time nor the position of a match tells how much of a guess was right.
 */
final class ApiTokens {

  private final List<ApiToken> tokens;

  ApiTokens(List<ApiToken> tokens) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("an API without tokens would answer nobody");
    }
    this.tokens = List.copyOf(tokens);
  }

  /**
   * The configured tokens, or, when none are, the generated admin token (read from or written to
   * {@code generated-token-file}); an IO failure there is an UncheckedIOException naming the file.
   */
  static ApiTokens from(AuthSettings auth) {
    return new ApiTokens(
        auth.tokens().isEmpty() ? List.of(GeneratedAdminToken.load(auth.generatedTokenFile())) : auth.tokens());
  }

  /** The principal of {@code presented}, empty for an unknown (or empty) token. */
  Optional<ApiPrincipal> authenticate(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Optional.empty();
    }
    byte[] digest = ApiToken.sha256(presented);
    ApiToken found = null;
    for (ApiToken token : tokens) {
      if (token.matches(digest) && found == null) {
        found = token;
      }
    }
    return found == null ? Optional.empty() : Optional.of(new ApiPrincipal(found.name(), found.role()));
  }

  int size() {
    return tokens.size();
  }
}
