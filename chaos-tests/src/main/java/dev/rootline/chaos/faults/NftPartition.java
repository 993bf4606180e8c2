package dev.rootline.chaos.faults;

/**
 * Cuts a network-namespace host off from its peers: every packet between the host and {@code
 * peersCidr} is silently dropped in both directions (no RST, no ICMP), the way a failed switch
 * looks to TCP. Established connections stall, new ones time out.
 *
 * <p>The rules live in a table of their own inside the namespace, {@code
 * inet rootline_partition_<peers>}; heal deletes that table. Loopback traffic is exempt, so a peers
 * range containing the host's own address does not cut the host off from itself.
 */
// close() heals and may be interrupted while waiting for a command; that is intended.
@SuppressWarnings("try")
public final class NftPartition implements Fault {

  private final String peersCidr;
  private final NetnsTable table;

  public NftPartition(String namespace, String peersCidr) {
    this.peersCidr = NetnsTable.checkCidr(peersCidr);
    this.table = new NetnsTable(namespace, NetnsTable.tableName("partition", peersCidr));
  }

  @Override
  public String name() {
    return "partition ns=" + table.namespace() + " peers=" + peersCidr;
  }

  public String namespace() {
    return table.namespace();
  }

  public String peersCidr() {
    return peersCidr;
  }

  /** The nftables table this fault owns (family {@code inet}). */
  public String tableName() {
    return table.table();
  }

  @Override
  public void inject() throws Exception {
    String ip = NetnsTable.family(peersCidr);
    table.replace(
        "  chain input {\n"
            + "    type filter hook input priority -200; policy accept;\n"
            + "    iifname \"lo\" accept\n"
            + "    " + ip + " saddr " + peersCidr + " counter drop\n"
            + "  }\n"
            + "  chain output {\n"
            + "    type filter hook output priority -200; policy accept;\n"
            + "    oifname \"lo\" accept\n"
            + "    " + ip + " daddr " + peersCidr + " counter drop\n"
            + "  }\n");
  }

  @Override
  public void heal() throws Exception {
    table.delete();
  }

  /** Whether the partition's table is present in the namespace now. */
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
