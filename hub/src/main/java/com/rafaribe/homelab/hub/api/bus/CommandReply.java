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

    record StatusWritten() implements CommandReply {
    }

    /**
     * @param pods         pods of that name in any namespace, with their phase
     * @param jobPodShape  the name is {@code <a mover Job this cluster has>-<5 characters>}
     * @param seenDeleted  the cluster saw a pod of that name deleted
     */
    record HolderFacts(List<HolderPod> pods, boolean jobPodShape, boolean seenDeleted) implements CommandReply {
        /** @param alive not terminated for good: Pending, Running or Unknown, or a container still running ({@code PodStates.alive}) */
        public record HolderPod(String namespace, String name, String phase, boolean alive) {
        }
    }

    record RepositoryBusy(boolean busy, String byPod) implements CommandReply {
    }
}
