package dev.rootline.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientSession;
import java.util.LinkedHashMap;
import java.util.Map;

/** Requests the API tests make, and what every answer of a kind must look like. */
final class ApiCalls {

  /** Name -> role of the test tokens; each token is "test-token-" + name + "-0123456789". */
  static final Map<String, String> ROLES = new LinkedHashMap<>();

  static {
    ROLES.put("root", "admin"); // the default caller of every test client
    ROLES.put("alice", "admin");
    ROLES.put("bob", "admin");
    ROLES.put("carol", "operator");
    ROLES.put("erin", "operator");
    ROLES.put("olga", "operator");
    ROLES.put("vera", "viewer");
  }

  /** {@code rootline.api.auth.tokens} with every test token: a fallback for the tests' configs. */
  static final Config TEST_TOKENS =
      ConfigFactory.parseString(
          "rootline.api.auth.tokens = ["
              + String.join(
                  ", ",
                  ROLES.entrySet().stream()
                      .map(e -> "{ name = " + e.getKey() + ", role = " + e.getValue() + ", token = \""
                          + tokenOf(e.getKey()) + "\" }")
                      .toList())
              + "]");

  private ApiCalls() {}

  static String tokenOf(String name) {
    return "test-token-" + name + "-0123456789";
  }

  /** A client that sends root's (admin) token on every request. */
  static WebClient client(Vertx vertx) {
    return WebClientSession.create(WebClient.create(vertx))
        .addHeader("Authorization", "Bearer " + tokenOf("root"));
  }

  /** The stream's handshake with root's token in the Authorization header. */
  static WebSocketConnectOptions stream(int port) {
    return new WebSocketConnectOptions()
        .setHost("127.0.0.1")
        .setPort(port)
        .setURI("/api/v1/stream")
        .addHeader("Authorization", "Bearer " + tokenOf("root"));
  }

  static HttpResponse<Buffer> get(WebClient http, int port, String uri) throws Exception {
    return http.get(port, "127.0.0.1", uri).send().await(5, SECONDS);
  }

  static JsonObject okJson(HttpResponse<Buffer> response, String uri) {
    assertThat(response.statusCode()).as(uri + " -> " + response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    return response.bodyAsJsonObject();
  }

  static void assertBadRequest(HttpResponse<Buffer> response, String detail) {
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("error", "bad request").put("detail", detail));
  }
}
