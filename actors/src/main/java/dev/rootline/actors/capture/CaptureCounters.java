package dev.rootline.actors.capture;

import dev.rootline.persistence.CborSerializable;

/**
 * A snapshot of what the {@link SpanAssembler} has seen since it started. All values are
 * monotonic totals except {@code connectionsTracked}, which is the current table size.
 *
 * @param events capture events consumed
 * @param bytes payload bytes moved by successful DATA events (as the kernel reported them)
 * @param truncatedEvents DATA events whose payload held fewer bytes than were moved
 * @param requestsParsed request heads parsed (server and client side)
 * @param spansEmitted spans handed to the sink
 * @param parseErrors connections that spoke HTTP and then sent bytes that are not HTTP/1.x,
 *     or exceeded a header or buffer limit
 * @param nonHttpConnections connections whose first bytes were not HTTP/1.x (TLS, CQL, ...)
 * @param headsCut message heads that were cut by the capture's payload limit
 * @param connectionsTracked connections in the table now
 * @param connectionsOpened connections ever added to the table
 * @param connectionsEvicted connections dropped for idleness or because the table was full
 * @param timeouts exchanges given up after {@code request-timeout}
 * @param unmatchedResponses responses seen with no request outstanding on their connection
 * @param droppedExchanges exchanges dropped without a span (pipelining limit, evicted connection)
 * @param internalErrors events whose processing threw (a bug; the connection was dropped)
 */
public record CaptureCounters(
    long events,
    long bytes,
    long truncatedEvents,
    long requestsParsed,
    long spansEmitted,
    long parseErrors,
    long nonHttpConnections,
    long headsCut,
    long connectionsTracked,
    long connectionsOpened,
    long connectionsEvicted,
    long timeouts,
    long unmatchedResponses,
    long droppedExchanges,
    long internalErrors)
    implements CborSerializable {}
