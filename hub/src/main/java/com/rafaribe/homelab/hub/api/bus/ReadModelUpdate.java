package com.rafaribe.homelab.hub.api.bus;

import java.time.Instant;
import java.util.List;

/** What the dashboard shows, published on {@link Addresses#READ_MODEL}. Values only: safe to serialise as they are. */
public sealed interface ReadModelUpdate extends HubMessage {

    /**
     * One cluster's connection. {@code state}: Connecting, Connected, Failed, or Duplicate (another
     * entry of the hub reaches the same cluster and watches it: {@code duplicateOf} names it, {@code
     * error} says why); {@code lastEventAt}: the last watch event, if any; {@code credentialExpiresAt}:
     * when the credential the hub uses there expires (a JWT token's exp, a client certificate's
     * notAfter), null when it does not say; {@code warnings}: sentences about a risk of the
     * connection that is no error (TLS verification off), never null.
     */
    record ClusterView(String name, String server, String state, String error, Instant since, int monitors, int moverPods,
                       Instant lastEventAt, String duplicateOf, Instant credentialExpiresAt, List<String> warnings,
                       boolean acting, String actingHub, Instant actingSince)
            implements ReadModelUpdate {
        public ClusterView {
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
        }

        /**
         * {@code acting}: this hub holds the cluster's Lease and acts on it; else it stands by, watching.
         * {@code actingHub}, {@code actingSince}: the Lease's holder and when it took it, as last read (null if unknown).
         */
        public ClusterView(String name, String server, String state, String error, Instant since, int monitors, int moverPods,
                           Instant lastEventAt, String duplicateOf, Instant credentialExpiresAt, List<String> warnings) {
            this(name, server, state, error, since, monitors, moverPods, lastEventAt, duplicateOf, credentialExpiresAt, warnings,
                    true, null, null);
        }

        public ClusterView(String name, String server, String state, String error, Instant since, int monitors, int moverPods,
                           Instant lastEventAt, String duplicateOf) {
            this(name, server, state, error, since, monitors, moverPods, lastEventAt, duplicateOf, null, List.of());
        }

        public ClusterView(String name, String server, String state, String error, Instant since, int monitors, int moverPods,
                           Instant lastEventAt) {
            this(name, server, state, error, since, monitors, moverPods, lastEventAt, null);
        }
    }

    /** One unlock, keyed by cluster and failed pod UID. {@code state}: Queued, WaitingForHolder, Running, Succeeded, Failed. */
    record UnlockView(String cluster, String namespace, String monitor, String app, String failedJob, String failedPod,
                      String failedPodUid, String unlockJob, String state, String reason, String matched, String holder,
                      String repository, Instant detectedAt, Instant createdAt, Instant finishedAt, Instant recoveredAt,
                      String cause, String causeLabel) implements ReadModelUpdate {
        /** Not decided yet: why the lock was left is not known. */
        public UnlockView(String cluster, String namespace, String monitor, String app, String failedJob, String failedPod,
                          String failedPodUid, String unlockJob, String state, String reason, String matched, String holder,
                          String repository, Instant detectedAt, Instant createdAt, Instant finishedAt, Instant recoveredAt) {
            this(cluster, namespace, monitor, app, failedJob, failedPod, failedPodUid, unlockJob, state, reason, matched, holder,
                    repository, detectedAt, createdAt, finishedAt, recoveredAt, null, null);
        }
    }

    /** A failed mover pod and what the hub decided about it. */
    record FailureView(String cluster, String namespace, String failedJob, String failedPod, String failedPodUid,
                       String decision, String reason, String monitor, Instant seenAt) implements ReadModelUpdate {
    }

    /** A monitor as the policy sees it. {@code degraded}: its Degraded condition is True (the circuit breaker is open). */
    record MonitorView(String cluster, String namespace, String name, boolean enabled, boolean valid, boolean trusted,
                       String phase, String problems, long created, long succeeded, long failed, long detected,
                       long removed, int active, boolean degraded) implements ReadModelUpdate {
    }

    /** A cluster is watched no more: its context left the kubeconfigs. */
    record ClusterGone(String name) implements ReadModelUpdate {
    }

    /**
     * One ReplicationSource or ReplicationDestination ({@code kind}) and its health: {@code state} one
     * of Healthy, Late, Failing, Locked, Paused, NeverSucceeded, Unknown, {@code reason} why in words.
     * {@code lastSyncTime} is the last success; {@code consecutiveFailures} the mover pods that failed
     * since it, {@code lockFailures} the lock failures detected since it; {@code unlockState},
     * {@code unlockPodUid} (with the cluster, the key of an {@link UnlockView}) and {@code unlockCause}
     * are the newest unlock's; {@code lockSince} is when the lock waited on was detected, null when none is.
     */
    record BackupView(String cluster, String kind, String namespace, String name, String mover, String trigger, String schedule,
                      Instant lastSyncTime, Double lastSyncDurationSeconds, Instant nextSyncTime, String latestMoverResult,
                      int consecutiveFailures, int lockFailures, String unlockState, String unlockPodUid, String unlockCause,
                      Instant lockSince, String state, String reason) implements ReadModelUpdate {
    }

    /** A backup went away: its resource was deleted, or its cluster is watched no more. */
    record BackupGone(String cluster, String kind, String namespace, String name) implements ReadModelUpdate {
    }

    /** A monitor was deleted. */
    record MonitorGone(String cluster, String namespace, String name) implements ReadModelUpdate {
    }
}
