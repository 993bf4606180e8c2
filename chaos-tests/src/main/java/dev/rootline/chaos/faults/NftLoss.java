package dev.rootline.chaos.faults;

/**
 * Random packet loss between a network-namespace host and its peers: each packet is dropped with
 * probability {@code percent}/100, chosen independently with nftables' {@code numgen random mod
 * 100 < percent}. This kernel has no netem, so this is the way to lose packets.
 *
 * <p>By default both directions are lossy, so a host made lossy sees {@code percent} loss on what it
 * sends and on what it receives. When every host of a mesh gets the fault, use {@link
 * Direction#OUTBOUND} so each packet crosses one lossy hook, not two (two hooks at 20% lose 36%).
 * The rules live in the table {@code inet rootline_loss_<peers>} inside the namespace; heal deletes
 * it. Loopback traffic is exempt.
 */
// close() heals and may be interrupted while waiting for a command; that is intended.
@SuppressWarnings("try")
public final class NftLoss implements Fault {

  /** Which packets of the host may be dropped. */
  public enum Direction {
    INBOUND,
    OUTBOUND,
    BOTH
  }

  private final String peersCidr;
  private final int percent;
  private final Direction direction;
  private final NetnsTable table;

  public NftLoss(String namespace, String peersCidr, int percent) {
    this(namespace, peersCidr, percent, Direction.BOTH);
  }

  public NftLoss(String namespace, String peersCidr, int percent, Direction direction) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("loss percent must be within 0..100, got " + percent);
    }
    if (direction == null) {
      throw new IllegalArgumentException("direction must not be null");
    }
    this.peersCidr = NetnsTable.checkCidr(peersCidr);
    this.percent = percent;
    this.direction = direction;
    this.table = new NetnsTable(namespace, NetnsTable.tableName("loss", peersCidr));
  }

  @Override
  public String name() {
    return "loss " + percent + "% " + direction.name().toLowerCase(java.util.Locale.ROOT)
        + " ns=" + table.namespace() + " peers=" + peersCidr;
  }

  public String namespace() {
    return table.namespace();
  }

  public String peersCidr() {
    return peersCidr;
  }

  public int percent() {
    return percent;
  }

  public Direction direction() {
    return direction;
  }

  /** The nftables table this fault owns (family {@code inet}). */
  public String tableName() {
    return table.table();
  }

  @Override
  public void inject() throws Exception {
    String ip = NetnsTable.family(peersCidr);
    StringBuilder chains = new StringBuilder();
    if (direction != Direction.OUTBOUND) {
      chains
          .append("  chain input {\n")
          .append("    type filter hook input priority -200; policy accept;\n")
          .append("    iifname \"lo\" accept\n")
          .append(dropRule(ip + " saddr " + peersCidr))
          .append("  }\n");
    }
    if (direction != Direction.INBOUND) {
      chains
          .append("  chain output {\n")
          .append("    type filter hook output priority -200; policy accept;\n")
          .append("    oifname \"lo\" accept\n")
          .append(dropRule(ip + " daddr " + peersCidr))
          .append("  }\n");
    }
    table.replace(chains.toString());
  }

  /**
   * nft compares {@code numgen random mod 100} only with 0..99, so 100% is a plain drop and 0%
   * no rule at all.
   */
  private String dropRule(String match) {
    if (percent == 0) {
      return "";
    }
    String random = percent == 100 ? "" : " numgen random mod 100 < " + percent;
    return "    " + match + random + " counter drop\n";
  }

  @Override
  public void heal() throws Exception {
    table.delete();
  }

  /** Whether the loss table is present in the namespace now. */
  public boolean active() throws Exception {
    return table.exists();
  }

  /** Packets dropped since the last inject; 0 when healed. */
  public long droppedPackets() throws Exception {
    return table.countedPackets();
  }

  @Override
  public String toString() {
    return name();
  }
}
