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
 * the Job is gone or replaced by a newer one of the same name.
 */
public record FailedMover(String namespace, String podName, String podUid, String jobName, String jobUid,
                          String ownerKind, String ownerName) {
    public static final String SOURCE_KIND = "ReplicationSource";
    public static final String DESTINATION_KIND = "ReplicationDestination";
    static final String SOURCE_PREFIX = "volsync-src-";
    static final String DESTINATION_PREFIX = "volsync-dst-";

    /**
     * The Job is read from the pod itself: its controller owner reference (or the controller-uid
     * label). A Job looked up by name may be a newer one VolSync created under the same name; it is
     * used, for its owner reference, only when its UID is the pod's controller's.
     *
     * @param job the Job of the pod's Job name, or null when it is gone
     */
    public static FailedMover of(Pod pod, Job job) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        Optional<OwnerReference> podOwner = controller(pod, "Job");
        String jobUid = controllerUid(pod);
        Job ownJob = isJobOf(pod, job) ? job : null;
        String jobName = firstNonNull(podOwner.map(OwnerReference::getName).orElse(null),
                labels.get("batch.kubernetes.io/job-name"), labels.get("job-name"),
                ownJob == null ? null : ownJob.getMetadata().getName());

        Optional<OwnerReference> owner = ownJob == null ? Optional.empty()
                : controller(ownJob, SOURCE_KIND).or(() -> controller(ownJob, DESTINATION_KIND));
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

    /** That Job is the pod's own (same UID as its controller), not a newer Job of the same name. */
    public static boolean isJobOf(Pod pod, Job job) {
        String uid = controllerUid(pod);
        return job != null && uid != null && uid.equals(job.getMetadata().getUid());
    }

    private static String controllerUid(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        return firstNonNull(controller(pod, "Job").map(OwnerReference::getUid).orElse(null),
                labels.get("batch.kubernetes.io/controller-uid"), labels.get("controller-uid"));
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
