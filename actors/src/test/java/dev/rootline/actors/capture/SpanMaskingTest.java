package dev.rootline.actors.capture;

import static dev.rootline.actors.capture.SpanAssemblerTest.ms;
import static dev.rootline.actors.capture.SpanAssemblerTest.server;
import static dev.rootline.actors.capture.SpanAssemblerTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.actors.capture.SpanAssemblerTest.Sock;
import dev.rootline.actors.stitch.ConnectionLink;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Masking where it sits in the data path: spans (target, both excerpts) and the links built from
 * them come out of the assembler masked, by the rules of the span's scope.
 */
class SpanMaskingTest {

  private static final String SERVICE = "python3:8081";
  private static final String REQUEST =
      "POST /pay?email=alice@example.com&card=4111111111111111 HTTP/1.1\r\nHost: shop\r\n"
          + "Authorization: Bearer s3cr3tT0ken\r\nCookie: sid=c00kieValue\r\nContent-Length: 58\r\n\r\n"
          + "{\"email\":\"alice@example.com\",\"password\":\"hunter2\",\"x\":1}";
  private static final String RESPONSE =
      "HTTP/1.1 500 Internal Server Error\r\nSet-Cookie: sid=n3wC00kie; Path=/\r\nContent-Length: 31\r\n\r\n"
          + "{\"error\":\"alice@example.com!\"}";
  private static final List<String> SECRETS =
      List.of("alice@example.com", "4111111111111111", "s3cr3tT0ken", "c00kieValue", "hunter2", "n3wC00kie");

  private final List<Span> spans = new ArrayList<>();
  private final List<ConnectionLink> links = new ArrayList<>();
  private final SpanAssembler assembler = new SpanAssembler(settings(), spans::add, new SplittableRandom(1));

  {
    assembler.publishLinksTo(links::add);
  }

  @Test
  void withoutPoliciesEveryRuleMasksTargetExcerptsAndLinks() {
    Span s = serve(REQUEST, RESPONSE);
    assertThat(s.path()).isEqualTo("/pay?email=[masked:email]&card=[masked:card-number]");
    assertThat(s.requestExcerpt())
        .contains("Authorization: Bearer [masked:authorization]")
        .contains("Cookie: sid=[masked:cookie]")
        .contains("{\"email\":\"[masked:email]\",\"password\":\"[masked:password]\",\"x\":1}");
    assertThat(s.responseExcerpt())
        .contains("Set-Cookie: sid=[masked:cookie]; Path=/")
        .contains("{\"error\":\"[masked:email]!\"}");
    assertThat(links).isNotEmpty();
    assertThat(links).allSatisfy(l -> assertThat(l.target()).isEqualTo(s.path()));
    assertNoSecret(s.toString() + links);

    MaskingCounters c = assembler.maskingCounters();
    assertThat(c.masked(MaskingRule.EMAIL)).isEqualTo(4); // target, start line, body, response
    assertThat(c.masked(MaskingRule.CARD_NUMBER)).isEqualTo(2); // target and start line
    assertThat(c.masked(MaskingRule.AUTHORIZATION)).isEqualTo(1);
    assertThat(c.masked(MaskingRule.COOKIE)).isEqualTo(2);
    assertThat(c.masked(MaskingRule.PASSWORD)).isEqualTo(1);
    assertThat(c.textsScanned()).isEqualTo(3);
  }

  @Test
  void anExcerptCutByTheCaptureInsideASecretIsMaskedToItsEnd() {
    Sock b = server("python3", 100, 7, "127.0.0.1:8081", "127.0.0.1:50000");
    String head = "GET /a HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dXNlcjpwYXNzd29yZA==\r\n\r\n";
    int cutAt = head.indexOf("dXNlcjpw") + 4; // the capture copied only part of the credentials
    assembler.acceptBatch(
        List.of(
            b.accept(ms(0)),
            b.inTruncated(ms(1), 101, head, head.length(), cutAt),
            b.out(ms(5), 101, SpanAssemblerTest.ok()),
            b.close(ms(6))));
    assembler.tick(ms(200));
    assertThat(spans).hasSize(1);
    assertThat(spans.get(0).requestExcerpt()).doesNotContain("dXNl").contains("Authorization: Basic [masked:authorization]");
  }

  @Test
  void rulesFollowTheScopeOfTheSpan() {
    CapturePolicyEnforcer enforcer = new CapturePolicyEnforcer(null, "test-host");
    assertThat(enforcer.maskingRules("test-host", SERVICE, "POST", "/pay")).isEqualTo(MaskingRule.ALL);

    PolicySet base =
        PolicySet.of(new CapturePolicy(true, 256, 0.05, 0.65, 2000L, CapturePolicy.MASKING_RULES, List.of()));
    // The service keeps only the authorization rule; one of its endpoints masks nothing at all,
    // another endpoint of a path holding an address is named as users see it (masked).
    enforcer.apply(
        base.with(scoped(PolicyScope.service(SERVICE), rules("authorization")))
            .with(scoped(PolicyScope.endpoint(SERVICE, "GET", "/raw"), rules()))
            .with(scoped(PolicyScope.endpoint(SERVICE, "GET", "/u/[masked:email]"), rules("email"))));
    assertThat(enforcer.maskingRules("test-host", SERVICE, "POST", "/pay"))
        .isEqualTo(MaskingRule.AUTHORIZATION.bit());
    assertThat(enforcer.maskingRules("test-host", SERVICE, "GET", "/raw?e=a@b.com")).isZero();
    assertThat(enforcer.maskingRules("test-host", SERVICE, "GET", "/u/bob@example.com"))
        .isEqualTo(MaskingRule.EMAIL.bit());
    assertThat(enforcer.maskingRules("test-host", "python3:9999", "GET", "/raw")).isEqualTo(MaskingRule.ALL);

    assembler.maskWith(enforcer::maskingRules);
    Span s = serve(REQUEST, RESPONSE);
    assertThat(s.path()).as("email and card rules removed for the service")
        .isEqualTo("/pay?email=alice@example.com&card=4111111111111111");
    assertThat(s.requestExcerpt()).contains("Authorization: Bearer [masked:authorization]").contains("sid=c00kieValue");
    assertThat(assembler.maskingCounters().masked(MaskingRule.AUTHORIZATION)).isEqualTo(1);
    assertThat(assembler.maskingCounters().masked(MaskingRule.EMAIL)).isZero();

    // A newer global revision that removes every rule: a scope without its own rules masks nothing.
    enforcer.apply(base.with(new ScopedPolicy(PolicyScope.GLOBAL, 1, rules(), 1000L)));
    assertThat(enforcer.maskingRules("test-host", "python3:9999", "GET", "/x")).isZero();
  }

  private Span serve(String request, String response) {
    Sock b = server("python3", 100, 7, "127.0.0.1:8081", "127.0.0.1:50000");
    int before = spans.size();
    assembler.acceptBatch(
        List.of(b.accept(ms(0)), b.in(ms(1), 101, request), b.out(ms(5), 101, response), b.close(ms(6))));
    assembler.tick(ms(200));
    assertThat(spans).hasSize(before + 1);
    return spans.get(before);
  }

  private static void assertNoSecret(String text) {
    for (String secret : SECRETS) {
      assertThat(text).doesNotContain(secret);
    }
  }

  private static CapturePolicy rules(String... names) {
    return new CapturePolicy(null, null, null, null, null, List.of(names), null);
  }

  private static ScopedPolicy scoped(PolicyScope scope, CapturePolicy policy) {
    return new ScopedPolicy(scope, 1, policy, 1000L);
  }

}
