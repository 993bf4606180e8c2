package dev.rootline.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // FaultScope.close() heals; see Fault
class FaultScopeTest {

  private final List<String> calls = new ArrayList<>();

  /** A fault that records its calls and can be told to fail. */
  private final class Recording implements Fault {
    private final String name;
    private final boolean failInject;
    private final boolean failHeal;

    Recording(String name, boolean failInject, boolean failHeal) {
      this.name = name;
      this.failInject = failInject;
      this.failHeal = failHeal;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void inject() {
      calls.add("inject " + name);
      if (failInject) {
        throw new IllegalStateException("inject " + name + " failed");
      }
    }

    @Override
    public void heal() {
      calls.add("heal " + name);
      if (failHeal) {
        throw new IllegalStateException("heal " + name + " failed");
      }
    }
  }

  @Test
  void healsNewestFirstAndKeepsHealingAfterAFailure() throws Exception {
    List<String> log = new ArrayList<>();
    FaultScope scope = new FaultScope(log::add);
    scope.inject(new Recording("a", false, true));
    scope.inject(new Recording("b", false, true));
    scope.inject(new Recording("c", false, false));
    assertThatThrownBy(scope::close)
        .hasMessage("heal b failed")
        .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("heal a failed"));
    assertThat(calls).containsExactly("inject a", "inject b", "inject c", "heal c", "heal b", "heal a");
    assertThat(log).contains("heal failed for b: heal b failed");
    assertThat(scope.active()).isEmpty();
    calls.clear();
    scope.close(); // idempotent: nothing left to heal
    assertThat(calls).isEmpty();
    assertThatThrownBy(() -> scope.inject(new Recording("late", false, false)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aFailedInjectIsHealedAtOnceAndNotRemembered() throws Exception {
    try (FaultScope scope = new FaultScope(line -> {})) {
      assertThatThrownBy(() -> scope.inject(new Recording("half", true, false))).hasMessage("inject half failed");
      assertThat(calls).containsExactly("inject half", "heal half");
      assertThat(scope.active()).isEmpty();
      Recording early = scope.inject(new Recording("early", false, false));
      scope.heal(early);
      assertThat(scope.active()).isEmpty();
    }
    assertThat(calls).containsExactly("inject half", "heal half", "inject early", "heal early");
  }
}
