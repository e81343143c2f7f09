package com.rafaribe.homelab.hub.policy;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reading a pod's state the way a kubelet reports it. */
public final class PodStates {
    private static final Set<String> ALIVE_PHASES = Set.of("Pending", "Running");

    private PodStates() {
    }

    /**
     * Failed: phase Failed, or a container terminated with a non-zero exit code. VolSync deletes
     * its Job before Kubernetes marks it failed, so failure is read per pod.
     */
    public static boolean failed(Pod pod) {
        if (pod.getStatus() == null) {
            return false;
        }
        return "Failed".equals(pod.getStatus().getPhase()) || terminated(pod).filter(t -> t.getExitCode() != null && t.getExitCode() != 0).isPresent();
    }

    /** Pending or Running, and not being deleted to completion. A pod on a NotReady node keeps its phase: it counts as alive. */
    public static boolean alive(Pod pod) {
        return pod.getStatus() != null && ALIVE_PHASES.contains(pod.getStatus().getPhase()) && terminated(pod).isEmpty();
    }

    /** A pod of that Job, by name: Kubernetes names a Job's pods {@code <job>-<5 characters>}. */
    public static boolean isPodOfJob(String podName, String jobName) {
        return podName.length() == jobName.length() + 6 && podName.startsWith(jobName + "-")
                && podName.substring(jobName.length() + 1).chars().allMatch(c -> Character.isLowerCase(c) || Character.isDigit(c));
    }

    public static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
    }

    /** The first terminated container state: the mover has one container. */
    public static Optional<ContainerStateTerminated> terminated(Pod pod) {
        List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
        if (statuses == null) {
            return Optional.empty();
        }
        return statuses.stream().filter(s -> s.getState() != null && s.getState().getTerminated() != null)
                .map(s -> s.getState().getTerminated()).findFirst();
    }

    /** The reason a container is waiting (ImagePullBackOff, CreateContainerConfigError, ContainerCreating ...), if it is. */
    public static Optional<String> waitingReason(Pod pod) {
        List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
        if (statuses == null) {
            return Optional.empty();
        }
        return statuses.stream().filter(s -> s.getState() != null && s.getState().getWaiting() != null)
                .map(s -> s.getState().getWaiting().getReason()).filter(r -> r != null).findFirst();
    }
}
