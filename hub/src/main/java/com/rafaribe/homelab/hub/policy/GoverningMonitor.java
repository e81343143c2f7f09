package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.JobSelector;
import com.rafaribe.homelab.hub.api.VolSyncMonitorSpec;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which monitor governs a failed mover: among the trusted monitors whose jobSelector matches
 * (enabled or not, valid or not), one that lists the pod's namespace beats one that lists none;
 * ties go to the oldest, then by namespace/name. A disabled or invalid winner means nothing happens.
 */
public final class GoverningMonitor {
    private GoverningMonitor() {
    }

    /** @param labels the Job's labels, or the pod's when the Job is gone */
    public static Optional<MonitorEntry> select(List<MonitorEntry> monitors, FailedMover mover, Map<String, String> labels) {
        return monitors.stream()
                .filter(MonitorEntry::trusted)
                .filter(m -> matches(m, mover, labels))
                .min(Comparator.comparing((MonitorEntry m) -> listsNamespaces(m) ? 0 : 1)
                        .thenComparing(m -> m.monitor().getMetadata().getCreationTimestamp() == null
                                ? "9999" : m.monitor().getMetadata().getCreationTimestamp())
                        .thenComparing(MonitorEntry::key));
    }

    /** Whether any untrusted monitor would have matched: the failure is then reported as such. */
    public static boolean untrustedWouldMatch(List<MonitorEntry> monitors, FailedMover mover, Map<String, String> labels) {
        return monitors.stream().filter(m -> !m.trusted()).anyMatch(m -> matches(m, mover, labels));
    }

    static boolean matches(MonitorEntry entry, FailedMover mover, Map<String, String> labels) {
        JobSelector selector = selector(entry);
        String prefix = selector.getNamePrefix() == null || selector.getNamePrefix().isEmpty()
                ? JobSelector.DEFAULT_NAME_PREFIX : selector.getNamePrefix();
        if (mover.jobName() == null || !mover.jobName().startsWith(prefix)) {
            return false;
        }
        if (selector.getNamespaces() != null && !selector.getNamespaces().isEmpty()
                && !selector.getNamespaces().contains(mover.namespace())) {
            return false;
        }
        if (selector.getLabelSelector() != null) {
            for (Map.Entry<String, String> required : selector.getLabelSelector().entrySet()) {
                if (labels == null || !required.getValue().equals(labels.get(required.getKey()))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean listsNamespaces(MonitorEntry entry) {
        List<String> namespaces = selector(entry).getNamespaces();
        return namespaces != null && !namespaces.isEmpty();
    }

    private static JobSelector selector(MonitorEntry entry) {
        VolSyncMonitorSpec spec = entry.monitor().getSpec();
        return spec == null || spec.getJobSelector() == null ? new JobSelector() : spec.getJobSelector();
    }
}
