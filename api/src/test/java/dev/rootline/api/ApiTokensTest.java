package dev.rootline.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The token table from config: plain and hashed tokens, every refused entry, the generated token. */
class ApiTokensTest {

  static final String ALICE = "alice-token-0123456789abcdef";
  static final String BOB = "bob-token-0123456789abcdef";

  @TempDir Path dir;

  @Test
  void plainAndHashedTokensNameTheirPrincipal() {
    String bobSha = HexFormat.of().formatHex(ApiToken.sha256(BOB));
    ApiTokens tokens =
        ApiTokens.from(
            auth("{ name = alice, role = admin, token = \"" + ALICE + "\" },"
                + " { name = bob, role = viewer, token-sha256 = \"" + bobSha.toUpperCase() + "\" }"));

    assertThat(tokens.authenticate(ALICE)).contains(new ApiPrincipal("alice", ApiRole.ADMIN));
    assertThat(tokens.authenticate(BOB)).contains(new ApiPrincipal("bob", ApiRole.VIEWER));
    assertThat(tokens.authenticate(bobSha)).as("the digest is not the token").isEmpty();
    assertThat(tokens.authenticate(ALICE + "x")).isEmpty();
    assertThat(tokens.authenticate(ALICE.substring(1))).isEmpty();
    assertThat(tokens.authenticate("")).isEmpty();
    assertThat(tokens.authenticate(null)).isEmpty();
    assertThat(Files.exists(dir.resolve("api-token"))).as("configured tokens: nothing generated").isFalse();
  }

  @Test
  void aTokenNeverShowsInItsStringForm() {
    AuthSettings settings = auth("{ name = alice, role = operator, token = \"" + ALICE + "\" }");
    assertThat(settings.toString()).doesNotContain(ALICE).contains("alice");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{ name = a, role = root, token = \"t-0123456789abcdef\" }  | tokens[0].role | unknown role 'root'; one of viewer, operator, admin",
        "{ name = a, token = \"t-0123456789abcdef\" }               | tokens[0].role | missing",
        "{ name = a, role = admin, token = \"\" }                   | tokens[0].token | is empty",
        "{ name = a, role = admin, token = \"two words\" }          | tokens[0].token | whitespace",
        "{ name = a, role = admin }                                 | tokens[0]      | exactly one of token or token-sha256",
        "{ name = a, role = admin, token = x-0123456789abcdef, token-sha256 = \"00\" } | tokens[0] | exactly one",
        "{ name = a, role = admin, token-sha256 = \"abc\" }         | tokens[0].token-sha256 | 64 hex characters",
        "{ role = admin, token = \"t-0123456789abcdef\" }           | tokens[0].name | printable characters",
        "{ name = a, role = admin, tokn = \"t-0123456789abcdef\" }  | tokens[0]      | unknown key 'tokn'",
        "{ name = a, role = admin, token = \"same-0123456789abcdef\" }, { name = b, role = viewer, token = \"same-0123456789abcdef\" } | tokens[1] | same token as 'a'",
      })
  void aBadEntryStopsTheStartNamingIt(String entries, String key, String why) {
    assertThatThrownBy(() -> auth(entries))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("rootline.api.auth." + key)
        .hasMessageContaining(why)
        .hasMessageNotContaining("0123456789abcdef");
  }

  @Test
  void withoutTokensAnAdminTokenIsGeneratedIntoAnOwnerOnlyFileAndKept() throws Exception {
    Path file = dir.resolve("state/api-token");
    AuthSettings none = auth("");

    ApiTokens first = ApiTokens.from(none);
    String token = Files.readString(file).strip();
    assertThat(token).matches("[A-Za-z0-9_-]{32}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(first.authenticate(token)).contains(new ApiPrincipal("admin", ApiRole.ADMIN));
    assertThat(first.size()).isEqualTo(1);

    // a restart keeps the token (a user may have pasted it into the UI), and narrows a widened file
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    ApiTokens second = ApiTokens.from(none);
    assertThat(second.authenticate(token)).isPresent();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

    // an emptied file gets a fresh token
    Files.writeString(file, "\n");
    ApiTokens third = ApiTokens.from(none);
    assertThat(third.authenticate(token)).isEmpty();
    assertThat(third.authenticate(Files.readString(file).strip())).isPresent();
    assertThat(GeneratedAdminToken.generate()).isNotEqualTo(GeneratedAdminToken.generate());
  }

  private AuthSettings auth(String entries) {
    return ApiSettings.create(
            ConfigFactory.parseString(
                    "rootline.api.auth { tokens = [" + entries + "], generated-token-file = \""
                        + dir.resolve("state/api-token") + "\" }")
                .withFallback(ConfigFactory.defaultReference())
                .resolve())
        .auth();
  }

  @Test
  void anEmptyTableIsRefused() {
    assertThatThrownBy(() -> new ApiTokens(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
