package com.rafaribe.homelab.hub.policy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;

/** metav1.Condition bookkeeping: the transition time moves only when the status does. */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String PATTERNS_VALID = "PatternsValid";
    public static final String DEGRADED = "Degraded";
    public static final String IGNORED = "Ignored";

    private Conditions() {
    }

    /** Sets a condition; returns whether anything changed. */
    public static boolean set(List<Condition> conditions, String type, boolean status, String reason, String message,
                              Long generation, Instant now) {
        String value = status ? "True" : "False";
        String text = message == null ? "" : Redactor.redact(message, 32_000);
        for (Condition c : conditions) {
            if (type.equals(c.getType())) {
                boolean changed = !value.equals(c.getStatus()) || !reason.equals(c.getReason()) || !text.equals(c.getMessage())
                        || (generation != null && !generation.equals(c.getObservedGeneration()));
                if (!value.equals(c.getStatus())) {
                    c.setLastTransitionTime(now.toString());
                }
                c.setStatus(value);
                c.setReason(reason);
                c.setMessage(text);
                c.setObservedGeneration(generation);
                return changed;
            }
        }
        conditions.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(text)
                .withObservedGeneration(generation).withLastTransitionTime(now.toString()).build());
        return true;
    }

    public static boolean remove(List<Condition> conditions, String type) {
        return conditions.removeIf(c -> type.equals(c.getType()));
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
