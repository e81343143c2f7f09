package com.rafaribe.homelab.hub.cluster;

import com.rafaribe.homelab.hub.policy.RepositoryKey;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the informer caches keep of an object: every field the hub reads, and none of those it
 * never reads. The caches are most of the hub's heap (10 clusters x 300 movers: 3,000 pods, Jobs
 * and ReplicationSources), and a real API server's objects carry managedFields (often the larger
 * half of a pod's metadata) and, when applied with kubectl, a copy of themselves in an annotation.
 * Objects are trimmed in place as the informer stores them, so the handlers and the store see the
 * same object.
 *
 * <p>Kept, because the hub reads them: a pod's metadata (name, namespace, uid, labels, owners,
 * creation time), its whole spec while it may fail (the unlock Job mirrors the mover's volumes, env,
 * security context and tolerations) and, once Succeeded, what its repository key is made of; its
 * phase and its containers' states; a Job's metadata, spec and status, but the pod template's spec of a mover Job that is
 * Complete; a VolSyncMonitor whole; a ReplicationSource's metadata, trigger, sync times and
 * {@code status.latestMoverStatus}.
 */
public final class CachedFields {
    /** kubectl's copy of the object as applied: as large as the object, never read here. */
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private CachedFields() {
    }

    /** managedFields and kubectl's copy of the object: the hub reads neither, on any kind. */
    public static <T extends HasMetadata> T metadata(T object) {
        ObjectMeta meta = object.getMetadata();
        if (meta != null) {
            meta.setManagedFields(null);
            if (meta.getAnnotations() != null && meta.getAnnotations().containsKey(LAST_APPLIED)) {
                Map<String, String> kept = new LinkedHashMap<>(meta.getAnnotations());
                kept.remove(LAST_APPLIED);
                meta.setAnnotations(kept);
            }
        }
        return object;
    }

    /**
     * A mover Job; once Complete, without its pod template's spec (a copy of a pod's spec, most of a
     * Job). Only a Job VolSync has just created again is mirrored (a ReplicationSource whose mover
     * failed, {@link #complete} Jobs left out there), and a Complete Job never runs again: its template
     * is never read. Most mover Jobs of a cluster are Complete ones VolSync keeps until the next sync.
     */
    public static Job moverJob(Job job) {
        metadata(job);
        if (complete(job) && job.getSpec() != null && job.getSpec().getTemplate() != null) {
            job.getSpec().getTemplate().setSpec(null);
        }
        return job;
    }

    /** The Job controller's last word on a Job that succeeded. */
    public static boolean complete(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
                .anyMatch(c -> "Complete".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * A pod without its conditions (but DisruptionTarget), addresses, init containers' states and the containers'
     * image IDs, container IDs and previous states: the hub decides on the phase and the
     * containers' current states only.
     */
    public static Pod pod(Pod pod) {
        metadata(pod);
        PodStatus status = pod.getStatus();
        // A Succeeded mover is never mirrored (only a failed one is): its spec is read for the repository key alone.
        // Most mover pods in a cache are Succeeded ones VolSync keeps until the next sync.
        if (status != null && "Succeeded".equals(status.getPhase()) && pod.getSpec() != null) {
            pod.setSpec(RepositoryKey.inputs(pod.getSpec()));
        }
        if (status != null) {
            // DisruptionTarget alone says why Kubernetes killed a pod (evicted, preempted, its node shut down or gone).
            status.setConditions(status.getConditions() == null ? null : status.getConditions().stream()
                    .filter(c -> "DisruptionTarget".equals(c.getType())).toList());
            status.setPodIP(null);
            status.setPodIPs(null);
            status.setHostIP(null);
            status.setHostIPs(null);
            status.setQosClass(null);
            status.setInitContainerStatuses(null);
            status.setEphemeralContainerStatuses(null);
            status.setResourceClaimStatuses(null);
            if (status.getContainerStatuses() != null) {
                for (ContainerStatus c : status.getContainerStatuses()) {
                    c.setImageID(null);
                    c.setContainerID(null);
                    c.setLastState(null);
                    c.setAllocatedResources(null);
                    c.setAllocatedResourcesStatus(null);
                    c.setResources(null);
                    c.setVolumeMounts(null);
                    c.setUser(null);
                }
            }
        }
        return pod;
    }

    /** A ReplicationSource as the hub reads it: metadata and the last mover's result (with VolSync's log tail when it failed), nothing of the spec. */
    public static GenericKubernetesResource replicationSource(GenericKubernetesResource rs) {
        metadata(rs);
        Map<?, ?> spec = rs.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> status = rs.getAdditionalProperties().get("status") instanceof Map<?, ?> m ? m : Map.of();
        rs.getAdditionalProperties().clear();
        // The backup model (backups.BackupFacts) reads the trigger, paused, which mover the spec names (its key only)
        // and the sync times; the failure path reads latestMoverStatus.
        Map<String, Object> keptSpec = new LinkedHashMap<>();
        spec.forEach((k, v) -> keptSpec.put(String.valueOf(k), "trigger".equals(k) || "paused".equals(k) ? v : Map.of()));
        Map<String, Object> keptStatus = new LinkedHashMap<>();
        for (String field : new String[] {"lastSyncTime", "lastSyncDuration", "nextSyncTime"}) {
            if (status.get(field) != null) {
                keptStatus.put(field, status.get(field));
            }
        }
        if (status.get("latestMoverStatus") instanceof Map<?, ?> latest) {
            // Its log tail is evidence only when the mover failed: a successful sync's summary (most backups, most of the
            // time) is not kept, about 0.5 KiB each.
            Map<Object, Object> kept = new LinkedHashMap<>(latest);
            if (!"Failed".equals(latest.get("result"))) {
                kept.remove("logs");
            }
            keptStatus.put("latestMoverStatus", kept);
        }
        rs.getAdditionalProperties().put("spec", keptSpec);
        if (!keptStatus.isEmpty()) {
            rs.getAdditionalProperties().put("status", keptStatus);
        }
        return rs;
    }
}
