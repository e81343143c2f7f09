package com.rafaribe.homelab.hub.policy;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reading a pod's state the way a kubelet reports it. */
public final class PodStates {
    private static final Set<String> FINAL_PHASES = Set.of("Succeeded", "Failed");

    private PodStates() {
    }

    /**
     * Failed: phase Failed, or every container terminated and one of them non-zero. VolSync
     * deletes its Job before Kubernetes marks it failed, so failure is read per pod; a container
     * that exited while another still runs is no failure yet, the pod may still hold the lock.
     */
    public static boolean failed(Pod pod) {
        if ("Failed".equals(phase(pod))) {
            return true;
        }
        return terminatedForGood(pod) && containerStatuses(pod).stream()
                .map(PodStates::terminatedState).anyMatch(t -> t != null && t.getExitCode() != null && t.getExitCode() != 0);
    }

    /**
     * Alive: whatever is not {@link #terminatedForGood}. Pending (no status yet included), Running
     * and Unknown count: a pod on a NotReady node keeps its phase or turns Unknown, and its
     * process may still hold the lock; so does a pod with one container exited and another running.
     */
    public static boolean alive(Pod pod) {
        return !terminatedForGood(pod);
    }

    /**
     * Phase Succeeded or Failed, or every container terminated (the kubelet may not have updated
     * the phase yet). Init containers are not read: while one runs the pod is Pending, and a
     * native sidecar outliving the main containers holds no restic lock.
     */
    public static boolean terminatedForGood(Pod pod) {
        if (FINAL_PHASES.contains(phase(pod))) {
            return true;
        }
        List<ContainerStatus> statuses = containerStatuses(pod);
        return !statuses.isEmpty() && statuses.stream().allMatch(s -> terminatedState(s) != null);
    }

    /** A pod of that Job, by name: Kubernetes names a Job's pods {@code <job>-<5 characters>}. */
    public static boolean isPodOfJob(String podName, String jobName) {
        return podName.length() == jobName.length() + 6 && podName.startsWith(jobName + "-")
                && podName.substring(jobName.length() + 1).chars().allMatch(c -> Character.isLowerCase(c) || Character.isDigit(c));
    }

    public static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
    }

    /** A terminated container state, a non-zero one first: the mover has one container, a sidecar may have exited 0. */
    public static Optional<ContainerStateTerminated> terminated(Pod pod) {
        List<ContainerStateTerminated> terminated = containerStatuses(pod).stream().map(PodStates::terminatedState)
                .filter(t -> t != null).toList();
        return terminated.stream().filter(t -> t.getExitCode() != null && t.getExitCode() != 0).findFirst()
                .or(() -> terminated.stream().findFirst());
    }

    /** The reason a container is waiting (ImagePullBackOff, CreateContainerConfigError, ContainerCreating ...), if it is. */
    public static Optional<String> waitingReason(Pod pod) {
        return containerStatuses(pod).stream().filter(s -> s.getState() != null && s.getState().getWaiting() != null)
                .map(s -> s.getState().getWaiting().getReason()).filter(r -> r != null).findFirst();
    }

    private static List<ContainerStatus> containerStatuses(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of() : pod.getStatus().getContainerStatuses();
    }

    private static ContainerStateTerminated terminatedState(ContainerStatus status) {
        return status.getState() == null ? null : status.getState().getTerminated();
    }
}
