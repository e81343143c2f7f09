package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.policy.UnlockJobFactory;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

/** The warm-up runs the failure path for real: it ends in an unlock Job of the sample mover, written by the serialization. */
class StartUpWarmUpTest {
    @Test
    void itRunsAFailureToItsUnlockJob() {
        Job job = StartUpWarmUp.run(HubSerialization.create());

        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).contains(UnlockJobFactory.REMOVE_ALL);
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).extracting(e -> e.getName()).contains("RESTIC_REPOSITORY");
    }
}
