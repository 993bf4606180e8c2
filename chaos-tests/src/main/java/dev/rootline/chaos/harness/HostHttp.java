package dev.rootline.chaos.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * HTTP GETs made from inside one namespace host with curl: the hosts' addresses exist only inside
 * their namespaces, so the harness asks the nodes' APIs from there ({@code ip netns exec NS curl}).
 */
public final class HostHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STATUS_MARK = "\n#status=";

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
                      "curl", "-s", "-m", Long.toString(Math.max(1, timeout.toSeconds())),
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

  public record Response(int status, String body) {}
}
