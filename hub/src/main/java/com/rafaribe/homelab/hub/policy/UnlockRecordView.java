package com.rafaribe.homelab.hub.policy;

import java.time.Instant;

/** A record as the simulation and tests read it: values only. */
public record UnlockRecordView(String cluster, String podUid, String namespace, String monitorKey, String repository, String state,
                               String reason, String unlockJob, String mode, int attempt, Instant wakeAt, Instant detectedAt, int races) {
    static UnlockRecordView of(UnlockRecord r) {
        return new UnlockRecordView(r.cluster, r.mover.podUid(), r.mover.namespace(), r.monitorKey, r.repository, r.state.name(), r.reason,
                r.unlockJob, r.mode == null ? null : r.mode.name(), r.attempt, r.wakeAt, r.detectedAt, r.races);
    }
}
