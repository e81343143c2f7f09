package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The detector against restic's lock messages as each version prints them (an inventory taken
 * from the tagged sources v0.9.0 .. v0.19.1) and VolSync's entry.sh lines around them.
 */
class LockDetectorTest {
    static final LockDetector BUILT_IN = LockDetector.BUILT_IN;
    static final LockDetector SEED = new LockDetector(LockPatterns.compile(LockDetectorCorpusTest.SEED_PATTERNS));

    static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    @Nested
    class Conflicts {
        @Test
        void v0_9_fatalPrefixNoHintNoExclusively() {
            LockVerdict v = BUILT_IN.examine(lines(
                    "Fatal: unable to create lock in backend: repository is already locked by PID 27 on nightly-backup-27318240-b8v5w by root (UID 0, GID 0)",
                    "lock was created at 2019-12-14 02:00:07 (3m12.408117266s ago)",
                    "storage ID 9b0c7e21"));
            assertThat(v.lock()).isTrue();
            assertThat(v.rule().id()).isEqualTo("already-locked");
            assertThat(v.holder()).isEqualTo(new LockHolder(27, "nightly-backup-27318240-b8v5w", "root", 0L, 0L, false));
            assertThat(v.lockAge()).isEqualTo(Duration.ofMinutes(3).plusSeconds(12).plusNanos(408117266));
            assertThat(v.lockCreatedAt()).isEqualTo("2019-12-14 02:00:07");
            assertThat(v.lockId()).isEqualTo("9b0c7e21");
            assertThat(v.lineNumber()).isEqualTo(1);
        }

        @Test
        void v0_10_to_v0_14_exclusiveLockWithUnlockHint() {
            LockVerdict v = BUILT_IN.examine(lines(
                    "open repository",
                    "lock repository",
                    "unable to create lock in backend: repository is already locked exclusively by PID 12915 on volsync-src-app-x7k2p by root (UID 0, GID 0)",
                    "lock was created at 2026-11-26 11:23:55 (3.565197556s ago)",
                    "storage ID 2a3338ae",
                    "the `unlock` command can be used to remove stale locks"));
            assertThat(v.lock()).isTrue();
            assertThat(v.holder().exclusive()).isTrue();
            assertThat(v.holder().host()).isEqualTo("volsync-src-app-x7k2p");
            assertThat(v.lineNumber()).isEqualTo(3);
            assertThat(v.lockAge()).isEqualTo(Duration.ofNanos(3_565_197_556L));
        }

        @Test
        void v0_16_plus_waitsZeroSecondsThenFails() {
            LockVerdict v = BUILT_IN.examine(lines(
                    "=== Starting forget ===",
                    "repo already locked, waiting up to 0s for the lock",
                    "unable to create lock in backend: repository is already locked by PID 27 on volsync-src-recipes-q2n8h by  (UID 0, GID 0)",
                    "lock was created at 2023-12-20 03:00:19 (4m2.771034118s ago)",
                    "storage ID 0e6b9d25",
                    "the `unlock` command can be used to remove stale locks"));
            assertThat(v.lock()).isTrue();
            // Random-UID pods have no passwd entry: restic prints an empty user name.
            assertThat(v.holder()).isEqualTo(new LockHolder(27, "volsync-src-recipes-q2n8h", "", 0L, 0L, false));
            assertThat(v.lockAge()).isEqualTo(Duration.ofNanos(242_771_034_118L));
        }

        @Test
        void v0_17_plus_volsyncReportsExit11AfterResticsError() {
            LockVerdict v = BUILT_IN.examine(lines(
                    "restic 0.18.1 compiled with go1.25.7 on linux/amd64",
                    "=== Check for dir initialized ===",
                    "unable to create lock in backend: repository is already locked exclusively by PID 31 on volsync-src-app-x7k2p by  (UID 1000680000, GID 0)",
                    "lock was created at 2026-11-26 11:30:06 (2h4m0s ago)",
                    "storage ID 3335e539",
                    "the `unlock` command can be used to remove stale locks",
                    "ERROR: failure locking repository"));
            assertThat(v.lock()).isTrue();
            assertThat(v.rule().id()).isEqualTo("already-locked");
            assertThat(v.holder().uid()).isEqualTo(1000680000L);
            assertThat(v.lockAge()).isEqualTo(Duration.ofHours(2).plusMinutes(4));
        }

