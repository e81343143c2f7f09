package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.bus.CommandReply.HolderFacts;
import com.rafaribe.homelab.hub.api.bus.CommandReply.HolderFacts.HolderPod;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Never remove a live lock. (i) a pod named like the holder is Pending or Running in any watched
 * cluster: wait; (ii) the holder is provably gone (its pod terminated, or no such pod exists and the
 * name is a pod of a watched Job, or the hub saw it deleted): unlock now; (iii) anyone else (a NAS
 * cron job, a laptop): wait until the lock is older than restic's own stale age, 30 minutes.
 */
public final class HolderRule {
    public static final Duration STALE_AGE = Duration.ofMinutes(30);

    private HolderRule() {
    }

    /** @param unlockAt when to unlock (now or later); null while the holder is alive (re-check on its pod's changes) */
    public record Decision(boolean unlockNow, Instant unlockAt, String reason) {
    }

    /** @param facts what each cluster (by name) knows of the holder */
    public static Decision decide(LockVerdict verdict, Instant detectedAt, Instant now, Map<String, HolderFacts> facts) {
        if (verdict.invalidLockFile()) {
            return new Decision(true, now, "an invalid lock file names no holder; restic says to remove it with unlock --remove-all");
        }
        LockHolder holder = verdict.holder();
        if (holder == null || holder.host().isEmpty()) {
            Instant at = detectedAt.plus(STALE_AGE);
            return waitOrUnlock(at, now, "restic named no holder: waiting " + STALE_AGE.toMinutes() + " minutes from detection",
                    "restic named no holder and " + STALE_AGE.toMinutes() + " minutes have passed since detection");
        }
        boolean anyPod = false;
        for (Map.Entry<String, HolderFacts> cluster : facts.entrySet()) {
            for (HolderPod pod : cluster.getValue().pods()) {
                anyPod = true;
                if (pod.alive()) {
                    return new Decision(false, null, "holder " + holder.host() + " is " + pod.phase() + " in cluster "
                            + cluster.getKey() + " (" + pod.namespace() + "): the lock is live");
                }
            }
        }
        if (anyPod) {
            return new Decision(true, now, "holder pod " + holder.host() + " has terminated");
        }
        for (Map.Entry<String, HolderFacts> cluster : facts.entrySet()) {
            if (cluster.getValue().seenDeleted()) {
                return new Decision(true, now, "holder pod " + holder.host() + " was deleted (seen in cluster " + cluster.getKey() + ")");
            }
            if (cluster.getValue().jobPodShape()) {
                return new Decision(true, now, "holder " + holder.host() + " is a pod of a watched Job in cluster "
                        + cluster.getKey() + " and no longer exists");
            }
        }
        Duration ageAtDetection = verdict.lockAge() == null ? Duration.ZERO : verdict.lockAge();
        Instant staleAt = detectedAt.minus(ageAtDetection).plus(STALE_AGE);
        return waitOrUnlock(staleAt, now, "holder " + holder.host() + " is not a pod the hub can place: waiting until the lock is "
                + STALE_AGE.toMinutes() + " minutes old", "holder " + holder.host() + " is not a pod the hub can place and the lock is older than "
                + STALE_AGE.toMinutes() + " minutes (restic's stale age)");
    }

    private static Decision waitOrUnlock(Instant at, Instant now, String waiting, String unlocking) {
        return at.isAfter(now) ? new Decision(false, at, waiting) : new Decision(true, now, unlocking);
    }
}
