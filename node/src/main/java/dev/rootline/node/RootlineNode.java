package dev.rootline.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.rootline.actors.capture.CaptureAssemblySettings;
import dev.rootline.actors.capture.CaptureControl;
import dev.rootline.actors.capture.CapturePolicySettings;
import dev.rootline.actors.capture.EventSource;
import dev.rootline.actors.capture.ProbeActor;
import dev.rootline.actors.feedback.FeedbackSink;
import dev.rootline.actors.issue.IssueEntity;
import dev.rootline.actors.issue.IssueSettings;
import dev.rootline.actors.issue.IssueUpdates;
import dev.rootline.actors.model.ModelEntity;
import dev.rootline.actors.model.ModelFollower;
import dev.rootline.actors.model.ModelLive;
import dev.rootline.actors.model.ModelSettings;
import dev.rootline.actors.policy.CapturePolicyEntity;
import dev.rootline.actors.policy.CurrentPolicies;
import dev.rootline.actors.policy.NodePolicies;
import dev.rootline.actors.policy.PolicyFollower;
import dev.rootline.actors.policy.PolicySettings;
import dev.rootline.actors.stitch.ConnectionEntity;
import dev.rootline.actors.stitch.StitchSettings;
import dev.rootline.actors.trace.RetainedTraces;
import dev.rootline.actors.trace.SpanBatch;
import dev.rootline.actors.trace.TraceEntity;
import dev.rootline.actors.trace.TraceRecord;
import dev.rootline.actors.trace.TraceScorer;
import dev.rootline.actors.trace.TraceSettings;
import dev.rootline.api.ApiServer;
import dev.rootline.api.ApiSettings;
import dev.rootline.api.ClusterViewSource;
import dev.rootline.api.ControlSources;
import dev.rootline.api.IssueSources;
import dev.rootline.bpf.CaptureSession;
import dev.rootline.bpf.CaptureSettings;
import dev.rootline.cluster.ClusterFormation;
import dev.rootline.cluster.ClusterSettings;
import dev.rootline.cluster.ClusterView;
import dev.rootline.cluster.PekkoClusterConfig;
import dev.rootline.cluster.delivery.DeliverySettings;
import dev.rootline.cluster.delivery.SpanDelivery;
import dev.rootline.persistence.JournalSchema;
import dev.rootline.persistence.cassandra.CassandraLauncher;
import dev.rootline.persistence.cassandra.CassandraLauncherSettings;
import dev.rootline.persistence.readside.CassandraIssueQueries;
import dev.rootline.persistence.readside.CassandraTraceQueries;
import dev.rootline.persistence.readside.IssueProjection;
import dev.rootline.persistence.readside.TaggedProjection;
import dev.rootline.persistence.readside.TraceProjection;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.delivery.ConsumerController;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Rootline process on one host: the local Cassandra (when none is configured), the actor
 * system in its cluster and, by role ({@code rootline.cluster.roles}): trace entities, the scorer
 * and the read-side projection ({@code trace}); the eBPF capture and its reliable span delivery
 * ({@code capture}); the API ({@code api}). {@link #close()} stops them in the reverse order.
 */
public final class RootlineNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RootlineNode.class);
  private final CassandraLauncher cassandra;
  private final ActorSystem<Void> system;
  private final TaggedProjection.Running projection;
  private final TaggedProjection.Running issueProjection;
  private final CaptureSession capture;
  private final ActorRef<ProbeActor.Command> probe;
  private final ActorRef<SpanDelivery.Command> delivery;
  private final boolean hostsTraces;
  private final NodeStats stats;
  private final Vertx vertx;
  private final ApiServer api;
  private final Duration drainTimeout;
  private boolean closed;

  private RootlineNode(
      CassandraLauncher cassandra,
      ActorSystem<Void> system,
      TaggedProjection.Running projection,
      TaggedProjection.Running issueProjection,
      CaptureSession capture,
      ActorRef<ProbeActor.Command> probe,
      ActorRef<SpanDelivery.Command> delivery,
      boolean hostsTraces,
      NodeStats stats,
      Vertx vertx,
      ApiServer api,
      Duration drainTimeout) {
    this.cassandra = cassandra;
    this.system = system;
    this.projection = projection;
    this.issueProjection = issueProjection;
    this.capture = capture;
    this.probe = probe;
    this.delivery = delivery;
    this.hostsTraces = hostsTraces;
    this.stats = stats;
    this.vertx = vertx;
    this.api = api;
    this.drainTimeout = drainTimeout;
  }

  /** Starts everything and returns once the API answers; throws with a readable cause. */
  public static RootlineNode start(Config config) throws Exception {
    NodeSettings settings = NodeSettings.create(config);
    CassandraLauncher cassandra = null;
    CaptureSession capture = null;
    ActorSystem<Void> system = null;
    Vertx vertx = null;
    try {
      if (settings.startLocalCassandra()) {
        cassandra = new CassandraLauncher(CassandraLauncherSettings.create(config), log::info);
        cassandra.attachOrStart();
        config = withContactPoint(config, cassandra.address());
      }

      ClusterSettings clusterSettings = ClusterSettings.create(config);
      system =
          ActorSystem.create(
              Behaviors.empty(),
              clusterSettings.systemName(),
              PekkoClusterConfig.apply(clusterSettings, config));
      // Keyspace and journal tables before any entity recovers (a fresh keyspace raced otherwise).
      JournalSchema.create(system).toCompletableFuture().get(60, TimeUnit.SECONDS);

      // Every node has the topic (the API's live stream hears every trace node's decisions
      // through it) and the regions, hosting them with role trace or as a proxy without.
      boolean hostsTraces = clusterSettings.hasRole(ClusterSettings.TRACE);
      TraceSettings traceSettings = TraceSettings.create(config);
      var retainedTopic =
          system.systemActorOf(RetainedTraces.topic(), "retained-traces", Props.empty());
      ActorRef<TraceScorer.Command> scorer =
          hostsTraces
              ? system.systemActorOf(
                  TraceScorer.create(traceSettings.scorer()), "trace-scorer", TraceScorer.DISPATCHER)
              : null;
      // Issues before traces: a trace entity records its occurrence on the Issue entity.
      var issueTopic = system.systemActorOf(IssueUpdates.topic(), "issue-updates", Props.empty());
      // The root-cause model learns from feedback; every trace node's scorer follows its live version.
      var modelTopic = system.systemActorOf(ModelLive.topic(), "model-live", Props.empty());
      ModelSettings modelSettings = ModelSettings.create(config);
      ModelEntity.init(system, modelSettings, modelTopic, ClusterSettings.TRACE);
      if (scorer != null) {
        system.systemActorOf(
            ModelFollower.create(system, modelSettings, modelTopic, scorer), "model-follower", Props.empty());
      }
      // Capture policies: entities and index on trace nodes, a follower on every node that hands
      // each new set to this node's probe and scorer (and to the policy tuner's view).
      PolicySettings policySettings = PolicySettings.create(config);
      CurrentPolicies currentPolicies = CurrentPolicies.get(system);
      NodePolicies policies =
          NodePolicies.start(system, policySettings, ClusterSettings.TRACE, List.of(currentPolicies::set));
      if (scorer != null) {
        policies.follower().tell(new PolicyFollower.AddListener(set -> scorer.tell(new TraceScorer.UsePolicies(set))));
      }
      FeedbackSink feedback =
          FeedbackWiring.router(system, config, modelSettings, policies.client(), currentPolicies::get);
      IssueEntity.init(system, IssueSettings.create(config), issueTopic, feedback, ClusterSettings.TRACE);
      TraceRecord.init(system, ClusterSettings.TRACE);
      ActorRef<ShardingEnvelope<TraceEntity.Command>> traceRegion =
          TraceEntity.init(system, traceSettings, scorer, retainedTopic, ClusterSettings.TRACE);
      // Cross-host stitching rendezvous (any node may host it: it holds nothing durable).
      ConnectionEntity.init(system);
      TaggedProjection.Running projection = hostsTraces ? TraceProjection.start(system) : null;
      TaggedProjection.Running issueProjection = hostsTraces ? IssueProjection.start(system) : null;

      // Join only now: shard coordinators write their state to the members, and a member
      // without the regions started (their replicators) fails those writes until it has them:
      // a restarted node that joined first stalled shard allocation cluster-wide for minutes.
      ClusterFormation.join(system, clusterSettings, settings.joinTimeout())
          .toCompletableFuture()
          .get(settings.joinTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);

      ActorRef<ProbeActor.Command> probe = null;
      ActorRef<SpanDelivery.Command> delivery = null;
      if (!clusterSettings.hasRole(ClusterSettings.CAPTURE)) {
        log.info("capture off: this node has no role capture (roles {})", clusterSettings.roles());
      } else if (settings.captureEnabled()) {
        delivery = startDelivery(system, config, clusterSettings, traceRegion);
        ActorRef<SpanDelivery.Command> shipper = delivery;
        ClusterSharding sharding = ClusterSharding.get(system);
        CaptureAssemblySettings assembly = CaptureAssemblySettings.create(config);
        capture = CaptureSession.open(CaptureSettings.create(config));
        CaptureSession session = capture;
        logHandover(session);
        probe =
            system.systemActorOf(
                ProbeActor.create(
                    assembly,
                    CapturePolicySettings.create(config),
                    EventSource.of(session),
                    CaptureControl.of(session),
                    span -> shipper.tell(new SpanDelivery.Offer(span)),
                    StitchSettings.get(system).enabled()
                        ? link -> ConnectionEntity.publish(sharding, link)
                        : link -> {},
                    // the capture checkpoints only what delivery confirmed: a span lost with
                    // this process is captured again by the next one (handover)
                    (round, self) ->
                        shipper.tell(
                            new SpanDelivery.Mark(round, r -> self.tell(new ProbeActor.SpansSafe(r))))),
                "probe",
                ProbeActor.DISPATCHER);
        ActorRef<ProbeActor.Command> policed = probe;
        // backpressure: the ring buffers while too many spans wait for their traces
        shipper.tell(new SpanDelivery.WatchBacklog(on -> policed.tell(new ProbeActor.Hold(on))));
        policies.follower().tell(new PolicyFollower.AddListener(set -> policed.tell(new ProbeActor.ApplyPolicies(set))));
        log.info("capturing socket traffic on host {} with eBPF", assembly.host());
      } else {
        log.info("capture disabled (rootline.node.capture-enabled = off)");
      }

      NodeStats stats = NodeStats.start(system, capture, probe, clusterSettings.roles());
      ApiServer api = null;
      if (clusterSettings.hasRole(ClusterSettings.API)) {
        TopicFeed<dev.rootline.persistence.TraceSummary> feed =
            TopicFeed.start(system, retainedTopic, "retained-trace-feed");
        TopicFeed<dev.rootline.persistence.IssueSummary> issueFeed =
            TopicFeed.start(system, issueTopic, "issue-feed");
        ClusterView view =
            ClusterView.start(
                system,
                List.of(
                    TraceEntity.ENTITY_KEY,
                    TraceRecord.ENTITY_KEY,
                    IssueEntity.ENTITY_KEY,
                    ModelEntity.ENTITY_KEY,
                    CapturePolicyEntity.ENTITY_KEY),
                Duration.ofSeconds(3));
        ClusterViewSource clusterView = view::snapshot;
        vertx = Vertx.vertx();
        api =
            ApiServer.start(
                    vertx,
                    ApiSettings.create(config),
                    CassandraTraceQueries.create(system),
                    stats,
                    feed::subscribe,
                    new IssueSources(
                        CassandraIssueQueries.create(system),
                        issueFeed::subscribe,
                        new IssueFeedbackGate(ClusterSharding.get(system), Duration.ofSeconds(5))),
                    clusterView,
                    new ControlSources(
                        new ModelApiSources(system, ApiSettings.create(config).storeTimeout()),
                        new PolicyApiSources(policies.client()),
                        FeedbackWiring.missed(config, policies.client(), currentPolicies::get)))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
      } else {
        log.info("no API on this node (no role api)");
      }
      log.info("node up with roles {}", clusterSettings.roles());
      return new RootlineNode(
          cassandra,
          system,
          projection,
          issueProjection,
          capture,
          probe,
          delivery,
          hostsTraces,
          stats,
          vertx,
          api,
          settings.drainTimeout());
    } catch (Exception | Error e) {
      if (vertx != null) {
        vertx.close();
      }
      if (capture != null) {
        capture.close();
      }
      if (system != null) {
        system.terminate();
      }
      if (cassandra != null) {
        cassandra.close();
      }
      throw e;
    }
  }

  /** The API's port (useful when configured as 0); -1 on a node without role api. */
  public int apiPort() {
    return api == null ? -1 : api.port();
  }

  /** This node's kernel capture, or null without one (tests read its policy maps back). */
  CaptureSession capture() {
    return capture;
  }

  /**
   * The capture side of reliable delivery: a ShardingProducerController whose producer id names
   * this node, sending to the trace region (a proxy on nodes without role trace).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static ActorRef<SpanDelivery.Command> startDelivery(
      ActorSystem<Void> system,
      Config config,
      ClusterSettings clusterSettings,
      ActorRef<ShardingEnvelope<TraceEntity.Command>> traceRegion) {
    // The region also carries the consumer controllers' SequencedMessages (see
    // TraceEntityWithDelivery): sharding routes by entity id, whatever the message type.
    ActorRef<ShardingEnvelope<ConsumerController.SequencedMessage<SpanBatch>>> region =
        (ActorRef) traceRegion;
    String producerId =
        "capture@" + Cluster.get(system).selfMember().address().hostPort();
    return system.systemActorOf(
        SpanDelivery.create(DeliverySettings.create(config), producerId, region),
        "span-delivery",
        Props.empty());
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public CompletionStage<Done> whenTerminated() {
    return system.getWhenTerminated();
  }

  /**
   * Stops in the order that loses nothing: capture polling first (no new spans), span delivery
   * drained, the capture checkpointed and closed, then the trace region
   * gracefully (each trace entity decides what it holds and persists it, and records its issue
   * occurrence, while the TraceRecord and Issue regions still run), then the rest.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Duration drain = drainTimeout;
    log.info("stopping the node (each draining step waits at most {} s)", drain.toSeconds());
    if (api != null) {
      step("API", drain, () -> api.close().toCompletionStage());
    }
    stats.close();
    if (probe != null) {
      step(
          "capture polling",
          drain,
          () ->
              AskPattern.<ProbeActor.Command, Done>ask(
                  probe, ProbeActor.Quiesce::new, drain, system.scheduler()));
    }
    if (delivery != null) {
      step(
          "span delivery (every shipped batch confirmed: its trace decided and persisted)",
          drain,
          () ->
              AskPattern.<SpanDelivery.Command, Done>ask(
                  delivery, SpanDelivery.Drain::new, drain, system.scheduler()));
    }
    if (probe != null) {
      // After the drain: the probe checkpoints what was confirmed (with handover, the next node
      // on this host reads on from there), then closes its capture session as it stops.
      step(
          "capture",
          drain,
          () -> Patterns.gracefulStop(Adapter.toClassic(probe), drain, PoisonPill.getInstance()));
    } else if (capture != null) {
      step("capture", drain, () -> {
        capture.close();
        return CompletableFuture.completedFuture(null);
      });
    }
    if (hostsTraces) {
      step(
          "trace entities (deciding and persisting what they hold)",
          drain,
          () ->
              Patterns.gracefulStop(
                  org.apache.pekko.cluster.sharding.ClusterSharding.get(Adapter.toClassic(system))
                      .shardRegion(TraceEntity.ENTITY_KEY.name()),
                  drain,
                  ShardRegion.gracefulShutdownInstance()));
    }
    if (projection != null) {
      step("read-side projection", drain, projection::stop);
    }
    if (issueProjection != null) {
      step("issue read-side projection", drain, issueProjection::stop);
    }
    // Coordinated shutdown hands the remaining shards and singletons over, leaves the cluster
    // (the others see Leaving/Exiting/Removed, not a crash: no unreachability, no downing) and
    // terminates the actor system.
    step(
        "leaving the cluster (coordinated shutdown)",
        drain,
        () -> CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.clusterLeavingReason()));
    step("actor system", drain, () -> {
      system.terminate();
      return system.getWhenTerminated();
    });
    if (vertx != null) {
      step("Vert.x", drain, () -> vertx.close().toCompletionStage());
    }
    if (cassandra != null) {
      cassandra.close();
    }
    log.info("node stopped");
  }

  private static void logHandover(CaptureSession session) {
    var h = session.handover();
    if (!h.note().isEmpty()) {
      log.warn("{}", h.note());
    }
    if (h.resumed()) {
      log.info(
          "capture handover: took over the capture pinned in {}: {} bytes were waiting in the ring"
              + " ({} of them read by the previous node, replayed to rebuild its open requests)",
          h.pinDir(),
          h.pendingBytes(),
          h.replayBytes());
    } else if (h.pinned()) {
      log.info(
          "capture pinned in {}: it goes on recording while this node restarts (ring {} bytes)",
          h.pinDir(),
          h.ringBytes());
    }
  }

  /** True once {@link #close()} began: the actor system's end is then expected. */
  public synchronized boolean isClosing() {
    return closed;
  }

  /** One shutdown step; a failing or slow step is logged and the next one still runs. */
  private static void step(String what, Duration timeout, Supplier<CompletionStage<?>> action) {
    long start = System.nanoTime();
    try {
      action.get().toCompletableFuture().get(timeout.toSeconds() + 5, TimeUnit.SECONDS);
      log.info("stopped: {} ({} ms)", what, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } catch (Exception e) {
      log.warn(
          "{} did not stop cleanly after {} ms: {}",
          what,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
          e.toString());
    }
  }

  private static Config withContactPoint(Config config, InetSocketAddress address) {
    String hostPort = address.getHostString() + ":" + address.getPort();
    return ConfigFactory.empty()
        .withValue("rootline.persistence.contact-point", ConfigValueFactory.fromAnyRef(hostPort))
        .withValue(
            "datastax-java-driver.basic.contact-points",
            ConfigValueFactory.fromIterable(List.of(hostPort)))
        .withFallback(config);
  }
}
