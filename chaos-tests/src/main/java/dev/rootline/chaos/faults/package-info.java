/**
 * Fault injectors for chaos scenarios, each a {@link dev.rootline.chaos.faults.Fault}: idempotent
 * {@code inject()}/{@code heal()}, and {@code close()} heals, so a try-with-resources block or a
 * {@link dev.rootline.chaos.faults.FaultScope} leaves nothing behind even when a scenario throws.
 *
 * <ul>
 *   <li>{@link dev.rootline.chaos.faults.NftPartition}: silent drop of all traffic between a
 *       network-namespace host and a peers CIDR, in an nftables table of its own inside the
 *       namespace ({@code inet rootline_partition_<peers>}); heal deletes the table.
 *   <li>{@link dev.rootline.chaos.faults.NftLoss}: random loss ({@code numgen random mod 100 < N})
 *       in table {@code inet rootline_loss_<peers>}, inbound, outbound or both.
 *   <li>{@link dev.rootline.chaos.faults.LatencyProxy}: a TCP proxy with a switchable one-way delay
 *       (this kernel has no netem); {@code latencyFault(d)} is its delay as a fault.
 *   <li>{@link dev.rootline.chaos.faults.ProcessFaults}: SIGKILL, SIGSTOP, SIGCONT by pid only;
 *       {@code Pause} resumes on heal.
 *   <li>{@link dev.rootline.chaos.faults.CassandraOutage}: SIGKILL Cassandra, heal restarts it with
 *       the harness's action and waits for a CQL answer ({@link dev.rootline.chaos.faults.CqlProbe}).
 * </ul>
 *
 * <p>Everything runs as root on this machine; commands ({@code ip netns exec NS nft -f -}, {@code
 * kill}) run through {@link dev.rootline.chaos.faults.Commands} with timeouts, and a failure is a
 * {@link dev.rootline.chaos.faults.CommandFailedException} quoting the command, its stderr and, for
 * nft, the script. Tests: {@code mvn -o -B -q -pl chaos-tests test -Dtest='
 * ProcessFaultsTest,CqlProbeTest,FaultScopeTest'}; {@code LatencyProxyIT}, {@code NftFaultsIT} and the real-Cassandra {@code
 * CassandraOutageIT} run with {@code verify -Pchaos -Dit.test=...} (the latter needs a built node).
 */
package dev.rootline.chaos.faults;
