package dev.rootline.api;

import io.vertx.core.json.JsonObject;

/**
 * A request the API refuses or cannot serve, with the status and the words the client gets:
 * {@code {"error": "...", "detail": "..."}}. Thrown or failed by handlers, answered by {@link
 * ApiFailureHandler}.
 */
public final class ApiProblem extends RuntimeException {

  private final int status;
  private final String error;
  private final String detail;

  public ApiProblem(int status, String error, String detail, Throwable cause) {
    super(error + ": " + detail, cause, false, false);
    this.status = status;
    this.error = error;
    this.detail = detail;
  }

  public static ApiProblem badRequest(String detail) {
    return new ApiProblem(400, "bad request", detail, null);
  }

  public static ApiProblem notFound(String detail) {
    return new ApiProblem(404, "not found", detail, null);
  }

  public static ApiProblem methodNotAllowed(String detail) {
    return new ApiProblem(405, "method not allowed", detail, null);
  }

  public static ApiProblem storeUnavailable(String detail, Throwable cause) {
    return new ApiProblem(503, "store unavailable", detail, cause);
  }

  public static ApiProblem internal(String detail, Throwable cause) {
    return new ApiProblem(500, "internal error", detail, cause);
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }

  public String detail() {
    return detail;
  }

  public JsonObject toJson() {
    return new JsonObject().put("error", error).put("detail", detail);
  }
}
