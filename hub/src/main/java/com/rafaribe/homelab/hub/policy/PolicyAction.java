package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * What the unlock life cycle asks the world to do. {@link UnlockLifecycle} only returns these;
 * the verticle carries them out (cluster commands, Events, the read model) and feeds the answers
 * back, as java-operator-sdk reconcilers return what to do. The simulation carries them out on
 * a simulated world instead.
 */
public sealed interface PolicyAction {

    /** Read the failed pod's log, then run {@code detector} on it off the event loop; answer with {@link UnlockLifecycle#detected}. */
    record ReadEvidence(String cluster, String podUid, String namespace, String pod, String container, String alreadyRead,
                        String terminationMessage, LockDetector detector) implements PolicyAction {
    }

    /**
     * Ask one cluster which pods of that name run in these namespaces; answer with {@link UnlockLifecycle#holderAnswered}.
     * {@code ownJob}: the Job (in the failed mover's namespace) of the failed pod that printed the evidence, when this
     * cluster's pod watch reported that failure (its cache then holds every mover pod created before the lock), else null.
     */
    record FindHolder(String recordKey, String cluster, String podName, java.util.Set<String> namespaces, String ownJobNamespace,
                      String ownJob) implements PolicyAction {
        public FindHolder(String recordKey, String cluster, String podName, java.util.Set<String> namespaces) {
            this(recordKey, cluster, podName, namespaces, null, null);
        }
    }

    /**
     * A record waits for this live holder: tell {@link UnlockLifecycle#holderChanged} when the pod of that name changes
     * or goes (a watch on that one name where the pod watches do not cover it), until {@link UnwatchHolder} for the record.
     */
    record WatchHolder(String recordKey, String cluster, String namespace, String podName) implements PolicyAction {
    }

    /** The record no longer waits for this holder. */
    record UnwatchHolder(String recordKey, String cluster, String namespace, String podName) implements PolicyAction {
    }

    /** Create the unlock Job; answer with {@link UnlockLifecycle#jobCreateAnswered}. */
    record CreateJob(String recordKey, String cluster, Job job) implements PolicyAction {
    }

    /** Delete this unlock Job (that UID only): a mover of the repository started before its pod ran. */
    record DeleteUnlockJob(String cluster, String namespace, String name, String uid) implements PolicyAction {
    }

    /** Read what restic's unlock printed; answer with {@link UnlockLifecycle#unlockLogRead}. */
    record ReadUnlockLog(String recordKey, String cluster, String namespace, String pod) implements PolicyAction {
    }

    /** removeFailedJobs: delete the failed mover Job of that UID only; answer with {@link UnlockLifecycle#failedJobDeleted}. */
    record DeleteFailedJob(String recordKey, String cluster, String namespace, String name, String uid) implements PolicyAction {
    }

    /** A core/v1 Event; best effort. */
    record RecordEvent(String cluster, ObjectReference involved, String type, String reason, String message) implements PolicyAction {
    }

    /** To the dashboard's read model. */
    record Publish(ReadModelUpdate update) implements PolicyAction {
    }
}
