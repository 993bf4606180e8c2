package dev.rootline.actors.inference;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The id of the issue a failing or anomalous trace belongs to: 16 hex chars of the SHA-256 of a
 * key that names what went wrong and where (error signature, or anomalous operation + leading
 * root-cause candidate). Stable across nodes and restarts, safe in URLs and persistence ids.
 */
public final class IssueFingerprint {

  private IssueFingerprint() {}

  /** Key of a failure: where it originates and how it failed. */
  public static String failureKey(String operation, String failure) {
    return "failure|" + operation + "|" + failure;
  }

  /** Key of an anomaly: the anomalous operation and the leading root-cause candidate. */
  public static String anomalyKey(String operation, String leadingCandidateKey) {
    return "anomaly|" + operation + "|" + leadingCandidateKey;
  }

  public static String of(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