        @Test
        void volsyncExit11LineAloneIsStillALockWithoutHolder() {
            LockVerdict v = BUILT_IN.examine(lines("=== Check for dir initialized ===", "ERROR: failure locking repository"));
            assertThat(v.lock()).isTrue();
            assertThat(v.rule().id()).isEqualTo("volsync-lock-failure");
            assertThat(v.holder()).isNull();
        }

        @Test
        void v0_18_jsonExitErrorWithEscapedNewlines() {
            LockVerdict v = BUILT_IN.examine("{\"message_type\":\"exit_error\",\"code\":11,\"message\":\"unable to create lock in backend: "
                    + "repository is already locked by PID 8127 on b2f61c9d04e7 by root (UID 0, GID 0)\\nlock was created at "
                    + "2025-10-19 01:00:03 (2m41.209337512s ago)\\nstorage ID 71ac4e2d\\nthe `unlock` command can be used to remove stale locks\"}\n");
            assertThat(v.lock()).isTrue();
            assertThat(v.holder().host()).isEqualTo("b2f61c9d04e7");
            assertThat(v.lockAge()).isEqualTo(Duration.ofSeconds(161).plusNanos(209337512));
            assertThat(v.lockId()).isEqualTo("71ac4e2d");
        }

        @Test
        void jsonExitCode11AloneIsALock() {
            LockVerdict v = BUILT_IN.examine("{\"message_type\":\"exit_error\",\"code\":11,\"message\":\"Fatal: lock failed\"}");
            assertThat(v.lock()).isTrue();
            assertThat(v.rule().id()).isEqualTo("json-exit-11");
        }

        @Test
        void jsonExitCode12IsNotALock() {
            LockVerdict v = BUILT_IN.examine("{\"message_type\":\"exit_error\",\"code\":12,\"message\":\"Fatal: wrong password or no key found\"}");
            assertThat(v.lock()).isFalse();
        }

        @Test
        void v0_17_plus_invalidLockFileNamesNoHolder() {
            LockVerdict v = BUILT_IN.examine(lines(
                    "Fatal: invalid lock file: LoadRaw(<lock/0f3c9a7e21>): invalid data returned",
                    "",
                    "the `unlock --remove-all` command can be used to remove invalid locks. Make sure that no other restic process is accessing the repository when running the command"));
            assertThat(v.lock()).isTrue();
            assertThat(v.invalidLockFile()).isTrue();
            assertThat(v.holder()).isNull();
            assertThat(v.lockAge()).isNull();
            assertThat(v.lockId()).isEqualTo("0f3c9a7e21");
        }

        @Test
        void crlfLineEndingsAndTerminalColoursDoNotHideTheError() {
            LockVerdict v = BUILT_IN.examine("\u001B[31munable to create lock in backend: repository is already locked by PID 9 on "
                    + "host-a by app (UID 1000, GID 1000)\u001B[0m\r\nlock was created at 2026-01-01 00:00:00 (31m0s ago)\r\n");
            assertThat(v.lock()).isTrue();
            assertThat(v.holder().user()).isEqualTo("app");
            assertThat(v.lockAge()).isEqualTo(Duration.ofMinutes(31));
        }
    }

    @Nested
    class Vetoes {
        @Test
        void locksDirNotWritableIsNotAConflict() {
            String log = lines(
                    "unable to create lock in backend: open /repository/app/locks/0c6c2e3f: permission denied",
                    "github.com/restic/restic/internal/backend/local.(*Local).Save",
                    "\t/restic/internal/backend/local/local.go:123");
            assertThat(BUILT_IN.examine(log).lock()).isFalse();
            LockVerdict v = SEED.examine(log);
            assertThat(v.lock()).isFalse();
            assertThat(v.rule().id()).isEqualTo("lock-not-writable");
            assertThat(v.pattern()).isEqualTo("unable to create lock");
        }

        @Test
        void v0_15_plus_ownLockNotRefreshedInTime() {
            String log = lines("Fatal: failed to refresh lock in time", "Fatal: unable to save snapshot: context canceled");
            LockVerdict v = new LockDetector(LockPatterns.compile(List.of("lock"))).examine(log);
            assertThat(v.lock()).isFalse();
            assertThat(v.rule().id()).isEqualTo("own-lock-refresh");
            assertThat(BUILT_IN.examine(log).rule().id()).isEqualTo("own-lock-refresh");
        }

        @Test
        void v0_16_plus_staleLockRefreshFailure() {
            LockVerdict v = SEED.examine(lines("failed to refresh stale lock: lock file was removed in the meantime"));
            assertThat(v.lock()).isFalse();
            assertThat(v.rule().id()).isEqualTo("own-lock-refresh");
        }

