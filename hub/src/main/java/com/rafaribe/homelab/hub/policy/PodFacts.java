package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent.PodFact;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.Map;

/** A watched pod reduced to what the policy decides on. */
public final class PodFacts {
    private PodFacts() {
    }

    public static PodFact of(String cluster, Pod pod) {
        return of(cluster, pod, false);
    }

    /** @param deleted the pod's deletion: its state is the last the hub saw of it (still Running: deleted while running) */
    public static PodFact of(String cluster, Pod pod, boolean deleted) {
        RepositoryKey key = RepositoryKey.of(cluster, pod);
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        String created = pod.getMetadata().getCreationTimestamp();
        return new PodFact(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid(), PodStates.phase(pod),
                PodStates.alive(pod), created == null ? null : Instant.parse(created), key.asString(), key.location(),
                FailedMover.of(pod, null).jobName(), UnlockJobMetadata.NAME.equals(labels.get(UnlockJobMetadata.NAME_LABEL)),
                LockCause.of(pod, deleted, PodStates.alive(pod), false));
    }
}
