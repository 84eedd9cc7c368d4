package io.relustream.stats;

import io.relustream.avro.ActivationAlert;
import io.relustream.avro.ActivationStats;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class DeadFeatureDetectorTest {

    private static final long BASE = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final long WINDOW = 10_000L;

    private final List<
                    KeyedOneInputStreamOperatorTestHarness<
                            String, ActivationStats, ActivationAlert>>
            harnesses = new ArrayList<>();

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var harness : harnesses) {
            harness.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, ActivationStats, ActivationAlert>
            harness(DeadFeatureDetector detector) throws Exception {
        var harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        detector, ActivationStats::getGroup, Types.STRING);
        harnesses.add(harness);
        return harness;
    }

    /** Statistics of window {@code index} ({@code [BASE + 10s * index, + 10s)}). */
    private static ActivationStats stats(
            String group, int index, Double zeroFraction, double[] perFeature) {
        List<Double> fractions = new ArrayList<>();
        for (double f : perFeature) {
            fractions.add(f);
        }
        return ActivationStats.newBuilder()
                .setGroup(group)
                .setWindowStart(windowStart(index))
                .setWindowEnd(windowEnd(index))
                .setActivation("relu")
                .setRecordCount(10)
                .setValueCount(zeroFraction == null ? 0 : 10)
                .setZeroCount(zeroFraction == null ? 0 : Math.round(zeroFraction * 10))
                .setZeroFraction(zeroFraction)
                .setNanCount(0)
                .setPosInfCount(0)
                .setNegInfCount(0)
                .setPerFeatureZeroFraction(fractions)
                .setDeadFeatures(List.of())
                .build();
    }

    /** Statistics of window {@code index} with a group zero fraction of 0.5. */
    private static ActivationStats features(String group, int index, double... perFeature) {
        return stats(group, index, 0.5, perFeature);
    }

    private static double[] f(double... perFeature) {
        return perFeature;
    }

    private static Instant windowStart(int index) {
        return Instant.ofEpochMilli(BASE + index * WINDOW);
    }

    /** Window {@code index} as alert messages write it. */
    private static String window(int index) {
        return "[" + windowStart(index) + ", " + windowEnd(index) + ")";
    }

    private static Instant windowEnd(int index) {
        return Instant.ofEpochMilli(BASE + (index + 1) * WINDOW);
    }

    /** Feeds one record and returns the alerts it raised. */
    private static List<ActivationAlert> feed(
            KeyedOneInputStreamOperatorTestHarness<String, ActivationStats, ActivationAlert>
                    harness,
            ActivationStats stats)
            throws Exception {
        int before = harness.extractOutputValues().size();
        harness.processElement(stats, stats.getWindowEnd().toEpochMilli() - 1);
        List<ActivationAlert> all = harness.extractOutputValues();
        return all.subList(before, all.size());
    }

    private static ActivationAlert alert(
            String group,
            String kind,
            Integer feature,
            int window,
            double value,
            double threshold,
            String message) {
        return ActivationAlert.newBuilder()
                .setGroup(group)
                .setKind(kind)
                .setFeature(feature)
                .setWindowStart(windowStart(window))
                .setWindowEnd(windowEnd(window))
                .setValue(value)
                .setThreshold(threshold)
                .setActivation("relu")
                .setMessage(message)
                .build();
    }

    @Test
    void deadAfterExactlyDeadWindowsAndOnlyOnce() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, null, "relu"));

        assertThat(feed(harness, features("layer1", 0, 1.0, 0.5))).isEmpty();
        assertThat(feed(harness, features("layer1", 1, 1.0, 0.5))).isEmpty();
        assertThat(feed(harness, features("layer1", 2, 1.0, 0.5)))
                .containsExactly(
                        alert(
                                "layer1",
                                "dead_feature",
                                0,
                                2,
                                1.0,
                                1.0,
                                "Feature 0 of group layer1 has been dead (zero fraction 1.0 >="
                                        + " 1.0) for 3 consecutive windows, the last"
                                        + " [2026-01-01T00:00:20Z, 2026-01-01T00:00:30Z)"));
        for (int w = 3; w < 10; w++) {
            assertThat(feed(harness, features("layer1", w, 1.0, 0.5))).as("window %s", w).isEmpty();
        }
    }

    @Test
    void oneDeadWindowIsEnoughWhenDeadWindowsIsOne() throws Exception {
        var harness = harness(new DeadFeatureDetector(1, 0.9, null, "relu"));

        List<ActivationAlert> alerts = feed(harness, stats("g", 0, 0.5, f(0.95, 0.9, 0.89)));

        assertThat(alerts).extracting(ActivationAlert::getFeature).containsExactly(0, 1);
        assertThat(alerts).extracting(ActivationAlert::getValue).containsExactly(0.95, 0.9);
        assertThat(alerts).extracting(ActivationAlert::getThreshold).containsOnly(0.9);
        assertThat(alerts.get(0).getMessage())
                .isEqualTo(
                        "Feature 0 of group g is dead (zero fraction 0.95 >= 0.9) in"
                                + " [2026-01-01T00:00:00Z, 2026-01-01T00:00:10Z)");
    }

    /**
     * The alert holds its group whole as its key and in its group field; its message names a long
     * one by its start and length only, so that an alert is never larger than the statistics that
     * raised it (the job checks those against the producers' max.request.size).
     */
    @Test
    void theMessageNamesAGroupOfMoreThan64CharactersByItsStartAndLength() throws Exception {
        String whole = "g".repeat(64);
        // 63 characters, then an emoji (one character, two UTF-16 chars), then one more.
        String cut = "g".repeat(63) + "\ud83d\ude00" + "x";
        var harness = harness(new DeadFeatureDetector(1, 0.9, null, "relu"));

        List<ActivationAlert> alerts = feed(harness, stats(whole, 0, 0.5, f(0.95)));
        alerts.addAll(feed(harness, stats(cut, 0, 0.5, f(0.95))));

        assertThat(alerts).extracting(ActivationAlert::getGroup).containsExactly(whole, cut);
        assertThat(alerts)
                .extracting(ActivationAlert::getMessage)
                .containsExactly(
                        "Feature 0 of group "
                                + whole
                                + " is dead (zero fraction 0.95 >= 0.9) in"
                                + " [2026-01-01T00:00:00Z, 2026-01-01T00:00:10Z)",
                        "Feature 0 of group "
                                + "g".repeat(63)
                                + "\ud83d\ude00"
                                + "... (65 characters) is dead (zero fraction 0.95 >= 0.9) in"
                                + " [2026-01-01T00:00:00Z, 2026-01-01T00:00:10Z)");
    }

    /**
     * Characters are what a reader counts, code points: an emoji or another character beyond the
     * Basic Multilingual Plane is one, not the two UTF-16 chars Java stores it in, and the start
     * shown never ends in half of one.
     */
    @Test
    void aGroupOfEmojiIsCountedAndCutByCharactersNotUtf16Chars() throws Exception {
        String grin = "\ud83d\ude00"; // U+1F600
        String clef = "\ud834\udd1e"; // U+1D11E, the G clef
        String sixtyFour = grin.repeat(64);
        String sixtyFive = grin.repeat(65);
        String odd = "g" + clef.repeat(70);
        String quoted = "," + grin.repeat(70);
        var harness = harness(new DeadFeatureDetector(1, 0.9, null, "relu"));

        List<ActivationAlert> alerts = new ArrayList<>();
        for (String group : List.of(sixtyFour, sixtyFive, odd, quoted)) {
            alerts.addAll(feed(harness, stats(group, 0, 0.5, f(0.95))));
        }

        String rest = " is dead (zero fraction 0.95 >= 0.9) in " + window(0);
        assertThat(alerts)
                .extracting(ActivationAlert::getMessage)
                .containsExactly(
                        // 64 characters: whole (it was cut to 32 of them, "(128 characters)").
                        "Feature 0 of group " + sixtyFour + rest,
                        "Feature 0 of group " + grin.repeat(64) + "... (65 characters)" + rest,
                        // After a one-char "g" the 64th character is a whole clef, not half.
                        "Feature 0 of group g" + clef.repeat(63) + "... (71 characters)" + rest,
                        // Quoted for its comma: 64 characters shown, the quotes included.
                        "Feature 0 of group \","
                                + grin.repeat(61)
                                + "\"... (71 characters)"
                                + rest);
    }

    /**
     * The limit is on the group as the message shows it: 64 control characters are 64 characters,
     * but quoted and escaped they would take 386, more than the statistics' bound leaves for them.
     */
    @Test
    void theMessageNamesAGroupThatTakesMoreThan64CharactersShownByItsStartAndLength()
            throws Exception {
        String controls = "\u0001".repeat(64);
        var harness = harness(new DeadFeatureDetector(1, 0.9, null, "relu"));

        assertThat(feed(harness, stats(controls, 0, 0.5, f(0.95))))
                .extracting(ActivationAlert::getGroup, ActivationAlert::getMessage)
                .containsExactly(
                        tuple(
                                controls,
                                // Ten of them, quoted: 62 characters.
                                "Feature 0 of group \""
                                        + "\\u0001".repeat(10)
                                        + "\"... (64 characters) is dead (zero fraction 0.95 >="
                                        + " 0.9) in "
                                        + window(0)));
    }

    @Test
    void aBrokenStreakStartsAgain() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, null, "relu"));

        assertThat(feed(harness, features("g", 0, 1.0))).isEmpty();
        assertThat(feed(harness, features("g", 1, 1.0))).isEmpty();
        // Alive without an alert: the streak resets, no "recovered".
        assertThat(feed(harness, features("g", 2, 0.99))).isEmpty();
        assertThat(feed(harness, features("g", 3, 1.0))).isEmpty();
        assertThat(feed(harness, features("g", 4, 1.0))).isEmpty();
        assertThat(feed(harness, features("g", 5, 1.0)))
                .extracting(ActivationAlert::getKind, ActivationAlert::getWindowEnd)
                .containsExactly(tuple("dead_feature", windowEnd(5)));
    }

    @Test
    void recoveredWhenADeadFeatureComesBackAndDeadAgainAfterAFreshStreak() throws Exception {
        var harness = harness(new DeadFeatureDetector(2, 1.0, null, "relu"));
        feed(harness, stats("g", 0, 0.1, f(0.0, 1.0)));
        assertThat(feed(harness, stats("g", 1, 0.1, f(0.0, 1.0))))
                .extracting(ActivationAlert::getFeature)
                .containsExactly(1);

        assertThat(feed(harness, stats("g", 2, 0.1, f(0.0, 0.25))))
                .containsExactly(
                        alert(
                                "g",
                                "recovered",
                                1,
                                2,
                                0.25,
                                1.0,
                                "Feature 1 of group g has recovered (zero fraction 0.25 < 1.0)"
                                        + " in [2026-01-01T00:00:20Z, 2026-01-01T00:00:30Z)"));
        assertThat(feed(harness, stats("g", 3, 0.1, f(0.0, 0.5)))).isEmpty();
        assertThat(feed(harness, stats("g", 4, 0.1, f(0.0, 1.0)))).isEmpty();
        assertThat(feed(harness, stats("g", 5, 0.1, f(0.0, 1.0))))
                .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                .containsExactly(tuple("dead_feature", 1));
    }

    @Test
    void unobservedFeaturesKeepTheirStreakAndAlert() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, null, "relu"));

        assertThat(feed(harness, features("g", 0, 1.0, 1.0, 1.0))).isEmpty();
        // Windows whose vectors were shorter: features 1 and 2 were not seen.
        assertThat(feed(harness, features("g", 1, 1.0))).isEmpty();
        assertThat(feed(harness, features("g", 2, 1.0)))
                .extracting(ActivationAlert::getFeature)
                .containsExactly(0);
        assertThat(feed(harness, features("g", 3, 1.0, 1.0, 1.0))).isEmpty();
        assertThat(feed(harness, features("g", 4, 1.0, 1.0, 1.0)))
                .extracting(ActivationAlert::getFeature)
                .containsExactly(1, 2);
        // Only feature 0 is observed, so only it recovers; 1 and 2 stay alerted.
        assertThat(feed(harness, features("g", 5, 0.0)))
                .extracting(ActivationAlert::getKind)
                .containsExactly("recovered");
        assertThat(feed(harness, features("g", 6))).isEmpty();
        assertThat(feed(harness, features("g", 7, 1.0, 0.0, 0.0)))
                .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                .containsExactly(tuple("recovered", 1), tuple("recovered", 2));
    }

    @Test
    void alertsOfOneWindowComeInFeatureOrderThenTheGroupAlert() throws Exception {
        var harness = harness(new DeadFeatureDetector(1, 1.0, 0.5, "relu"));
        feed(harness, stats("g", 0, 0.1, f(0.0, 1.0, 0.0, 1.0)));

        List<ActivationAlert> alerts =
                feed(harness, stats("g", 1, 0.6, f(1.0, 0.0, 1.0, 0.0, 1.0)));

        assertThat(alerts)
                .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                .containsExactly(
                        tuple("dead_feature", 0),
                        tuple("recovered", 1),
                        tuple("dead_feature", 2),
                        tuple("recovered", 3),
                        tuple("dead_feature", 4),
                        tuple("sparsity_above", null));
    }

    @Test
    void lateFiringsOfWindowsBeforeTheLatestAreIgnored() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, 0.5, "relu"));

        assertThat(feed(harness, stats("g", 0, 0.1, f(1.0)))).isEmpty();
        assertThat(feed(harness, stats("g", 1, 0.1, f(1.0)))).isEmpty();
        // A late firing of window 0 with the feature alive would break the streak, and its zero
        // fraction would cross the limit: neither is counted, window 1 came after it.
        assertThat(feed(harness, stats("g", 0, 0.9, f(0.5)))).isEmpty();
        assertThat(feed(harness, stats("g", 2, 0.1, f(1.0))))
                .extracting(ActivationAlert::getKind, ActivationAlert::getWindowEnd)
                .containsExactly(tuple("dead_feature", windowEnd(2)));
    }

    @Test
    void aReFiringOfTheLatestWindowSupersedesItsFirstFiring() throws Exception {
        var harness = harness(new DeadFeatureDetector(2, 1.0, 0.5, "relu"));

        assertThat(feed(harness, stats("g", 0, 0.1, f(1.0, 0.0)))).isEmpty();
        assertThat(feed(harness, stats("g", 1, 0.1, f(1.0, 0.0))))
                .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                .containsExactly(tuple("dead_feature", 0));
        // Late records brought feature 0 back in window 1, and its zero fraction above the limit.
        assertThat(feed(harness, stats("g", 1, 0.9, f(0.75, 0.0))))
                .containsExactly(
                        alert(
                                "g",
                                "recovered",
                                0,
                                1,
                                0.75,
                                1.0,
                                "Feature 0 of group g has recovered (zero fraction 0.75 < 1.0)"
                                        + " in [2026-01-01T00:00:10Z, 2026-01-01T00:00:20Z)"),
                        alert(
                                "g",
                                "sparsity_above",
                                null,
                                1,
                                0.9,
                                0.5,
                                "Zero fraction of group g is 0.9, above the limit 0.5, in"
                                        + " [2026-01-01T00:00:10Z, 2026-01-01T00:00:20Z)"));
        // Firing again with what the first firing said: dead again, and no second sparsity alert
        // for a window that already had one... until the zero fraction drops and rises again.
        assertThat(feed(harness, stats("g", 1, 0.95, f(1.0, 0.0))))
                .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                .containsExactly(tuple("dead_feature", 0));
        assertThat(feed(harness, stats("g", 1, 0.2, f(1.0, 0.0)))).isEmpty();
        assertThat(feed(harness, stats("g", 1, 0.6, f(1.0, 0.0))))
                .extracting(ActivationAlert::getKind, ActivationAlert::getValue)
                .containsExactly(tuple("sparsity_above", 0.6));
        // The next window goes on from the last firing of window 1: streak 3, above the limit.
        assertThat(feed(harness, stats("g", 2, 0.7, f(1.0, 1.0)))).isEmpty();
        assertThat(feed(harness, stats("g", 3, 0.1, f(0.0, 1.0))))
                .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                .containsExactly(tuple("recovered", 0), tuple("dead_feature", 1));
    }

    /** Statistics of session {@code [BASE + startSeconds, BASE + endSeconds)}. */
    private static ActivationStats session(
            int startSeconds, int endSeconds, Double zeroFraction, double... perFeature) {
        return ActivationStats.newBuilder(stats("g", 0, zeroFraction, perFeature))
                .setWindowStart(Instant.ofEpochMilli(BASE + startSeconds * 1_000L))
                .setWindowEnd(Instant.ofEpochMilli(BASE + endSeconds * 1_000L))
                .build();
    }

    @Test
    void aSessionThatLateRecordsExtendedSupersedesItsFirstFiring() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, 0.5, "relu"));

        assertThat(feed(harness, session(0, 20, 0.6, 1.0, 0.0)))
                .extracting(ActivationAlert::getKind)
                .containsExactly("sparsity_above");
        assertThat(feed(harness, session(40, 60, 0.6, 1.0, 0.0))).isEmpty();
        // A late record at 55 s extended the second session to [40, 75): still two sessions,
        // feature 0 dead in both, not three windows in a row; no second sparsity edge either.
        assertThat(feed(harness, session(40, 75, 0.6, 1.0, 0.0))).isEmpty();
        // One more at 10 s merges both into [0, 75): the same again, evaluated from before the
        // latest session as any re-firing.
        assertThat(feed(harness, session(0, 75, 0.6, 1.0, 0.0))).isEmpty();
        // The next session is the third in a row with feature 0 dead.
        assertThat(feed(harness, session(100, 120, 0.4, 1.0, 0.0)))
                .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                .containsExactly(tuple("dead_feature", 0));
        // The extended session's first firing is the one before the latest now: ignored.
        assertThat(feed(harness, session(40, 60, 0.6, 0.5, 0.0))).isEmpty();
    }

    @Test
    void aGapBetweenWindowsBreaksTheStreaksWhenTheSlideIsKnown() throws Exception {
        var harness = harness(new DeadFeatureDetector(2, 1.0, null, "relu", 100, WINDOW));

        assertThat(feed(harness, features("g", 0, 1.0, 1.0))).isEmpty();
        // Windows 1 to 3 had no records: window 4 does not follow window 0.
        assertThat(feed(harness, features("g", 4, 1.0, 0.0))).isEmpty();
        assertThat(feed(harness, features("g", 5, 1.0, 0.0)))
                .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                .containsExactly(tuple("dead_feature", 0));
        // An alerted feature stays alerted over a gap; its streak starts again.
        assertThat(feed(harness, features("g", 9, 1.0, 0.0))).isEmpty();
        assertThat(feed(harness, features("g", 10, 0.5, 0.0)))
                .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                .containsExactly(tuple("recovered", 0));
    }

    @Test
    void aGapEndsTheSparsityEdgeLikeAWindowWithoutValues() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, 0.5, "relu", 100, WINDOW));

        assertThat(feed(harness, stats("g", 0, 0.9, f())))
                .extracting(a -> a.getKind())
                .containsExactly("sparsity_above");
        assertThat(feed(harness, stats("g", 1, 0.9, f()))).isEmpty();
        // Window 2 had no records: window 3 rises above the limit again.
        assertThat(feed(harness, stats("g", 3, 0.9, f())))
                .extracting(ActivationAlert::getKind, ActivationAlert::getWindowEnd)
                .containsExactly(tuple("sparsity_above", windowEnd(3)));
    }

    @Test
    void withoutTheSlideEveryWindowTheGroupReachedFollowsTheLastOne() throws Exception {
        var harness = harness(new DeadFeatureDetector(2, 1.0, null, "relu"));

        assertThat(feed(harness, features("g", 0, 1.0))).isEmpty();
        assertThat(feed(harness, features("g", 4, 1.0)))
                .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                .containsExactly(tuple("dead_feature", 0));
    }

    @Test
    void slidingWindowsFollowEachOtherBySlide() throws Exception {
        long slide = WINDOW / 2;
        var harness = harness(new DeadFeatureDetector(2, 1.0, null, "relu", 100, slide));

        assertThat(feed(harness, shifted(features("g", 0, 1.0), 0))).isEmpty();
        assertThat(feed(harness, shifted(features("g", 0, 1.0), slide)))
                .extracting(ActivationAlert::getKind)
                .containsExactly("dead_feature");
        assertThat(feed(harness, shifted(features("g", 0, 0.0), 2 * slide)))
                .extracting(ActivationAlert::getKind)
                .containsExactly("recovered");
        // Two slides on: the window between had no records.
        assertThat(feed(harness, shifted(features("g", 0, 1.0), 4 * slide))).isEmpty();
        assertThat(feed(harness, shifted(features("g", 0, 1.0), 6 * slide))).isEmpty();
        assertThat(feed(harness, shifted(features("g", 0, 1.0), 7 * slide)))
                .extracting(ActivationAlert::getKind)
                .containsExactly("dead_feature");
    }

    /** The same statistics for a window {@code millis} later. */
    private static ActivationStats shifted(ActivationStats stats, long millis) {
        return ActivationStats.newBuilder(stats)
                .setWindowStart(stats.getWindowStart().plusMillis(millis))
                .setWindowEnd(stats.getWindowEnd().plusMillis(millis))
                .build();
    }

    @Test
    void sparsityAboveFiresOnTheRisingEdgeOnly() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, 0.8, "relu"));

        assertThat(feed(harness, stats("g", 0, 0.5, f()))).isEmpty();
        assertThat(feed(harness, stats("g", 1, 0.9, f())))
                .containsExactly(
                        alert(
                                "g",
                                "sparsity_above",
                                null,
                                1,
                                0.9,
                                0.8,
                                "Zero fraction of group g is 0.9, above the limit 0.8, in"
                                        + " [2026-01-01T00:00:10Z, 2026-01-01T00:00:20Z)"));
        assertThat(feed(harness, stats("g", 2, 0.95, f()))).isEmpty();
        // Equal to the limit is not above it.
        assertThat(feed(harness, stats("g", 3, 0.8, f()))).isEmpty();
        assertThat(feed(harness, stats("g", 4, 0.85, f())))
                .extracting(ActivationAlert::getValue)
                .containsExactly(0.85);
        // A window without values has no zero fraction: not above.
        assertThat(feed(harness, stats("g", 5, null, f()))).isEmpty();
        assertThat(feed(harness, stats("g", 6, 1.0, f())))
                .extracting(ActivationAlert::getKind)
                .containsExactly("sparsity_above");
    }

    @Test
    void sparsityAboveInTheFirstWindowFires() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, 0.0, "relu"));

        assertThat(feed(harness, stats("g", 0, 0.1, f())))
                .extracting(ActivationAlert::getKind, ActivationAlert::getThreshold)
                .containsExactly(tuple("sparsity_above", 0.0));
    }

    @Test
    void aSparsityLimitOfMinusZeroIsTheLimitZero() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, -0.0, "relu"));

        assertThat(feed(harness, stats("g", 0, 0.1, f())))
                .containsExactly(
                        alert(
                                "g",
                                "sparsity_above",
                                null,
                                0,
                                0.1,
                                0.0,
                                "Zero fraction of group g is 0.1, above the limit 0.0, in"
                                        + " [2026-01-01T00:00:00Z, 2026-01-01T00:00:10Z)"));
        assertThat(Double.doubleToRawLongBits(harness.extractOutputValues().get(0).getThreshold()))
                .isZero();
    }

    @Test
    void noSparsityAlertsWithoutALimit() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, null, "relu"));

        assertThat(feed(harness, stats("g", 0, 1.0, f()))).isEmpty();
        assertThat(feed(harness, stats("g", 1, 0.1, f()))).isEmpty();
        assertThat(feed(harness, stats("g", 2, 1.0, f()))).isEmpty();
    }

    /**
     * Groups come from the records: one with a line break would start a line of the log of its own,
     * where it could pass for another alert; the message quotes it, as an empty group.
     */
    @Test
    void aMessageQuotesAGroupThatWouldNotReadAsOneName() throws Exception {
        var harness = harness(new DeadFeatureDetector(1, 1.0, null, "relu"));
        String forged = "a\nWARN Activation alert recovered: Feature 0 of group b";

        assertThat(feed(harness, features(forged, 0, 1.0)))
                .extracting(ActivationAlert::getGroup, ActivationAlert::getMessage)
                .containsExactly(
                        tuple(
                                forged,
                                "Feature 0 of group \"a\\nWARN Activation alert recovered: Feature"
                                        + " 0 of group b\" is dead (zero fraction 1.0 >= 1.0) in "
                                        + window(0)));
        assertThat(feed(harness, features("", 0, 1.0)))
                .extracting(ActivationAlert::getMessage)
                .containsExactly(
                        "Feature 0 of group \"\" is dead (zero fraction 1.0 >= 1.0) in "
                                + window(0));
    }

    @Test
    void groupsAreIndependent() throws Exception {
        var harness = harness(new DeadFeatureDetector(2, 1.0, 0.5, "relu"));

        assertThat(feed(harness, stats("a", 0, 0.1, f(1.0)))).isEmpty();
        assertThat(feed(harness, stats("b", 0, 0.9, f(0.0))))
                .extracting(ActivationAlert::getGroup, ActivationAlert::getKind)
                .containsExactly(tuple("b", "sparsity_above"));
        assertThat(feed(harness, stats("b", 1, 0.1, f(1.0)))).isEmpty();
        assertThat(feed(harness, stats("a", 1, 0.9, f(1.0))))
                .extracting(ActivationAlert::getGroup, ActivationAlert::getKind)
                .containsExactly(tuple("a", "dead_feature"), tuple("a", "sparsity_above"));
        assertThat(feed(harness, stats("b", 2, 0.1, f(1.0))))
                .extracting(ActivationAlert::getGroup, ActivationAlert::getKind)
                .containsExactly(tuple("b", "dead_feature"));
        // Window 0 again is late for a, whatever b has seen.
        assertThat(feed(harness, stats("a", 0, 0.1, f(0.0)))).isEmpty();
        // Eight states per group: five, and three as they were before the latest window.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(16);
    }

    @Test
    void aGroupWithoutRecordsForASlideAndTheLatenessLeavesNoState() throws Exception {
        long lateness = 2 * WINDOW;
        var harness = harness(new DeadFeatureDetector(3, 1.0, 0.5, "relu", 100, WINDOW, lateness));

        feed(harness, stats("gone", 0, 0.9, f(1.0, 0.0)));
        for (int window = 0; window < 4; window++) {
            feed(harness, stats("staying", window, 0.1, f(0.0)));
        }
        // Eight states per group, as in groupsAreIndependent.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(16);
        // Window 0 of "gone" takes late records until the watermark reaches its last
        // millisecond plus the lateness; window 1, which closed without records, takes them
        // until its own last millisecond plus the lateness: its group's state is known to be of
        // no more use only when both are over.
        long over = windowEnd(1).toEpochMilli() - 1 + lateness;
        harness.processWatermark(over - 1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(16);
        harness.processWatermark(over);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(8);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        assertThat(harness.extractOutputValues())
                .extracting(ActivationAlert::getGroup, ActivationAlert::getKind)
                .containsExactly(tuple("gone", "sparsity_above"));
    }

    @Test
    void aGroupThatComesBackAfterItsStateWasClearedAlertsAsIfItHadBeenKept() throws Exception {
        long lateness = WINDOW;
        var cleared = harness(new DeadFeatureDetector(2, 1.0, 0.5, "relu", 100, WINDOW, lateness));
        var kept = harness(new DeadFeatureDetector(2, 1.0, 0.5, "relu", 100, WINDOW));

        for (var harness : List.of(cleared, kept)) {
            assertThat(feed(harness, stats("g", 0, 0.9, f(1.0, 1.0)))).hasSize(1);
            assertThat(feed(harness, stats("g", 1, 0.9, f(1.0, 0.0))))
                    .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                    .containsExactly(tuple("dead_feature", 0));
            harness.processWatermark(windowEnd(20).toEpochMilli());
        }
        // Only feature 0's alert is left: its recovery is still to be reported.
        assertThat(cleared.numKeyedStateEntries()).isEqualTo(1);
        assertThat(kept.numKeyedStateEntries()).isEqualTo(8);

        for (var harness : List.of(cleared, kept)) {
            // Feature 0 is back, feature 1 dead for one window only, the group above the limit
            // again after the gap.
            assertThat(feed(harness, stats("g", 21, 0.9, f(0.5, 1.0))))
                    .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                    .containsExactly(tuple("recovered", 0), tuple("sparsity_above", null));
            assertThat(feed(harness, stats("g", 22, 0.9, f(0.5, 1.0))))
                    .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                    .containsExactly(tuple("dead_feature", 1));
        }
    }

    @Test
    void aReFiringWithinTheLatenessStillFindsTheStateBeforeItsWindow() throws Exception {
        long lateness = 3 * WINDOW;
        var harness = harness(new DeadFeatureDetector(2, 1.0, null, "relu", 100, WINDOW, lateness));

        feed(harness, features("g", 0, 1.0));
        assertThat(feed(harness, features("g", 1, 1.0)))
                .extracting(ActivationAlert::getKind)
                .containsExactly("dead_feature");
        // The next two windows closed without records, but window 1 may still fire again: the
        // last watermark before Flink drops its late records.
        long over = windowEnd(1).toEpochMilli() - 1 + lateness;
        harness.processWatermark(over - 1);
        assertThat(feed(harness, features("g", 1, 0.5)))
                .extracting(ActivationAlert::getKind, ActivationAlert::getWindowEnd)
                .containsExactly(tuple("recovered", windowEnd(1)));
        // Window 2 takes late records for one window more.
        harness.processWatermark(over + WINDOW - 1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(8);
        harness.processWatermark(over + WINDOW);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aNextWindowThatOnlyLateRecordsOpenContinuesTheStreaksAsIfTheStateHadBeenKept()
            throws Exception {
        long lateness = 3 * WINDOW;
        var cleared = harness(new DeadFeatureDetector(2, 1.0, null, "relu", 100, WINDOW, lateness));
        var kept = harness(new DeadFeatureDetector(2, 1.0, null, "relu", 100, WINDOW));

        for (var harness : List.of(cleared, kept)) {
            assertThat(feed(harness, features("g", 0, 1.0))).isEmpty();
            // Window 0 can fire no more and window 1 closed without records; but window 1 still
            // takes late records (Flink fires it for them) until its last millisecond plus the
            // lateness: the last watermark before that.
            harness.processWatermark(windowEnd(1).toEpochMilli() - 1 + lateness - 1);
            assertThat(feed(harness, features("g", 1, 1.0)))
                    .extracting(ActivationAlert::getKind, ActivationAlert::getFeature)
                    .containsExactly(tuple("dead_feature", 0));
        }
    }

    @Test
    void withoutASlideNoStateIsCleared() throws Exception {
        var harness = harness(new DeadFeatureDetector(2, 1.0, 0.5, "relu", 100, 0L, 0L));

        feed(harness, stats("g", 0, 0.9, f(0.0)));
        harness.processWatermark(Long.MAX_VALUE);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(8);
    }

    @Test
    void refusesANegativeLateness() {
        assertThatThrownBy(() -> new DeadFeatureDetector(2, 1.0, 0.5, "relu", 100, WINDOW, -1L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("allowedLatenessMillis must be >= 0: -1");
    }

    @Test
    void countsEachWindowOfAGroupOnceWhenItBecomesTheLatest() throws Exception {
        // The metrics the operator registers, as "<group>/<name>", in a real metric group tree.
        Map<String, Metric> metrics = new HashMap<>();
        TestingMetricRegistry registry =
                TestingMetricRegistry.builder()
                        .setRegisterConsumer(
                                (metric, name, group) ->
                                        metrics.put(
                                                group.getAllVariables().get("<group>") + "/" + name,
                                                metric))
                        .build();
        TaskMetricGroup task =
                TaskManagerMetricGroup.createTaskManagerMetricGroup(
                                registry, "host", ResourceID.generate())
                        .addJob(new JobID(), "job")
                        .addTask(ExecutionAttemptID.randomId(), "task");
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new DeadFeatureDetector(3, 1.0, null, "relu", 100, WINDOW)),
                        ActivationStats::getGroup,
                        Types.STRING,
                        new MockEnvironmentBuilder().setMetricGroup(task).build());
        harnesses.add(harness);
        harness.open();

        feed(harness, stats("a", 0, 0.5, f(1.0)));
        feed(harness, stats("a", 1, 0.5, f(1.0)));
        // Window 1 again (late records): its values, but not a window more.
        feed(harness, stats("a", 1, 0.75, f(1.0, 1.0)));
        // Window 0 again: older than the latest, changes nothing.
        feed(harness, stats("a", 0, 0.25, f(0.0)));
        feed(harness, stats("b", 0, 1.0, f(1.0)));
        // After a gap: windows 2 to 4 had no records and are not counted.
        feed(harness, stats("a", 5, 0.5, f(0.0)));

        assertThat(((Counter) metrics.get("a/closedWindows")).getCount()).isEqualTo(3);
        assertThat(((Counter) metrics.get("b/closedWindows")).getCount()).isEqualTo(1);
        assertThat(((Gauge<?>) metrics.get("a/lastWindowZeroFraction")).getValue()).isEqualTo(0.5);
        assertThat(((Gauge<?>) metrics.get("b/lastWindowZeroFraction")).getValue()).isEqualTo(1.0);
    }

    @Test
    void stateSurvivesASnapshotAndRestore() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, 0.5, "relu"));
        feed(harness, stats("g", 0, 0.9, f(1.0)));
        feed(harness, stats("g", 1, 0.9, f(1.0)));
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);

        // A fresh operator, as after a failover: built by hand because it must not be opened yet.
        var restored =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DeadFeatureDetector(3, 1.0, 0.5, "relu")),
                        ActivationStats::getGroup,
                        Types.STRING);
        harnesses.add(restored);
        restored.initializeState(snapshot);
        restored.open();

        // The re-firing of window 1 is recognised (and changes nothing), the streak continues,
        // the sparsity edge is kept.
        assertThat(feed(restored, stats("g", 1, 0.9, f(1.0)))).isEmpty();
        assertThat(feed(restored, stats("g", 2, 0.9, f(1.0))))
                .extracting(ActivationAlert::getKind)
                .containsExactly("dead_feature");
    }

    @Test
    void aStreakRestoredPastALoweredDeadWindowsAlertsInItsNextDeadWindow() throws Exception {
        var harness = harness(new DeadFeatureDetector(5, 1.0, null, "relu"));
        for (int w = 0; w < 4; w++) {
            assertThat(feed(harness, features("g", w, 1.0))).isEmpty();
        }
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);

        // Restored with --dead-windows 3: four dead windows already, the fifth is past 3.
        var restored =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DeadFeatureDetector(3, 1.0, null, "relu")),
                        ActivationStats::getGroup,
                        Types.STRING);
        harnesses.add(restored);
        restored.initializeState(snapshot);
        restored.open();

        assertThat(feed(restored, features("g", 4, 1.0)))
                .extracting(
                        ActivationAlert::getKind,
                        ActivationAlert::getFeature,
                        ActivationAlert::getWindowEnd)
                .containsExactly(tuple("dead_feature", 0, windowEnd(4)));
        // Once, as always.
        assertThat(feed(restored, features("g", 5, 1.0))).isEmpty();
    }

    @Test
    void restoredWithAnotherLatenessAGroupThatStoppedIsStillCleared() throws Exception {
        long lateness = 3 * WINDOW;
        // The cleanup the state was saved with: window 1's last millisecond plus 30s.
        long saved = windowEnd(1).toEpochMilli() - 1 + lateness;
        for (long restoredLateness : new long[] {0L, 6 * WINDOW}) {
            var harness =
                    harness(new DeadFeatureDetector(2, 1.0, null, "relu", 100, WINDOW, lateness));
            feed(harness, features("g", 0, 0.5));
            var restored =
                    restored(
                            harness.snapshot(1L, 1L),
                            new DeadFeatureDetector(
                                    2, 1.0, null, "relu", 100, WINDOW, restoredLateness));
            // A shorter lateness: its cleanup has passed when the saved one comes.
            // A longer one: window 1 takes late records until its last millisecond plus it.
            long over = Math.max(saved, windowEnd(1).toEpochMilli() - 1 + restoredLateness);
            restored.processWatermark(over - 1);
            assertThat(restored.numKeyedStateEntries()).isEqualTo(8);
            restored.processWatermark(over);
            assertThat(restored.numKeyedStateEntries())
                    .as("lateness %d", restoredLateness)
                    .isZero();
        }
    }

    @Test
    void restoredIntoADetectorThatKeepsStateNothingIsCleared() throws Exception {
        var harness =
                harness(new DeadFeatureDetector(2, 1.0, null, "relu", 100, WINDOW, 3 * WINDOW));
        feed(harness, features("g", 0, 0.5));
        var restored =
                restored(
                        harness.snapshot(1L, 1L),
                        new DeadFeatureDetector(2, 1.0, null, "relu", 100, WINDOW));

        restored.processWatermark(Long.MAX_VALUE);
        assertThat(restored.numKeyedStateEntries()).isEqualTo(8);
    }

    /** A fresh operator restored from {@code snapshot}, as after a restart with new options. */
    private KeyedOneInputStreamOperatorTestHarness<String, ActivationStats, ActivationAlert>
            restored(OperatorSubtaskState snapshot, DeadFeatureDetector detector) throws Exception {
        // Built by hand because it must not be opened before the state is in.
        var restored =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(detector),
                        ActivationStats::getGroup,
                        Types.STRING);
        harnesses.add(restored);
        restored.initializeState(snapshot);
        restored.open();
        return restored;
    }

    @Test
    void aSparsityLimitAddedBackComparesWithTheGroupsRealLastWindow() throws Exception {
        var withLimit = harness(new DeadFeatureDetector(3, 1.0, 0.5, "relu"));
        assertThat(feed(withLimit, stats("g", 0, 0.9, f())))
                .extracting(ActivationAlert::getKind)
                .containsExactly("sparsity_above");

        // A run without sparsity alerts, in which the group drops to 0.1.
        var withoutLimit =
                restored(withLimit.snapshot(1L, 1L), new DeadFeatureDetector(3, 1.0, null, "relu"));
        assertThat(feed(withoutLimit, stats("g", 1, 0.1, f()))).isEmpty();
        assertThat(feed(withoutLimit, stats("g", 2, 0.1, f()))).isEmpty();

        // The limit is back: window 3 at 0.9 rises from window 2's 0.1, so it fires.
        var limitBack =
                restored(
                        withoutLimit.snapshot(2L, 2L),
                        new DeadFeatureDetector(3, 1.0, 0.5, "relu"));
        assertThat(feed(limitBack, stats("g", 3, 0.9, f())))
                .extracting(ActivationAlert::getKind, ActivationAlert::getValue)
                .containsExactly(tuple("sparsity_above", 0.9));
    }

    @Test
    void aRaisedSparsityLimitComparesTheWindowBeforeWithTheNewLimit() throws Exception {
        var harness = harness(new DeadFeatureDetector(3, 1.0, 0.5, "relu"));
        assertThat(feed(harness, stats("g", 0, 0.6, f())))
                .extracting(ActivationAlert::getKind)
                .containsExactly("sparsity_above");

        // Restored with a limit of 0.8: window 0's 0.6 is not above it, window 1's 0.9 is.
        var raised =
                restored(harness.snapshot(1L, 1L), new DeadFeatureDetector(3, 1.0, 0.8, "relu"));
        assertThat(feed(raised, stats("g", 1, 0.9, f())))
                .extracting(ActivationAlert::getValue, ActivationAlert::getThreshold)
                .containsExactly(tuple(0.9, 0.8));
        assertThat(feed(raised, stats("g", 2, 0.95, f()))).isEmpty();
    }

    @Test
    void sparsityStateOfEarlierVersionsStillHoldsTheEdge() throws Exception {
        // What a savepoint of the versions that kept only "above the limit or not" holds after
        // window 1 rose above the limit and alerted: these states, and no zero fractions.
        var earlier =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new EarlierSparsityState(windowEnd(1).toEpochMilli()),
                        ActivationStats::getGroup,
                        Types.STRING);
        harnesses.add(earlier);
        earlier.processElement(stats("g", 1, 0.9, f()), 0L);

        var restored =
                restored(earlier.snapshot(1L, 1L), new DeadFeatureDetector(3, 1.0, 0.5, "relu"));
        // The re-firing of window 1 and window 2 stay above: no second alert.
        assertThat(feed(restored, stats("g", 1, 0.9, f()))).isEmpty();
        assertThat(feed(restored, stats("g", 2, 0.9, f()))).isEmpty();
        assertThat(feed(restored, stats("g", 3, 0.2, f()))).isEmpty();
        assertThat(feed(restored, stats("g", 4, 0.9, f())))
                .extracting(ActivationAlert::getKind, ActivationAlert::getWindowEnd)
                .containsExactly(tuple("sparsity_above", windowEnd(4)));
    }

    /** Writes the detector's state as the versions before the kept zero fractions left it. */
    private static final class EarlierSparsityState
            extends KeyedProcessFunction<String, ActivationStats, ActivationAlert> {
        private final long lastWindowEnd;

        EarlierSparsityState(long lastWindowEnd) {
            this.lastWindowEnd = lastWindowEnd;
        }

        @Override
        public void processElement(
                ActivationStats stats, Context context, Collector<ActivationAlert> out)
                throws Exception {
            RuntimeContext runtime = getRuntimeContext();
            runtime.getState(new ValueStateDescriptor<>("last-window-end", Types.LONG))
                    .update(lastWindowEnd);
            for (String name : List.of("dead-streaks", "dead-streaks-before")) {
                runtime.getState(
                                new ValueStateDescriptor<>(
                                        name, PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO))
                        .update(new int[0]);
            }
            for (String name : List.of("dead-alerted", "dead-alerted-before")) {
                runtime.getState(
                                new ValueStateDescriptor<>(
                                        name,
                                        PrimitiveArrayTypeInfo.BOOLEAN_PRIMITIVE_ARRAY_TYPE_INFO))
                        .update(new boolean[0]);
            }
            runtime.getState(new ValueStateDescriptor<>("sparsity-above", Types.BOOLEAN))
                    .update(true);
            runtime.getState(new ValueStateDescriptor<>("sparsity-above-before", Types.BOOLEAN))
                    .update(false);
        }
    }

    @Test
    void rejectsMeaninglessParameters() {
        assertThatThrownBy(() -> new DeadFeatureDetector(0, 1.0, null, "relu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadWindows must be at least 1: 0");
        // A threshold of 0 would call every feature dead in every window.
        assertThatThrownBy(() -> new DeadFeatureDetector(3, 0.0, null, "relu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadThreshold must be in (0, 1]: 0.0");
        assertThatThrownBy(() -> new DeadFeatureDetector(3, 1.5, null, "relu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadThreshold must be in (0, 1]: 1.5");
        assertThatThrownBy(() -> new DeadFeatureDetector(3, Double.NaN, null, "relu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadThreshold must be in (0, 1]: NaN");
        assertThatThrownBy(() -> new DeadFeatureDetector(3, 1.0, -0.1, "relu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sparsityLimit must be in [0, 1) or null: -0.1");
        assertThatThrownBy(() -> new DeadFeatureDetector(3, 1.0, Double.NaN, "relu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sparsityLimit must be in [0, 1) or null: NaN");
        // No zero fraction is above 1: the alert could never fire.
        assertThatThrownBy(() -> new DeadFeatureDetector(3, 1.0, 1.0, "relu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sparsityLimit must be in [0, 1) or null: 1.0");
        assertThatThrownBy(() -> new DeadFeatureDetector(3, 1.0, null, "relu", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("groupMetricsLimit must be >= 0: -1");
        assertThatThrownBy(() -> new DeadFeatureDetector(3, 1.0, null, "relu", 100, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("windowSlideMillis must be >= 0: -1");
        assertThatThrownBy(() -> new DeadFeatureDetector(3, 1.0, null, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("activationSpec");
    }

    @Test
    void refusesAnActivationSpecNoParserReads() {
        String unknown =
                "Invalid activationSpec 'leaky': Unknown activation 'leaky' in spec 'leaky';"
                        + " allowed: relu, leaky_relu, relu6, clipped_relu, thresholded_relu,"
                        + " maxout";
        // "leaky" went into every alert and, by the window function, every statistics record.
        assertThatThrownBy(() -> new DeadFeatureDetector(3, 1.0, null, "leaky"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(unknown);
        assertThatThrownBy(() -> new ActivationStatsWindowFunction("leaky", 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(unknown);
    }

    @Test
    void writesTheCanonicalSpecAsTheActivationsTopicDoes() throws Exception {
        // The activations carry Activation.spec(): "leaky_relu(alpha=0.01)" for "leaky_relu".
        var harness = harness(new DeadFeatureDetector(1, 1.0, null, "leaky_relu"));

        List<ActivationAlert> alerts = feed(harness, features("layer-0", 0, 1.0));

        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).getActivation()).isEqualTo("leaky_relu(alpha=0.01)");
    }
}
