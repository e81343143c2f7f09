package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.policy.HolderRule.Evidence;
import com.rafaribe.homelab.hub.policy.HolderRule.HolderPod;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which pod's last seen state tells why the lock was left, and that a pod seen deleted while Running says so. */
class HolderCauseTest {
    static final String HOLDER = "volsync-src-jellyfin-a1b2c";
    static final LockCause KILLED = new LockCause("exited", "exited with code 137");

    static Evidence evidence(String host, List<HolderPod> pods, HolderPod deleted) {
        return new Evidence(HolderRuleTest.lock(host), HolderRuleTest.LOCK_TIME, "home", "media", "volsync-src-jellyfin",
                HolderRuleTest.ALLOWED, pods, Set.of(), deleted, null, HolderRuleTest.NOW);
    }

    static HolderPod gone(String name, java.time.Instant created, LockCause cause) {
        return new HolderPod("home", "media", name, "uid-" + name, "Failed", false, created, cause);
    }

    static Pod pod(String name, PodStatusBuilder status) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("media").withUid("uid-" + name).endMetadata().withNewSpec().endSpec()
                .withStatus(status.build()).build();
    }

    @Test
    void theFailedMoverNamedAsItsOwnHolderToldByItsOwnState() {
        Pod failed = pod(HOLDER, LockCauseTest.exited(137, "Error"));
        assertThat(HolderCause.of(evidence(HOLDER, List.of(), null), failed, null)).isEqualTo(KILLED);
        assertThat(HolderCause.of(evidence(HOLDER, List.of(), null), pod("volsync-src-jellyfin-zzzzz", LockCauseTest.exited(137, "Error")), null))
                .as("another pod's state is not the holder's").isEqualTo(LockCause.UNKNOWN);
    }

    @Test
    void aTerminatedHolderThatCouldHoldTheLockIsTheOneTold() {
        HolderPod holder = gone(HOLDER, HolderRuleTest.LOCK_TIME.minusSeconds(60), KILLED);
        assertThat(HolderCause.of(evidence(HOLDER, List.of(holder), null), null, null)).isEqualTo(KILLED);
        HolderPod impostor = gone(HOLDER, HolderRuleTest.LOCK_TIME.plusSeconds(600), KILLED);
        assertThat(HolderCause.of(evidence(HOLDER, List.of(impostor), null), null, null)).as("created after the lock: not the holder")
                .isEqualTo(LockCause.UNKNOWN);
    }

    @Test
    void aHolderSeenDeletedWhileRunningIsToldSo() {
        Pod running = pod(HOLDER, new PodStatusBuilder().withPhase("Running").addNewContainerStatus().withName("restic").withNewState()
                .withNewRunning().endRunning().endState().endContainerStatus());
        LockCause deleted = PodFacts.of("home", running, true).cause();
        assertThat(deleted.words()).isEqualTo("deleted while running");
        assertThat(PodFacts.of("home", running, false).cause()).as("only its deletion says it").isEqualTo(LockCause.UNKNOWN);
        HolderPod seenDeleted = gone(HOLDER, HolderRuleTest.LOCK_TIME.minusSeconds(60), deleted);
        assertThat(HolderCause.of(evidence(HOLDER, List.of(), seenDeleted), null, null).label()).isEqualTo("deleted_while_running");
    }

    @Test
    void withoutAnyStateOfTheHolderWhatThePodWatchesSawOrUnknown() {
        assertThat(HolderCause.of(evidence(HOLDER, List.of(), null), null, KILLED)).isEqualTo(KILLED);
        assertThat(HolderCause.of(evidence(HOLDER, List.of(), null), null, null)).isEqualTo(LockCause.UNKNOWN);
        assertThat(HolderCause.of(evidence("truenas", List.of(), null), null, null)).isEqualTo(LockCause.UNKNOWN);
    }
}
