package dev.rootline.actors.inference.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FaultCatalogTest {

  @TempDir Path dir;

  @Test
  void readsFaultsTheirServiceStartAndFiles() throws Exception {
    Path json = dir.resolve("faults.json");
    Files.writeString(json, """
        [{"inject_time": "2023-01-29 08:59:04", "inject_timestamp": "1674953944",
          "inject_pod": "ts-contacts-service-866bd68c97-xcqfx", "inject_type": "return"}]
        """);
    List<FaultCatalog.Fault> faults = FaultCatalog.read(json);

    assertThat(faults).hasSize(1);
    FaultCatalog.Fault f = faults.get(0);
    assertThat(f.service()).isEqualTo("ts-contacts-service");
    assertThat(f.type()).isEqualTo("return");
    assertThat(f.startNanos()).isEqualTo(1674982744L * 1_000_000_000L);
    assertThat(f.traceFiles()).containsExactly("08_59_trace.csv.gz", "09_00_trace.csv.gz", "09_01_trace.csv.gz");
  }

  @Test
  void badCatalogIsAClearError() throws Exception {
    Path json = dir.resolve("faults.json");
    Files.writeString(json, "[{\"inject_time\": \"2023-01-29 08:59:04\"}]");
    assertThatThrownBy(() -> FaultCatalog.read(json)).isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("fault #1 has no inject_pod");
    Files.writeString(json, "{}");
    assertThatThrownBy(() -> FaultCatalog.read(json)).hasMessageContaining("expected a JSON list");
  }
}
