package com.rafaribe.homelab.hub.policy;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Everything the unlock Job is built from.
 *
 * @param cluster    the cluster's name (its kubeconfig context)
 * @param failedPod  the failed mover pod, whose container, volumes and scheduling are mirrored
 * @param mover      the pod's Job and owning ReplicationSource/Destination
 * @param monitor    the governing monitor, validated
 * @param verdict    the detector's verdict (a lock)
 * @param repository the repository the pod uses
 * @param mode       {@code restic unlock --remove-all} (the holder is provably gone) or plain {@code restic unlock}
 * @param attempt    1 for the first unlock Job of this failed pod, then 2, 3 ... (plain unlocks that removed nothing)
 */
public record UnlockRequest(String cluster, Pod failedPod, FailedMover mover, MonitorPolicy monitor,
                            LockVerdict verdict, RepositoryKey repository, HolderRule.Kind mode, int attempt) {

    /** A first attempt whose holder is provably gone. */
    public UnlockRequest(String cluster, Pod failedPod, FailedMover mover, MonitorPolicy monitor, LockVerdict verdict, RepositoryKey repository) {
        this(cluster, failedPod, mover, monitor, verdict, repository, HolderRule.Kind.REMOVE_ALL, 1);
    }
}
