package dev.rootline.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What an API token may do. Each role includes the ones before it: a viewer reads, an operator
 * also gives feedback, an admin also changes capture policies and rolls models back.
 */
public enum ApiRole {
  VIEWER,
  OPERATOR,
  ADMIN;

  /** True if a caller with this role may do what {@code needed} is required for. */
  public boolean includes(ApiRole needed) {
    return compareTo(needed) >= 0;
  }

  /** The name used in config and in answers: {@code viewer}, {@code operator}, {@code admin}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a config name; an unknown one is an IllegalArgumentException listing the known. */
  public static ApiRole parse(String name) {
    for (ApiRole role : values()) {
      if (role.configName().equals(name)) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '" + name + "'; one of "
            + Arrays.stream(values()).map(ApiRole::configName).collect(Collectors.joining(", ")));
  }
}
