package com.rafaribe.homelab.hub.policy;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Why a lock was left behind, as far as Kubernetes knows it from the holder pod (and whether its
 * node still exists): the holder died without running restic's cleanup. Pure. {@code label} is a
 * bounded value for a metric's label ({@link #LABELS}); {@code words} says it to a person, with
 * the exit code when that is all there is.
 */
public record LockCause(String label, String words) {
    public static final LockCause UNKNOWN = new LockCause("unknown", "unknown");
    public static final Set<String> LABELS = Set.of("oom_killed", "evicted", "deadline_exceeded", "node_shutdown", "node_gone",
            "deleted_while_running", "exited", "unknown");

    /**
     * @param holder      the holder pod as last seen (its final state when it was deleted), or null when never seen
     * @param deleted     the hub saw it deleted
     * @param wasAlive    it was Pending/Running (a container still ran) when last seen before the deletion
     * @param nodeMissing its node no longer exists
     */
    public static LockCause of(Pod holder, boolean deleted, boolean wasAlive, boolean nodeMissing) {
        if (holder == null) {
            return UNKNOWN;
        }
        List<ContainerState> terminated = terminatedStates(holder);
        if (terminated.stream().anyMatch(t -> "OOMKilled".equals(t.getTerminated().getReason()))) {
            return new LockCause("oom_killed", "OOMKilled (the container ran out of memory)");
        }
        String reason = holder.getStatus() == null ? null : holder.getStatus().getReason();
        String disruption = disruption(holder);
        if ("Evicted".equals(reason) || "EvictionByEvictionAPI".equals(disruption) || "PreemptionByScheduler".equals(disruption)) {
            return new LockCause("evicted", "Evicted" + ("PreemptionByScheduler".equals(disruption) ? " (preempted by the scheduler)" : ""));
        }
        if ("DeadlineExceeded".equals(reason)) {
            return new LockCause("deadline_exceeded", "DeadlineExceeded (activeDeadlineSeconds passed)");
        }
        if ("Terminated".equals(reason) || "NodeShutdown".equals(reason) || "TerminationByKubelet".equals(disruption)) {
            return new LockCause("node_shutdown", "killed by a node shutdown");
        }
        if (nodeMissing || "NodeLost".equals(reason) || "DeletionByPodGC".equals(disruption) || "DeletionByTaintManager".equals(disruption)) {
            return new LockCause("node_gone", "its node went away");
        }
        if (deleted && wasAlive) {
            return new LockCause("deleted_while_running", "deleted while running");
        }
        return terminated.stream().map(t -> t.getTerminated().getExitCode()).filter(code -> code != null && code != 0).findFirst()
                .map(code -> new LockCause("exited", "exited with code " + code)).orElse(UNKNOWN);
    }

    /** Current and last states: a restarted container's earlier death is in lastState. */
    private static List<ContainerState> terminatedStates(Pod pod) {
        List<ContainerState> states = new ArrayList<>();
        if (pod.getStatus() == null) {
            return states;
        }
        List<ContainerStatus> all = new ArrayList<>();
        if (pod.getStatus().getInitContainerStatuses() != null) {
            all.addAll(pod.getStatus().getInitContainerStatuses());
        }
        if (pod.getStatus().getContainerStatuses() != null) {
            all.addAll(pod.getStatus().getContainerStatuses());
        }
        for (ContainerStatus c : all) {
            for (ContainerState s : new ContainerState[] {c.getState(), c.getLastState()}) {
                if (s != null && s.getTerminated() != null) {
                    states.add(s);
                }
            }
        }
        return states;
    }

    /** The DisruptionTarget condition's reason (Kubernetes 1.26+), if the pod has it. */
    private static String disruption(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        return pod.getStatus().getConditions().stream().filter(c -> "DisruptionTarget".equals(c.getType()) && "True".equals(c.getStatus()))
                .map(PodCondition::getReason).findFirst().orElse(null);
    }
}