        @Test
        void v0_17_0_circuitBreakerIsTransient() {
            LockVerdict v = SEED.examine(lines(
                    "Load(<lock/5c0e8a3d71>, 0, 0) failed: The specified key does not exist.",
                    "unable to create lock in backend: circuit breaker open for file <lock/e2b94f10ac>"));
            assertThat(v.lock()).isFalse();
            assertThat(v.rule().id()).isEqualTo("circuit-breaker");
        }

        @Test
        void helpTextMentioningLockedRepositoryIsNotAnError() {
            String log = lines(
                    "The \"unlock\" command removes stale locks that have been created by other restic processes.",
                    "",
                    "EXIT STATUS",
                    "Exit status is 0 if the command was successful.",
                    "Exit status is 11 if the repository is already locked.",
                    "",
                    "Usage:",
                    "  restic unlock [flags]",
                    "",
                    "Flags:",
                    "  -h, --help         help for unlock",
                    "      --remove-all   remove all locks, even non-stale ones",
                    "      --retry-lock duration   retry to lock the repository if it is already locked, takes a value like 5m or 2h");
            assertThat(BUILT_IN.examine(log).lock()).isFalse();
            LockVerdict v = SEED.examine(log);
            assertThat(v.lock()).isFalse();
            assertThat(v.rule().id()).isEqualTo("help-or-usage");
        }

        @Test
        void theDescriptionAboveAHelpBlockIsHelpToo() {
            String log = lines(
                    "=== Starting unlock ===",
                    "The \"unlock\" command removes stale locks that have been created by other restic processes.",
                    "",
                    "EXIT STATUS",
                    "===========",
                    "",
                    "Usage:",
                    "  restic unlock [flags]");
            LockVerdict v = new LockDetector(LockPatterns.compile(List.of("stale locks"))).examine(log);
            assertThat(v.lock()).isFalse();
            assertThat(v.rule().id()).isEqualTo("help-or-usage");
            assertThat(v.lineNumber()).isEqualTo(2);
            String outsideHelp = lines("restic-wrapper: stale locks remain", "=== Starting unlock ===", "Usage:", "  restic unlock [flags]");
            assertThat(new LockDetector(LockPatterns.compile(List.of("stale locks"))).examine(outsideHelp).lock())
                    .as("a line before VolSync's step marker is not part of the help").isTrue();
        }

        @Test
        void unlockOutputIsNotALockFailure() {
            LockVerdict v = new LockDetector(LockPatterns.compile(List.of("locks"))).examine(lines("successfully removed 2 locks"));
            assertThat(v.lock()).isFalse();
            assertThat(v.rule().id()).isEqualTo("unlock-output");
        }

        @Test
        void v0_16_plus_retryLockThatGotTheLockIsNotAFailure() {
            String log = lines(
                    "repo already locked, waiting up to 5m0s for the lock",
                    "Files:           1 new,     0 changed,     0 unmodified",
                    "snapshot 74850706 saved");
            LockVerdict v = new LockDetector(LockPatterns.compile(List.of("already locked"))).examine(log);
            assertThat(v.lock()).isFalse();
            assertThat(v.rule().id()).isEqualTo("waiting-for-lock");
        }

        @Test
        void aRunThatSucceededAfterTheLockErrorIsNotALock() {
            LockVerdict v = BUILT_IN.examine(lines(
                    "unable to create lock in backend: repository is already locked by PID 1 on other by root (UID 0, GID 0)",
                    "retrying",
                    "snapshot 1d93e0b5 saved"));
            assertThat(v.lock()).isFalse();
            assertThat(v.rule().id()).isEqualTo("succeeded-after");
            assertThat(v.line()).isEqualTo("snapshot 1d93e0b5 saved");
        }

        @Test
        void lockProgressLinesDoNotDecide() {
            LockVerdict v = new LockDetector(LockPatterns.compile(List.of("lock repository"))).examine(lines("lock repository", "load index files"));
            assertThat(v.lock()).isFalse();
            assertThat(v.rule().id()).isEqualTo("lock-progress");
        }

        @Test
        void signalledResticIsNotBlocked() {
            LockVerdict v = BUILT_IN.examine(lines("signal terminated received, cleaning up"));
            assertThat(v.lock()).isFalse();
            assertThat(v.rule().id()).isEqualTo("signal");
        }

