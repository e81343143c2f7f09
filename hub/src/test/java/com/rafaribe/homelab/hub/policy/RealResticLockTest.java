package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.testing.Restic;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector on what the installed restic really prints (Debian: 0.14), not on copies of it:
 * live and stale locks of another process, unlock output and help text.
 */
class RealResticLockTest {
    static final LockDetector SEED = new LockDetector(LockPatterns.compile(LockDetectorCorpusTest.SEED_PATTERNS));

    @TempDir
    Path dir;
    Restic restic;

    @BeforeEach
    void initRepository() throws Exception {
        Restic.requireInstalled();
        restic = new Restic(dir.resolve("repo"));
        assertThat(restic.run("init").exit()).isZero();
    }

    /** A backup reading standard input holds its (non-exclusive) lock until its input ends. */
    Process holdBackupLock() throws Exception {
        Process holder = restic.start("backup", "--stdin", "--stdin-filename", "dump.sql");
        await().atMost(Duration.ofSeconds(30)).until(restic::hasReadableLock);
        return holder;
    }

    @Test
    void liveLockOfAnotherProcessNamesItsPidAndHost() throws Exception {
        Process holder = holdBackupLock();
        try {
            Restic.Output prune = restic.run("forget", "--keep-last", "1", "--prune");
            assertThat(prune.exit()).isNotZero();
            LockVerdict v = SEED.examine(prune.text());
            assertThat(v.lock()).as(prune.text()).isTrue();
            assertThat(v.rule().id()).isEqualTo("already-locked");
            assertThat(v.holder().pid()).isEqualTo(holder.pid());
            assertThat(v.holder().host()).isEqualTo(InetAddress.getLocalHost().getHostName());
            assertThat(v.holder().exclusive()).isFalse();
            assertThat(v.lockAge()).isNotNull().isLessThan(Duration.ofMinutes(5));
            assertThat(v.lockId()).isNotBlank();
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    @Test
    void staleLockOfAKilledBackupStillBlocksPrune() throws Exception {
        Process holder = holdBackupLock();
        holder.destroyForcibly().waitFor();
        Restic.Output prune = restic.run("prune");
        assertThat(prune.exit()).isNotZero();
        assertThat(LockDetector.BUILT_IN.examine(prune.text()).lock()).as(prune.text()).isTrue();

        Restic.Output unlock = restic.run("unlock", "--remove-all");
        assertThat(unlock.exit()).isZero();
        LockVerdict afterUnlock = SEED.examine(unlock.text());
        assertThat(afterUnlock.lock()).as(unlock.text()).isFalse();

        Path source = Files.writeString(dir.resolve("data.txt"), "hello");
        Restic.Output backup = restic.run("backup", source.toString());
        assertThat(backup.exit()).isZero();
        assertThat(SEED.examine(backup.text()).lock()).as(backup.text()).isFalse();
    }

    @Test
    void helpTextIsNeverALock() throws IOException, InterruptedException {
        for (String command : new String[] {"unlock", "forget", "prune", "backup"}) {
            Restic.Output help = restic.run(command, "--help");
            assertThat(SEED.examine(help.text()).lock()).as(help.text()).isFalse();
            assertThat(new LockDetector(LockPatterns.compile(java.util.List.of("lock"))).examine(help.text()).lock())
                    .as("even a pattern as broad as \"lock\": %s", help.text()).isFalse();
        }
    }
}
