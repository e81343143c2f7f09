package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;

/** The objects the policy's Events are about. */
final class Involved {
    private Involved() {
    }

    static ObjectReference failedJob(FailedMover mover) {
        return new ObjectReferenceBuilder().withApiVersion("batch/v1").withKind("Job").withNamespace(mover.namespace())
                .withName(mover.jobName()).withUid(mover.jobUid()).build();
    }

    static ObjectReference monitor(String namespace, String name, String uid) {
        return new ObjectReferenceBuilder().withApiVersion(VolSyncMonitor.API_VERSION).withKind(VolSyncMonitor.KIND)
                .withNamespace(namespace).withName(name).withUid(uid).build();
    }
}
