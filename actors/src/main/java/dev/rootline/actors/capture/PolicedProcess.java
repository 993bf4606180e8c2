package dev.rootline.actors.capture;

import dev.rootline.persistence.CborSerializable;
import java.util.List;

/**
 * A process that capture policies treat apart from the node's global settings.
 *
 * @param pid the process (tgid)
 * @param host the host its spans were captured on
 * @param services the services it was seen serving ("process:port")
 * @param muted nothing of it is captured (its client calls included)
 * @param payloadBytes its own payload size, or -1 for the global one
 * @param inKernel whether the kernel's {@code process_policy} map holds exactly this (false when
 *     the node has no kernel capture, or writing the map failed and is retried at the next
 *     change)
 */
public record PolicedProcess(
    int pid, String host, List<String> services, boolean muted, int payloadBytes, boolean inKernel)
    implements CborSerializable {

  public PolicedProcess {
    services = List.copyOf(services);
  }
}
