package dev.rootline.actors.trace;

import static dev.rootline.actors.trace.TestSpans.checkout;
import static dev.rootline.actors.trace.TestSpans.withError;
import static dev.rootline.actors.trace.TestSpans.withStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FailureRulesTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("all 200", 2, UnaryOperator.<Span>identity(), List.of()),
        Arguments.of("404 is not a failure", 2, status(404), List.of()),
        Arguments.of("499 is not a failure", 0, status(499), List.of()),
        Arguments.of(
            "500 from the downstream server", 2, status(500),
            List.of("status 500 from python3:8082 GET /stock/7")),
        Arguments.of(
            "503 at the root, query stripped", 0, status(503),
            List.of("status 503 from python3:8080 GET /checkout")),
        Arguments.of(
            "connection reset on the client span", 1, error("connection reset"),
            List.of("connection reset at python3 GET /stock/7")),
        Arguments.of(
            "timeout", 1, error("timeout"), List.of("timeout at python3 GET /stock/7")),
        Arguments.of(
            "closed before response, no status", 1,
            (UnaryOperator<Span>) s -> withStatus(withError(s, "connection closed before response"), 0),
            List.of("connection closed before response at python3 GET /stock/7")),
        Arguments.of(
            "5xx and an error on one span give two reasons", 2,
            (UnaryOperator<Span>) s -> withError(withStatus(s, 502), "connection reset"),
            List.of(
                "status 502 from python3:8082 GET /stock/7",
                "connection reset at python3:8082 GET /stock/7")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reasons(String name, int spanIndex, UnaryOperator<Span> change, List<String> expected) {
    List<Span> spans = new ArrayList<>(checkout("python3:8080", "/checkout?cart=9", 20, 1000));
    spans.set(spanIndex, change.apply(spans.get(spanIndex)));

    assertThat(FailureRules.reasons(spans)).containsExactlyElementsOf(expected);
  }

  @org.junit.jupiter.api.Test
  void manyFailuresAreSummarised() {
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      spans.add(withStatus(TestSpans.server("t", null, "svc" + i, "/x", 1), 500));
    }
    List<String> reasons = FailureRules.reasons(spans);
    assertThat(reasons).hasSize(FailureRules.MAX_REASONS + 1);
    assertThat(reasons.get(FailureRules.MAX_REASONS)).isEqualTo("and 15 more failures");
  }

  private static UnaryOperator<Span> status(int status) {
    return s -> withStatus(s, status);
  }

  private static UnaryOperator<Span> error(String error) {
    return s -> withError(s, error);
  }
}
