package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventClockTest {

  private final AtomicLong monotonic = new AtomicLong(5_000);
  private final EventClock clock = new EventClock(monotonic::get);

  @Test
  void notStartedBeforeTheFirstEvent() {
    assertThat(clock.started()).isFalse();
  }

  @Test
  void advancesFromTheNewestEventByMonotonicTimeOnly() {
    clock.observed(1_000_000);
    monotonic.addAndGet(250);

    assertThat(clock.started()).isTrue();
    assertThat(clock.nowEpochNanos()).isEqualTo(1_000_250);
  }

  @Test
  void olderOrOutOfOrderEventsDoNotMoveItBack() {
    clock.observed(1_000_000);
    monotonic.addAndGet(100);
    clock.observed(999_000); // from another CPU, arrived late
    clock.observed(1_000_050); // behind what the clock already knows

    assertThat(clock.nowEpochNanos()).isEqualTo(1_000_100);
  }

  @Test
  void aNewerEventThanTheEstimateReanchorsIt() {
    clock.observed(1_000_000);
    monotonic.addAndGet(100);
    clock.observed(2_000_000); // the estimate lagged by this event's delivery delay
    monotonic.addAndGet(10);

    assertThat(clock.nowEpochNanos()).isEqualTo(2_000_010);
  }
}
