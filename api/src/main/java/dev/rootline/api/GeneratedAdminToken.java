package dev.rootline.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin token of a node configured without tokens. Such a node must not serve data to anyone
 * who asks, and must not be useless either: it generates a random token (24 bytes, base64url), writes
 * it to {@code rootline.api.auth.generated-token-file} readable by its owner only (0600), and from
 * then on re-reads it, so restarts keep the token a user already pasted into the UI. Only the
 * file's path is ever logged.
 */
final class GeneratedAdminToken {

  /** The principal of the generated token: the author of what is done with it. */
  static final String NAME = "admin";

  private static final Logger log = LoggerFactory.getLogger(GeneratedAdminToken.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private GeneratedAdminToken() {}

  /** The token in {@code file}, generated and written there first if the file holds none. */
  static ApiToken load(Path file) {
    try {
      String token = read(file);
      if (token == null) {
        token = generate();
        write(file, token);
        log.info(
            "no API tokens configured (rootline.api.auth.tokens): generated an admin token into {} (mode 0600);"
                + " send it as 'Authorization: Bearer <token>'", file.toAbsolutePath());
      } else {
        if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
          // Someone widened it: others may have read it, but narrowing still keeps the next reader
          // out. Say so; deleting the file makes the next start generate a new token.
          Files.setPosixFilePermissions(file, OWNER_ONLY);
          log.warn("{} was readable by others; set it back to 0600 (delete it to get a new token)", file.toAbsolutePath());
        }
        log.info(
            "no API tokens configured (rootline.api.auth.tokens): the admin token is the one in {}", file.toAbsolutePath());
      }
      return ApiToken.plain(NAME, ApiRole.ADMIN, token);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "no API tokens are configured (rootline.api.auth.tokens) and the generated admin token file "
              + file + " cannot be read or written: " + e.getMessage(),
          e);
    }
  }

  /** 24 random bytes, base64url without padding: 32 characters, 192 bits. */
  static String generate() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    String token = Files.readString(file, StandardCharsets.UTF_8).strip();
    return token.isEmpty() || token.chars().anyMatch(c -> c <= 0x20 || c == 0x7f) ? null : token;
  }

  /** Written to a 0600 temp file in the same directory, then moved: never briefly world-readable. */
  private static void write(Path file, String token) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, ".api-token", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try {
      Files.writeString(temp, token + "\n", StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
