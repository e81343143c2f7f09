package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each cause Kubernetes can tell from the holder pod and its node, and the order when several show. */
class LockCauseTest {
    static Pod pod(PodStatusBuilder status) {
        return new PodBuilder().withNewMetadata().withName("volsync-src-app-x").withNamespace("media").endMetadata()
                .withStatus(status.build()).build();
    }

    static PodStatusBuilder exited(int code, String reason) {
        return new PodStatusBuilder().withPhase("Failed").addNewContainerStatus().withName("restic").withNewState().withNewTerminated()
                .withExitCode(code).withReason(reason).endTerminated().endState().endContainerStatus();
    }

    static PodStatusBuilder disrupted(String reason) {
        return new PodStatusBuilder().withPhase("Failed").addNewCondition().withType("DisruptionTarget").withStatus("True")
                .withReason(reason).endCondition();
    }

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("OOMKilled", pod(exited(137, "OOMKilled")), false, false, false, "oom_killed", "OOMKilled"),
                Arguments.of("OOMKilled in lastState", pod(new PodStatusBuilder().withPhase("Running").addNewContainerStatus().withName("restic")
                        .withNewLastState().withNewTerminated().withExitCode(137).withReason("OOMKilled").endTerminated().endLastState()
                        .endContainerStatus()), false, false, false, "oom_killed", "OOMKilled"),
                Arguments.of("Evicted", pod(new PodStatusBuilder().withPhase("Failed").withReason("Evicted")), false, false, false, "evicted",
                        "Evicted"),
                Arguments.of("eviction API", pod(disrupted("EvictionByEvictionAPI")), false, false, false, "evicted", "Evicted"),
                Arguments.of("preempted", pod(disrupted("PreemptionByScheduler")), false, false, false, "evicted", "preempted"),
                Arguments.of("activeDeadlineSeconds", pod(new PodStatusBuilder().withPhase("Failed").withReason("DeadlineExceeded")), false, false,
                        false, "deadline_exceeded", "activeDeadlineSeconds"),
                Arguments.of("graceful node shutdown", pod(new PodStatusBuilder().withPhase("Failed").withReason("Terminated")), false, false,
                        false, "node_shutdown", "node shutdown"),
                Arguments.of("node shutdown, DisruptionTarget", pod(disrupted("TerminationByKubelet")), false, false, false, "node_shutdown",
                        "node shutdown"),
                Arguments.of("node gone, pod GC", pod(disrupted("DeletionByPodGC")), true, true, false, "node_gone", "node went away"),
                Arguments.of("node gone, seen missing", pod(new PodStatusBuilder().withPhase("Running")), true, true, true, "node_gone",
                        "node went away"),
                Arguments.of("deleted while running", pod(new PodStatusBuilder().withPhase("Running")), true, true, false,
                        "deleted_while_running", "deleted while running"),
                Arguments.of("exited 137 (SIGKILL)", pod(exited(137, "Error")), false, false, false, "exited", "exited with code 137"),
                Arguments.of("deleted after it had exited", pod(exited(1, "Error")), true, false, false, "exited", "exited with code 1"),
                Arguments.of("completed, nothing known", pod(exited(0, "Completed")), false, false, false, "unknown", "unknown"),
                Arguments.of("never seen", null, false, false, false, "unknown", "unknown"),
                // Several at once: the most specific wins.
                Arguments.of("OOMKilled over Evicted", pod(exited(137, "OOMKilled").withReason("Evicted")), false, false, false, "oom_killed",
                        "OOMKilled"),
                Arguments.of("Evicted over deleted while running", pod(new PodStatusBuilder().withPhase("Failed").withReason("Evicted")), true,
                        true, false, "evicted", "Evicted"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void cause(String name, Pod holder, boolean deleted, boolean wasAlive, boolean nodeMissing, String label, String words) {
        LockCause cause = LockCause.of(holder, deleted, wasAlive, nodeMissing);
        assertThat(cause.label()).isEqualTo(label).isIn(LockCause.LABELS);
        assertThat(cause.words()).contains(words);
    }
}
