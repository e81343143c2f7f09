package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.MonitorPhase;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import java.time.Instant;

/**
 * A monitor's conditions (Ready, PatternsValid, Degraded, Ignored), phase and observedGeneration
 * from its spec and the hub's book, and the circuit-breaker resets the user asked for: a new
 * generation (the spec changed) or a new value of the retry-unlock annotation.
 */
public final class MonitorConditions {
    public static final int CIRCUIT_LIMIT = 3;
    public static final String RETRY_ANNOTATION = "homelab.rafaribe.com/retry-unlock";

    private MonitorConditions() {
    }

    /** @param resetReason why the circuit breaker was reset, when it was */
    public record Outcome(boolean changed, boolean circuitReset, String resetReason) {
    }

    public static Outcome apply(MonitorEntry entry, VolSyncMonitorStatus status, TrustedNamespaces trusted, Instant now) {
        Long generation = entry.monitor().getMetadata().getGeneration();
        boolean changed = false;
        if (!entry.trusted()) {
            changed |= Conditions.set(status.getConditions(), Conditions.IGNORED, true, "UntrustedNamespace",
                    "namespace " + entry.namespace() + " is not one the hub trusts (--monitor-namespace " + trusted + "); this monitor is ignored",
                    generation, now);
            changed |= Conditions.set(status.getConditions(), Conditions.READY, false, "Ignored", "monitor ignored", generation, now);
            return new Outcome(changed, false, null);
        }
        changed |= Conditions.remove(status.getConditions(), Conditions.IGNORED);

        boolean specChanged = generation != null && !generation.equals(status.getObservedGeneration());
        String retryToken = entry.monitor().getMetadata().getAnnotations() == null ? null
                : entry.monitor().getMetadata().getAnnotations().get(RETRY_ANNOTATION);
        boolean retryAsked = retryToken != null && !retryToken.equals(status.getRetryUnlockSeen());
        // The first sight of a monitor (no observedGeneration yet) is no spec change.
        boolean reset = (specChanged && status.getObservedGeneration() != null) || retryAsked;
        boolean hadFailures = !status.getFailingRepositories().isEmpty();
        if (reset && hadFailures) {
            status.getFailingRepositories().clear();
            changed = true;
        }
        if (retryAsked) {
            status.setRetryUnlockSeen(retryToken);
            changed = true;
        }
        if (specChanged) {
            status.setObservedGeneration(generation);
            changed = true;
        }

        MonitorValidator.Result validation = entry.validation();
        if (validation.valid()) {
            changed |= Conditions.set(status.getConditions(), Conditions.PATTERNS_VALID, true, "Valid", "all lockErrorPatterns compile", generation, now);
        } else {
            changed |= Conditions.set(status.getConditions(), Conditions.PATTERNS_VALID, false, "InvalidSpec",
                    String.join("; ", validation.problems()), generation, now);
        }
        boolean enabled = validation.valid() && validation.policy().enabled();
        boolean degraded = status.getFailingRepositories().stream()
                .anyMatch(r -> r.getConsecutiveFailures() != null && r.getConsecutiveFailures() >= CIRCUIT_LIMIT);
        changed |= degraded
                ? Conditions.set(status.getConditions(), Conditions.DEGRADED, true, "CircuitOpen", "unlocks stopped after " + CIRCUIT_LIMIT
                        + " failures in a row for a repository; change the spec or set the " + RETRY_ANNOTATION + " annotation to retry", generation, now)
                : Conditions.set(status.getConditions(), Conditions.DEGRADED, false, "AsExpected",
                        "no repository's unlocks failed " + CIRCUIT_LIMIT + " times in a row", generation, now);
        changed |= Conditions.set(status.getConditions(), Conditions.READY, validation.valid(),
                !validation.valid() ? "InvalidSpec" : enabled ? "Active" : "Disabled",
                !validation.valid() ? "monitor is invalid" : enabled ? "watching for lock failures" : "spec.enabled is false", generation, now);
        MonitorPhase phase = !validation.valid() ? MonitorPhase.Error : enabled ? MonitorPhase.Active : MonitorPhase.Paused;
        if (phase != status.getPhase()) {
            status.setPhase(phase);
            changed = true;
        }
        if (!validation.valid()) {
            String lastError = Redactor.redact("invalid spec: " + String.join("; ", validation.problems()), 1024);
            if (!lastError.equals(status.getLastError())) {
                status.setLastError(lastError);
                changed = true;
            }
        }
        return new Outcome(changed, reset && hadFailures, retryAsked ? "retry-unlock annotation" : "spec changed");
    }
}
