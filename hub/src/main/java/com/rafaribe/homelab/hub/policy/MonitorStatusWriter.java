package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.ProcessedJob;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each monitor's status as the hub keeps it: seeded once from the cluster (so counters continue
 * across restarts), then changed here only, and written through the status subresource at most
 * once per monitor per second (a write starts a second after the previous one was answered),
 * however many changes come in between.
 */
final class MonitorStatusWriter {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorStatusWriter.class);
    /** A monitor's next write starts no sooner than this after its previous one was answered. */
    static final long MIN_WRITE_GAP_NANOS = 1_000_000_000L;
    static final long TICK_MS = 200;

    private static final class Entry {
        final String cluster;
        final String namespace;
        final String name;
        VolSyncMonitorStatus status;
        boolean dirty;
        boolean writing;
        long lastAnswered = Long.MIN_VALUE / 2;

        Entry(String cluster, String namespace, String name, VolSyncMonitorStatus status) {
            this.cluster = cluster;
            this.namespace = namespace;
            this.name = name;
            this.status = status;
        }
    }

    private final Vertx vertx;
    private final Map<String, Entry> entries = new HashMap<>();
    private final long timer;

    MonitorStatusWriter(Vertx vertx) {
        this.vertx = vertx;
        this.timer = vertx.setPeriodic(TICK_MS, id -> flush());
    }

    static String key(String cluster, String namespace, String name) {
        return cluster + "/" + namespace + "/" + name;
    }

    /** The status to work on; the first sight of a monitor seeds it from what the cluster has. */
    VolSyncMonitorStatus seed(String cluster, VolSyncMonitor monitor) {
        String key = key(cluster, monitor.getMetadata().getNamespace(), monitor.getMetadata().getName());
        return entries.computeIfAbsent(key, k -> new Entry(cluster, monitor.getMetadata().getNamespace(), monitor.getMetadata().getName(),
                monitor.getStatus() == null ? new VolSyncMonitorStatus() : copy(monitor.getStatus()))).status;
    }

    VolSyncMonitorStatus get(String key) {
        Entry e = entries.get(key);
        return e == null ? null : e.status;
    }

    /** Changes a monitor's status and schedules its write. */
    void update(String key, Consumer<VolSyncMonitorStatus> change) {
        Entry e = entries.get(key);
        if (e == null) {
            return;
        }
        change.accept(e.status);
        e.dirty = true;
    }

    /** The processedJobs entry of a failed pod, if the monitor has one. */
    /** The processedJobs entry of a failed pod, if the monitor has one. */
    ProcessedJob processedEntry(String monitorKey, String podUid) {
        VolSyncMonitorStatus s = get(monitorKey);
        return s == null ? null : s.getProcessedJobs().stream().filter(p -> podUid.equals(p.getPodUid())).findFirst().orElse(null);
    }

    /** Unlocks that failed in a row for a repository: the circuit breaker opens at 3. */
    int consecutiveFailures(String monitorKey, String repository) {
        VolSyncMonitorStatus s = get(monitorKey);
        return s == null ? 0 : s.getFailingRepositories().stream().filter(r -> repository.equals(r.getRepositoryKey()))
                .mapToInt(r -> r.getConsecutiveFailures() == null ? 0 : r.getConsecutiveFailures()).findFirst().orElse(0);
    }

    /** Appends a processedJobs entry, keeping the newest 50 as the original controller did. */
    static void addProcessed(VolSyncMonitorStatus s, FailedMover mover, Instant at, String lockError, String unlockJob) {
        ProcessedJob processed = new ProcessedJob();
        processed.setJobName(mover.jobName());
        processed.setNamespace(mover.namespace());
        processed.setProcessedTime(at.toString());
        processed.setLockError(lockError);
        processed.setPodUid(mover.podUid());
        processed.setUnlockJobName(unlockJob);
        s.getProcessedJobs().add(processed);
        while (s.getProcessedJobs().size() > VolSyncMonitorStatus.MAX_PROCESSED_JOBS) {
            s.getProcessedJobs().remove(0);
        }
    }

    void markDirty(String key) {
        update(key, s -> { });
    }

    void forget(String key) {
        entries.remove(key);
    }

    void close() {
        vertx.cancelTimer(timer);
    }

    private void flush() {
        long now = System.nanoTime();
        for (Map.Entry<String, Entry> item : entries.entrySet()) {
            Entry e = item.getValue();
            if (!e.dirty || e.writing || now - e.lastAnswered < MIN_WRITE_GAP_NANOS) {
                continue;
            }
            e.dirty = false;
            e.writing = true;
            e.status.setActiveUnlockCount(e.status.getActiveUnlocks().size());
            zeroUnsetCounters(e.status);
            vertx.eventBus().request(Addresses.clusterCommands(e.cluster),
                            new ClusterCommand.PatchMonitorStatus(e.namespace, e.name, copy(e.status)),
                            new DeliveryOptions().setSendTimeout(Addresses.COMMAND_TIMEOUT.toMillis()))
                    .onComplete(ar -> {
                        e.writing = false;
                        e.lastAnswered = System.nanoTime();
                        if (ar.failed()) {
                            e.dirty = true;
                            LOG.warn("cluster {}: status of monitor {}/{} not written, retrying: {}", e.cluster, e.namespace, e.name,
                                    ar.cause().getMessage());
                        }
                    });
        }
    }

    /** kubectl's printer columns show 0, not <none>, for what never happened. */
    private static void zeroUnsetCounters(VolSyncMonitorStatus s) {
        s.setTotalUnlocksCreated(s.getTotalUnlocksCreated() == null ? 0L : s.getTotalUnlocksCreated());
        s.setTotalUnlocksSucceeded(s.getTotalUnlocksSucceeded() == null ? 0L : s.getTotalUnlocksSucceeded());
        s.setTotalUnlocksFailed(s.getTotalUnlocksFailed() == null ? 0L : s.getTotalUnlocksFailed());
        s.setTotalLockErrorsDetected(s.getTotalLockErrorsDetected() == null ? 0L : s.getTotalLockErrorsDetected());
        s.setTotalFailedJobsRemoved(s.getTotalFailedJobsRemoved() == null ? 0L : s.getTotalFailedJobsRemoved());
    }

    private static VolSyncMonitorStatus copy(VolSyncMonitorStatus status) {
        return Serialization.clone(status);
    }
}
