package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How far a veto line reaches when a monitor's pattern matches another line: each veto kind has
 * a scope (LineKind.Scope), tested here before and after the match.
 */
class LockDetectorVetoScopeTest {
    static final String WRAPPER = "restic-wrapper: repo busy, giving up";
    static final LockDetector DETECTOR = new LockDetector(LockPatterns.compile(List.of("repo busy")));

    /** Twenty filler lines with the monitor's match on line {@code matchAt} and {@code veto} on line {@code vetoAt}. */
    static String log(int matchAt, String veto, int vetoAt) {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            lines.add(i == matchAt ? WRAPPER : i == vetoAt ? veto : "processed " + i + " files");
        }
        return String.join("\n", lines) + "\n";
    }

    @ParameterizedTest(name = "{0} on line {2} cancels a match on line 10")
    @CsvSource(delimiter = '|', value = {
            "own-lock-refresh  | Fatal: failed to refresh lock in time                                              | 3",
            "own-lock-refresh  | Fatal: failed to refresh lock in time                                              | 20",
            "lock-not-writable | unable to create lock in backend: open /repo/locks/0c6c: permission denied        | 3",
            "lock-not-writable | unable to create lock in backend: open /repo/locks/0c6c: permission denied        | 20",
            "circuit-breaker   | unable to create lock in backend: circuit breaker open for file <lock/e2b94f10ac> | 3",
            "circuit-breaker   | unable to create lock in backend: circuit breaker open for file <lock/e2b94f10ac> | 20",
            "signal            | signal terminated received, cleaning up                                           | 3",
            "signal            | signal terminated received, cleaning up                                           | 20"})
    void aWholeTailVetoAnywhereCancelsAPatternMatch(String kind, String veto, int vetoAt) {
        assertThat(kindOf(veto)).isEqualTo(kind);
        LockVerdict v = DETECTOR.examine(log(10, veto, vetoAt));
        assertThat(v.lock()).as(v.reason()).isFalse();
        assertThat(v.vetoed()).isTrue();
        assertThat(v.rule().id()).isEqualTo(kind);
        assertThat(v.lineNumber()).isEqualTo(vetoAt);
        assertThat(v.pattern()).isEqualTo("repo busy");
        assertThat(v.reason()).contains("line " + vetoAt).contains("overrules pattern \"repo busy\" at line 10");
    }

    @ParameterizedTest(name = "{0} on line {2} leaves a match on line 10 a lock")
    @CsvSource(delimiter = '|', value = {
            "unlock-output     | successfully removed 2 locks                                         | 3",
            "unlock-output     | === Starting unlock ===                                              | 20",
            "waiting-for-lock  | repo already locked, waiting up to 5m0s for the lock                 | 3",
            "waiting-for-lock  | repo already locked, waiting up to 5m0s for the lock                 | 20",
            "backend-retry     | Load(<lock/5c0e8a3d71>, 0, 0) returned error, retrying after 552ms   | 3",
            "backend-retry     | Load(<lock/5c0e8a3d71>, 0, 0) returned error, retrying after 552ms   | 20",
            "lock-progress     | lock repository                                                      | 3",
            "lock-progress     | lock repository                                                      | 20",
            "lock-file-content | \"hostname\": \"volsync-src-app-x7k2p\",                             | 3",
            "lock-file-content | \"hostname\": \"volsync-src-app-x7k2p\",                             | 20",
            "help-or-usage     | unknown flag: --retry-lock                                           | 3",
            "help-or-usage     | unknown flag: --retry-lock                                           | 20",
            "succeeded-after   | snapshot 1d93e0b5 saved                                              | 3"})
    void aSameLineVetoElsewhereOrAnEarlierSuccessLeavesTheMatch(String kind, String veto, int vetoAt) {
        assertThat(kindOf(veto)).isEqualTo(kind);
        LockVerdict v = DETECTOR.examine(log(10, veto, vetoAt));
        assertThat(v.lock()).as(v.reason()).isTrue();
        assertThat(v.rule()).isEqualTo(LockVerdict.Rule.PATTERN);
        assertThat(v.lineNumber()).isEqualTo(10);
    }

    @Test
    void aSuccessAfterTheMatchCancelsIt() {
        LockVerdict v = DETECTOR.examine(log(10, "snapshot 1d93e0b5 saved", 20));
        assertThat(v.lock()).isFalse();
        assertThat(v.rule().id()).isEqualTo("succeeded-after");
        assertThat(v.lineNumber()).isEqualTo(20);
        assertThat(v.reason()).contains("overrules pattern \"repo busy\" at line 10");
    }

    @Test
    void aPatternThatMatchesTheSuccessLineItselfDecidesNothing() {
        LockVerdict v = new LockDetector(LockPatterns.compile(List.of("saved"))).examine(log(0, "snapshot 1d93e0b5 saved", 20));
        assertThat(v.lock()).as(v.reason()).isFalse();
        assertThat(v.rule().id()).isEqualTo("succeeded-after");
        assertThat(v.reason()).contains("pattern \"saved\" matched it");
    }

    @Test
    void aSameLineVetoOnTheMatchedLineStillCancelsIt() {
        LockVerdict v = new LockDetector(LockPatterns.compile(List.of("removed \\d+ locks"))).examine(log(0, "successfully removed 2 locks", 5));
        assertThat(v.lock()).isFalse();
        assertThat(v.rule().id()).isEqualTo("unlock-output");
        assertThat(v.reason()).contains("pattern \"removed \\d+ locks\" matched it");
    }

    @Test
    void aBuiltInConflictIsNotCancelledByAWholeTailVeto() {
        // restic's own conflict message names another process; only a later success overrules it.
        String conflict = "unable to create lock in backend: repository is already locked by PID 7 on other by root (UID 0, GID 0)";
        List<String> lines = new ArrayList<>(List.of(log(0, "Fatal: failed to refresh lock in time", 3).split("\n")));
        lines.set(9, conflict);
        LockVerdict v = LockDetector.BUILT_IN.examine(String.join("\n", lines));
        assertThat(v.lock()).as(v.reason()).isTrue();
        assertThat(v.rule().id()).isEqualTo("already-locked");
        assertThat(DETECTOR.examine(String.join("\n", lines)).lock()).isTrue();
    }

    @Test
    void everyVetoKindHasAScopeAndNothingElseHasOne() {
        for (LineKind kind : LineKind.values()) {
            boolean vetoes = kind.role() == LineKind.Role.VETO || kind.role() == LineKind.Role.SUCCESS;
            assertThat(kind.scope() != LineKind.Scope.NONE).as(kind.id()).isEqualTo(vetoes);
        }
    }

    private static String kindOf(String line) {
        return LineKind.of(new LogLine(1, line, null), false).id();
    }
}
