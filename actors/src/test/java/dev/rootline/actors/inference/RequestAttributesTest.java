package dev.rootline.actors.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.Span;
import org.junit.jupiter.api.Test;

class RequestAttributesTest {

  @Test
  void pathIdsQueryHeadersAndJsonFieldsButNoSecrets() {
    String excerpt = "POST /cart/42/items?coupon=XMAS&token=abc HTTP/1.1\r\nHost: shop\r\n"
        + "X-Tenant: acme\r\nAuthorization: Bearer s3cret\r\n\r\n{\"sku\":\"B-7\",\"qty\":3,\"password\":\"pw\"}";
    Span span = new Span("t", "s", null, Span.Kind.SERVER, "h", "cart:8081", 1, "POST",
        "/cart/42/items?coupon=XMAS&token=abc", 200, 0, 1, 0, 0, "", "", excerpt, "", null);

    assertThat(RequestAttributes.of(span, 10)).containsExactly("path[2]=42", "query.coupon=XMAS",
        "header.x-tenant=acme", "body.sku=B-7", "body.qty=3");
    assertThat(RequestAttributes.of(span, 2)).hasSize(2);
  }
}
