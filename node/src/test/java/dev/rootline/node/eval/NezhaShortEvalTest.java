package dev.rootline.node.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.actors.trace.TraceSettings;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The short form of {@code ./rootline eval}: 8 faults of the Nezha data (copied into the test
 * resources, see nezha-subset/README.md) replayed through the judge. Fails when the ranking gets
 * worse than measured.
 */
class NezhaShortEvalTest {

  // Measured on this subset when the floor was set: AC@3 = MEASURED_AC3 (see below); the floor
  // leaves room for one fault to drop out of the top 3.
  static final double MEASURED_AC3 = 0.375;
  static final double AC3_FLOOR = 0.25;

  @Test
  void rankingOnTheNezhaSubsetStaysAboveTheFloor() throws URISyntaxException {
    Path subset = Path.of(getClass().getResource("/nezha-subset").toURI());
    NezhaEvaluation eval = new NezhaEvaluation(
        TraceSettings.create(ConfigFactory.load()).scorer(), System.err::println);
    List<FaultResult> results = new ArrayList<>();
    results.addAll(eval.evaluate(subset.resolve("train-ticket-2023-01-29")));
    results.addAll(eval.evaluate(subset.resolve("online-boutique-2022-08-22")));
    EvalReport report = new EvalReport(results);
    System.err.println(report.markdown());

    assertThat(results).hasSize(8);
    assertThat(results).allSatisfy(r -> assertThat(r.tracesAfter()).isPositive());
    assertThat(report.ac(3)).as(report.markdown()).isGreaterThanOrEqualTo(AC3_FLOOR);
    assertThat(report.ac(1)).isLessThanOrEqualTo(report.ac(3));
    assertThat(report.ac(3)).isLessThanOrEqualTo(report.ac(5));
  }
}
