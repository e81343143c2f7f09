package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.ProcessedJob;
import com.rafaribe.homelab.hub.api.RepositoryFailures;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A monitor's status written by two hubs in turn (a Lease handed over while a write was on its way):
 * this hub's changes since the status it last read ({@code base}) laid over the status the cluster
 * has now ({@code theirs}), so that neither hub's counting is lost or doubled. Counters add this
 * hub's increments to theirs; processedJobs (by pod UID) and failingRepositories (by repository,
 * the circuit breaker's state) take this hub's entries where it changed them and theirs elsewhere;
 * what describes the present (active unlocks, conditions, phase) is this hub's, which acts now.
 */
final class StatusMerge {
    private StatusMerge() {
    }

    static VolSyncMonitorStatus merge(VolSyncMonitorStatus base, VolSyncMonitorStatus mine, VolSyncMonitorStatus theirs) {
        VolSyncMonitorStatus b = base == null ? new VolSyncMonitorStatus() : base;
        VolSyncMonitorStatus t = theirs == null ? new VolSyncMonitorStatus() : theirs;
        VolSyncMonitorStatus merged = Serialization.clone(mine);
        merged.setTotalLockErrorsDetected(counter(b.getTotalLockErrorsDetected(), mine.getTotalLockErrorsDetected(), t.getTotalLockErrorsDetected()));
        merged.setTotalUnlocksCreated(counter(b.getTotalUnlocksCreated(), mine.getTotalUnlocksCreated(), t.getTotalUnlocksCreated()));
        merged.setTotalUnlocksSucceeded(counter(b.getTotalUnlocksSucceeded(), mine.getTotalUnlocksSucceeded(), t.getTotalUnlocksSucceeded()));
        merged.setTotalUnlocksFailed(counter(b.getTotalUnlocksFailed(), mine.getTotalUnlocksFailed(), t.getTotalUnlocksFailed()));
        merged.setTotalFailedJobsRemoved(counter(b.getTotalFailedJobsRemoved(), mine.getTotalFailedJobsRemoved(), t.getTotalFailedJobsRemoved()));

        List<ProcessedJob> processed = new ArrayList<>(byKey(b.getProcessedJobs(), mine.getProcessedJobs(), t.getProcessedJobs(),
                StatusMerge::processedKey).values());
        processed.sort(Comparator.comparing(p -> p.getProcessedTime() == null ? "" : p.getProcessedTime()));
        while (processed.size() > VolSyncMonitorStatus.MAX_PROCESSED_JOBS) {
            processed.remove(0);
        }
        merged.setProcessedJobs(processed);
        merged.setFailingRepositories(new ArrayList<>(byKey(b.getFailingRepositories(), mine.getFailingRepositories(),
                t.getFailingRepositories(), RepositoryFailures::getRepositoryKey).values()));

        if (same(b.getLastError(), mine.getLastError())) {
            merged.setLastError(t.getLastError());
        }
        merged.setLastUnlockTime(later(mine.getLastUnlockTime(), t.getLastUnlockTime()));
        return merged;
    }

    /** By pod UID; an entry written before UIDs were kept, by its Job and time. */
    private static String processedKey(ProcessedJob p) {
        return p.getPodUid() != null ? p.getPodUid() : "job:" + p.getNamespace() + "/" + p.getJobName() + "@" + p.getProcessedTime();
    }

    /** Theirs, plus what this hub added since it read base. */
    private static Long counter(Long base, Long mine, Long theirs) {
        long added = value(mine) - value(base);
        return value(theirs) + Math.max(0, added);
    }

    /**
     * Theirs by key, with each of this hub's entries it added or changed since base laid over it,
     * and each it removed since base (a breaker closed by a success) removed.
     */
    private static <T> Map<String, T> byKey(List<T> base, List<T> mine, List<T> theirs, Function<T, String> key) {
        Map<String, T> baseByKey = index(base, key);
        Map<String, T> mineByKey = index(mine, key);
        Map<String, T> merged = index(theirs, key);
        for (Map.Entry<String, T> m : mineByKey.entrySet()) {
            T before = baseByKey.get(m.getKey());
            if (before == null || !same(before, m.getValue())) {
                merged.put(m.getKey(), m.getValue());
            }
        }
        for (String removed : baseByKey.keySet()) {
            if (!mineByKey.containsKey(removed)) {
                merged.remove(removed);
            }
        }
        return merged;
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> key) {
        Map<String, T> byKey = new LinkedHashMap<>();
        if (items != null) {
            for (T item : items) {
                String k = key.apply(item);
                if (k != null) {
                    byKey.put(k, Serialization.clone(item));
                }
            }
        }
        return byKey;
    }

    /** The model classes have no equals: their JSON is what the cluster stores and compares. */
    private static boolean same(Object a, Object b) {
        return Objects.equals(a == null ? null : Serialization.asJson(a), b == null ? null : Serialization.asJson(b));
    }

    private static String later(String a, String b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return java.time.Instant.parse(a).isAfter(java.time.Instant.parse(b)) ? a : b;
    }

    private static long value(Long v) {
        return v == null ? 0 : v;
    }
}
