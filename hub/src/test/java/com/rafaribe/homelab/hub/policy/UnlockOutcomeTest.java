package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnlockOutcomeTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    static final Instant LONG_AGO = NOW.minus(UnlockOutcome.STUCK_AFTER).minus(Duration.ofMinutes(2));
    final Job running = new JobBuilder().withNewMetadata().withName("volsync-unlock-app-0b6f3c0e").endMetadata()
            .withNewStatus().withActive(1).endStatus().build();

    @Test
    void aPodSlowToPullItsImageIsLeftToTheJobsDeadline() {
        assertThat(UnlockOutcome.of(running, List.of(waiting("ContainerCreating", LONG_AGO)), NOW).state())
                .isEqualTo(UnlockOutcome.State.RUNNING);
        assertThat(UnlockOutcome.of(running, List.of(waiting("ErrImagePull", LONG_AGO)), NOW).state())
                .as("one failed pull attempt; a pull that keeps failing shows ImagePullBackOff between attempts")
                .isEqualTo(UnlockOutcome.State.RUNNING);
    }

    @Test
    void aPodThatCannotStartFailsTheUnlockAfterAWhile() {
        for (String reason : List.of("ImagePullBackOff", "CreateContainerConfigError", "InvalidImageName")) {
            UnlockOutcome.Result result = UnlockOutcome.of(running, List.of(waiting(reason, LONG_AGO)), NOW);
            assertThat(result.state()).as(reason).isEqualTo(UnlockOutcome.State.FAILED);
            assertThat(result.reason()).contains(reason);
        }
        assertThat(UnlockOutcome.of(running, List.of(waiting("ImagePullBackOff", NOW.minusSeconds(30))), NOW).state())
                .as("not yet stuck").isEqualTo(UnlockOutcome.State.RUNNING);
    }

    @Test
    void theJobsDeadlineFailsASlowPull() {
        Job deadline = new JobBuilder(running).editStatus().withActive(0).addNewCondition().withType("Failed").withStatus("True")
                .withReason("DeadlineExceeded").withMessage("Job was active longer than specified deadline").endCondition().endStatus().build();
        UnlockOutcome.Result result = UnlockOutcome.of(deadline, List.of(waiting("ContainerCreating", LONG_AGO)), NOW);
        assertThat(result.state()).isEqualTo(UnlockOutcome.State.FAILED);
        assertThat(result.reason()).contains("DeadlineExceeded");
    }

    static Pod waiting(String reason, Instant created) {
        return new PodBuilder().withNewMetadata().withName("volsync-unlock-app-0b6f3c0e-k2x9p").withCreationTimestamp(created.toString())
                .endMetadata().withNewStatus().withPhase("Pending").addNewContainerStatus().withName("unlock")
                .withNewState().withNewWaiting().withReason(reason).endWaiting().endState().endContainerStatus().endStatus().build();
    }
}
