package com.rafaribe.homelab.hub.api.bus;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.policy.FailedMover;
import com.rafaribe.homelab.hub.policy.LockCause;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;

/** What a cluster saw, published on {@link Addresses#CLUSTER_EVENTS}. Objects come from informer caches: read-only. */
public sealed interface ClusterEvent extends HubMessage {
    String cluster();

    /** A VolSync mover pod failed (phase Failed, or its container terminated non-zero). */
    record MoverPodFailed(String cluster, Pod pod, Job job, FailedMover mover) implements ClusterEvent {
    }

    /**
     * A ReplicationSource whose latestMoverStatus says Failed: VolSync deleted the Job and its pods
     * after 8 failures and kept the last log tail. {@code job} is the mover Job VolSync created again,
     * whose pod template the unlock mirrors; null until there is one.
     */
    record MoverStatusFailed(String cluster, String namespace, String replicationSource, String replicationSourceUid,
                             String logs, String time, Job job) implements ClusterEvent {
    }

    /** Every VolSyncMonitor of the cluster, after any change to one of them. */
    record MonitorsChanged(String cluster, List<VolSyncMonitor> monitors) implements ClusterEvent {
    }

    /** A mover or unlock pod appeared, changed or was deleted: queued and waiting unlocks may proceed. */
    record PodChanged(String cluster, PodFact pod, boolean deleted) implements ClusterEvent {
        public String namespace() {
            return pod.namespace();
        }

        public String name() {
            return pod.name();
        }

        public String phase() {
            return pod.phase();
        }
    }

    /**
     * What the policy keeps of a watched pod.
     *
     * @param alive      Pending, Running or Unknown, or a container still runs
     * @param repository its repository key ({@code RepositoryKey#asString})
     * @param location   where the repository lives regardless of namespace (volume sources or a literal URL's hash), or null
     * @param jobName    the Job it belongs to, if any
     * @param unlock     an unlock pod of the hub rather than a VolSync mover
     * @param cause      why a lock it held would have been left behind, as this state of the pod says
     */
    record PodFact(String namespace, String name, String uid, String phase, boolean alive, java.time.Instant createdAt,
                   String repository, String location, String jobName, boolean unlock, LockCause cause) {
    }

    /** A holder some record waits for ({@link ClusterCommand.WatchHolder}) changed, went, or can no longer be watched: ask again. */
    record HolderChanged(String cluster, String namespace, String name) implements ClusterEvent {
    }

    /** An unlock Job of the hub appeared, changed or went away; {@code pods} are its pods. */
    record UnlockJobChanged(String cluster, Job job, List<Pod> pods, boolean deleted) implements ClusterEvent {
    }

    /** A ReplicationSource or ReplicationDestination appeared or changed: what the backup read model keeps of it. */
    record BackupChanged(String cluster, com.rafaribe.homelab.hub.backups.BackupFacts facts) implements ClusterEvent {
    }

    /** A ReplicationSource or ReplicationDestination ({@code kind}) was deleted. */
    record BackupDeleted(String cluster, String kind, String namespace, String name) implements ClusterEvent {
    }

    /** The cluster's informers have listed everything (again): the policy's view of it is complete. */
    record ClusterSynced(String cluster) implements ClusterEvent {
    }

    /**
     * This hub no longer holds the cluster's Lease: another hub acts there now (or will, once it takes
     * the Lease). The policy drops what it was doing there without counting it: the holder finishes
     * every record from the unlock Jobs' annotations, as after a restart.
     */
    record ClusterStandby(String cluster) implements ClusterEvent {
    }

    /** From the supervisor: the cluster's context left the kubeconfigs; nothing more is done there. */
    record ClusterRemoved(String cluster) implements ClusterEvent {
    }
}
