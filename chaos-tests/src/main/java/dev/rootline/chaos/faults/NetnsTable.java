package dev.rootline.chaos.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An nftables table of its own inside a network namespace, replaced and deleted atomically.
 *
 * <p>Every fault owns one table, so faults never touch each other's rules nor anything else in
 * the namespace, and deleting the table is the whole cleanup. Replacing is one {@code nft -f}
 * transaction that declares the table, deletes it and declares it again: re-injecting never
 * stacks rules, and healing a table that does not exist is not an error.
 */
final class NetnsTable {

  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern CIDR = Pattern.compile("[0-9A-Fa-f:.]{2,45}(/[0-9]{1,3})?");
  private static final Pattern COUNTER = Pattern.compile("counter packets ([0-9]+) bytes");

  private final String namespace;
  private final String table;

  NetnsTable(String namespace, String table) {
    this.namespace = checkNamespace(namespace);
    this.table = table;
  }

  static String checkNamespace(String namespace) {
    if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          "network namespace name must match " + NAMESPACE.pattern() + ", got: " + namespace);
    }
    return namespace;
  }

  /** Checks a CIDR (or single address) literal; nft validates it fully when the rules load. */
  static String checkCidr(String cidr) {
    if (cidr == null || !CIDR.matcher(cidr).matches()) {
      throw new IllegalArgumentException("peers must be an address or CIDR like 10.200.0.0/24, got: " + cidr);
    }
    return cidr;
  }

  /** {@code ip} or {@code ip6}, the nft payload family a peers literal belongs to. */
  static String family(String cidr) {
    return cidr.contains(":") ? "ip6" : "ip";
  }

  /** A table name derived from the fault kind and its peers, so one kind per peer set is idempotent. */
  static String tableName(String kind, String cidr) {
    return "rootline_" + kind + "_" + cidr.replaceAll("[^0-9A-Za-z]", "_");
  }

  String namespace() {
    return namespace;
  }

  String table() {
    return table;
  }

  boolean namespaceExists() {
    return Files.exists(Path.of("/run/netns", namespace));
  }

  /** Atomically replaces the table with {@code chains} (nft syntax of the table's body). */
  void replace(String chains) throws CommandFailedException, InterruptedException {
    if (!namespaceExists()) {
      throw new IllegalStateException("network namespace " + namespace + " does not exist (/run/netns/" + namespace + ")");
    }
    String script =
        "table inet " + table + "\n"
            + "delete table inet " + table + "\n"
            + "table inet " + table + " {\n" + chains + "}\n";
    nft(script, "-f", "-");
  }

  /** Deletes the table; nothing to do when it or the whole namespace is already gone. */
  void delete() throws CommandFailedException, InterruptedException {
    if (!namespaceExists()) {
      return;
    }
    nft("table inet " + table + "\ndelete table inet " + table + "\n", "-f", "-");
  }

  boolean exists() throws CommandFailedException, InterruptedException {
    if (!namespaceExists()) {
      return false;
    }
    Commands.Result result =
        Commands.exec(Commands.DEFAULT_TIMEOUT, null, List.of("ip", "netns", "exec", namespace, "nft", "list", "table", "inet", table));
    return result.exitCode() == 0;
  }

  /** Sum of the packet counters in the table; 0 when it does not exist. */
  long countedPackets() throws CommandFailedException, InterruptedException {
    if (!namespaceExists()) {
      return 0;
    }
    Commands.Result result =
        Commands.exec(Commands.DEFAULT_TIMEOUT, null, List.of("ip", "netns", "exec", namespace, "nft", "list", "table", "inet", table));
    if (result.exitCode() != 0) {
      return 0;
    }
    long total = 0;
    Matcher counter = COUNTER.matcher(result.stdout());
    while (counter.find()) {
      total += Long.parseLong(counter.group(1));
    }
    return total;
  }

  private void nft(String stdin, String... args) throws CommandFailedException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("ip", "netns", "exec", namespace, "nft"));
    command.addAll(List.of(args));
    try {
      Commands.run(Commands.DEFAULT_TIMEOUT, stdin, command);
    } catch (CommandFailedException e) {
      throw new CommandFailedException(
          e.command(), e.exitCode(), "", e.stderr(), "failed for table inet " + table + " with script:\n" + stdin);
    }
  }
}
