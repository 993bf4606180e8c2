package dev.rootline.chaos.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * HTTP GETs made from inside one namespace host with curl: the hosts' addresses exist only inside
 * their namespaces, so the harness asks the nodes' APIs from there ({@code ip netns exec NS curl}).
 */
public final class HostHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STATUS_MARK = "\n#status=";

  /** The harness's API token, new per run; {@link NodeJvm} configures it on every node. */
  static final String TOKEN = newToken();
  /** {@code rootline.api.auth.tokens} of the nodes: the harness is their one (admin) caller. */
  public static final String TOKEN_CONFIG =
      "rootline.api.auth.tokens = [ { name = \"chaos-harness\", role = admin, token = \"" + TOKEN + "\" } ]";
  /** curl reads the Authorization header from this owner-only file, so no command line shows it. */
  private static final Path AUTH_HEADER = authHeaderFile();

  private final NetnsLab lab;
  private final int host;

  public HostHttp(NetnsLab lab, int host) {
    this.lab = lab;
    this.host = host;
  }

  /** The status (0: no answer) and body of GET url. */
  public Response get(String url, Duration timeout) throws InterruptedException {
    try {
      String out =
          Commands.run(
              lab.inside(
                  host,
                  List.of(
                      "curl", "-s", "-H", "@" + AUTH_HEADER, "-m", Long.toString(Math.max(1, timeout.toSeconds())),
                      "-w", STATUS_MARK + "%{http_code}", url)),
              timeout.plusSeconds(10));
      int mark = out.lastIndexOf(STATUS_MARK);
      int status = Integer.parseInt(out.substring(mark + STATUS_MARK.length()).trim());
      return new Response(status, out.substring(0, mark));
    } catch (IOException | NumberFormatException noAnswer) {
      return new Response(0, noAnswer.getMessage());
    }
  }

  /** GET url as JSON; null unless the answer was a 200 with a JSON body. */
  public JsonNode json(String url, Duration timeout) throws InterruptedException {
    Response r = get(url, timeout);
    if (r.status() != 200) {
      return null;
    }
    try {
      return JSON.readTree(r.body());
    } catch (IOException notJson) {
      return null;
    }
  }

  private static String newToken() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static Path authHeaderFile() {
    try {
      Path file = Files.createTempFile("rootline-chaos-auth", ".header", PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
      file.toFile().deleteOnExit();
      return Files.writeString(file, "Authorization: Bearer " + TOKEN + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public record Response(int status, String body) {}
}
