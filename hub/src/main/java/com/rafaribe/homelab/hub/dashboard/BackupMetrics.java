package com.rafaribe.homelab.hub.dashboard;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.BackupGone;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.BackupView;
import com.rafaribe.homelab.hub.backups.BackupState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Per backup, for alerting: its last success, its state, its failures since, and the age of a lock
 * waited on. Labels {@code cluster}, {@code kind} (ReplicationSource, ReplicationDestination),
 * {@code backup_namespace} and {@code backup}: the backup's namespace is not {@code namespace},
 * which Prometheus's target labels already hold (the hub's). A backup that goes takes its series.
 */
final class BackupMetrics {
    static final String LAST_SUCCESS = "volsync_hub_backup_last_success_timestamp_seconds";
    static final String STATE = "volsync_hub_backup_state";
    static final String FAILURES = "volsync_hub_backup_consecutive_failures";
    static final String LOCK_AGE = "volsync_hub_repository_lock_age_seconds";

    private final MeterRegistry registry;
    private final Supplier<Instant> clock;
    private final Map<String, BackupView> backups = new HashMap<>();

    BackupMetrics(MeterRegistry registry, Supplier<Instant> clock) {
        this.registry = registry;
        this.clock = clock;
    }

    void record(BackupView b) {
        String key = key(b.cluster(), b.kind(), b.namespace(), b.name());
        BackupView previous = backups.put(key, b);
        Tags tags = tags(b.cluster(), b.kind(), b.namespace(), b.name());
        if (previous == null) {
            for (BackupState state : BackupState.values()) {
                Gauge.builder(STATE, backups, m -> m.containsKey(key) && state.name().equals(m.get(key).state()) ? 1 : 0)
                        .description("1 for the backup's current state, 0 for the others").tags(tags).tag("state", state.name())
                        .register(registry);
            }
            Gauge.builder(FAILURES, backups, m -> m.containsKey(key) ? m.get(key).consecutiveFailures() : 0)
                    .description("Mover pods of the backup that failed since its last success").tags(tags).register(registry);
        }
        if (b.lastSyncTime() != null && (previous == null || previous.lastSyncTime() == null)) {
            Gauge.builder(LAST_SUCCESS, backups, m -> m.containsKey(key) && m.get(key).lastSyncTime() != null
                            ? m.get(key).lastSyncTime().toEpochMilli() / 1000.0 : Double.NaN)
                    .description("When the backup last succeeded (its lastSyncTime), in seconds since 1970; no series before its first success")
                    .tags(tags).register(registry);
        }
        if (b.lockSince() != null && (previous == null || previous.lockSince() == null)) {
            Gauge.builder(LOCK_AGE, backups, m -> m.containsKey(key) && m.get(key).lockSince() != null
                            ? Math.max(0, Duration.between(m.get(key).lockSince(), clock.get()).toMillis() / 1000.0) : 0)
                    .description("Seconds since the lock failure the hub waits on or unlocks was detected; no series while none is")
                    .tags(tags).baseUnit("seconds").register(registry);
        } else if (b.lockSince() == null && previous != null && previous.lockSince() != null) {
            registry.find(LOCK_AGE).tags(tags).meters().forEach(registry::remove);
        }
    }

    void gone(BackupGone g) {
        if (backups.remove(key(g.cluster(), g.kind(), g.namespace(), g.name())) != null) {
            Tags tags = tags(g.cluster(), g.kind(), g.namespace(), g.name());
            for (String name : new String[] {LAST_SUCCESS, STATE, FAILURES, LOCK_AGE}) {
                registry.find(name).tags(tags).meters().forEach(registry::remove);
            }
        }
    }

    void clusterGone(String cluster) {
        backups.values().stream().filter(b -> b.cluster().equals(cluster)).toList()
                .forEach(b -> gone(new BackupGone(b.cluster(), b.kind(), b.namespace(), b.name())));
    }

    private static String key(String cluster, String kind, String namespace, String name) {
        return cluster + "/" + kind + "/" + namespace + "/" + name;
    }

    private static Tags tags(String cluster, String kind, String namespace, String name) {
        return Tags.of("cluster", cluster, "kind", kind, "backup_namespace", namespace, "backup", name);
    }
}
