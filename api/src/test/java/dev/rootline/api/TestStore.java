package dev.rootline.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/** What the in-memory stores of the API tests share: they can fail, hang, or answer late. */
abstract class TestStore {
  volatile RuntimeException failure;
  volatile boolean hang;

  <T> CompletionStage<T> answer(Supplier<T> result) {
    if (hang) {
      return new CompletableFuture<>();
    }
    if (failure != null) {
      return CompletableFuture.failedFuture(new ExecutionException(failure));
    }
    // Answer from another thread, as the Cassandra driver does.
    return CompletableFuture.supplyAsync(result);
  }
}
