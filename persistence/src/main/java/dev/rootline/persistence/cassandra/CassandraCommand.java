package dev.rootline.persistence.cassandra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of the Cassandra JVM: Java 17 module flags, heap, config paths, main class. */
public final class CassandraCommand {

  public static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

  /** From Cassandra's conf/jvm17-server.options (branch cassandra-5.0), JPMS section. */
  static final List<String> JDK17_MODULE_OPTIONS =
      List.of(
          "-Djdk.attach.allowAttachSelf=true",
          "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
          "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
          "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
          "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
          "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
          "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
          "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
          "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens", "java.base/java.io=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang=ALL-UNNAMED",
          "--add-opens", "java.base/java.util=ALL-UNNAMED",
          "-Dio.netty.tryReflectionSetAccessible=true",
          "-Dio.netty.allocator.useCacheForAllThreads=true",
          "-Dio.netty.allocator.maxOrder=11");

  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final Path SH = Path.of("/bin/sh");

  private CassandraCommand() {}

  /** The java command alone, without the mlock guard. */
  public static List<String> javaCommand(CassandraLauncherSettings s) {
    Path data = s.dataDir().toAbsolutePath().normalize();
    List<String> cmd = new ArrayList<>();
    cmd.add(s.javaExecutable().toString());
    cmd.add("-Xms" + s.heap());
    cmd.add("-Xmx" + s.heap());
    cmd.add("-XX:+UseG1GC");
    // Small heaps: the 16m regions of Cassandra's defaults would leave too few regions.
    cmd.add("-XX:G1HeapRegionSize=1m");
    cmd.add("-XX:+ParallelRefProcEnabled");
    cmd.add("-XX:MaxTenuringThreshold=1");
    cmd.add("-XX:+HeapDumpOnOutOfMemoryError");
    cmd.add("-XX:HeapDumpPath=" + data.resolve("logs"));
    cmd.add("-Xss256k");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.addAll(JDK17_MODULE_OPTIONS);
    cmd.add("-Dcassandra.config=" + CassandraConfFiles.yamlPath(s).toAbsolutePath().normalize().toUri());
    cmd.add("-Dcassandra.storagedir=" + data);
    cmd.add("-Dcassandra.logdir=" + data.resolve("logs"));
    cmd.add("-Dcassandra-foreground=yes");
    cmd.add("-Dlogback.configurationFile=" + CassandraConfFiles.logbackPath(s).toAbsolutePath().normalize());
    // A single node seeds itself: waiting for gossip to settle only delays the CQL port.
    cmd.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    cmd.addAll(s.extraJvmOptions());
    cmd.add("-cp");
    cmd.add(s.serverLib().toAbsolutePath().normalize() + "/*");
    cmd.add(MAIN_CLASS);
    return cmd;
  }

  /**
   * The full command. As root Cassandra mlockall()s its whole heap (RSS = heap + 400 MB); a 64 KiB
   * memlock limit and no CAP_IPC_LOCK make that fail harmlessly with a warning instead. {@code exec}
   * keeps the pid: the pid of the started process is the Cassandra JVM's. {@code setsid} puts it
   * in a session of its own, so a Ctrl-C meant for whoever started it (the demo, a test run) does
   * not kill the database under a node that is still draining into it.
   */
  public static List<String> command(CassandraLauncherSettings s) {
    List<String> java = javaCommand(s);
    if (!Files.isExecutable(SH)) {
      return java;
    }
    List<String> cmd = new ArrayList<>(List.of(SH.toString(), "-c", "ulimit -l 64 2>/dev/null; exec \"$@\"", "cassandra"));
    if (Files.isExecutable(SETSID)) {
      cmd.add(SETSID.toString());
    }
    if (Files.isExecutable(SETPRIV)) {
      cmd.addAll(List.of(SETPRIV.toString(), "--bounding-set=-ipc_lock", "--inh-caps=-ipc_lock", "--"));
    }
    cmd.addAll(java);
    return cmd;
  }
}
