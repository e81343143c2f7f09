package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every cluster's monitors as the policy holds them: validated, trusted or not, with their
 * conditions kept in the {@link StatusBook}. Which monitor governs a failed pod is asked here.
 */
final class MonitorBook {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorBook.class);

    private final TrustedNamespaces trusted;
    private final UnlockAllowList allowed;
    private final StatusBook statuses;
    private final Map<String, List<MonitorEntry>> monitors = new HashMap<>();
    private final Map<String, Long> invalidSpecReported = new HashMap<>();

    MonitorBook(TrustedNamespaces trusted, UnlockAllowList allowed, StatusBook statuses) {
        this.trusted = trusted;
        this.allowed = allowed;
        this.statuses = statuses;
    }

    TrustedNamespaces trusted() {
        return trusted;
    }

    List<MonitorEntry> of(String cluster) {
        return monitors.getOrDefault(cluster, List.of());
    }

    /** Replaces a cluster's monitors: seeds their status, applies conditions, reports the invalid and the gone ones. */
    void replace(String cluster, List<VolSyncMonitor> resources, Instant now, Consumer<PolicyAction> out) {
        List<MonitorEntry> entries = resources.stream().map(m -> MonitorEntry.of(m, trusted, allowed)).toList();
        Set<String> present = new HashSet<>();
        for (MonitorEntry entry : entries) {
            String key = StatusBook.key(cluster, entry.namespace(), entry.name());
            present.add(key);
            VolSyncMonitorStatus status = statuses.seed(cluster, entry.monitor());
            if (applyConditions(cluster, entry, status, now, out)) {
                statuses.markDirty(key);
            }
            publish(cluster, entry, status, out);
        }
        for (MonitorEntry old : of(cluster)) {
            String key = StatusBook.key(cluster, old.namespace(), old.name());
            if (!present.contains(key)) {
                statuses.forget(key);
                invalidSpecReported.remove(key);
                out.accept(new PolicyAction.Publish(new ReadModelUpdate.MonitorGone(cluster, old.namespace(), old.name())));
            }
        }
        monitors.put(cluster, entries);
    }

    void forget(String cluster) {
        for (MonitorEntry m : of(cluster)) {
            String key = StatusBook.key(cluster, m.namespace(), m.name());
            statuses.forget(key);
            invalidSpecReported.remove(key);
        }
        monitors.remove(cluster);
    }

    Optional<MonitorEntry> governing(String cluster, FailedMover mover, Map<String, String> labels) {
        return GoverningMonitor.select(of(cluster), mover, labels);
    }

    /** The valid policy of a monitor by its key, if it is still there and valid. */
    Optional<MonitorPolicy> policy(String cluster, String monitorKey) {
        return find(cluster, monitorKey).filter(m -> m.validation().valid()).map(m -> m.validation().policy());
    }

    Optional<MonitorEntry> find(String cluster, String monitorKey) {
        return of(cluster).stream().filter(m -> StatusBook.key(cluster, m.namespace(), m.name()).equals(monitorKey)).findFirst();
    }

    /** Conditions again (the circuit breaker opened) and the monitor's view. */
    void refresh(String cluster, String monitorKey, Instant now, Consumer<PolicyAction> out) {
        find(cluster, monitorKey).ifPresent(m -> {
            VolSyncMonitorStatus s = statuses.get(monitorKey);
            if (s != null && applyConditions(cluster, m, s, now, out)) {
                statuses.markDirty(monitorKey);
            }
            publish(cluster, m, s, out);
        });
    }

    void publish(String cluster, String monitorKey, Consumer<PolicyAction> out) {
        find(cluster, monitorKey).ifPresent(m -> publish(cluster, m, statuses.get(monitorKey), out));
    }

    /** Conditions, phase and circuit-breaker resets (pure, {@link MonitorConditions}); an invalid spec also gets an Event, once per generation. */
    private boolean applyConditions(String cluster, MonitorEntry entry, VolSyncMonitorStatus status, Instant now, Consumer<PolicyAction> out) {
        MonitorConditions.Outcome outcome = MonitorConditions.apply(entry, status, trusted, now);
        if (outcome.circuitReset()) {
            LOG.info("cluster={} monitor={} circuit breaker reset ({})", cluster, entry.key(), outcome.resetReason());
        }
        if (entry.trusted() && !entry.validation().valid()) {
            Long generation = entry.monitor().getMetadata().getGeneration();
            Long reported = invalidSpecReported.put(StatusBook.key(cluster, entry.namespace(), entry.name()), generation);
            if (reported == null || !reported.equals(generation)) {
                out.accept(new PolicyAction.RecordEvent(cluster, Involved.monitor(entry.namespace(), entry.name(), entry.monitor().getMetadata().getUid()),
                        "Warning", "InvalidSpec", "monitor is invalid and does nothing: " + String.join("; ", entry.validation().problems())));
                LOG.warn("cluster={} monitor={} decision=invalid-spec why={}", cluster, entry.key(), entry.validation().problems());
            }
        }
        return outcome.changed();
    }

    private static void publish(String cluster, MonitorEntry entry, VolSyncMonitorStatus s, Consumer<PolicyAction> out) {
        MonitorValidator.Result v = entry.validation();
        out.accept(new PolicyAction.Publish(new ReadModelUpdate.MonitorView(cluster, entry.namespace(), entry.name(), v.valid() && v.policy().enabled(),
                v.valid(), entry.trusted(), s == null || s.getPhase() == null ? null : s.getPhase().name(),
                v.valid() ? null : String.join("; ", v.problems()),
                value(s == null ? null : s.getTotalUnlocksCreated()), value(s == null ? null : s.getTotalUnlocksSucceeded()),
                value(s == null ? null : s.getTotalUnlocksFailed()), value(s == null ? null : s.getTotalLockErrorsDetected()),
                value(s == null ? null : s.getTotalFailedJobsRemoved()), s == null ? 0 : s.getActiveUnlocks().size(),
                s != null && Conditions.isTrue(s.getConditions(), Conditions.DEGRADED))));
    }

    private static long value(Long value) {
        return value == null ? 0 : value;
    }
}
