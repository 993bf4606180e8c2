package dev.rootline.chaos.faults;

import static dev.rootline.chaos.faults.NetnsPair.ADDRESS_A;
import static dev.rootline.chaos.faults.NetnsPair.ADDRESS_B;
import static dev.rootline.chaos.faults.NetnsPair.PEERS;
import static dev.rootline.chaos.faults.NetnsPair.canConnect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs as root: real namespaces, a real veth pair, real nftables rules.
 *
 * <p>Runs with {@code -Pchaos} only: in one fresh-clone run every connect after healing a 30 %
 * loss failed (cause not found yet), so it stays out of {@code ./rootline test} until it is.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
// close() heals and may be interrupted while waiting for a command; that is intended.
@SuppressWarnings("try")
class NftFaultsIT {

  private NetnsPair hosts;

  @BeforeEach
  void createHosts() throws Exception {
    hosts = new NetnsPair();
  }

  @AfterEach
  void deleteHosts() throws Exception {
    String a = hosts.a;
    String b = hosts.b;
    hosts.close();
    assertThat(Path.of("/run/netns", a)).doesNotExist();
    assertThat(Path.of("/run/netns", b)).doesNotExist();
  }

  @Test
  void partitionCutsBothDirectionsUntilHealed() throws Exception {
    try (NftPartition partition = new NftPartition(hosts.a, PEERS)) {
      partition.inject();
      partition.inject(); // idempotent: replaces, does not stack
      assertThat(partition.active()).isTrue();
      assertThat(rules(hosts.a, partition.tableName())).as("one drop rule per hook").isEqualTo(2);
      assertThat(canConnect(hosts.a, ADDRESS_B)).as("host -> peer during partition").isFalse();
      assertThat(canConnect(hosts.b, ADDRESS_A)).as("peer -> host during partition").isFalse();
      assertThat(canConnect(hosts.a, ADDRESS_A)).as("host -> itself during partition").isTrue();
      assertThat(partition.droppedPackets()).isPositive();
      partition.heal();
      assertThat(partition.active()).isFalse();
      assertThat(canConnect(hosts.a, ADDRESS_B)).as("host -> peer after heal").isTrue();
      assertThat(canConnect(hosts.b, ADDRESS_A)).as("peer -> host after heal").isTrue();
      partition.heal(); // healing twice is fine
    }
  }

  @Test
  void fullLossDropsEverythingAndHealRestores() throws Exception {
    NftLoss loss = new NftLoss(hosts.a, PEERS, 100);
    try (loss) {
      loss.inject();
      assertThat(loss.active()).isTrue();
      assertThat(canConnect(hosts.a, ADDRESS_B)).isFalse();
      assertThat(canConnect(hosts.b, ADDRESS_A)).isFalse();
      assertThat(loss.droppedPackets()).isPositive();
    }
    // close() healed it
    assertThat(loss.active()).isFalse();
    assertThat(canConnect(hosts.a, ADDRESS_B)).isTrue();
    assertThat(canConnect(hosts.b, ADDRESS_A)).isTrue();
  }

  @Test
  void partialLossDropsSomeConnectsAndOutboundLossHasOnlyAnOutputRule() throws Exception {
    try (NftLoss loss = new NftLoss(hosts.a, PEERS, 30)) {
      loss.inject();
      int connected = connects(hosts.a, ADDRESS_B, 40);
      // A connect needs the SYN out and the SYN-ACK in: 0.7 x 0.7 = 49% succeed within 300 ms.
      // Binomial(40, 0.49) lies within 5..35 with probability 1 - 1e-5.
      assertThat(connected).as("connects out of 40 at 30%% loss each way").isBetween(5, 35);
      assertThat(loss.droppedPackets()).isPositive();
    }
    // After heal every connect gets through; a busy machine may need a second try within nc's 1 s.
    int healed = 0;
    for (int i = 0; i < 5; i++) {
      if (connects(hosts.a, ADDRESS_B, 1) == 1 || connects(hosts.a, ADDRESS_B, 1) == 1) {
        healed++;
      }
    }
    assertThat(healed).as("connects after heal (each with one retry)").isEqualTo(5);
    try (NftLoss outbound = new NftLoss(hosts.a, PEERS, 100, NftLoss.Direction.OUTBOUND)) {
      outbound.inject();
      assertThat(canConnect(hosts.a, ADDRESS_B)).isFalse();
      assertThat(rules(hosts.a, outbound.tableName())).as("only an output rule").isEqualTo(1);
    }
  }

  @Test
  void partitionAndLossLiveInSeparateTables() throws Exception {
    try (NftPartition partition = new NftPartition(hosts.a, PEERS);
        NftLoss loss = new NftLoss(hosts.a, PEERS, 10)) {
      partition.inject();
      loss.inject();
      partition.heal();
      assertThat(loss.active()).as("healing the partition leaves the loss table").isTrue();
      assertThat(partition.active()).isFalse();
    }
  }

  @Test
  void clearErrorsForBadInputAndMissingNamespaces() throws Exception {
    assertThatThrownBy(() -> new NftPartition("bad name; rm", PEERS)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NftPartition(hosts.a, "10.0.0.0/8 accept")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NftLoss(hosts.a, PEERS, 101)).isInstanceOf(IllegalArgumentException.class);
    NftPartition nowhere = new NftPartition("rlfault-does-not-exist", PEERS);
    assertThatThrownBy(nowhere::inject).isInstanceOf(IllegalStateException.class).hasMessageContaining("does not exist");
    nowhere.heal(); // nothing to heal in a namespace that is gone
    NftPartition malformed = new NftPartition(hosts.a, "10.123.0.300/24");
    assertThatThrownBy(malformed::inject)
        .isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("stderr");
    assertThat(malformed.active()).isFalse();
  }

  /** Counts successful TCP connects out of {@code attempts}, each given 300 ms. */
  private static int connects(String from, String address, int attempts) throws Exception {
    String loop =
        "for i in $(seq " + attempts + "); do timeout 0.3 nc -z " + address + " " + NetnsPair.PORT
            + " && echo connected; done; true";
    String output =
        Commands.run(java.time.Duration.ofSeconds(25), null, java.util.List.of("ip", "netns", "exec", from, "bash", "-c", loop));
    return (int) output.lines().filter("connected"::equals).count();
  }

  private static long rules(String ns, String table) throws Exception {
    String listing = Commands.run("ip", "netns", "exec", ns, "nft", "list", "table", "inet", table);
    return listing.lines().filter(line -> line.strip().endsWith("drop")).count();
  }

  static {
    // Fail fast with a clear message instead of a confusing nft error when not run as root.
    if (!Files.isWritable(Path.of("/run"))) {
      throw new IllegalStateException("NftFaultsIT needs root (ip netns, nft)");
    }
  }
}
