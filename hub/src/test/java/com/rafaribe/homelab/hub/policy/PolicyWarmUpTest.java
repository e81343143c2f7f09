package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The warm-up runs an unlock for real, from the failed pod to the unlock Job's success: else it would warm up less. */
class PolicyWarmUpTest {
    @Test
    void itUnlocksOnceFromTheFailedPodToTheUnlockJobsSuccess() {
        assertThat(LockDetector.BUILT_IN.examine(PolicyWarmUp.LOCK_LOG).lock()).isTrue();

        List<PolicyAction> actions = PolicyWarmUp.unlockOnce(Instant.parse("2026-01-01T01:00:05Z"));

        assertThat(actions).filteredOn(PolicyAction.CreateJob.class::isInstance).singleElement()
                .satisfies(a -> assertThat(((PolicyAction.CreateJob) a).job().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                        .contains(UnlockJobFactory.REMOVE_ALL));
        assertThat(actions).filteredOn(PolicyAction.RecordEvent.class::isInstance).extracting(a -> ((PolicyAction.RecordEvent) a).reason())
                .as("the lock detected, and the unlock Job's success seen: the record ran to its end").containsExactly("LockDetected", "UnlockSucceeded");
    }
}
