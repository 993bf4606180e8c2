package dev.rootline.actors.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencySketchTest {

  @Test
  void quantilesAreWithinOneBucketOfTheTruth() {
    LatencySketch sketch = new LatencySketch(1_000_000);
    for (int ms = 1; ms <= 1000; ms++) {
      sketch.add(ms * 1_000_000L);
    }
    assertThat(sketch.quantile(0.5) / 1e6).isBetween(500 / 1.16, 500 * 1.16);
    assertThat(sketch.quantile(0.99) / 1e6).isBetween(990 / 1.16, 990 * 1.16);
    assertThat(sketch.shareAtOrAbove(2_000_000_000L)).isZero();
  }

  @Test
  void memoryIsFixedAndOldTrafficFades() {
    LatencySketch sketch = new LatencySketch(100);
    Random random = new Random(1);
    for (int i = 0; i < 100_000; i++) {
      sketch.add(1_000_000L + random.nextInt(100_000));
    }
    for (int i = 0; i < 1000; i++) {
      sketch.add(50_000_000L);
    }
    // Ten half-lives later the old 1 ms traffic weighs ~1/1000 of the new.
    assertThat(sketch.quantile(0.05) / 1e6).isGreaterThan(40);
    assertThat(sketch.weight()).isLessThan(200);
  }
}
