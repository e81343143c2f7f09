package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.testing.Restic;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The unlock pod's log, as restic 0.14 printed it (unlock-logs/README.md) and as 0.15 to 0.19 print it. */
class UnlockLogTest {
    static final String UNKNOWN = "unknown";

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "restic-0.14.0-unlock-stale-lock.log, unknown",
            "restic-0.14.0-unlock-live-lock-of-another-host.log, unknown",
            "restic-0.14.0-unlock-no-locks.log, unknown",
            "restic-0.14.0-unlock-remove-all-stale-lock.log, unknown",
            "restic-0.14.0-unlock-remove-all-live-lock-of-another-host.log, unknown",
            "restic-0.14.0-unlock-remove-all-no-locks.log, unknown",
            "restic-0.14.0-unlock-wrong-password.log, unknown",
            "restic-0.15-0.19-unlock-removed-two.log, 2",
            "restic-0.15-0.19-unlock-removed-none.log, 0",
    })
    void readsWhatResticPrinted(String file, String removed) throws IOException {
        assertThat(UnlockLog.removedLocks(resource(file))).isEqualTo(expected(removed));
    }

    @Test
    void aScriptAroundResticStillCounts() {
        assertThat(UnlockLog.removedLocks("unlocking media/app\nsuccessfully removed 1 locks\ndone\n")).hasValue(1);
        assertThat(UnlockLog.removedLocks("successfully removed 1 locks\r\nsuccessfully removed 2 locks\r\n")).hasValue(3);
        assertThat(UnlockLog.removedLocks("successfully removed 2 locks\nFatal: unable to remove lock\n")).isEmpty();
        assertThat(UnlockLog.removedLocks(null)).isEmpty();
    }

    /** The installed restic says what this class says it says: a stale lock removed, another host's live lock kept. */
    @Test
    void theInstalledResticAgrees(@TempDir Path dir) throws Exception {
        Restic.requireInstalled();
        Restic restic = new Restic(dir.resolve("repo"));
        assertThat(restic.run("init").exit()).isZero();
        boolean counts = countsRemovedLocks(restic.run("version").text());

        assertThat(unlock(restic, "unlock")).isEqualTo(counts ? OptionalInt.of(0) : OptionalInt.empty());

        Process killed = restic.start("backup", "--stdin", "--stdin-filename", "dump.sql");
        await().atMost(Duration.ofSeconds(30)).until(restic::hasReadableLock);
        killed.destroyForcibly().waitFor();
        assertThat(unlock(restic, "unlock")).as("a lock of a dead process on this host").isEqualTo(counts ? OptionalInt.of(1) : OptionalInt.empty());
        assertThat(restic.hasLocks()).isFalse();

        Process live = restic.startAs("other-host", "backup", "--stdin", "--stdin-filename", "dump.sql");
        try {
            await().atMost(Duration.ofSeconds(30)).until(restic::hasReadableLock);
            assertThat(unlock(restic, "unlock")).as("another host's live lock").isEqualTo(counts ? OptionalInt.of(0) : OptionalInt.empty());
            assertThat(restic.hasLocks()).isTrue();
            assertThat(unlock(restic, "unlock", "--remove-all")).isEqualTo(counts ? OptionalInt.of(1) : OptionalInt.empty());
            assertThat(restic.hasLocks()).isFalse();
        } finally {
            live.destroyForcibly().waitFor();
        }
    }

    static OptionalInt unlock(Restic restic, String... args) throws Exception {
        Restic.Output out = restic.run(args);
        assertThat(out.exit()).as(out.text()).isZero();
        return UnlockLog.removedLocks(out.text());
    }

    /** From 0.15 on, restic prints how many locks it removed (and nothing for none). */
    static boolean countsRemovedLocks(String version) {
        Matcher m = Pattern.compile("restic (\\d+)\\.(\\d+)").matcher(version);
        assertThat(m.find()).as(version).isTrue();
        int major = Integer.parseInt(m.group(1));
        return major > 0 || Integer.parseInt(m.group(2)) >= 15;
    }

    static OptionalInt expected(String removed) {
        return UNKNOWN.equals(removed) ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(removed));
    }

    static String resource(String file) throws IOException {
        try (InputStream in = UnlockLogTest.class.getResourceAsStream("/unlock-logs/" + file)) {
            assertThat(in).as(file).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
