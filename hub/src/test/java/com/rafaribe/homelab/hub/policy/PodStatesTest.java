package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodStatesTest {
    @Test
    void aPodOfAJobIsTheJobsNameAndFiveCharacters() {
        assertThat(PodStates.isPodOfJob("volsync-src-app-x7k2p", "volsync-src-app")).isTrue();
        assertThat(PodStates.isPodOfJob("volsync-src-app-db-h2x9k", "volsync-src-app")).as("another Job's pod").isFalse();
        assertThat(PodStates.isPodOfJob("volsync-src-app-X7K2P", "volsync-src-app")).isFalse();
        assertThat(PodStates.isPodOfJob("volsync-src-apps-x7k2", "volsync-src-app")).isFalse();
    }

    @Test
    void aPodWithOneContainerExitedAndAnotherRunningIsAliveNotFailed() {
        Pod pod = pod("Running", exited("restic", 1), running("sidecar"));
        assertThat(PodStates.alive(pod)).isTrue();
        assertThat(PodStates.failed(pod)).as("its other container still runs").isFalse();
    }

    @Test
    void aPodInPhaseUnknownIsAlive() {
        Pod pod = pod("Unknown", running("restic"));
        assertThat(PodStates.alive(pod)).as("its node stopped reporting; the process may still hold the lock").isTrue();
        assertThat(PodStates.failed(pod)).isFalse();
    }

    @Test
    void aPodWithAContainerWaitingIsAlive() {
        assertThat(PodStates.alive(pod("Pending"))).isTrue();
        assertThat(PodStates.alive(pod("Pending", waiting("restic", "ContainerCreating")))).isTrue();
        assertThat(PodStates.alive(new PodBuilder().withNewMetadata().withName("new").endMetadata().build()))
                .as("no status yet: just created").isTrue();
    }

    @Test
    void aMoverWhoseOnlyContainerExitedNonZeroIsFailedAndGone() {
        Pod pod = pod("Running", exited("restic", 1));
        assertThat(PodStates.failed(pod)).as("the kubelet has not updated the phase yet").isTrue();
        assertThat(PodStates.alive(pod)).isFalse();
        assertThat(PodStates.terminatedForGood(pod)).isTrue();
    }

    @Test
    void everyContainerExitedOrAFinalPhaseIsGone() {
        Pod allExited = pod("Running", exited("restic", 0), exited("sidecar", 1));
        assertThat(PodStates.alive(allExited)).isFalse();
        assertThat(PodStates.failed(allExited)).isTrue();
        assertThat(PodStates.alive(pod("Failed"))).isFalse();
        assertThat(PodStates.failed(pod("Failed"))).isTrue();
        Pod succeeded = pod("Succeeded", exited("restic", 0));
        assertThat(PodStates.alive(succeeded)).isFalse();
        assertThat(PodStates.failed(succeeded)).isFalse();
        Pod done = pod("Running", exited("restic", 0));
        assertThat(PodStates.alive(done)).isFalse();
        assertThat(PodStates.failed(done)).isFalse();
    }

    @Test
    void theNonZeroExitIsTheTerminationReported() {
        Pod pod = pod("Failed", exited("sidecar", 0), exited("restic", 1));
        assertThat(PodStates.terminated(pod)).hasValueSatisfying(t -> assertThat(t.getExitCode()).isEqualTo(1));
    }

    static Pod pod(String phase, ContainerStatus... containers) {
        return new PodBuilder().withNewMetadata().withName("volsync-src-app-x7k2p").endMetadata()
                .withNewStatus().withPhase(phase).withContainerStatuses(List.of(containers)).endStatus().build();
    }

    static ContainerStatus exited(String name, int exitCode) {
        return status(name, new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode).endTerminated().build());
    }

    static ContainerStatus running(String name) {
        return status(name, new ContainerStateBuilder().withNewRunning().endRunning().build());
    }

    static ContainerStatus waiting(String name, String reason) {
        return status(name, new ContainerStateBuilder().withNewWaiting().withReason(reason).endWaiting().build());
    }

    private static ContainerStatus status(String name, ContainerState state) {
        return new ContainerStatusBuilder().withName(name).withState(state).build();
    }
}
