package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import com.rafaribe.homelab.hub.api.bus.CommandReply;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the {@link StatusBook}'s dirty statuses through the status subresource at most once per
 * monitor per second (a write starts a second after the previous one was answered), however many
 * changes come in between; and a second after a status first changed, not at once, so that a failure
 * whose unlock is decided, created and done within that second costs one write, not two.
 */
final class MonitorStatusWriter {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorStatusWriter.class);
    /** A monitor's next write starts no sooner than this after its previous one was answered. */
    static final long MIN_WRITE_GAP_NANOS = 1_000_000_000L;
    /** ... nor sooner than this after the first change it carries was seen. */
    static final long SETTLE_NANOS = 1_000_000_000L;
    static final long TICK_MS = 200;

    private record Writing(boolean busy, long lastAnswered) {
    }

    private final Vertx vertx;
    private final StatusBook book;
    private final Map<String, Writing> writes = new HashMap<>();
    private final Map<String, Long> dirtySince = new HashMap<>();
    private final long timer;

    MonitorStatusWriter(Vertx vertx, StatusBook book) {
        this.vertx = vertx;
        this.book = book;
        this.timer = vertx.setPeriodic(TICK_MS, id -> flush());
    }

    void close() {
        vertx.cancelTimer(timer);
    }

    private void flush() {
        long now = System.nanoTime();
        for (StatusBook.Entry e : book.entries()) {
            String key = StatusBook.key(e.cluster, e.namespace, e.name);
            Writing w = writes.getOrDefault(key, new Writing(false, Long.MIN_VALUE / 2));
            if (!e.dirty) {
                continue;
            }
            long since = dirtySince.computeIfAbsent(key, k -> now);
            if (w.busy() || now - w.lastAnswered() < MIN_WRITE_GAP_NANOS || now - since < SETTLE_NANOS) {
                continue;
            }
            e.dirty = false;
            dirtySince.remove(key);
            writes.put(key, new Writing(true, w.lastAnswered()));
            e.status.setActiveUnlockCount(e.status.getActiveUnlocks().size());
            zeroUnsetCounters(e.status);
            VolSyncMonitorStatus sent = Serialization.clone(e.status);
            vertx.eventBus().request(Addresses.clusterCommands(e.cluster),
                            new ClusterCommand.PatchMonitorStatus(e.namespace, e.name, sent, e.resourceVersion()),
                            new DeliveryOptions().setSendTimeout(Addresses.COMMAND_TIMEOUT.toMillis()))
                    .onComplete(ar -> {
                        writes.put(key, new Writing(false, System.nanoTime()));
                        if (ar.failed()) {
                            e.dirty = true;
                            LOG.warn("cluster {}: status of monitor {}/{} not written, retrying: {}", e.cluster, e.namespace, e.name,
                                    Redactor.redact(ar.cause().getMessage()));
                        } else if (ar.result().body() instanceof CommandReply.StatusConflict c) {
                            LOG.info("cluster {}: monitor {}/{} changed since this hub read it; its changes merged into the cluster's "
                                    + "status and written again", e.cluster, e.namespace, e.name);
                            book.conflicted(key, c.current(), c.resourceVersion());
                        } else if (ar.result().body() instanceof CommandReply.StatusWritten written) {
                            book.written(key, sent, written.resourceVersion());
                        }
                    });
        }
        writes.keySet().removeIf(k -> book.get(k) == null);
        dirtySince.keySet().removeIf(k -> book.get(k) == null);
    }

    /** kubectl's printer columns show 0, not <none>, for what never happened. */
    private static void zeroUnsetCounters(VolSyncMonitorStatus s) {
        s.setTotalUnlocksCreated(s.getTotalUnlocksCreated() == null ? 0L : s.getTotalUnlocksCreated());
        s.setTotalUnlocksSucceeded(s.getTotalUnlocksSucceeded() == null ? 0L : s.getTotalUnlocksSucceeded());
        s.setTotalUnlocksFailed(s.getTotalUnlocksFailed() == null ? 0L : s.getTotalUnlocksFailed());
        s.setTotalLockErrorsDetected(s.getTotalLockErrorsDetected() == null ? 0L : s.getTotalLockErrorsDetected());
        s.setTotalFailedJobsRemoved(s.getTotalFailedJobsRemoved() == null ? 0L : s.getTotalFailedJobsRemoved());
    }
}
