package com.rafaribe.homelab.hub.api.bus;

import java.util.List;

/** Replies to {@link ClusterCommand}s. */
public sealed interface CommandReply extends HubMessage {

    record LogText(String text) implements CommandReply {
    }

    record JobCreated(boolean alreadyExisted) implements CommandReply {
    }

    record JobDeleted(Outcome outcome) implements CommandReply {
        /** UNKNOWN_UID: the command named no Job UID, so the Job found by name could be a newer one; nothing was deleted. */
        public enum Outcome { DELETED, GONE, REPLACED, STILL_ACTIVE, UNKNOWN_UID }
    }

    record Done() implements CommandReply {
    }

    /** @param resourceVersion the monitor's version with the status written */
    record StatusWritten(String resourceVersion) implements CommandReply {
    }

    /** Not written: the monitor changed since the version the write was made against. It is now {@code current} at {@code resourceVersion}. */
    record StatusConflict(com.rafaribe.homelab.hub.api.VolSyncMonitorStatus current, String resourceVersion) implements CommandReply {
    }

    /** @param pods pods of that name in the namespaces asked about */
    record HolderFacts(List<HolderPod> pods) implements CommandReply {
        /** @param alive Pending, Running or Unknown, or a container still runs (a pod on a NotReady node counts as alive) */
        public record HolderPod(String namespace, String name, String uid, String phase, boolean alive, java.time.Instant createdAt,
                                com.rafaribe.homelab.hub.policy.LockCause cause) {
        }
    }
}
