package com.rafaribe.homelab.hub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.policy.LockDetector;
import com.rafaribe.homelab.hub.policy.LockVerdict;
import com.rafaribe.homelab.hub.testing.Restic;
import com.rafaribe.homelab.hub.testing.Tier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulated VolSync mover, run with the real restic, in the situations of the corpus's
 * volsync-mover-wrapped cases: the detector gives its output the verdict those cases have.
 */
class MoverScriptTest {
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    @TempDir
    Path dir;
    Path repository;
    Path data;
    Restic restic;

    @BeforeEach
    void repository() throws Exception {
        Restic.requireInstalled();
        repository = dir.resolve("repo");
        data = Files.createDirectories(dir.resolve("data"));
        byte[] bytes = new byte[256 * 1024];
        new Random(7).nextBytes(bytes);
        Files.write(data.resolve("db.sqlite"), bytes);
        restic = new Restic(repository);
        assertThat(restic.run("init").exit()).isZero();
    }

    MoverScript.Result mover(String password, String forgetOptions, String... operations) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("RESTIC_REPOSITORY", repository.toString(), "RESTIC_PASSWORD", password,
                "RESTIC_CACHE_DIR", dir.resolve("cache").toString(), "DATA_DIR", data.toString(), "PRIVILEGED_MOVER", "0"));
        if (forgetOptions != null) {
            env.put("FORGET_OPTIONS", forgetOptions);
        }
        MoverScript.Restic local = (args, workDir) -> {
            List<String> argv = new ArrayList<>(List.of("restic"));
            argv.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
            pb.environment().putAll(env);
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new MoverScript.Result(p.waitFor(), out);
        };
        return new MoverScript(local, env).run(List.of(operations));
    }

    static LockVerdict verdict(MoverScript.Result result) {
        return LockDetector.BUILT_IN.examine(result.output());
    }

    /** A check reading at 1 KiB/s holds an exclusive lock for as long as the test needs it. */
    Process liveExclusiveLock() throws Exception {
        assertThat(restic.run("backup", data.toString()).exit()).isZero();
        Process check = restic.start("check", "--read-data", "--limit-download", "1");
        await().atMost(Duration.ofSeconds(30)).until(restic::hasReadableLock);
        return check;
    }

    @Test
    void backupAgainstALiveExclusiveLockIsALock() throws Exception {
        Process check = liveExclusiveLock();
        try {
            MoverScript.Result r = mover(Restic.PASSWORD, null, "backup");
            assertThat(r.exit()).isEqualTo(3);
            assertThat(r.output()).contains("=== Check for dir initialized ===", "ERROR: failure checking existence of repository");
            assertThat(verdict(r).lock()).as(r.output()).isTrue();
        } finally {
            check.destroyForcibly().waitFor();
        }
    }

    @Test
    void restoreAgainstALiveExclusiveLockIsALock() throws Exception {
        Process check = liveExclusiveLock();
        try {
            MoverScript.Result r = mover(Restic.PASSWORD, null, "restore");
            assertThat(verdict(r).lock()).as(r.output()).isTrue();
        } finally {
            check.destroyForcibly().waitFor();
        }
    }

    @Test
    void forgetAfterABackupFailsOnAStaleLockOfAKilledBackup() throws Exception {
        Process holder = restic.start("backup", "--stdin", "--stdin-filename", "dump.sql");
        await().atMost(Duration.ofSeconds(30)).until(restic::hasReadableLock);
        holder.destroyForcibly().waitFor();
        MoverScript.Result r = mover(Restic.PASSWORD, "--keep-last 1", "backup", "prune");
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("=== Starting backup ===", "=== Starting forget ===").doesNotContain("=== Starting prune ===");
        assertThat(verdict(r).lock()).as(r.output()).isTrue();
    }

    /** Case 095's situation: VolSync's own remedy (spec.restic.unlock) runs plain unlock, which leaves another pod's recent lock. */
    @Test
    void unlockThenBackupStillFailsInForgetOnAnotherPodsRecentStaleLock() throws Exception {
        Tier.require(ROOT, "tier 3 (restic under another hostname)", "needs root for unshare --uts; CI runs as root");
        Process holder = restic.startAs("volsync-src-app-x7k2p", "backup", "--stdin", "--stdin-filename", "dump.sql");
        await().atMost(Duration.ofSeconds(30)).until(restic::hasReadableLock);
        holder.destroyForcibly().waitFor();
        MoverScript.Result r = mover(Restic.PASSWORD, "--keep-last 1", "unlock", "backup");
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("=== Starting unlock ===", "=== Starting forget ===", "on volsync-src-app-x7k2p");
        assertThat(verdict(r).lock()).as(r.output()).isTrue();
    }

    /** Case 082: a pack is missing; restic retries, then lists files whose names say "lock", and none of it is a lock. */
    @Test
    void restoreWithAMissingPackIsNotALock() throws Exception {
        Files.writeString(data.resolve("yarn.lock"), "# yarn lockfile v1\n");
        Files.writeString(data.resolve("package-lock.json"), "{\"lockfileVersion\": 3}\n");
        assertThat(mover(Restic.PASSWORD, null, "backup").exit()).isZero();
        // The largest pack holds the random database's data; trees are in small packs, so restic still finds the files.
        try (Stream<Path> packs = Files.walk(repository.resolve("data"))) {
            Files.delete(packs.filter(Files::isRegularFile).max(Comparator.comparingLong(MoverScriptTest::size)).orElseThrow());
        }
        MoverScript.Result r = mover(Restic.PASSWORD, null, "restore");
        assertThat(r.output()).contains("=== Starting restore ===", "no such file or directory");
        assertThat(verdict(r).lock()).as(r.output()).isFalse();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Case 079: the repository's file system is full. */
    @Test
    void backupIntoAFullRepositoryIsNotALock() throws Exception {
        Tier.require(ROOT, "tier 3 (a 2 MiB file system)", "needs root to mount a tmpfs; CI runs as root");
        Path tiny = Files.createDirectories(dir.resolve("tiny"));
        assertThat(new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", tiny.toString()).inheritIO().start().waitFor())
                .as("mount a 2 MiB tmpfs").isZero();
        try {
            repository = tiny.resolve("repo");
            restic = new Restic(repository);
            assertThat(restic.run("init").exit()).isZero();
            byte[] bytes = new byte[4 * 1024 * 1024];
            new Random(79).nextBytes(bytes);
            Files.write(data.resolve("media.bin"), bytes);
            MoverScript.Result r = mover(Restic.PASSWORD, null, "backup");
            assertThat(r.exit()).isNotZero();
            assertThat(r.output()).contains("no space left on device");
            assertThat(verdict(r).lock()).as(r.output()).isFalse();
        } finally {
            new ProcessBuilder("umount", tiny.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void wrongPasswordIsNotALockInTheBackupOrTheUnlockStep() throws Exception {
        MoverScript.Result backup = mover("wrong", null, "backup");
        assertThat(backup.exit()).isEqualTo(3);
        assertThat(verdict(backup).lock()).as(backup.output()).isFalse();
        MoverScript.Result unlock = mover("wrong", null, "unlock", "backup");
        assertThat(unlock.output()).contains("ERROR: failure unlocking repository");
        assertThat(verdict(unlock).lock()).as(unlock.output()).isFalse();
    }

    @Test
    void aSuccessfulUnlockAndBackupIsNotALock() throws Exception {
        MoverScript.Result r = mover(Restic.PASSWORD, "--keep-last 2", "unlock", "backup");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("=== Starting unlock ===", "=== Done ===");
        assertThat(verdict(r).lock()).as(r.output()).isFalse();
    }

    @Test
    void anUnknownOperationFailsLikeEntrySh() throws IOException, InterruptedException, Exception {
        MoverScript.Result r = mover(Restic.PASSWORD, null, "replicate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("ERROR: unknown operation: replicate");
    }
}
