package dev.rootline.api;

import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import java.util.concurrent.CompletionStage;

/**
 * The capture-policy actions; they run after {@link PolicyRequests} and read only validated
 * values. Calls to {@link PolicySources} are bounded by {@link StoreCalls}; a refused change comes
 * back as 400, an unknown revision or history as 404, anything else as 503.
 */
final class PolicyHandlers {

  private final PolicySources policies;
  private final StoreCalls store;

  PolicyHandlers(PolicySources policies, StoreCalls store) {
    this.policies = policies;
    this.store = store;
  }

  /** {@code GET /policies}: the defaults, the global policy in force and every scope's overrides. */
  void list(RoutingContext ctx) {
    QueryParameters.requireOnly(QueryParameters.of(ctx), java.util.List.of());
    call("reading the policies", policies::policies)
        .map(
            set -> {
              JsonArray scopes = new JsonArray();
              set.scopes().values().stream()
                  .sorted(Comparator.comparing((ScopedPolicy p) -> p.scope().kind()).thenComparing(p -> p.scope().name()))
                  .map(p -> PolicyJson.scoped(p, set))
                  .forEach(scopes::add);
              return new JsonObject()
                  .put("global", PolicyJson.policy(set.global()))
                  .put("defaults", PolicyJson.policy(set.defaults()))
                  .put("scopes", scopes)
                  .put("count", scopes.size());
            })
        .onSuccess(body -> JsonResponse.ok(ctx, body))
        .onFailure(ctx::fail);
  }

  /** {@code GET /policies/:scope}: its overrides, revision and the policy in force there. */
  void get(RoutingContext ctx) {
    PolicyScope scope = PolicyRequests.scope(ctx);
    Future<PolicySet> all = call("reading the policies", policies::policies);
    Future<ScopedPolicy> own = call("reading the policy of " + scope.key(), () -> policies.policy(scope));
    Future.all(all, own)
        .map(done -> PolicyJson.scoped(own.result(), all.result()))
        .onSuccess(body -> JsonResponse.ok(ctx, body))
        .onFailure(failure -> ctx.fail(firstProblem(failure, all, own)));
  }

  /** {@code PUT /policies/:scope}: the body is the scope's whole overrides. */
  void put(RoutingContext ctx) {
    PolicyScope scope = PolicyRequests.scope(ctx);
    change(
        ctx,
        "changing the policy of " + scope.key(),
        () -> policies.put(scope, PolicyRequests.policy(ctx), PolicyRequests.reason(ctx), PolicyRequests.user(ctx)));
  }

  /** {@code PATCH /policies/:scope}: the body's fields replace the scope's. */
  void patch(RoutingContext ctx) {
    PolicyScope scope = PolicyRequests.scope(ctx);
    change(
        ctx,
        "changing the policy of " + scope.key(),
        () -> policies.patch(scope, PolicyRequests.policy(ctx), PolicyRequests.reason(ctx), PolicyRequests.user(ctx)));
  }

  /** {@code POST /policies/:scope/revert}: back to what the scope had before that revision. */
  void revert(RoutingContext ctx) {
    PolicyScope scope = PolicyRequests.scope(ctx);
    long revision = PolicyRequests.revision(ctx);
    change(
        ctx,
        "reverting revision " + revision + " of " + scope.key(),
        () -> policies.revert(scope, revision, PolicyRequests.reason(ctx), PolicyRequests.user(ctx)));
  }

  /** {@code GET /policies/:scope/history}: its changes, newest first. */
  void history(RoutingContext ctx) {
    PolicyScope scope = PolicyRequests.scope(ctx);
    PolicyRequests.Page page = PolicyRequests.page(ctx);
    call("reading the history of " + scope.key(), () -> policies.history(scope, page.offset(), page.limit()))
        .map(
            history -> {
              JsonArray changes = new JsonArray();
              history.changes().stream().limit(page.limit()).map(PolicyJson::change).forEach(changes::add);
              return new JsonObject()
                  .put("scope", scope.key())
                  .put("revision", history.revision())
                  .put("oldestKept", history.oldestKept())
                  .put("changes", changes)
                  .put("count", changes.size())
                  .put("limit", page.limit())
                  .put("offset", page.offset());
            })
        .onSuccess(body -> JsonResponse.ok(ctx, body))
        .onFailure(ctx::fail);
  }

  private void change(RoutingContext ctx, String what, Supplier<CompletionStage<PolicySources.Change>> action) {
    call(what, action)
        .map(
            change ->
                new JsonObject()
                    .put("scope", change.current().scope().key())
                    .put("revision", change.current().revision())
                    .put("policy", PolicyJson.policy(change.current().policy()))
                    .put("changed", change.change() != null)
                    .put("change", change.change() == null ? null : PolicyJson.change(change.change()))
                    .put("link", PolicyJson.link(change.current().scope())))
        .onSuccess(body -> JsonResponse.ok(ctx, body))
        .onFailure(ctx::fail);
  }

  /** A call through {@link StoreCalls}, its failure turned into the answer the sources' contract names. */
  private <T> Future<T> call(String what, Supplier<CompletionStage<T>> query) {
    return store.call(what, query).recover(failure -> Future.failedFuture(problem(failure)));
  }

  private static Throwable firstProblem(Throwable failure, Future<?>... calls) {
    for (Future<?> call : calls) {
      if (call.failed()) {
        return call.cause();
      }
    }
    return failure;
  }

  private static Throwable problem(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IllegalArgumentException) {
        return ApiProblem.badRequest(String.valueOf(t.getMessage()));
      }
      if (t instanceof NoSuchElementException) {
        return ApiProblem.notFound(String.valueOf(t.getMessage()));
      }
    }
    return failure;
  }
}