        @Test
        void nothingLockRelatedSaysSo() {
            LockVerdict v = BUILT_IN.examine(lines("Fatal: wrong password or no key found"));
            assertThat(v.lock()).isFalse();
            assertThat(v.reason()).isEqualTo("no lock conflict in the log");
        }
    }

    @Nested
    class MonitorPatterns {
        @Test
        void aPatternAddsToTheBuiltInDetector() {
            LockDetector detector = new LockDetector(LockPatterns.compile(List.of("MyWrapper: repo busy")));
            LockVerdict v = detector.examine(lines("starting", "mywrapper: REPO BUSY, giving up"));
            assertThat(v.lock()).isTrue();
            assertThat(v.rule().id()).isEqualTo("pattern");
            assertThat(v.pattern()).isEqualTo("MyWrapper: repo busy");
            assertThat(v.reason()).contains("pattern \"MyWrapper: repo busy\"").contains("line 2").contains("mywrapper: REPO BUSY");
            assertThat(BUILT_IN.examine(lines("starting", "mywrapper: REPO BUSY, giving up")).lock()).isFalse();
        }

        @Test
        void theBuiltInRuleWinsOverAPatternForItsHolderDetails() {
            LockVerdict v = SEED.examine(lines(
                    "unable to create lock in backend: repository is already locked by PID 5 on volsync-src-db-abcde by root (UID 0, GID 0)"));
            assertThat(v.rule().id()).isEqualTo("already-locked");
            assertThat(v.holder().pid()).isEqualTo(5);
        }

        @Test
        void theReasonIsRedacted() {
            LockDetector detector = new LockDetector(LockPatterns.compile(List.of("cannot lock")));
            LockVerdict v = detector.examine("cannot lock s3:https://AKIAEXAMPLE:wJalrXUtnFEMI@minio.lan/bucket RESTIC_PASSWORD=hunter2\n");
            assertThat(v.lock()).isTrue();
            assertThat(v.reason()).doesNotContain("wJalrXUtnFEMI").doesNotContain("AKIAEXAMPLE").doesNotContain("hunter2")
                    .contains("s3:https://***@minio.lan/bucket");
        }

        @Test
        void backreferencesAndLookaroundAreRejectedNamingThePattern() {
            assertThatThrownBy(() -> LockPatterns.compile(List.of("ok", "(lock)\\1", "(?=locked)", "(?<!un)locked")))
                    .isInstanceOf(LockPatterns.InvalidPatternsException.class)
                    .satisfies(e -> assertThat(((LockPatterns.InvalidPatternsException) e).problems())
                            .hasSize(3)
                            .anySatisfy(p -> assertThat(p).startsWith("lockErrorPatterns[1] \"(lock)\\1\""))
                            .anySatisfy(p -> assertThat(p).startsWith("lockErrorPatterns[2] \"(?=locked)\""))
                            .anySatisfy(p -> assertThat(p).startsWith("lockErrorPatterns[3] \"(?<!un)locked\"")));
        }

        @Test
        void patternsAreCaseInsensitive() {
            assertThat(new LockDetector(LockPatterns.compile(List.of("REPOSITORY BUSY"))).examine("repository busy").lock()).isTrue();
        }
    }

    @Nested
    class Bounds {
        @Test
        void anErrorBeyondTheLast64KiBIsNeverExamined() {
            String error = "unable to create lock in backend: repository is already locked by PID 1 on h by root (UID 0, GID 0)\n";
            String filler = "x".repeat(99) + "\n";
            String early = error + filler.repeat(LogTail.MAX_BYTES / 100 + 1);
            assertThat(BUILT_IN.examine(early).lock()).isFalse();
            assertThat(BUILT_IN.examine(filler.repeat(5000) + error).lock()).isTrue();
        }

        @Test
        void catastrophicPatternsRunInLinearTime() {
            // (a+)+$ backtracks exponentially in java.util.regex; RE2/J answers at once.
            LockDetector detector = new LockDetector(LockPatterns.compile(List.of("(a+)+$", "(x|xx)+y")));
            String hostile = "a".repeat(30_000) + "!\n" + "x".repeat(30_000) + "\n";
            LockVerdict v = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> detector.examine(hostile));
            assertThat(v.lock()).isFalse();
        }

        @Test
        void theTailNeverStartsInsideAMultiByteCharacter() {
            String log = "é".repeat(LogTail.MAX_BYTES);
            String tail = LogTail.of(log);
            assertThat(tail).matches("é+");
            assertThat(tail.length()).isEqualTo(LogTail.MAX_BYTES / 2);
        }
    }
}
