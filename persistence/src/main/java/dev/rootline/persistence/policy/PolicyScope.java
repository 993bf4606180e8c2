package dev.rootline.persistence.policy;

import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.PathTemplate;
import java.util.Locale;

/**
 * What a capture policy applies to. Written as text in URLs and events: {@code global}, {@code
 * host:<host>}, {@code service:<service>} (e.g. {@code service:java:8082}) or {@code
 * endpoint:<service> <METHOD> <path-template>} (e.g. {@code endpoint:java:8082 GET /cart/{id}}, the
 * operation name baselines and root causes use). A narrower scope overrides a wider one field by field.
 */
public record PolicyScope(Kind kind, String name) implements CborSerializable {

  public enum Kind {
    GLOBAL,
    HOST,
    SERVICE,
    ENDPOINT
  }

  public static final PolicyScope GLOBAL = new PolicyScope(Kind.GLOBAL, "");

  private static final int MAX_NAME = 512;

  public PolicyScope {
    if (kind == null) {
      throw new IllegalArgumentException("a scope has a kind");
    }
    name = name == null ? "" : name;
    if (kind == Kind.GLOBAL && !name.isEmpty()) {
      throw new IllegalArgumentException("the global scope has no name");
    }
    if (kind != Kind.GLOBAL && name.isBlank()) {
      throw new IllegalArgumentException("a " + kind.name().toLowerCase(Locale.ROOT) + " scope names its "
          + kind.name().toLowerCase(Locale.ROOT));
    }
    if (name.length() > MAX_NAME || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("a scope name is at most " + MAX_NAME + " printable characters");
    }
    if (kind == Kind.ENDPOINT && name.trim().split(" +").length < 3) {
      throw new IllegalArgumentException(
          "an endpoint scope is \"endpoint:<service> <METHOD> <path>\", e.g. \"endpoint:java:8082 GET /search\"");
    }
  }

  /**
   * Reads {@code global}, {@code host:NAME}, {@code service:NAME} or {@code endpoint:NAME}.
   *
   * @throws IllegalArgumentException with a message fit for an API error when it is none of these
   */
  public static PolicyScope parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a scope is global, host:NAME, service:NAME or endpoint:NAME");
    }
    if (text.equals("global")) {
      return GLOBAL;
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "unknown scope \"" + text + "\": a scope is global, host:NAME, service:NAME or endpoint:NAME");
    }
    String kind = text.substring(0, colon);
    String name = text.substring(colon + 1);
    return switch (kind) {
      case "host" -> new PolicyScope(Kind.HOST, name);
      case "service" -> new PolicyScope(Kind.SERVICE, name);
      case "endpoint" -> new PolicyScope(Kind.ENDPOINT, name);
      default -> throw new IllegalArgumentException(
          "unknown scope kind \"" + kind + "\": a scope is global, host:NAME, service:NAME or endpoint:NAME");
    };
  }

  public static PolicyScope host(String host) {
    return new PolicyScope(Kind.HOST, host);
  }

  public static PolicyScope service(String service) {
    return new PolicyScope(Kind.SERVICE, service);
  }

  /**
   * The endpoint scope of a request: "service METHOD path-template" ({@link PathTemplate}: query
   * dropped, ids as {@code {id}}), the operation name baselines and root causes use.
   */
  public static PolicyScope endpoint(String service, String method, String path) {
    return new PolicyScope(Kind.ENDPOINT, service + " " + method + " " + PathTemplate.of(path));
  }

  /** The text form, e.g. "service:java:8082"; {@code parse(key())} gives this scope back. */
  public String key() {
    return kind == Kind.GLOBAL ? "global" : kind.name().toLowerCase(Locale.ROOT) + ":" + name;
  }

  @Override
  public String toString() {
    return key();
  }
}
