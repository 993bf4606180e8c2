package dev.rootline.actors.capture;

import dev.rootline.persistence.policy.CapturePolicy;
import java.util.Collection;
import java.util.Locale;

/**
 * One PII masking rule of {@link CapturePolicy#MASKING_RULES}, as {@link PiiMasker} applies it.
 * A set of rules is an {@code int} bit mask ({@link #bit()}), so the masker's hot loop tests a
 * rule with one AND.
 */
public enum MaskingRule {
  /** {@code Authorization} and {@code Proxy-Authorization} header values (the scheme is kept). */
  AUTHORIZATION("authorization"),
  /** Every value of a {@code Cookie} header; the first value of a {@code Set-Cookie} header. */
  COOKIE("cookie"),
  /**
   * Values of headers, query/form parameters and JSON fields whose name holds {@code token},
   * {@code secret}, {@code api-key}, {@code api_key}, {@code apikey}, {@code access-key}, {@code
   * access_key}, {@code private-key} or {@code private_key} (case-insensitive).
   */
  API_KEY("api-key"),
  /** {@code Bearer <token>} anywhere in the text (the word {@code Bearer} is kept). */
  BEARER_TOKEN("bearer-token"),
  /**
   * Values of headers, query/form parameters and JSON fields whose name holds {@code passw},
   * {@code pwd} or {@code passphrase} (case-insensitive).
   */
  PASSWORD("password"),
  /**
   * 13 to 19 digits, single spaces or dashes between them allowed, starting with 2 to 6, that pass
   * the Luhn check.
   */
  CARD_NUMBER("card-number"),
  /** {@code local@domain.tld}, also with the {@code @} URL-encoded as {@code %40}. */
  EMAIL("email");

  /** Every rule: what a scope without a policy gets. */
  public static final int ALL = (1 << values().length) - 1;

  private static final MaskingRule[] VALUES = values();

  private final String ruleName;
  private final byte[] marker;

  MaskingRule(String ruleName) {
    this.ruleName = ruleName;
    this.marker = ("[masked:" + ruleName + "]").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** The name used in capture policies and counters, e.g. {@code "card-number"}. */
  public String ruleName() {
    return ruleName;
  }

  public int bit() {
    return 1 << ordinal();
  }

  /** What replaces a masked value: {@code [masked:<rule name>]}. */
  public String marker() {
    return "[masked:" + ruleName + "]";
  }

  byte[] markerBytes() {
    return marker;
  }

  static MaskingRule of(int ordinal) {
    return VALUES[ordinal];
  }

  /** The rule of a policy name, or null when the name is unknown. */
  public static MaskingRule named(String name) {
    if (name == null) {
      return null;
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (MaskingRule r : VALUES) {
      if (r.ruleName.equals(n)) {
        return r;
      }
    }
    return null;
  }

  /** The bit mask of these rule names (unknown names are ignored; null means every rule). */
  public static int maskOf(Collection<String> names) {
    if (names == null) {
      return ALL;
    }
    int mask = 0;
    for (String name : names) {
      MaskingRule r = named(name);
      if (r != null) {
        mask |= r.bit();
      }
    }
    return mask;
  }
}
