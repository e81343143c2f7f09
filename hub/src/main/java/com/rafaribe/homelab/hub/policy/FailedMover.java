package com.rafaribe.homelab.hub.policy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who a failed mover pod is: its Job and the ReplicationSource/Destination that owns the Job.
 * The app is read from the Job's owner reference, because VolSync shortens names over 63
 * characters to {@code volsync-src-<crc32>}; the name without its prefix is the fallback when
 * the Job is gone.
 */
public record FailedMover(String namespace, String podName, String podUid, String jobName, String jobUid,
                          String ownerKind, String ownerName) {
    public static final String SOURCE_KIND = "ReplicationSource";
    public static final String DESTINATION_KIND = "ReplicationDestination";
    static final String SOURCE_PREFIX = "volsync-src-";
    static final String DESTINATION_PREFIX = "volsync-dst-";

    /** @param job the pod's Job, or null when it is already gone */
    public static FailedMover of(Pod pod, Job job) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        Optional<OwnerReference> podOwner = controller(pod, "Job");
        String jobName = job != null ? job.getMetadata().getName()
                : firstNonNull(labels.get("batch.kubernetes.io/job-name"), labels.get("job-name"),
                podOwner.map(OwnerReference::getName).orElse(null));
        String jobUid = job != null ? job.getMetadata().getUid()
                : firstNonNull(labels.get("batch.kubernetes.io/controller-uid"), labels.get("controller-uid"),
                podOwner.map(OwnerReference::getUid).orElse(null));

        Optional<OwnerReference> owner = job == null ? Optional.empty()
                : controller(job, SOURCE_KIND).or(() -> controller(job, DESTINATION_KIND));
        String ownerKind;
        String ownerName;
        if (owner.isPresent()) {
            ownerKind = owner.get().getKind();
            ownerName = owner.get().getName();
        } else if (jobName != null && jobName.startsWith(SOURCE_PREFIX)) {
            ownerKind = SOURCE_KIND;
            ownerName = jobName.substring(SOURCE_PREFIX.length());
        } else if (jobName != null && jobName.startsWith(DESTINATION_PREFIX)) {
            ownerKind = DESTINATION_KIND;
            ownerName = jobName.substring(DESTINATION_PREFIX.length());
        } else {
            ownerKind = null;
            ownerName = jobName != null ? jobName : pod.getMetadata().getName();
        }
        return new FailedMover(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid(),
                jobName, jobUid, ownerKind, ownerName);
    }

    private static Optional<OwnerReference> controller(HasMetadata object, String kind) {
        List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
        if (refs == null) {
            return Optional.empty();
        }
        return refs.stream().filter(r -> kind.equals(r.getKind()))
                .min((a, b) -> Boolean.compare(!Boolean.TRUE.equals(a.getController()), !Boolean.TRUE.equals(b.getController())));
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
