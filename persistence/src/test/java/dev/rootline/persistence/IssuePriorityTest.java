package dev.rootline.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IssuePriorityTest {

  private static final long HOUR = 3_600_000L;
  private static final long NOW = 1_800_000_000_000L;
  private final IssuePriority priority = IssuePriority.create(ConfigFactory.defaultReference());

  @Test
  void defaultsAndTheFormulaOnOneExample() {
    assertThat(priority.halfLife()).isEqualTo(Duration.ofHours(1));
    // 10 occurrences over 2 h, 30 requests, severity 0.6, last seen now:
    // (0.25 + 0.45) * (ln 11 + 0.5 ln 31 + ln 6) = 0.7 * (2.3979 + 1.7170 + 1.7918)
    assertThat(priority.of(0.6, 10, 30, NOW - 2 * HOUR, NOW, NOW)).isCloseTo(4.1348, offset(1e-3));
  }

  @Test
  void eachFactorMovesThePriorityTheRightWay() {
    double base = priority.of(0.5, 10, 20, NOW - HOUR, NOW, NOW);
    assertThat(priority.of(0.9, 10, 20, NOW - HOUR, NOW, NOW)).as("more severe").isGreaterThan(base);
    assertThat(priority.of(0.5, 100, 20, NOW - HOUR, NOW, NOW)).as("more frequent").isGreaterThan(base);
    assertThat(priority.of(0.5, 10, 200, NOW - HOUR, NOW, NOW)).as("more requests").isGreaterThan(base);
    assertThat(priority.of(0.5, 10, 20, NOW - 2 * HOUR, NOW - HOUR, NOW)).as("one half-life old").isCloseTo(base / 2, offset(1e-9));
    assertThat(priority.of(0.0, 10, 20, NOW - HOUR, NOW, NOW)).as("severity 0 still ranks by volume").isPositive();
  }

  @Test
  void outOfRangeInputsAreClampedNotPropagated() {
    double top = priority.of(1.0, 5, 5, NOW, NOW, NOW);
    assertThat(priority.of(7.0, 5, 5, NOW, NOW, NOW)).isEqualTo(top);
    assertThat(priority.of(Double.NaN, 5, 5, NOW, NOW, NOW)).isEqualTo(priority.of(0, 5, 5, NOW, NOW, NOW));
    assertThat(priority.of(0.5, 5, 5, NOW, NOW + HOUR, NOW)).as("seen after now: no boost").isEqualTo(priority.of(0.5, 5, 5, NOW, NOW, NOW));
    assertThat(priority.of(0.5, -3, -3, NOW, NOW, NOW)).isZero();
    assertThatThrownBy(() -> new IssuePriority(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
