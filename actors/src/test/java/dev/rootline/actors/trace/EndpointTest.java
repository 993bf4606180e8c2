package dev.rootline.actors.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/checkout                                   | /checkout",
        "/checkout?cart=3&x=1                        | /checkout",
        "/cart/42                                    | /cart/{id}",
        "/cart/42/items/7?full=1                     | /cart/{id}/items/{id}",
        "/u/123e4567-e89b-12d3-a456-426614174000/x   | /u/{id}/x",
        "/blob/9f86d081884c7d659a2feaa0c55ad015      | /blob/{id}",
        "/v2/api                                     | /v2/api",
        "/deadbeefcafe                               | /deadbeefcafe",
        "/                                           | /",
        "/a#frag                                     | /a",
        "''                                          | /",
      })
  void templates(String path, String template) {
    assertThat(Endpoint.template(path)).isEqualTo(template);
  }

  @Test
  void keyIsServiceMethodTemplate() {
    var root = TestSpans.server("t", null, "python3:8080", "/checkout/17?x=2", 5);
    assertThat(Endpoint.of(root)).isEqualTo("python3:8080 GET /checkout/{id}");
  }

  @Test
  void longPathsAreCut() {
    assertThat(Endpoint.template("/" + "a".repeat(5000))).hasSize(Endpoint.MAX_PATH_CHARS);
  }
}
