package dev.rootline.node.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.actors.inference.FeedbackSettings;
import dev.rootline.actors.trace.TraceSettings;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./rootline eval --feedback} on the 8-fault Nezha subset of the test resources: feedback
 * on half of them, the other half held out. Asserts the report's shape and that the feedback was
 * used (labels, a retrained ranker, tuned policies that retain more of the services pointed at);
 * the subset is too small for the accuracy itself to mean anything.
 */
class FeedbackEvalTest {

  @Test
  void feedbackOnHalfTheSubsetRetrainsAndMovesCapture(@TempDir Path tmp) throws Exception {
    Path subset = Path.of(getClass().getResource("/nezha-subset").toURI());
    var settings = TraceSettings.create(ConfigFactory.load()).scorer();
    FeedbackSettings feedback = FeedbackSettings.fromReference();
    FeedbackReport report = new FeedbackEvaluation(settings, feedback, System.err::println)
        .evaluate(List.of(subset.resolve("train-ticket-2023-01-29"),
            subset.resolve("online-boutique-2022-08-22")));
    System.err.println(report.markdown());

    // half of each system: 3 + 1 given, 3 + 1 held out
    assertThat(report.given()).hasSize(4);
    assertThat(report.heldOut()).hasSize(4);
    assertThat(report.given()).filteredOn(g -> g.system().startsWith("online-boutique")).hasSize(1);
    Set<String> given = new TreeSet<>();
    report.given().forEach(g -> given.add(g.system() + g.injectTime()));
    assertThat(report.heldOut()).noneMatch(h -> given.contains(h.system() + h.injectTime()));

    // the feedback became labels and rows
    assertThat(report.labels()).isGreaterThanOrEqualTo(report.given().size());
    assertThat(report.given()).allSatisfy(g -> assertThat(g.rankings()).isBetween(1,
        1 + feedback.occurrencesPerFeedback()));
    assertThat(report.labels()).isEqualTo(report.given().stream().mapToInt(FeedbackReport.Given::rankings).sum());
    assertThat(report.labelRows()).isGreaterThan(report.labels());
    assertThat(report.priorRows()).isGreaterThan(1000);
    assertThat(report.pointedAt()).containsExactlyInAnyOrderElementsOf(
        report.given().stream().map(FeedbackReport.Given::trueService).distinct().toList());
    assertThat(report.candidatesBefore().rankings()).isEqualTo(report.candidatesAfter().rankings());
    assertThat(report.servicesBefore().rankings()).isEqualTo(report.servicesAfter().rankings())
        .isLessThanOrEqualTo(report.heldOut().size());
    assertThat(report.promoted()).isEqualTo(report.promotedByCandidates()
        && report.servicesAfter().notWorseThan(report.servicesBefore()));
    assertThat(report.sensitivity()).hasSize(3).containsKeys("label weight 1", "label weight 20");

    // ranks are ranks; AC@1 <= AC@3
    assertThat(report.heldOut()).allSatisfy(h -> {
      assertThat(h.rankBefore()).isNotNegative();
      assertThat(h.rankAfter()).isNotNegative();
    });
    assertThat(report.acAfter(1)).isLessThanOrEqualTo(report.acAfter(3));
    assertThat(report.acBefore(1)).isLessThanOrEqualTo(report.acBefore(3));

    // capture moved towards the services pointed at, and only grew
    FeedbackReport.Volume before = report.volumeBefore();
    FeedbackReport.Volume after = report.volumeAfter();
    assertThat(after.traces()).isEqualTo(before.traces());
    assertThat(before.tracesTouching()).as("held-out traffic passes the services pointed at").isPositive();
    assertThat(after.retained()).isGreaterThan(before.retained());
    assertThat(after.retainedTouching()).isGreaterThan(before.retainedTouching());
    assertThat(after.retainedSpansIn()).isGreaterThan(before.retainedSpansIn());
    assertThat(after.retained() - after.retainedTouching())
        .as("traces not touching those services are kept as before")
        .isEqualTo(before.retained() - before.retainedTouching());

    String md = report.markdown();
    assertThat(md).contains("| scope | held-out faults | AC@1 before | AC@1 after | AC@3 before | AC@3 after |");
    assertThat(md).contains("| **all** | 4 |").contains("| train-ticket-2023-01-29 | 3 |");
    assertThat(md).contains("| scope | traces | touching those services | of these kept, before | after |");
    String json = report.json();
    assertThat(json).contains("\"held_out_faults\": 4").contains("\"labels\": " + report.labels())
        .contains("\"volume_after\"");
    new com.fasterxml.jackson.databind.ObjectMapper().readTree(json); // valid JSON

    Path docs = tmp.resolve("EVALUATION.md");
    Files.writeString(docs, "# Evaluation\n\nbefore\n<!-- nezha:begin -->x<!-- nezha:end -->\n");
    EvalCommand.writeFeedbackDocs(docs, report, new String[] {"--feedback"}, 12);
    EvalCommand.writeFeedbackDocs(docs, report, new String[] {"--feedback"}, 12);
    String text = Files.readString(docs, StandardCharsets.UTF_8);
    assertThat(text).startsWith("# Evaluation\n\nbefore\n<!-- nezha:begin -->x<!-- nezha:end -->\n");
    assertThat(text.split("<!-- feedback:begin -->", -1)).hasSize(2);
    assertThat(text).contains("## Feedback closes the loop").contains(md);
  }

  @Test
  void theTunersRuleRaisesOnlyAndOnlyTheConfirmedServices() throws URISyntaxException {
    var settings = TraceSettings.create(ConfigFactory.load()).scorer();
    FeedbackEvaluation eval =
        new FeedbackEvaluation(settings, FeedbackSettings.fromReference(), s -> {});
    PolicySet configured = eval.configured();
    PolicySet tuned = FeedbackEvaluation.tuned(configured, List.of("cart", "db"), 0.5);
    PolicySet again = FeedbackEvaluation.tuned(tuned, List.of("cart"), 0.5);
    PolicySet lower = FeedbackEvaluation.tuned(tuned, List.of("cart"), 0.2);

    assertThat(configured.effective("h", "cart", null).normalShare())
        .isEqualTo(settings.inference().baselineSample());
    assertThat(tuned.effective("h", "cart", null).normalShare()).isEqualTo(0.5);
    assertThat(tuned.effective("h", "db", "db GET /q").normalShare()).isEqualTo(0.5);
    assertThat(tuned.effective("h", "web", null).normalShare())
        .isEqualTo(settings.inference().baselineSample());
    assertThat(tuned.effective("h", "cart", null).anomalyThreshold()).isEqualTo(settings.threshold());
    assertThat(again).isEqualTo(tuned);
    assertThat(lower).as("the rule only raises").isEqualTo(tuned);
    assertThat(tuned.revision(PolicyScope.service("cart"))).isEqualTo(1);
  }
}
