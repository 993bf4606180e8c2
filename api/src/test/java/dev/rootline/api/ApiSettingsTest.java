package dev.rootline.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ApiSettingsTest {

  /** reference.conf's default, unless ./rootline (which runs these tests too) exported its own. */
  static final Path DEFAULT_TOKEN_FILE =
      Path.of(java.util.Objects.requireNonNullElse(System.getenv("ROOTLINE_API_TOKEN_FILE"), ".rootline/api-token"));

  @Test
  void defaultsComeFromReferenceConf() {
    ApiSettings defaults = settings("");
    assertThat(defaults)
        .isEqualTo(new ApiSettings(
            "127.0.0.1", 8080, 50, 1000, Duration.ofSeconds(5), 100, 256, Duration.ofSeconds(2),
            new AuthSettings(List.of(), DEFAULT_TOKEN_FILE)));
  }

  @Test
  void overridesAreRead() {
    assertThat(
            settings(
                "host = \"0.0.0.0\", port = 0, default-limit = 20, max-limit = 200,"
                    + " store-timeout = 750ms,"
                    + " stream { max-connections = 3, max-queued-messages = 9, closing-timeout = 7s }"))
        .isEqualTo(
            new ApiSettings("0.0.0.0", 0, 20, 200, Duration.ofMillis(750), 3, 9, Duration.ofSeconds(7),
                new AuthSettings(List.of(), DEFAULT_TOKEN_FILE)));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "port = 70000                   | rootline.api.port",
        "max-limit = 1001               | rootline.api.max-limit",
        "max-limit = 0                  | rootline.api.max-limit",
        "default-limit = 0              | rootline.api.default-limit",
        "max-limit = 10, default-limit = 11 | rootline.api.default-limit",
        "store-timeout = 0s             | rootline.api.store-timeout",
        "stream.max-connections = -1    | rootline.api.stream.max-connections",
        "stream.max-queued-messages = 0 | rootline.api.stream.max-queued-messages",
        "host = \"\"                    | rootline.api.host",
        "stream.closing-timeout = 500ms | rootline.api.stream.closing-timeout",
      })
  void refusesValuesThatCannotWork(String override, String key) {
    assertThatThrownBy(() -> settings(override))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining(key);
  }

  private static ApiSettings settings(String apiOverrides) {
    return ApiSettings.create(
        ConfigFactory.parseString("rootline.api { " + apiOverrides + " }")
            .withFallback(ConfigFactory.defaultReference())
            .resolve());
  }
}
