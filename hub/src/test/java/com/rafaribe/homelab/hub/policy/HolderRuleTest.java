package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.policy.HolderRule.Decision;
import com.rafaribe.homelab.hub.policy.HolderRule.Evidence;
import com.rafaribe.homelab.hub.policy.HolderRule.HolderPod;
import com.rafaribe.homelab.hub.policy.HolderRule.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The holder rules (i), (ii), (iii) of the design, each in both directions. */
class HolderRuleTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    static final Instant LOCK_TIME = NOW.minus(Duration.ofMinutes(40));
    static final Map<String, Set<String>> ALLOWED = Map.of("home", Set.of("media"), "lab", Set.of("media"));

    static LockVerdict lock(String host) {
        return LockDetector.BUILT_IN.examine("unable to create lock in backend: repository is already locked by PID 1 on " + host
                + " by root (UID 0, GID 0)\nlock was created at 2026-11-26 11:20:00 (40m0s ago)\n");
    }

    static Evidence evidence(LockVerdict verdict, List<HolderPod> pods, Set<String> unreachable, HolderPod deleted, Instant staleNotBefore) {
        return new Evidence(verdict, LOCK_TIME, "home", "media", "volsync-src-jellyfin", ALLOWED, pods, unreachable, deleted, null, staleNotBefore);
    }

    static HolderPod pod(String cluster, String namespace, String name, String phase, boolean alive, Instant created) {
        return new HolderPod(cluster, namespace, name, "uid-" + name, phase, alive, created);
    }

    @Test
    void aLiveHolderInAnAllowedNamespaceOfAnyClusterMeansWait() {
        Decision d = HolderRule.decide(evidence(lock("nas-job-abcde"),
                List.of(pod("lab", "media", "nas-job-abcde", "Running", true, LOCK_TIME.minusSeconds(60))), Set.of(), null, NOW), NOW);
        assertThat(d.kind()).isEqualTo(Kind.WAIT);
        assertThat(d.reason()).contains("Running in cluster lab");
    }

    @Test
    void phaseUnknownIsAlive() {
        Decision d = HolderRule.decide(evidence(lock("nas-job-abcde"),
                List.of(pod("home", "media", "nas-job-abcde", "Unknown", true, LOCK_TIME.minusSeconds(60))), Set.of(), null, NOW), NOW);
        assertThat(d.kind()).isEqualTo(Kind.WAIT);
    }

    @Test
    void aTerminatedHolderIsGoneAndGetsRemoveAll() {
        Decision d = HolderRule.decide(evidence(lock("nas-job-abcde"),
                List.of(pod("home", "media", "nas-job-abcde", "Failed", false, LOCK_TIME.minusSeconds(60))), Set.of(), null, NOW), NOW);
        assertThat(d.kind()).isEqualTo(Kind.REMOVE_ALL);
        assertThat(d.reason()).contains("has terminated");
    }

    /** Bug: `kubectl run truenas --restart=Never -- true` made the hub call a NAS's live lock gone. */
    @Test
    void anImpostorCreatedAfterTheLockIsNotTheHolder() {
        HolderPod impostor = pod("home", "media", "truenas", "Succeeded", false, LOCK_TIME.plusSeconds(60));
        Decision d = HolderRule.decide(evidence(lock("truenas"), List.of(impostor), Set.of(), null, NOW), NOW);
        assertThat(d.kind()).isEqualTo(Kind.PLAIN);
        assertThat(d.reason()).contains("not a pod the hub can place");
    }

    /** Whole seconds on the API server, another clock on the node: a pod created a moment "after" its own lock is still its holder. */
    @Test
    void aHolderCreatedWithinTheClockSlackOfItsLockIsStillTheHolder() {
        HolderPod justAfter = pod("home", "media", "volsync-src-jellyfin-h2x9k", "Running", true, LOCK_TIME.plusSeconds(1));
        assertThat(HolderRule.decide(evidence(lock("volsync-src-jellyfin-h2x9k"), List.of(justAfter), Set.of(), null, NOW), NOW).kind())
                .isEqualTo(Kind.WAIT);
    }

    @Test
    void anImpostorInAnotherNamespaceNeitherEndsNorBlocksTheWait() {
        HolderPod elsewhere = pod("home", "tenant", "truenas", "Running", true, LOCK_TIME.minusSeconds(60));
        Decision d = HolderRule.decide(evidence(lock("truenas"), List.of(elsewhere), Set.of(), null, NOW), NOW);
        assertThat(d.kind()).isEqualTo(Kind.PLAIN);
        HolderPod gone = pod("home", "tenant", "volsync-src-jellyfin-x7k2p", "Running", true, LOCK_TIME.minusSeconds(60));
        Decision ownJob = HolderRule.decide(evidence(lock("volsync-src-jellyfin-x7k2p"), List.of(gone), Set.of(), null, NOW), NOW);
        assertThat(ownJob.kind()).as("a live pod of that name elsewhere does not block the own Job's gone pod").isEqualTo(Kind.REMOVE_ALL);
    }

    @Test
    void aPodOfTheFailedMoversOwnJobThatNoLongerExistsIsGone() {
        Decision d = HolderRule.decide(evidence(lock("volsync-src-jellyfin-x7k2p"), List.of(), Set.of(), null, NOW), NOW);
        assertThat(d.kind()).isEqualTo(Kind.REMOVE_ALL);
        Decision other = HolderRule.decide(evidence(lock("volsync-src-immich-x7k2p"), List.of(), Set.of(), null, NOW), NOW);
        assertThat(other.kind()).as("a pod of another Job is not placed by its name alone").isEqualTo(Kind.PLAIN);
    }

    @Test
    void aHolderSeenDeletedIsGoneUnlessItCameAfterTheLock() {
        HolderPod seen = pod("home", "media", "maint-abcde", "Running", false, LOCK_TIME.minusSeconds(60));
        assertThat(HolderRule.decide(evidence(lock("maint-abcde"), List.of(), Set.of(), seen, NOW), NOW).kind()).isEqualTo(Kind.REMOVE_ALL);
        HolderPod late = pod("home", "media", "maint-abcde", "Running", false, LOCK_TIME.plusSeconds(60));
        assertThat(HolderRule.decide(evidence(lock("maint-abcde"), List.of(), Set.of(), late, NOW), NOW).kind()).isEqualTo(Kind.PLAIN);
    }

    /** A cluster that cannot be asked may run the holder: never "gone", always the plain unlock. */
    @Test
    void anUnreachableClusterMakesTheHolderUnknownNeverGone() {
        Decision d = HolderRule.decide(evidence(lock("volsync-src-jellyfin-x7k2p"), List.of(), Set.of("lab"), null, NOW), NOW);
        assertThat(d.kind()).isEqualTo(Kind.PLAIN);
        assertThat(d.reason()).contains("cluster lab does not answer");
        HolderPod terminated = pod("home", "media", "nas-job-abcde", "Failed", false, LOCK_TIME.minusSeconds(60));
        assertThat(HolderRule.decide(evidence(lock("nas-job-abcde"), List.of(terminated), Set.of("lab"), null, NOW), NOW).kind())
                .isEqualTo(Kind.PLAIN);
    }

    /** Bug: the unlock time was frozen at detection, so a lock refreshed for hours was removed after 30 minutes. */
    @Test
    void anUnknownHolderGetsAPlainUnlockNoEarlierThanTheLockCouldBeStale() {
        Instant later = NOW.plus(Duration.ofMinutes(20));
        Decision waiting = HolderRule.decide(evidence(lock("truenas"), List.of(), Set.of(), null, later), NOW);
        assertThat(waiting.kind()).isEqualTo(Kind.PLAIN);
        assertThat(waiting.notBefore()).isEqualTo(later);
        Decision now = HolderRule.decide(evidence(lock("truenas"), List.of(), Set.of(), null, NOW.minusSeconds(1)), NOW);
        assertThat(now.kind()).as("never --remove-all, however old the lock looked").isEqualTo(Kind.PLAIN);
        assertThat(now.notBefore()).isEqualTo(NOW);
    }

    @Test
    void noHolderNamedIsPlainToo() {
        LockVerdict noHolder = LockDetector.BUILT_IN.examine("Fatal: unable to create lock in backend: repository is already locked\n");
        Decision d = HolderRule.decide(evidence(noHolder, List.of(), Set.of(), null, NOW), NOW);
        assertThat(d.kind()).isEqualTo(Kind.PLAIN);
    }

    @Test
    void anInvalidLockFileIsRemovedOnlyWhileNothingOfTheRepositoryRunsAndEveryClusterAnswers() {
        LockVerdict invalid = LockDetector.BUILT_IN.examine("Fatal: unable to create lock in backend: load <lock/1234abcd>: invalid data returned\n"
                + "the `unlock --remove-all` command can be used to remove invalid locks. Make sure that no other restic process"
                + " is accessing the repository when running the command\n");
        assertThat(invalid.invalidLockFile()).as("the detector's verdict on an invalid lock file").isTrue();
        Evidence quiet = new Evidence(invalid, null, "home", "media", "volsync-src-jellyfin", ALLOWED, List.of(), Set.of(), null, null, NOW);
        assertThat(HolderRule.decide(quiet, NOW).kind()).isEqualTo(Kind.REMOVE_ALL);
        Evidence busy = new Evidence(invalid, null, "home", "media", "volsync-src-jellyfin", ALLOWED, List.of(), Set.of(), null, "media/x", NOW);
        assertThat(HolderRule.decide(busy, NOW).kind()).isEqualTo(Kind.WAIT);
        Evidence down = new Evidence(invalid, null, "home", "media", "volsync-src-jellyfin", ALLOWED, List.of(), Set.of("lab"), null, null, NOW);
        assertThat(HolderRule.decide(down, NOW).kind()).isEqualTo(Kind.WAIT);
    }
}
