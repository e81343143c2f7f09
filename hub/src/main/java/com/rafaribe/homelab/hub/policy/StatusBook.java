package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.ProcessedJob;
import com.rafaribe.homelab.hub.api.RepositoryFailures;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Each monitor's status as the hub keeps it: seeded once from the cluster (counters continue
 * across restarts), changed only here, and marked dirty for {@link MonitorStatusWriter} to write.
 * Counting follows one rule: a failed pod's detection and an unlock Job's creation and end are
 * counted once in their life. The processedJobs entry of the failed pod says what was counted
 * (unlockJobName: that Job's creation; unlockResult: its end); an entry that rolled out of the
 * newest 50 belongs to a pod older than every entry kept, and is taken as counted.
 */
public final class StatusBook {
    /** A monitor's status and whether it has changes not yet written. */
    public static final class Entry {
        public final String cluster;
        public final String namespace;
        public final String name;
        /** Replaced, not changed in place, when merged with another hub's writes: hold it no longer than a call. */
        public VolSyncMonitorStatus status;
        public boolean dirty;
        /** The status as the cluster last had it, and that version of the monitor: what a write replaces, and is checked against. */
        VolSyncMonitorStatus base;
        String resourceVersion;

        Entry(String cluster, String namespace, String name, VolSyncMonitorStatus status, String resourceVersion) {
            this.cluster = cluster;
            this.namespace = namespace;
            this.name = name;
            this.status = status;
            this.base = Serialization.clone(status);
            this.resourceVersion = resourceVersion;
        }

        /** The monitor's version the next write is made against; null: the cluster's cache says. */
        public String resourceVersion() {
            return resourceVersion;
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public static String key(String cluster, String namespace, String name) {
        return cluster + "/" + namespace + "/" + name;
    }

    /** The status to work on; the first sight of a monitor seeds it from what the cluster has. */
    VolSyncMonitorStatus seed(String cluster, VolSyncMonitor monitor) {
        String key = key(cluster, monitor.getMetadata().getNamespace(), monitor.getMetadata().getName());
        return entries.computeIfAbsent(key, k -> new Entry(cluster, monitor.getMetadata().getNamespace(), monitor.getMetadata().getName(),
                monitor.getStatus() == null ? new VolSyncMonitorStatus() : Serialization.clone(monitor.getStatus()),
                monitor.getMetadata().getResourceVersion())).status;
    }

    /** {@code sent} is on the cluster now, as version {@code resourceVersion} of the monitor. */
    public void written(String key, VolSyncMonitorStatus sent, String resourceVersion) {
        Entry e = entries.get(key);
        if (e != null) {
            e.base = sent;
            e.resourceVersion = resourceVersion;
        }
    }

    /**
     * A write was refused because the monitor changed since this hub read it (another hub wrote its
     * status, or a user the spec): this hub's changes since then are laid over what the cluster has
     * now, and written again against that version.
     */
    public void conflicted(String key, VolSyncMonitorStatus current, String resourceVersion) {
        Entry e = entries.get(key);
        if (e == null) {
            return;
        }
        e.status = StatusMerge.merge(e.base, e.status, current);
        e.base = current == null ? new VolSyncMonitorStatus() : Serialization.clone(current);
        e.resourceVersion = resourceVersion;
        e.dirty = true;
    }

    public VolSyncMonitorStatus get(String key) {
        Entry e = entries.get(key);
        return e == null ? null : e.status;
    }

    public List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    void update(String key, Consumer<VolSyncMonitorStatus> change) {
        Entry e = entries.get(key);
        if (e != null) {
            change.accept(e.status);
            e.dirty = true;
        }
    }

    void markDirty(String key) {
        update(key, s -> { });
    }

    void forget(String key) {
        entries.remove(key);
    }

    ProcessedJob processed(String monitorKey, String podUid) {
        VolSyncMonitorStatus s = get(monitorKey);
        return s == null ? null : s.getProcessedJobs().stream().filter(p -> podUid.equals(p.getPodUid())).findFirst().orElse(null);
    }

    /** Unlocks that failed in a row for a repository: the circuit breaker opens at {@link MonitorConditions#CIRCUIT_LIMIT}. */
    int consecutiveFailures(String monitorKey, String repository) {
        VolSyncMonitorStatus s = get(monitorKey);
        return s == null ? 0 : s.getFailingRepositories().stream().filter(r -> repository.equals(r.getRepositoryKey()))
                .mapToInt(r -> r.getConsecutiveFailures() == null ? 0 : r.getConsecutiveFailures()).findFirst().orElse(0);
    }

    /** Whether an entry of a pod first processed at {@code at} would have rolled out of the newest 50 by now. */
    boolean rolledOut(String monitorKey, Instant at) {
        VolSyncMonitorStatus s = get(monitorKey);
        if (s == null || s.getProcessedJobs().size() < VolSyncMonitorStatus.MAX_PROCESSED_JOBS) {
            return false;
        }
        String oldest = s.getProcessedJobs().get(0).getProcessedTime();
        return oldest != null && at.isBefore(Instant.parse(oldest));
    }

    /** A lock failure of this pod: counted once, whatever rescans and restarts report it again. */
    void countDetected(String monitorKey, FailedMover mover, Instant at, String lockError) {
        if (processed(monitorKey, mover.podUid()) != null || rolledOut(monitorKey, at)) {
            return;
        }
        update(monitorKey, s -> {
            s.setTotalLockErrorsDetected(plus(s.getTotalLockErrorsDetected()));
            addProcessed(s, mover, at, lockError);
        });
    }

    /** The pod's failure is served by another pod's unlock Job: named, not counted as created. */
    void noteJoined(String monitorKey, String podUid, String unlockJob) {
        ProcessedJob p = processed(monitorKey, podUid);
        if (p != null && p.getUnlockJobName() == null) {
            update(monitorKey, s -> p.setUnlockJobName(unlockJob));
        }
    }

    /** Whether the creation of this unlock Job, for this pod, has been counted. */
    boolean createdCounted(String monitorKey, String podUid, String unlockJob, Instant createdAt) {
        ProcessedJob p = processed(monitorKey, podUid);
        return p == null ? rolledOut(monitorKey, createdAt) : unlockJob.equals(p.getUnlockJobName());
    }

    boolean finishCounted(String monitorKey, String podUid, String unlockJob, Instant createdAt) {
        ProcessedJob p = processed(monitorKey, podUid);
        return p == null ? rolledOut(monitorKey, createdAt) : unlockJob.equals(p.getUnlockJobName()) && p.getUnlockResult() != null;
    }

    /**
     * Whether the pod's processedJobs entry names another unlock Job than {@code unlockJob} (attempt
     * {@code attempt}) that is not an earlier attempt's: a later one, made after this one ended.
     */
    boolean laterAttempt(String monitorKey, String podUid, String owner, int attempt, String unlockJob) {
        ProcessedJob p = processed(monitorKey, podUid);
        if (p == null || p.getUnlockJobName() == null || p.getUnlockJobName().equals(unlockJob)) {
            return false;
        }
        for (int earlier = 1; earlier < attempt; earlier++) {
            if (UnlockJobFactory.isOwnName(p.getUnlockJobName(), owner, podUid, earlier)) {
                return false;
            }
        }
        return true;
    }

    void countCreated(String monitorKey, FailedMover mover, String unlockJob, Instant createdAt, String lockError) {
        if (createdCounted(monitorKey, mover.podUid(), unlockJob, createdAt)) {
            return;
        }
        countDetected(monitorKey, mover, createdAt, lockError);
        update(monitorKey, s -> {
            ProcessedJob p = processed(monitorKey, mover.podUid());
            if (p != null) {
                p.setUnlockJobName(unlockJob);
                p.setUnlockResult(null);
            }
            s.setTotalUnlocksCreated(plus(s.getTotalUnlocksCreated()));
            if (s.getLastUnlockTime() == null || Instant.parse(s.getLastUnlockTime()).isBefore(createdAt)) {
                s.setLastUnlockTime(createdAt.toString());
            }
        });
    }

    /** How an unlock Job ended, as counted. */
    enum Result {
        SUCCEEDED("Succeeded"),
        FAILED("Failed"),
        /** Failed, but not toward the circuit breaker: the Job was deleted before it finished. */
        FAILED_NOT_COUNTED_BY_BREAKER("Failed"),
        /** A plain unlock that removed nothing: the lock is live. Neither a success nor a failure. */
        NOTHING_REMOVED("NothingRemoved"),
        /** Deleted before it ran: a mover of the repository started first. */
        RACED("Raced");

        final String recorded;

        Result(String recorded) {
            this.recorded = recorded;
        }
    }

    void countFinished(String monitorKey, String podUid, String unlockJob, Instant createdAt, Result result, String repository,
                       Instant at, String why) {
        if (finishCounted(monitorKey, podUid, unlockJob, createdAt)) {
            return;
        }
        update(monitorKey, s -> {
            ProcessedJob p = processed(monitorKey, podUid);
            if (p != null) {
                p.setUnlockResult(result.recorded);
            }
            switch (result) {
                case SUCCEEDED -> {
                    s.setTotalUnlocksSucceeded(plus(s.getTotalUnlocksSucceeded()));
                    s.getFailingRepositories().removeIf(r -> repository.equals(r.getRepositoryKey()));
                }
                case FAILED, FAILED_NOT_COUNTED_BY_BREAKER -> {
                    s.setTotalUnlocksFailed(plus(s.getTotalUnlocksFailed()));
                    s.setLastError(Redactor.redact(why, 1024));
                    if (result == Result.FAILED) {
                        breakerFailure(s, repository, at, why);
                    }
                }
                default -> { }
            }
        });
    }

    private static void breakerFailure(VolSyncMonitorStatus s, String repository, Instant at, String why) {
        RepositoryFailures r = s.getFailingRepositories().stream().filter(f -> repository.equals(f.getRepositoryKey())).findFirst()
                .orElseGet(() -> {
                    RepositoryFailures f = new RepositoryFailures();
                    f.setRepositoryKey(repository);
                    f.setConsecutiveFailures(0);
                    s.getFailingRepositories().add(f);
                    return f;
                });
        r.setConsecutiveFailures(r.getConsecutiveFailures() + 1);
        r.setLastFailureTime(at.toString());
        r.setLastError(Redactor.redact(why, 512));
    }

    void countRemoved(String monitorKey, String podUid) {
        update(monitorKey, s -> {
            s.setTotalFailedJobsRemoved(plus(s.getTotalFailedJobsRemoved()));
            ProcessedJob p = processed(monitorKey, podUid);
            if (p != null) {
                p.setRemoved(true);
            }
        });
    }

    /** Appends a processedJobs entry, keeping the newest 50 as the original controller did. */
    static void addProcessed(VolSyncMonitorStatus s, FailedMover mover, Instant at, String lockError) {
        ProcessedJob processed = new ProcessedJob();
        processed.setJobName(mover.jobName());
        processed.setNamespace(mover.namespace());
        processed.setProcessedTime(at.toString());
        processed.setLockError(lockError == null ? null : Redactor.redact(lockError, 1024));
        processed.setPodUid(mover.podUid());
        s.getProcessedJobs().add(processed);
        while (s.getProcessedJobs().size() > VolSyncMonitorStatus.MAX_PROCESSED_JOBS) {
            s.getProcessedJobs().remove(0);
        }
    }

    private static long plus(Long value) {
        return value == null ? 1 : value + 1;
    }
}
