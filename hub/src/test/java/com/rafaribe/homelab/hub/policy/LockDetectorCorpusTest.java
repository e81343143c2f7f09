package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every labelled case of the restic corpus (src/test/resources/restic-logs) lands in its class, with and without the seed's patterns. */
class LockDetectorCorpusTest {
    /** The advanced seed monitor's patterns: naive phrases the vetoes must keep from false unlocks. */
    static final List<String> SEED_PATTERNS = List.of(
            "repository is already locked", "unable to create lock", "repository locked", "lock.*already.*exists",
            "failed to create lock", "repository.*locked.*by.*another.*process", "timeout.*waiting.*for.*lock");

    static Stream<Arguments> cases() {
        return TestData.corpusCases().stream().map(c -> Arguments.of(c[0], c[1], c.length > 3 ? c[3] : ""));
    }

    @ParameterizedTest(name = "{0} is {1} (built-in)")
    @MethodSource("cases")
    void builtInDetectorMatchesTheLabel(String file, String label, String note) throws IOException {
        LockVerdict verdict = LockDetector.BUILT_IN.examine(Files.readString(TestData.corpus().resolve(file)));
        assertThat(verdict.lock() ? "lock" : "not-lock").as("%s: %s (%s)", file, verdict.reason(), note).isEqualTo(label);
    }

    @ParameterizedTest(name = "{0} is {1} (seed patterns)")
    @MethodSource("cases")
    void seedPatternsDoNotChangeTheLabel(String file, String label, String note) throws IOException {
        LockDetector detector = new LockDetector(LockPatterns.compile(SEED_PATTERNS));
        LockVerdict verdict = detector.examine(Files.readString(TestData.corpus().resolve(file)));
        assertThat(verdict.lock() ? "lock" : "not-lock").as("%s: %s (%s)", file, verdict.reason(), note).isEqualTo(label);
    }
}
