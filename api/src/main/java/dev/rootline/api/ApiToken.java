package dev.rootline.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One configured API token: who it stands for, its role and the SHA-256 digest of the secret.
 * Only the digest is kept, so a heap dump or a stray log of this object shows no usable token;
 * {@link #toString()} leaves even the digest out.
 *
 * @param name the principal: the author of the feedback and policy changes made with the token
 * @param role what the token may do
 * @param sha256 SHA-256 of the token's UTF-8 bytes (32 bytes)
 */
public record ApiToken(String name, ApiRole role, byte[] sha256) {

  public ApiToken {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a token needs a name");
    }
    if (role == null) {
      throw new IllegalArgumentException("a token needs a role");
    }
    if (sha256 == null || sha256.length != 32) {
      throw new IllegalArgumentException("a token's digest is 32 bytes (SHA-256)");
    }
    sha256 = sha256.clone();
  }

  /** A token given as its secret, e.g. {@code token = "..."} in the config. */
  public static ApiToken plain(String name, ApiRole role, String token) {
    return new ApiToken(name, role, sha256(token));
  }

  /** A token given as the hex SHA-256 of its secret ({@code token-sha256}, 64 hex characters). */
  public static ApiToken hashed(String name, ApiRole role, String sha256Hex) {
    if (sha256Hex == null || !sha256Hex.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException("token-sha256 must be 64 hex characters (the SHA-256 of the token)");
    }
    return new ApiToken(name, role, HexFormat.of().parseHex(sha256Hex));
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  /** True if {@code digest} is this token's, compared in constant time. */
  boolean matches(byte[] digest) {
    return MessageDigest.isEqual(sha256, digest);
  }

  /** SHA-256 of the token's UTF-8 bytes. */
  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiToken t && t.name.equals(name) && t.role == role && MessageDigest.isEqual(t.sha256, sha256);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + role.hashCode();
  }

  @Override
  public String toString() {
    return "ApiToken[name=" + name + ", role=" + role.configName() + "]";
  }
}
