package com.rafaribe.homelab.hub.backups;

import com.rafaribe.homelab.hub.policy.GoDuration;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What the hub keeps of one ReplicationSource or ReplicationDestination: the few fields its
 * health needs, never the spec or status whole (10 clusters of 1,000 each stay small). VolSync's
 * own words, as it writes them: {@code spec.trigger.schedule} (cron) or {@code spec.trigger.manual},
 * {@code spec.paused}, {@code status.lastSyncTime}, {@code lastSyncDuration}, {@code nextSyncTime},
 * {@code latestMoverStatus.result}.
 *
 * @param kind     {@link #SOURCE} or {@link #DESTINATION}
 * @param mover    restic, rclone, rsync (rsync and rsyncTLS) or other (syncthing, external, none)
 * @param trigger  {@link #SCHEDULE}, {@link #MANUAL}, or {@link #NONE} (VolSync then syncs again as soon as a sync ends)
 * @param schedule the cron text when the trigger is a schedule, else null
 * @param latestResult {@code latestMoverStatus.result}: Successful, Failed, or null
 */
public record BackupFacts(String cluster, String kind, String namespace, String name, String mover, String trigger, String schedule,
                          boolean paused, Instant createdAt, Instant lastSyncTime, Duration lastSyncDuration, Instant nextSyncTime,
                          String latestResult, Instant latestResultTime) {
    public static final String SOURCE = "ReplicationSource";
    public static final String DESTINATION = "ReplicationDestination";
    public static final String SCHEDULE = "schedule";
    public static final String MANUAL = "manual";
    public static final String NONE = "none";

    /** The key of a backup: a source and a destination of the same name are two backups. */
    public static String key(String cluster, String kind, String namespace, String name) {
        return cluster + "/" + kind + "/" + namespace + "/" + name;
    }

    public String key() {
        return key(cluster, kind, namespace, name);
    }

    /** Reads the resource as an informer holds it; anything missing or malformed is null, never an error. */
    public static BackupFacts of(String cluster, String kind, GenericKubernetesResource resource) {
        Map<?, ?> spec = map(resource.getAdditionalProperties().get("spec"));
        Map<?, ?> status = map(resource.getAdditionalProperties().get("status"));
        Map<?, ?> trigger = map(spec.get("trigger"));
        Map<?, ?> latest = map(status.get("latestMoverStatus"));
        String schedule = text(trigger.get("schedule"));
        String triggerKind = schedule != null ? SCHEDULE : text(trigger.get("manual")) != null ? MANUAL : NONE;
        return new BackupFacts(cluster, kind, resource.getMetadata().getNamespace(), resource.getMetadata().getName(), mover(spec),
                triggerKind, schedule, Boolean.TRUE.equals(spec.get("paused")), instant(resource.getMetadata().getCreationTimestamp()),
                instant(status.get("lastSyncTime")), GoDuration.parse(text(status.get("lastSyncDuration"))).orElse(null),
                instant(status.get("nextSyncTime")), text(latest.get("result")), instant(latest.get("time")));
    }

    static String mover(Map<?, ?> spec) {
        if (spec.containsKey("restic")) {
            return "restic";
        } else if (spec.containsKey("rclone")) {
            return "rclone";
        } else if (spec.containsKey("rsync") || spec.containsKey("rsyncTLS")) {
            return "rsync";
        }
        return "other";
    }

    private static Map<?, ?> map(Object value) {
        return value instanceof Map<?, ?> m ? m : Map.of();
    }

    private static String text(Object value) {
        return value == null || String.valueOf(value).isBlank() ? null : String.valueOf(value);
    }

    private static Instant instant(Object value) {
        String text = text(value);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
