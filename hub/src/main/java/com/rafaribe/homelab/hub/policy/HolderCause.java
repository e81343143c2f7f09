package com.rafaribe.homelab.hub.policy;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Which pod's last seen state says why the lock was left: the failed mover itself when restic named
 * it, else the holder pod the decision placed (terminated, then seen deleted), else what the pod
 * watches last saw of that name. Pure; {@link LockCause#UNKNOWN} when no state of the holder is known.
 */
final class HolderCause {
    private HolderCause() {
    }

    /**
     * @param e            the evidence the unlock was decided on
     * @param failedPod    the failed mover pod as the hub saw it fail (null when rebuilt after a restart)
     * @param watched      the cause of a watched pod of the holder's name (live or seen deleted), or null
     */
    static LockCause of(HolderRule.Evidence e, Pod failedPod, LockCause watched) {
        LockHolder holder = e.verdict() == null ? null : e.verdict().holder();
        if (holder == null || holder.host().isEmpty()) {
            return LockCause.UNKNOWN;
        }
        if (failedPod != null && failedPod.getMetadata() != null && holder.host().equals(failedPod.getMetadata().getName())) {
            return LockCause.of(failedPod, false, false, false);
        }
        for (HolderRule.HolderPod pod : e.pods()) {
            if (!pod.alive() && HolderRule.couldHold(e, pod) && pod.cause() != null) {
                return pod.cause();
            }
        }
        if (e.deletedHolder() != null && HolderRule.couldHold(e, e.deletedHolder()) && e.deletedHolder().cause() != null) {
            return e.deletedHolder().cause();
        }
        return watched == null ? LockCause.UNKNOWN : watched;
    }
}
