package dev.rootline.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The script entry point without a Cassandra: usage errors and "not running". */
class CassandraMainTest {

  @TempDir Path dir;

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(CassandraMain.run(new String[] {})).isEqualTo(2);
    assertThat(CassandraMain.run(new String[] {"restart"})).isEqualTo(2);
    assertThat(CassandraMain.run(new String[] {"start", "--nope", "1"})).isEqualTo(2);
    assertThat(CassandraMain.run(new String[] {"start", "--port"})).isEqualTo(2);
    assertThat(CassandraMain.run(new String[] {"status", "--port", "70000"})).isEqualTo(2);
  }

  @Test
  void statusOfNothingRunningExitsWithThreeAndStopIsANoOp() {
    String port = Integer.toString(TestCassandra.freePort());
    String data = dir.resolve("c").toString();
    assertThat(CassandraMain.run(new String[] {"status", "--data", data, "--port", port})).isEqualTo(3);
    assertThat(CassandraMain.run(new String[] {"stop", "--data", data, "--port", port})).isZero();
  }

  @Test
  void startWithoutTheServerClasspathFailsWithOne() {
    String port = Integer.toString(TestCassandra.freePort());
    String data = dir.resolve("c").toString();
    String lib = dir.resolve("no-lib").toString();
    assertThat(CassandraMain.run(new String[] {"start", "--data", data, "--port", port, "--lib", lib})).isEqualTo(1);
  }
}
