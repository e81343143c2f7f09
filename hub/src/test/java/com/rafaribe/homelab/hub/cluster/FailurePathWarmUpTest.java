package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.policy.LockDetector;
import com.rafaribe.homelab.hub.policy.UnlockJobFactory;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** The warm-up runs the failure path for real: its log is a lock, and it ends in an unlock Job of the sample mover. */
class FailurePathWarmUpTest {
    @Test
    void itsLogIsALockAndItBuildsAnUnlockJob() throws Exception {
        assertThat(LockDetector.BUILT_IN.examine(FailurePathWarmUp.LOCK_LOG).lock()).isTrue();

        Job job = FailurePathWarmUp.run(new KubernetesSerialization());

        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).contains(UnlockJobFactory.REMOVE_ALL);
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).extracting(e -> e.getName()).contains("RESTIC_REPOSITORY");
    }
}
