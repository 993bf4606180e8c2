package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.policy.CapturePolicy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PiiMaskerTest {

  private final PiiMasker masker = new PiiMasker();

  private String mask(String text) {
    return mask(text, MaskingRule.ALL, false);
  }

  private String mask(String text, int rules, boolean cut) {
    byte[] raw = text.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = masker.mask(raw, rules, cut);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  private long count(MaskingRule rule) {
    return masker.counters().masked(rule);
  }

  @Test
  void ruleNamesAreThePolicyNames() {
    assertThat(List.of(MaskingRule.values()).stream().map(MaskingRule::ruleName).toList())
        .isEqualTo(CapturePolicy.MASKING_RULES);
    assertThat(MaskingRule.maskOf(CapturePolicy.MASKING_RULES)).isEqualTo(MaskingRule.ALL);
    assertThat(MaskingRule.maskOf(null)).isEqualTo(MaskingRule.ALL);
    assertThat(MaskingRule.maskOf(List.of("email", "nonsense"))).isEqualTo(MaskingRule.EMAIL.bit());
    assertThat(MaskingRule.EMAIL.marker()).isEqualTo("[masked:email]");
  }

  @Test
  void authorizationHeadersKeepTheirScheme() {
    assertThat(mask("GET / HTTP/1.1\r\nAuthorization: Bearer abc.def-ghi\r\nHost: x\r\n\r\n"))
        .isEqualTo("GET / HTTP/1.1\r\nAuthorization: Bearer [masked:authorization]\r\nHost: x\r\n\r\n");
    assertThat(mask("GET / HTTP/1.1\r\nproxy-authorization: Basic dXNlcjpwYXNz\r\n\r\n"))
        .isEqualTo("GET / HTTP/1.1\r\nproxy-authorization: Basic [masked:authorization]\r\n\r\n");
    assertThat(mask("GET / HTTP/1.1\r\nAUTHORIZATION:s3cr3t\r\n\r\n"))
        .isEqualTo("GET / HTTP/1.1\r\nAUTHORIZATION:[masked:authorization]\r\n\r\n");
    assertThat(count(MaskingRule.AUTHORIZATION)).isEqualTo(3);
    assertThat(count(MaskingRule.BEARER_TOKEN)).as("counted once, by the header rule").isZero();
  }

  @Test
  void cookiesKeepTheirNamesAndSetCookieItsAttributes() {
    assertThat(mask("GET / HTTP/1.1\r\nCookie: session=abc123; theme=dark\r\n\r\n"))
        .isEqualTo("GET / HTTP/1.1\r\nCookie: session=[masked:cookie]; theme=[masked:cookie]\r\n\r\n");
    assertThat(mask("HTTP/1.1 200 OK\r\nSet-Cookie: sid=xyz789; Path=/; HttpOnly\r\n\r\n"))
        .isEqualTo("HTTP/1.1 200 OK\r\nSet-Cookie: sid=[masked:cookie]; Path=/; HttpOnly\r\n\r\n");
    assertThat(count(MaskingRule.COOKIE)).isEqualTo(3);
  }

  @Test
  void apiKeyLikeHeadersAreMaskedWholeOthersStay() {
    String in =
        "GET / HTTP/1.1\r\nX-Api-Key: k1\r\napi-key: k2\r\nX-Auth-Token: k3\r\nX-Client-Secret: k4\r\n"
            + "X-Amz-Security-Token: k5\r\nX-Password: k6\r\nAccept: */*\r\nX-Request-Id: 42\r\n\r\n";
    assertThat(mask(in))
        .isEqualTo(
            "GET / HTTP/1.1\r\nX-Api-Key: [masked:api-key]\r\napi-key: [masked:api-key]\r\n"
                + "X-Auth-Token: [masked:api-key]\r\nX-Client-Secret: [masked:api-key]\r\n"
                + "X-Amz-Security-Token: [masked:api-key]\r\nX-Password: [masked:password]\r\n"
                + "Accept: */*\r\nX-Request-Id: 42\r\n\r\n");
    assertThat(count(MaskingRule.API_KEY)).isEqualTo(5);
    assertThat(count(MaskingRule.PASSWORD)).isEqualTo(1);
  }

  @Test
  void bearerTokensAnywhere() {
    assertThat(mask("{\"note\":\"use bearer eyJhbGciOi.x_y-z~+/= please\"}"))
        .isEqualTo("{\"note\":\"use bearer [masked:bearer-token] please\"}");
    assertThat(mask("Bearerless text and a Bearer")).isEqualTo("Bearerless text and a Bearer");
    assertThat(count(MaskingRule.BEARER_TOKEN)).isEqualTo(1);
  }

  @Test
  void passwordsInFormsQueriesAndJson() {
    assertThat(mask("user=bob&password=hunter2&remember=1"))
        .isEqualTo("user=bob&password=[masked:password]&remember=1");
    assertThat(mask("/login?passwd=p%40ss&pwd=x&next=/home"))
        .isEqualTo("/login?passwd=[masked:password]&pwd=[masked:password]&next=/home");
    assertThat(mask("{\"user\":\"bob\",\"password\" : \"hun\\\"ter2\",\"newPassword\":12345}"))
        .isEqualTo("{\"user\":\"bob\",\"password\" : \"[masked:password]\",\"newPassword\":[masked:password]}");
    assertThat(mask("{\"password\":{\"old\":1}}")).isEqualTo("{\"password\":{\"old\":1}}");
    assertThat(mask("{\"access_token\":\"t0k\",\"client_secret\":\"s\"}"))
        .isEqualTo("{\"access_token\":\"[masked:api-key]\",\"client_secret\":\"[masked:api-key]\"}");
    assertThat(mask("/cb?api_key=abc&password=")).isEqualTo("/cb?api_key=[masked:api-key]&password=");
    assertThat(mask("db.password=\"s3 cret\" secret_key='k'"))
        .isEqualTo("db.password=\"[masked:password]\" secret_key='[masked:api-key]'");
    assertThat(count(MaskingRule.PASSWORD)).isEqualTo(6);
    assertThat(count(MaskingRule.API_KEY)).isEqualTo(4);
  }

  @Test
  void luhnValidCardNumbersAreMaskedOthersStay() {
    assertThat(mask("card 4111 1111 1111 1111 ok")).isEqualTo("card [masked:card-number] ok");
    assertThat(mask("card=4111-1111-1111-1111&x=1")).isEqualTo("card=[masked:card-number]&x=1");
    assertThat(mask("{\"pan\":5500005555555559}")).isEqualTo("{\"pan\":[masked:card-number]}");
    assertThat(mask("/cards/378282246310005/charge")).isEqualTo("/cards/[masked:card-number]/charge");
    assertThat(mask("amex 3782 822463 10005.")).isEqualTo("amex [masked:card-number].");
    assertThat(count(MaskingRule.CARD_NUMBER)).isEqualTo(5);
    // Luhn fails, too short, too long, separators doubled: digit runs stay.
    List<String> kept =
        List.of(
            "4111 1111 1111 1112",
            "id 1234567890123",
            "ts 1732700000000000000000",
            "4111111111111",
            "phone 555-1234",
            "4111  1111 1111 1111",
            // Luhn-valid, but starting with 1 (epoch nanos and millis): no card network's.
            "{\"ts\":1732700000123456782,\"ms\":1732700000125}");
    for (String s : kept) {
      assertThat(mask(s)).as(s).isEqualTo(s);
    }
    assertThat(count(MaskingRule.CARD_NUMBER)).isEqualTo(5);
  }

  @Test
  void emailAddressesAlsoUrlEncoded() {
    assertThat(mask("to: alice.smith+tag@mail.example.co.uk, bob@x.io."))
        .isEqualTo("to: [masked:email], [masked:email].");
    assertThat(mask("/users?email=alice%40example.com&x=1")).isEqualTo("/users?email=[masked:email]&x=1");
    assertThat(mask("{\"email\":\"carol@example.org\"}")).isEqualTo("{\"email\":\"[masked:email]\"}");
    assertThat(mask("/u/dave@example.net/orders")).isEqualTo("/u/[masked:email]/orders");
    // Not addresses: no domain, no dot, a one-letter top-level domain, a lone @.
    for (String s : List.of("@handle", "a@b", "x@y.z", "user@ and", "me@localhost")) {
      assertThat(mask(s)).as(s).isEqualTo(s);
    }
    assertThat(count(MaskingRule.EMAIL)).isEqualTo(5);
  }

  @Test
  void mixedTextMasksEverythingInOnePass() {
    String request =
        "POST /pay?email=eve@example.com&card=4111111111111111 HTTP/1.1\r\nHost: shop\r\n"
            + "Authorization: Bearer tok123\r\nCookie: sid=c00kie\r\nContent-Type: application/json\r\n\r\n"
            + "{\"email\":\"eve@example.com\",\"card\":\"4111 1111 1111 1111\",\"password\":\"pw\",\"qty\":3}";
    String masked = mask(request);
    assertThat(masked)
        .isEqualTo(
            "POST /pay?email=[masked:email]&card=[masked:card-number] HTTP/1.1\r\nHost: shop\r\n"
                + "Authorization: Bearer [masked:authorization]\r\nCookie: sid=[masked:cookie]\r\n"
                + "Content-Type: application/json\r\n\r\n"
                + "{\"email\":\"[masked:email]\",\"card\":\"[masked:card-number]\",\"password\":\"[masked:password]\",\"qty\":3}");
    MaskingCounters c = masker.counters();
    assertThat(c.byRule())
        .containsEntry("authorization", 1L)
        .containsEntry("cookie", 1L)
        .containsEntry("email", 2L)
        .containsEntry("card-number", 2L)
        .containsEntry("password", 1L)
        .containsEntry("api-key", 0L)
        .containsEntry("bearer-token", 0L);
    assertThat(c.byRule().keySet()).containsExactlyElementsOf(CapturePolicy.MASKING_RULES);
    assertThat(c.textsScanned()).isEqualTo(1);
    assertThat(c.textsMasked()).isEqualTo(1);
  }

  @Test
  void anExcerptCutMidSecretMasksWhatItHas() {
    assertThat(mask("GET / HTTP/1.1\r\nAuthorization: Bearer abcd", MaskingRule.ALL, true))
        .isEqualTo("GET / HTTP/1.1\r\nAuthorization: Bearer [masked:authorization]");
    assertThat(mask("GET / HTTP/1.1\r\nCookie: sid=abc", MaskingRule.ALL, true))
        .isEqualTo("GET / HTTP/1.1\r\nCookie: sid=[masked:cookie]");
    assertThat(mask("{\"password\":\"hun", MaskingRule.ALL, true)).isEqualTo("{\"password\":\"[masked:password]");
    assertThat(mask("mail alice@exam", MaskingRule.ALL, true)).isEqualTo("mail [masked:email]");
    assertThat(mask("mail alice@", MaskingRule.ALL, true)).isEqualTo("mail [masked:email]");
    // A card cut after 8 digits cannot be Luhn-checked: masked; 6 digits (an issuer) stay.
    assertThat(mask("card 4111 1111", MaskingRule.ALL, true)).isEqualTo("card [masked:card-number]");
    assertThat(mask("card 4111 1111 ", MaskingRule.ALL, true)).isEqualTo("card [masked:card-number] ");
    assertThat(mask("card 411111", MaskingRule.ALL, true)).isEqualTo("card 411111");
    assertThat(mask("ts 17327000001", MaskingRule.ALL, true)).isEqualTo("ts 17327000001");
    // The same text uncut is complete: no guessing.
    assertThat(mask("card 4111 1111", MaskingRule.ALL, false)).isEqualTo("card 4111 1111");
    assertThat(mask("mail alice@exam", MaskingRule.ALL, false)).isEqualTo("mail alice@exam");
  }

  @Test
  void binaryGarbageIsScannedWithoutHarm() {
    Random random = new Random(7);
    for (int round = 0; round < 2000; round++) {
      byte[] garbage = new byte[random.nextInt(600)];
      random.nextBytes(garbage);
      if (round % 3 == 0 && garbage.length > 40) { // a secret inside the garbage
        byte[] secret = "\nCookie: a=b\r\nx bob@example.com 4111111111111111 ".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(secret, 0, garbage, garbage.length / 3, Math.min(secret.length, garbage.length / 2));
      }
      byte[] out = masker.mask(garbage, MaskingRule.ALL, round % 2 == 0);
      assertThat(out.length).isLessThanOrEqualTo(PiiMasker.maxLength(garbage.length));
    }
    byte[] withSecret = "\u0000\u00ff\u0001bob@example.com\u0000\u0080".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(new String(masker.mask(withSecret, MaskingRule.ALL, false), StandardCharsets.ISO_8859_1))
        .isEqualTo("\u0000\u00ff\u0001[masked:email]\u0000\u0080");
  }

  @Test
  void nothingMaskedGivesTheSameArrayBack() {
    byte[] plain = "GET /items?item=3 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(masker.mask(plain, MaskingRule.ALL, false)).isSameAs(plain);
    assertThat(masker.mask("/items?item=3", MaskingRule.ALL, false)).isEqualTo("/items?item=3");
    assertThat(masker.counters().textsMasked()).isZero();
  }

  @Test
  void manyShortSecretsStayWithinTheLengthBound() {
    String many = "a@b.co ".repeat(100);
    byte[] out = masker.mask(many.getBytes(StandardCharsets.US_ASCII), MaskingRule.ALL, false);
    assertThat(out.length).isEqualTo(PiiMasker.maxLength(many.length()));
    assertThat(new String(out, StandardCharsets.US_ASCII)).doesNotContain("a@b.co");
  }

  @Test
  void rulesRemovedByPolicyLeaveTheirValues() {
    String text = "GET /?e=a@example.com HTTP/1.1\r\nAuthorization: Bearer tok\r\nCookie: s=1\r\n\r\n4111111111111111";
    int noEmailNoAuth = MaskingRule.ALL & ~MaskingRule.EMAIL.bit() & ~MaskingRule.AUTHORIZATION.bit();
    assertThat(mask(text, noEmailNoAuth, false))
        .as("without the authorization rule the bearer-token rule still sees the token")
        .isEqualTo(
            "GET /?e=a@example.com HTTP/1.1\r\nAuthorization: Bearer [masked:bearer-token]\r\n"
                + "Cookie: s=[masked:cookie]\r\n\r\n[masked:card-number]");
    assertThat(mask(text, MaskingRule.EMAIL.bit(), false))
        .isEqualTo("GET /?e=[masked:email] HTTP/1.1\r\nAuthorization: Bearer tok\r\nCookie: s=1\r\n\r\n4111111111111111");
    assertThat(mask(text, 0, false)).isEqualTo(text);
  }

  @Test
  void maskedTextsAreMaskedAgainUnchanged() {
    String once = mask("Authorization: Basic x\r\nX-Api-Key: y\r\n\r\nbearer z a@b.com 4111111111111111");
    long before = masker.counters().byRule().values().stream().mapToLong(Long::longValue).sum();
    assertThat(mask(once)).isEqualTo(once);
    long after = masker.counters().byRule().values().stream().mapToLong(Long::longValue).sum();
    assertThat(after).isEqualTo(before);
  }
}
