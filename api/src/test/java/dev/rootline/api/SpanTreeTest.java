package dev.rootline.api;

import static dev.rootline.api.ApiServerTest.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.RetainedTrace;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Odd captures still give a tree in which every span appears exactly once. */
class SpanTreeTest {

  static final String TRACE = "ef".repeat(16);

  @Test
  void spanWhoseParentWasNotCapturedIsARoot() {
    JsonArray roots =
        tree(
            span(TRACE, "s1", null, "python3:8080", 0, 50, 200),
            span(TRACE, "s2", "not-captured", "python3:8081", 10, 5, 200),
            span(TRACE, "s3", "s1", "python3", 1, 20, 200));
    assertThat(ids(roots)).containsExactly("s1", "s2");
    assertThat(ids(roots.getJsonObject(0).getJsonArray("children"))).containsExactly("s3");
    assertThat(roots.getJsonObject(1).getLong("offsetNanos")).isEqualTo(10 * ApiServerTest.MS);
  }

  @Test
  void childrenAreInStartOrderWhateverTheStoredOrder() {
    JsonArray roots =
        tree(
            span(TRACE, "late", "r", "b", 30, 1, 200),
            span(TRACE, "r", null, "a", 0, 50, 200),
            span(TRACE, "early", "r", "b", 5, 1, 200));
    assertThat(ids(roots.getJsonObject(0).getJsonArray("children"))).containsExactly("early", "late");
  }

  @Test
  void duplicatedSpanIdDoesNotRepeatChildren() {
    JsonArray roots =
        tree(
            span(TRACE, "dup", null, "a", 0, 50, 200),
            span(TRACE, "dup", null, "a", 1, 40, 200),
            span(TRACE, "kid", "dup", "b", 2, 5, 200));
    assertThat(ids(roots)).containsExactly("dup", "dup");
    assertThat(ids(roots.getJsonObject(0).getJsonArray("children"))).containsExactly("kid");
    assertThat(roots.getJsonObject(1).getJsonArray("children")).isEmpty();
  }

  @Test
  void selfParentedSpanIsARoot() {
    assertThat(ids(tree(span(TRACE, "me", "me", "a", 0, 1, 200)))).containsExactly("me");
  }

  private static JsonArray tree(ApiServerTest.SpanBuilder... spans) {
    RetainedTrace trace =
        new RetainedTrace(
            TRACE, Stream.of(spans).map(ApiServerTest.SpanBuilder::build).toList(), 0, List.of(), 0);
    JsonObject json = SpanTree.toJson(trace);
    assertThat(json.getJsonObject("trace").getInteger("spanCount")).isEqualTo(spans.length);
    assertThat(count(json.getJsonArray("spans"))).as("every span exactly once").isEqualTo(spans.length);
    return json.getJsonArray("spans");
  }

  private static int count(JsonArray nodes) {
    int n = 0;
    for (int i = 0; i < nodes.size(); i++) {
      n += 1 + count(nodes.getJsonObject(i).getJsonArray("children"));
    }
    return n;
  }

  private static List<String> ids(JsonArray nodes) {
    List<String> ids = new ArrayList<>();
    nodes.forEach(n -> ids.add(((JsonObject) n).getString("spanId")));
    return ids;
  }
}
