package dev.rootline.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The route -> role table: what each method and path needs, odd spellings included. */
class AccessTableTest {

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // public: the UI's static files, the redirect to them and the health probe
        "GET    | /                                      | public",
        "GET    | /ui                                    | public",
        "GET    | /ui/                                   | public",
        "GET    | /ui/assets/app.js                      | public",
        "HEAD   | /ui/index.html                         | public",
        "GET    | /api/v1/health                         | public",
        // every read needs a viewer, whatever it is
        "GET    | /api/v1/traces                         | viewer",
        "GET    | /api/v1/traces/4bf92f3577b34da6a3ce929d0e0e4736 | viewer",
        "GET    | /api/v1/issues/3fa9c2                  | viewer",
        "GET    | /api/v1/stream                         | viewer",
        "GET    | /api/v1/auth/whoami                    | viewer",
        "GET    | /api/v1/policies/global/history        | viewer",
        "GET    | /api/v1/models                         | viewer",
        "GET    | /api/v1/stats                          | viewer",
        "GET    | /uix                                   | viewer",
        "GET    | /favicon.ico                           | viewer",
        // feedback: operators
        "POST   | /api/v1/issues/3fa9c2/feedback         | operator",
        "POST   | /api/v1/feedback/missed-anomaly        | operator",
        // policies and models: admins
        "PUT    | /api/v1/policies/global                | admin",
        "PATCH  | /api/v1/policies/service%3Ajava%3A8082 | admin",
        "POST   | /api/v1/policies/global/revert         | admin",
        "POST   | /api/v1/models/root-cause/rollback     | admin",
        // no rule: admin, so a new route or an odd spelling never opens a change to lower roles
        "POST   | /api/v1/issues/3fa9c2/feedback/        | admin",
        "POST   | /api/v1/issues//feedback               | admin",
        "DELETE | /api/v1/policies/global                | admin",
        "POST   | /api/v1/traces                         | admin",
        "POST   | /ui/index.html                         | admin",
        "PUT    | /                                      | admin",
        "OPTIONS | /api/v1/traces                        | admin",
      })
  void eachRouteNeedsItsRole(String method, String path, String expected) {
    AccessTable.Access access = AccessTable.required(HttpMethod.valueOf(method), path);
    String needs =
        access instanceof AccessTable.Needs n ? n.role().configName() : "public";
    assertThat(needs).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} includes {1}: {2}")
  @CsvSource({
    "viewer, viewer, true", "viewer, operator, false", "viewer, admin, false",
    "operator, viewer, true", "operator, operator, true", "operator, admin, false",
    "admin, viewer, true", "admin, operator, true", "admin, admin, true",
  })
  void rolesIncludeTheOnesBelow(String role, String needed, boolean includes) {
    assertThat(ApiRole.parse(role).includes(ApiRole.parse(needed))).isEqualTo(includes);
  }
}
