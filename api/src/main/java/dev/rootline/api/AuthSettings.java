package dev.rootline.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code rootline.api.auth} section: the configured tokens and where a node without any keeps
 * the admin token it generates (see {@link GeneratedAdminToken}). A token entry is
 * {@code { name = "alice", role = admin, token = "..." }} or the same with {@code token-sha256 =
 * "<64 hex>"} instead of {@code token}; anything else (unknown role, empty token, both or neither
 * secret, an unknown key, the same secret twice) is a {@link ConfigException.BadValue} naming the
 * entry, so a typo stops the node at start instead of locking people out (or in).
 *
 * @param tokens the configured tokens; empty means "generate an admin token"
 * @param generatedTokenFile where the generated admin token is written (mode 0600) and re-read
 */
public record AuthSettings(List<ApiToken> tokens, Path generatedTokenFile) {

  private static final Logger log = LoggerFactory.getLogger(AuthSettings.class);
  static final String PATH = "rootline.api.auth";
  /** Shorter tokens are accepted with a warning: they can be guessed (24 random bytes make 32). */
  static final int SHORT_TOKEN = 16;
  private static final Set<String> ENTRY_KEYS = Set.of("name", "role", "token", "token-sha256");
  static final int MAX_NAME = 128;

  public AuthSettings {
    tokens = List.copyOf(tokens);
    if (generatedTokenFile == null || generatedTokenFile.toString().isBlank()) {
      throw new ConfigException.BadValue(PATH + ".generated-token-file", "must not be empty");
    }
    for (int i = 0; i < tokens.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (tokens.get(i).matches(tokens.get(j).sha256())) {
          throw new ConfigException.BadValue(
              PATH + ".tokens[" + i + "]",
              "'" + tokens.get(i).name() + "' has the same token as '" + tokens.get(j).name()
                  + "': every token must be distinct, or the principal is ambiguous");
        }
      }
    }
  }

  /** Reads {@code auth} of the {@code rootline.api} section. */
  static AuthSettings create(Config api) {
    List<ApiToken> tokens = new ArrayList<>();
    List<? extends Config> entries;
    try {
      entries = api.getConfigList("auth.tokens");
    } catch (ConfigException.WrongType e) {
      throw new ConfigException.BadValue(
          PATH + ".tokens", "must be a list of { name, role, token | token-sha256 } objects: " + e.getMessage());
    }
    for (int i = 0; i < entries.size(); i++) {
      tokens.add(entry(entries.get(i), PATH + ".tokens[" + i + "]"));
    }
    return new AuthSettings(tokens, Path.of(api.getString("auth.generated-token-file")));
  }

  private static ApiToken entry(Config entry, String where) {
    for (String key : entry.root().keySet()) {
      if (!ENTRY_KEYS.contains(key)) {
        throw new ConfigException.BadValue(where, "unknown key '" + key + "'; a token has " + ENTRY_KEYS);
      }
    }
    String name = string(entry, "name", where);
    if (name == null || name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new ConfigException.BadValue(where + ".name", "must be 1 to " + MAX_NAME + " printable characters");
    }
    String roleName = string(entry, "role", where);
    if (roleName == null) {
      throw new ConfigException.BadValue(where + ".role", "missing; one of viewer, operator, admin");
    }
    ApiRole role;
    try {
      role = ApiRole.parse(roleName);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(where + ".role", e.getMessage());
    }
    String token = string(entry, "token", where);
    String hashed = string(entry, "token-sha256", where);
    if ((token == null) == (hashed == null)) {
      throw new ConfigException.BadValue(
          where, "token '" + name + "' needs exactly one of token or token-sha256");
    }
    if (token != null) {
      // The secret itself is never quoted back: a config error may end up in a log.
      if (token.isEmpty()) {
        throw new ConfigException.BadValue(where + ".token", "token '" + name + "' is empty");
      }
      if (token.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
        throw new ConfigException.BadValue(
            where + ".token", "token '" + name + "' holds whitespace or control characters (it travels in an HTTP header)");
      }
      if (token.length() < SHORT_TOKEN) {
        log.warn("API token '{}' ({}) is shorter than {} characters: easy to guess; use e.g. "
            + "`head -c 24 /dev/urandom | base64 | tr '+/' '-_'`", name, where, SHORT_TOKEN);
      }
      return ApiToken.plain(name, role, token);
    }
    try {
      return ApiToken.hashed(name, role, hashed);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(where + ".token-sha256", e.getMessage());
    }
  }

  private static String string(Config entry, String key, String where) {
    if (!entry.hasPath(key)) {
      return null;
    }
    if (entry.getValue(key).valueType() != ConfigValueType.STRING
        && entry.getValue(key).valueType() != ConfigValueType.NUMBER
        && entry.getValue(key).valueType() != ConfigValueType.BOOLEAN) {
      throw new ConfigException.BadValue(where + "." + key, "must be a string");
    }
    return entry.getString(key);
  }
}
