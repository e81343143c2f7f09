package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.bus.CommandReply.HolderFacts;
import com.rafaribe.homelab.hub.api.bus.CommandReply.HolderFacts.HolderPod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HolderRuleTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    static final HolderFacts NOTHING = new HolderFacts(List.of(), false, false);

    static LockVerdict lock(String host, String age) {
        return LockDetector.BUILT_IN.examine("unable to create lock in backend: repository is already locked by PID 1 on " + host
                + " by root (UID 0, GID 0)\nlock was created at 2026-11-26 11:00:00 (" + age + " ago)\n");
    }

    @Test
    void aLiveHolderPodInAnyClusterMeansWait() {
        HolderFacts running = new HolderFacts(List.of(new HolderPod("maint", "nas-job-abcde", "Running", true)), false, false);
        HolderRule.Decision d = HolderRule.decide(lock("nas-job-abcde", "2h"), NOW, NOW, Map.of("a", NOTHING, "b", running));
        assertThat(d.unlockNow()).isFalse();
        assertThat(d.unlockAt()).as("re-checked on the holder's changes, not at a time").isNull();
        assertThat(d.reason()).contains("Running in cluster b");
    }

    @Test
    void aTerminatedHolderPodIsGone() {
        HolderFacts done = new HolderFacts(List.of(new HolderPod("ns", "p-abcde", "Failed", false)), false, false);
        assertThat(HolderRule.decide(lock("p-abcde", "5s"), NOW, NOW, Map.of("a", done)).unlockNow()).isTrue();
    }

    @Test
    void aMissingPodOfAWatchedJobOrOneSeenDeletedIsGone() {
        assertThat(HolderRule.decide(lock("volsync-src-app-x7k2p", "5s"), NOW, NOW,
                Map.of("a", new HolderFacts(List.of(), true, false))).unlockNow()).isTrue();
        assertThat(HolderRule.decide(lock("some-pod", "5s"), NOW, NOW,
                Map.of("a", new HolderFacts(List.of(), false, true))).unlockNow()).isTrue();
    }

    @Test
    void anUnknownHolderWaitsForResticsStaleAge() {
        HolderRule.Decision young = HolderRule.decide(lock("nas-cron", "10m0s"), NOW, NOW, Map.of("a", NOTHING));
        assertThat(young.unlockNow()).isFalse();
        assertThat(young.unlockAt()).isEqualTo(NOW.plus(Duration.ofMinutes(20)));
        assertThat(HolderRule.decide(lock("nas-cron", "10m0s"), NOW, NOW.plus(Duration.ofMinutes(20)), Map.of("a", NOTHING)).unlockNow()).isTrue();
        assertThat(HolderRule.decide(lock("nas-cron", "40m0s"), NOW, NOW, Map.of("a", NOTHING)).unlockNow()).isTrue();
    }

    @Test
    void anInvalidLockFileIsRemovedAtOnceAndNoHolderWaits30MinutesFromDetection() {
        LockVerdict invalid = LockDetector.BUILT_IN.examine("Fatal: invalid lock file: LoadRaw(<lock/0f3c9a7e21>): invalid data returned\n");
        assertThat(HolderRule.decide(invalid, NOW, NOW, Map.of()).unlockNow()).isTrue();
        LockVerdict anonymous = LockDetector.BUILT_IN.examine("ERROR: failure locking repository\n");
        HolderRule.Decision d = HolderRule.decide(anonymous, NOW, NOW, Map.of());
        assertThat(d.unlockNow()).isFalse();
        assertThat(d.unlockAt()).isEqualTo(NOW.plus(Duration.ofMinutes(30)));
    }
}
