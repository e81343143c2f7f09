package com.rafaribe.homelab.hub.backups;

import java.time.Instant;
import java.util.Set;

/**
 * What the hub itself knows of a backup beyond its resource: the mover pods it saw fail and the
 * lock failures it handles, counted since the backup's last success.
 *
 * @param consecutiveFailures failed mover pods created after the last success
 * @param lockFailures        lock failures (unlocks) detected after the last success
 * @param unlockState         the newest unlock's state (Queued, WaitingForHolder, Running, Succeeded, Failed, Cancelled), or null
 * @param unlockDetectedAt    when the newest unlock's failure was detected
 * @param unlockPod           the failed pod the newest unlock is about (the key of {@code /api/unlocks} with the cluster)
 * @param unlockCause         why the newest unlock's lock was left behind, in words, or null
 */
public record HubKnowledge(int consecutiveFailures, int lockFailures, String unlockState, Instant unlockDetectedAt, String unlockPod,
                           String unlockCause) {
    public static final HubKnowledge NONE = new HubKnowledge(0, 0, null, null, null, null);
    /** The unlock states in which the repository is still locked and the hub is on it. */
    public static final Set<String> WAITING = Set.of("Queued", "WaitingForHolder", "Running");

    public boolean lockWaitedOn() {
        return unlockState != null && WAITING.contains(unlockState);
    }
}
