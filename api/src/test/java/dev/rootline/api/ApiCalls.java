package dev.rootline.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/** Requests the API tests make, and what every answer of a kind must look like. */
final class ApiCalls {

  private ApiCalls() {}

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
