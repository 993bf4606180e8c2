package dev.rootline.persistence.readside;

import dev.rootline.persistence.TraceEvent;
import dev.rootline.persistence.TraceListingKey;
import java.util.List;
import java.util.OptionalLong;

/**
 * Which list rows a retained version leaves behind: those its previous version was listed under
 * ({@code from}) that this version ({@code to}) does not write again. A trace re-decided with
 * more spans may start earlier (an earlier span arrived late) or involve more services; its rows
 * under the old start time must go, or the list shows the trace twice. A row this version writes
 * again under the same key is not stale: deleting it with the same write timestamp would hide
 * the new row too (in Cassandra a deletion wins a timestamp tie).
 *
 * @param from how the previous version was listed, or null for a first version
 * @param to how this version is listed
 */
record ListingMove(TraceListingKey from, TraceListingKey to) {

  static ListingMove of(TraceEvent.TraceRetained event) {
    return new ListingMove(event.replaces(), TraceListingKey.of(event.trace()));
  }

  /** The start time of the {@code traces_by_time} row to delete, if the start moved. */
  OptionalLong staleTimeRow() {
    return startMoved() ? OptionalLong.of(from.startEpochNanos()) : OptionalLong.empty();
  }

  /**
   * Services whose {@code traces_by_service} row at {@code from}'s start time is to be deleted: all
   * of them when the start moved, else those this version no longer lists.
   */
  List<String> staleServiceRows() {
    if (from == null) {
      return List.of();
    }
    return startMoved()
        ? from.services()
        : from.services().stream().filter(service -> !to.services().contains(service)).toList();
  }

  private boolean startMoved() {
    return from != null && from.startEpochNanos() != to.startEpochNanos();
  }
}
