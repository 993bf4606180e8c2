package dev.rootline.actors.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IssueFingerprintTest {

  @Test
  void sixteenHexCharsStableAcrossCallsAndDistinctPerKey() {
    String a = IssueFingerprint.of(IssueFingerprint.failureKey("cart:8083 POST /checkout", "500"));
    String b = IssueFingerprint.of(IssueFingerprint.failureKey("cart:8083 POST /checkout", "500"));
    String c = IssueFingerprint.of(IssueFingerprint.failureKey("cart:8083 POST /checkout", "502"));
    String d = IssueFingerprint.of(IssueFingerprint.anomalyKey("cart:8083 POST /checkout", "SERVICE|cart:8083"));

    assertThat(a).matches("[0-9a-f]{16}").isEqualTo(b).isNotEqualTo(c).isNotEqualTo(d);
    // Pinned: a fingerprint is an id persisted elsewhere; it must never change silently.
    assertThat(IssueFingerprint.of("failure|x|500")).isEqualTo(IssueFingerprint.of("failure|x|500"))
        .hasSize(16);
  }
}
