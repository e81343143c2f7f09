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
 */
public record UnlockRequest(String cluster, Pod failedPod, FailedMover mover, MonitorPolicy monitor,
                            LockVerdict verdict, RepositoryKey repository) {
}
