package com.rafaribe.homelab.hub.api.bus;

import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** Requests to one cluster on {@link Addresses#clusterCommands}; each names its {@link CommandReply}. */
public sealed interface ClusterCommand extends HubMessage {

    /** The tail of a container's log. Reply: {@link CommandReply.LogText}. */
    record FetchLog(String namespace, String pod, String container) implements ClusterCommand {
    }

    /** Create, counting AlreadyExists as done. Reply: {@link CommandReply.JobCreated}. */
    record CreateJob(Job job) implements ClusterCommand {
    }

    /** Delete a failed mover Job if it is still that Job (UID) and has no active pods. Reply: {@link CommandReply.JobDeleted}. */
    record DeleteFailedJob(String namespace, String name, String uid) implements ClusterCommand {
    }

    /**
     * Replace a monitor's whole status through the status subresource, if the monitor is still at
     * {@code resourceVersion} (null: the version the cluster's cache has). Reply:
     * {@link CommandReply.StatusWritten}, or {@link CommandReply.StatusConflict} when the monitor changed.
     */
    record PatchMonitorStatus(String namespace, String name, VolSyncMonitorStatus status, String resourceVersion) implements ClusterCommand {
    }

    /**
     * From the supervisor: the cluster's kubeconfig file is broken now (null: fine again) and the
     * cluster runs on its last good content. Shown with the cluster's error. No reply.
     */
    record KubeconfigProblem(String problem) implements ClusterCommand {
    }

    /** A core/v1 Event on an object. Reply: {@link CommandReply.Done}. */
    record RecordEvent(ObjectReference involved, String type, String reason, String message) implements ClusterCommand {
    }

    /**
     * The pods of that name in these namespaces (where a lock holder may run): from the caches,
     * else one GET by name per namespace. In {@code ownJobNamespace}, a name of a pod of {@code
     * ownJob} (the Job of a failed pod this cluster's pod watch reported; null if none) is answered
     * from the caches alone: the Job's pods are movers, and the watch that reported the failure had
     * reported each of them (or its deletion) before it. Reply: {@link CommandReply.HolderFacts}.
     */
    record FindHolder(String podName, java.util.Set<String> namespaces, String ownJobNamespace, String ownJob) implements ClusterCommand {
        public FindHolder(String podName, java.util.Set<String> namespaces) {
            this(podName, namespaces, null, null);
        }
    }

    /**
     * {@code watch}: a record (by key) waits for the pod of that name in that namespace, a live lock holder; tell its
     * changes as {@link ClusterEvent.HolderChanged} (a watch on that one name, where the pod watches do not cover it).
     * Else the record no longer waits for it. Reply: {@link CommandReply.Done}.
     */
    record WatchHolder(String recordKey, String namespace, String podName, boolean watch) implements ClusterCommand {
    }

    /** Delete one of the hub's unlock Jobs, of that UID when it is known. Reply: {@link CommandReply.Done}. */
    record DeleteUnlockJob(String namespace, String name, String uid) implements ClusterCommand {
    }
}
