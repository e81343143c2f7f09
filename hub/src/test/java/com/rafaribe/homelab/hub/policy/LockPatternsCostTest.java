package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A monitor's patterns are refused when matching them could cost too much per log (bug 7). */
class LockPatternsCostTest {
    @Test
    void theSeedPatternsAndRealisticOnesPass() {
        List<String> patterns = new ArrayList<>(LockDetectorCorpusTest.SEED_PATTERNS);
        patterns.addAll(List.of("restic-wrapper: repo busy", "repository is already locked by PID \\d+ on \\S+"));
        assertThat(LockPatterns.compile(patterns).sources()).hasSize(9);
    }

    @ParameterizedTest
    @ValueSource(strings = {"(.{0,100}){10}x", ".{0,100}lock", "(?:a?){100}b", "lock(.*){50}"})
    void aCostlyPatternIsRefusedNamingIt(String costly) {
        assertThatThrownBy(() -> LockPatterns.compile(List.of("repository is already locked", costly)))
                .isInstanceOf(LockPatterns.InvalidPatternsException.class)
                .satisfies(e -> assertThat(((LockPatterns.InvalidPatternsException) e).problems()).singleElement().asString()
                        .startsWith("lockErrorPatterns[1] " + LockPatterns.quote(costly) + " is too costly to match: cost ")
                        .contains("at most " + LockPatterns.MAX_PATTERN_COST));
    }

    @Test
    void patternsTooCostlyTogetherAreRefusedNamingTheCostliest() {
        List<String> patterns = new ArrayList<>(Collections.nCopies(11, "lock.{0,4}busy"));
        patterns.add("lock.{0,8}held");
        assertThatThrownBy(() -> LockPatterns.compile(patterns))
                .isInstanceOf(LockPatterns.InvalidPatternsException.class)
                .satisfies(e -> assertThat(((LockPatterns.InvalidPatternsException) e).problems()).singleElement().asString()
                        .startsWith("lockErrorPatterns are too costly to match together: cost ")
                        .contains("at most " + LockPatterns.MAX_TOTAL_PATTERN_COST)
                        .contains("lockErrorPatterns[11] \"lock.{0,8}held\""));
    }

    @Test
    void aPatternThatWouldExhaustTheHeapWhileCompilingIsRefusedBeforeCompiling() {
        // RE2/J expands counted repetitions while compiling: this one needs 10^9 instructions.
        String bomb = "(?:(?:a{1000}){1000}){1000}";
        assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(5), () -> LockPatterns.compile(List.of(bomb))))
                .isInstanceOf(LockPatterns.InvalidPatternsException.class)
                .hasMessageContaining("is too costly to match");
    }

    @Test
    void theCostliestPatternsAllowedExamineA64KiBLogQuickly() {
        // Patterns at the per-pattern limit up to the total limit, on lines that keep every state live.
        List<String> patterns = new ArrayList<>();
        int spent = 0;
        for (int i = 0; spent + LockPatterns.MAX_PATTERN_COST <= LockPatterns.MAX_TOTAL_PATTERN_COST; i++) {
            String worst = costliestAllowed("z" + i);
            patterns.add(worst);
            spent += PatternCost.estimate(worst);
        }
        LockDetector detector = new LockDetector(LockPatterns.compile(patterns));
        String log = ("a".repeat(1023) + "\n").repeat(LogTail.MAX_BYTES / 1024);
        // CPU time, the best of a few runs after warming up: a loaded machine stretches wall time.
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long best = Long.MAX_VALUE;
        for (int run = 0; run < 5; run++) {
            long start = cpu.getCurrentThreadCpuTime();
            assertThat(detector.examine(log).lock()).isFalse();
            best = run < 2 ? best : Math.min(best, cpu.getCurrentThreadCpuTime() - start);
        }
        // ~80 ms on the project's 2-core machine, built-in rules included; the patterns refused took seconds.
        assertThat(Duration.ofNanos(best)).isLessThan(Duration.ofMillis(500));
    }

    /** ".{0,n}" then {@code tail}, with the largest n within the per-pattern limit. */
    static String costliestAllowed(String tail) {
        int n = 0;
        while (PatternCost.estimate(".{0," + (n + 1) + "}" + tail) <= LockPatterns.MAX_PATTERN_COST) {
            n++;
        }
        return ".{0," + n + "}" + tail;
    }
}
