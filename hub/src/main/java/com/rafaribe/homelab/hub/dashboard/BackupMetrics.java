package com.rafaribe.homelab.hub.dashboard;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.BackupGone;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.BackupView;
import com.rafaribe.homelab.hub.backups.BackupState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Per backup, for alerting: its last success, its state, its failures since, and the age of a lock
 * waited on. Labels {@code cluster}, {@code kind} (ReplicationSource, ReplicationDestination),
 * {@code backup_namespace} and {@code backup}: the backup's namespace is not {@code namespace},
 * which Prometheus's target labels already hold (the hub's). A backup that goes takes its series.
 * <p>
 * Written at each scrape from the backups it holds, not as a Micrometer gauge per series: nine
 * series per backup made 90,000 registered gauges at 10 clusters x 1,000 ReplicationSources,
 * about 45 MiB of a 128 MiB heap (docs/performance.md).
 */
final class BackupMetrics implements MultiCollector {
    static final String LAST_SUCCESS = "volsync_hub_backup_last_success_timestamp_seconds";
    static final String STATE = "volsync_hub_backup_state";
    static final String FAILURES = "volsync_hub_backup_consecutive_failures";
    static final String LOCK_AGE = "volsync_hub_repository_lock_age_seconds";

    private final Supplier<Instant> clock;
    /** Written by the dashboard's event loop, read by a scrape. */
    private final Map<String, BackupView> backups = new ConcurrentHashMap<>();

    BackupMetrics(PrometheusRegistry registry, Supplier<Instant> clock) {
        this.clock = clock;
        registry.register(this);
    }

    void record(BackupView b) {
        backups.put(key(b.cluster(), b.kind(), b.namespace(), b.name()), b);
    }

    void gone(BackupGone g) {
        backups.remove(key(g.cluster(), g.kind(), g.namespace(), g.name()));
    }

    void clusterGone(String cluster) {
        backups.values().removeIf(b -> b.cluster().equals(cluster));
    }

    @Override
    public MetricSnapshots collect() {
        GaugeSnapshot.Builder state = GaugeSnapshot.builder().name(STATE).help("1 for the backup's current state, 0 for the others");
        GaugeSnapshot.Builder failures = GaugeSnapshot.builder().name(FAILURES).help("Mover pods of the backup that failed since its last success");
        GaugeSnapshot.Builder lastSuccess = GaugeSnapshot.builder().name(LAST_SUCCESS)
                .help("When the backup last succeeded (its lastSyncTime), in seconds since 1970; no series before its first success");
        GaugeSnapshot.Builder lockAge = GaugeSnapshot.builder().name(LOCK_AGE)
                .help("Seconds since the lock failure the hub waits on or unlocks was detected; no series while none is");
        Instant now = clock.get();
        boolean[] any = new boolean[4];
        for (BackupView b : backups.values()) {
            Labels labels = Labels.of("cluster", b.cluster(), "kind", b.kind(), "backup_namespace", b.namespace(), "backup", b.name());
            for (BackupState s : BackupState.values()) {
                state.dataPoint(point(labels.add("state", s.name()), s.name().equals(b.state()) ? 1 : 0));
            }
            failures.dataPoint(point(labels, b.consecutiveFailures()));
            any[0] = any[1] = true;
            if (b.lastSyncTime() != null) {
                lastSuccess.dataPoint(point(labels, b.lastSyncTime().toEpochMilli() / 1000.0));
                any[2] = true;
            }
            if (b.lockSince() != null) {
                lockAge.dataPoint(point(labels, Math.max(0, Duration.between(b.lockSince(), now).toMillis() / 1000.0)));
                any[3] = true;
            }
        }
        // A family without series is left out, HELP and TYPE too, as a Micrometer gauge that is gone.
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        List<GaugeSnapshot.Builder> families = List.of(state, failures, lastSuccess, lockAge);
        for (int i = 0; i < families.size(); i++) {
            if (any[i]) {
                out.metricSnapshot(families.get(i).build());
            }
        }
        return out.build();
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(STATE, FAILURES, LAST_SUCCESS, LOCK_AGE);
    }

    private static GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static String key(String cluster, String kind, String namespace, String name) {
        return cluster + "/" + kind + "/" + namespace + "/" + name;
    }
}
