package com.rafaribe.homelab.hub.dashboard;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.ClusterView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.MonitorGone;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.MonitorView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import com.rafaribe.homelab.hub.policy.LockCause;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.core.instrument.Timer;
import com.rafaribe.homelab.hub.api.bus.StageTiming;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hub's Prometheus metrics, derived from the read-model updates the dashboard sees (one
 * place, and no metric code in the policy). Unlocks that began before this process started,
 * and were found again at start, are not counted twice.
 */
final class HubMetrics {
    static final String CREDENTIAL_EXPIRY = "volsync_hub_cluster_credential_expiry_timestamp_seconds";
    static final List<String> CLUSTER_STATES = List.of("Connecting", "Connected", "Failed", "Duplicate");
    /** Buckets from seconds (the hub's own reaction) to an hour (restic's stale age and more). */
    private static final Duration[] BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
            Duration.ofHours(1)};

    /** Buckets for one stage of handling a failure: milliseconds (a cache read) to seconds (a slow API server). */
    private static final Duration[] STAGE_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    private final ReadModel model;
    private final Instant started;
    private final Map<String, String> clusterStates = new HashMap<>();
    /** cluster/namespace/name of each monitor the hub knows: whether it is Degraded. */
    private final Map<String, Boolean> monitorsDegraded = new HashMap<>();
    /** When each cluster's credential expires, in seconds since 1970, for the clusters whose credential says. */
    private final Map<String, Double> credentialExpiries = new HashMap<>();
    private final BackupMetrics backups;

    HubMetrics(PrometheusMeterRegistry registry, ReadModel model, Instant started) {
        this.registry = registry;
        this.model = model;
        this.started = started;
        this.backups = new BackupMetrics(registry.getPrometheusRegistry(), Instant::now);
    }

    /** @param previous the same unlock as the model held it before this update, or null */
    void record(ReadModelUpdate update, UnlockView previous) {
        if (update instanceof ClusterView c) {
            if (clusterStates.put(c.name(), c.state()) == null) {
                registerCluster(c.name());
            }
            credentialExpiry(c.name(), c.credentialExpiresAt());
        } else if (update instanceof UnlockView u) {
            unlock(u, previous);
        } else if (update instanceof MonitorView m) {
            if (monitorsDegraded.put(monitorKey(m.cluster(), m.namespace(), m.name()), m.degraded()) == null) {
                registerMonitor(m.cluster(), m.namespace(), m.name());
            }
        } else if (update instanceof MonitorGone g && monitorsDegraded.remove(monitorKey(g.cluster(), g.namespace(), g.name())) != null) {
            registry.find("volsync_hub_monitor_degraded").tags("cluster", g.cluster(), "monitor_namespace", g.namespace(), "monitor", g.name())
                    .meters().forEach(registry::remove);
        } else if (update instanceof ReadModelUpdate.BackupView b) {
            backups.record(b);
        } else if (update instanceof ReadModelUpdate.BackupGone g) {
            backups.gone(g);
        } else if (update instanceof ReadModelUpdate.ClusterGone g) {
            backups.clusterGone(g.name());
            credentialExpiry(g.name(), null);
            if (clusterStates.remove(g.name()) != null) {
                for (String gauge : List.of("volsync_hub_cluster_state", "volsync_hub_unlocks_active", "volsync_hub_unlocks_queued",
                        "volsync_hub_unlock_oldest_waiting_seconds", "volsync_hub_failure_stage")) {
                    registry.find(gauge).tag("cluster", g.name()).meters().forEach(registry::remove);
                }
            }
            monitorsDegraded.keySet().removeIf(k -> k.startsWith(g.name() + "/"));
            registry.find("volsync_hub_monitor_degraded").tag("cluster", g.name()).meters().forEach(registry::remove);
        }
    }

    /** A series while the cluster's credential tells its expiry; none for a static token (no value is better than a made-up one). */
    private void credentialExpiry(String cluster, Instant expiresAt) {
        if (expiresAt == null) {
            if (credentialExpiries.remove(cluster) != null) {
                registry.find(CREDENTIAL_EXPIRY).tag("cluster", cluster).meters().forEach(registry::remove);
            }
        } else if (credentialExpiries.put(cluster, (double) expiresAt.getEpochSecond()) == null) {
            Gauge.builder(CREDENTIAL_EXPIRY, credentialExpiries, m -> m.getOrDefault(cluster, Double.NaN))
                    .description("When the credential the hub uses for the cluster expires (a JWT token's exp, a client certificate's "
                            + "notAfter), in seconds since 1970")
                    .tag("cluster", cluster).register(registry);
        }
    }

    /** One stage of handling a failed mover pod, timed where it ran: where a failure's time goes. */
    void stage(StageTiming timing) {
        // Bounded labels: the stages are the five named, and a late answer from a cluster that left the kubeconfigs
        // must not bring its series back.
        if (!StageTiming.STAGES.contains(timing.stage()) || !clusterStates.containsKey(timing.cluster())) {
            return;
        }
        stageTimer(timing.cluster(), timing.stage()).record(timing.nanos(), TimeUnit.NANOSECONDS);
    }

    private Timer stageTimer(String cluster, String stage) {
        return Timer.builder("volsync_hub_failure_stage")
                .description("One stage of handling a failed mover pod: pod_event, log_read, detection, holder_decision, job_create")
                .tags("cluster", cluster, "stage", stage).serviceLevelObjectives(STAGE_BUCKETS).register(registry);
    }

    private static String monitorKey(String cluster, String namespace, String name) {
        return cluster + "/" + namespace + "/" + name;
    }

    /** The monitor's namespace is monitor_namespace: Prometheus's target labels already have a namespace (the hub's). */
    private void registerMonitor(String cluster, String namespace, String name) {
        String key = monitorKey(cluster, namespace, name);
        Gauge.builder("volsync_hub_monitor_degraded", monitorsDegraded, m -> Boolean.TRUE.equals(m.get(key)) ? 1 : 0)
                .description("1 while the monitor is Degraded: unlocks of a repository failed 3 times in a row and stopped")
                .tags("cluster", cluster, "monitor_namespace", namespace, "monitor", name).register(registry);
    }

    private void registerCluster(String cluster) {
        for (String state : CLUSTER_STATES) {
            Gauge.builder("volsync_hub_cluster_state", clusterStates, m -> state.equals(m.get(cluster)) ? 1 : 0)
                    .description("1 for the cluster's current connection state, 0 for the others")
                    .tags("cluster", cluster, "state", state).register(registry);
        }
        Gauge.builder("volsync_hub_unlocks_active", model, m -> m.countUnlocks(cluster, Set.of("Running")))
                .description("Unlock Jobs running now").tag("cluster", cluster).register(registry);
        Gauge.builder("volsync_hub_unlocks_queued", model, m -> m.countUnlocks(cluster, Set.of("Queued", "WaitingForHolder")))
                .description("Unlocks waiting for a holder, the repository or the concurrency limit").tag("cluster", cluster)
                .register(registry);
        Gauge.builder("volsync_hub_unlock_oldest_waiting_seconds", model, m -> m.firstDetected(cluster, Set.of("Queued", "WaitingForHolder"))
                        .map(at -> Math.max(0, Duration.between(at, Instant.now()).toMillis() / 1000.0)).orElse(0.0))
                .description("Seconds since the longest-waiting unlock (Queued or WaitingForHolder) was detected; 0 when none waits")
                .tag("cluster", cluster).baseUnit("seconds").register(registry);
        // Each stage's series from the start, at 0: a dashboard sees none failed rather than no data, and the first failure
        // does not pay for making its histograms (the benchmark's first wave did).
        StageTiming.STAGES.forEach(stage -> stageTimer(cluster, stage));
    }

    private void unlock(UnlockView u, UnlockView previous) {
        if (decided(u) && (previous == null || !decided(previous)) && !before(u.detectedAt())) {
            // Counted when decided, not when detected: only then is the holder's state, the cause, known.
            String cause = u.causeLabel() != null && LockCause.LABELS.contains(u.causeLabel()) ? u.causeLabel() : LockCause.UNKNOWN.label();
            Counter.builder("volsync_hub_lock_errors_detected").description("Failed mover pods whose log showed a restic lock error,"
                    + " counted when the unlock is decided, by why the holder left the lock").tags("cluster", u.cluster(), "cause", cause)
                    .register(registry).increment();
        }
        if (u.createdAt() != null && (previous == null || previous.createdAt() == null) && !before(u.createdAt())) {
            unlockJobs(u.cluster(), "created").increment();
            timer("volsync_hub_unlock_creation_delay", "From the failed pod seen to its unlock Job created", u.cluster())
                    .record(Duration.between(u.detectedAt(), u.createdAt()));
        }
        boolean finished = u.finishedAt() != null && ("Succeeded".equals(u.state()) || "Failed".equals(u.state()));
        if (finished && (previous == null || previous.finishedAt() == null) && !before(u.finishedAt())) {
            unlockJobs(u.cluster(), u.state().toLowerCase()).increment();
            if (u.createdAt() != null) {
                timer("volsync_hub_unlock_duration", "From the unlock Job created to finished", u.cluster())
                        .record(Duration.between(u.createdAt(), u.finishedAt()));
            }
        }
    }

    /** The unlock was decided (its cause known), or went on or ended without a decision this hub saw. */
    private static boolean decided(UnlockView u) {
        return u.causeLabel() != null || u.createdAt() != null || u.finishedAt() != null;
    }

    private boolean before(Instant at) {
        return at == null || at.isBefore(started);
    }

    private Counter counter(String name, String description, String cluster) {
        return Counter.builder(name).description(description).tag("cluster", cluster).register(registry);
    }

    /** One family, so "created" is a label value: Prometheus keeps a _created suffix for itself. */
    private Counter unlockJobs(String cluster, String event) {
        return Counter.builder("volsync_hub_unlock_jobs").description("Unlock Jobs created, succeeded and failed")
                .tags("cluster", cluster, "event", event).register(registry);
    }

    private Timer timer(String name, String description, String cluster) {
        return Timer.builder(name).description(description).tag("cluster", cluster).serviceLevelObjectives(BUCKETS)
                .register(registry);
    }
}
