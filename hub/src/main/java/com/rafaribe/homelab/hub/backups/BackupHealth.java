package com.rafaribe.homelab.hub.backups;

import java.time.Instant;
import java.util.Optional;

/**
 * Decides a backup's {@link BackupState} and says why in words, from its resource, what the hub
 * knows of it and its cluster's connection, at a given time. Pure: the clock is an argument.
 * The precedence is {@link BackupState}'s order.
 *
 * <p>Late, for a cron schedule: two scheduled runs have come since the last success and the time
 * the last sync took has passed after the second; by then a whole interval went by with a run
 * and without a success. For a daily 02:00 schedule and a success at 02:05 on day 1 that is day 3,
 * 02:05; for weekdays at 02:00 and a success on Friday, Tuesday. A manual trigger is never late
 * (VolSync syncs when a person asks: a ReplicationDestination that restored once, at bootstrap,
 * and never again is done, not late). Without a readable schedule (none, or one that cannot be
 * parsed), 26 hours after the last success.
 */
public final class BackupHealth {
    private BackupHealth() {
    }

    /**
     * @param state     the state and, in {@code reason}, why
     * @param changesAt when this assessment would change with time alone (it turns Late), or null
     */
    public record Assessment(BackupState state, String reason, Instant changesAt) {
    }

    /** @param clusterState the cluster's connection state (Connected, Connecting, Failed, Duplicate); since when */
    public static Assessment assess(BackupFacts f, HubKnowledge k, String clusterState, Instant clusterSince, Instant now) {
        if (!"Connected".equals(clusterState)) {
            return new Assessment(BackupState.Unknown, "cluster " + f.cluster() + " is " + clusterState
                    + (clusterSince == null ? "" : " since " + clusterSince) + ": what the hub last saw of it may be out of date", null);
        }
        if (f.paused()) {
            return new Assessment(BackupState.Paused, "paused (spec.paused is true): no sync runs" + lastSuccess(f), null);
        }
        if (k.lockWaitedOn()) {
            return new Assessment(BackupState.Locked, "its repository is locked: the unlock for failed pod " + k.unlockPod() + " is "
                    + k.unlockState() + (k.unlockDetectedAt() == null ? "" : " since " + k.unlockDetectedAt())
                    + (k.unlockCause() == null ? "" : " (lock left by: " + k.unlockCause() + ")"), null);
        }
        if (k.consecutiveFailures() > 0) {
            return new Assessment(BackupState.Failing, k.consecutiveFailures() + " mover pod" + (k.consecutiveFailures() == 1 ? "" : "s")
                    + " failed " + (f.lastSyncTime() == null ? "and none succeeded yet" : "since the last success at " + f.lastSyncTime()), null);
        }
        if ("Failed".equals(k.unlockState()) && after(k.unlockDetectedAt(), f.lastSyncTime())) {
            return new Assessment(BackupState.Failing, "the unlock for failed pod " + k.unlockPod() + " failed" + lastSuccess(f), null);
        }
        if ("Failed".equals(f.latestResult()) && after(f.latestResultTime(), f.lastSyncTime())) {
            return new Assessment(BackupState.Failing, "the last sync failed (latestMoverStatus)"
                    + (f.latestResultTime() == null ? "" : " at " + f.latestResultTime()) + lastSuccess(f), null);
        }
        if (f.lastSyncTime() == null) {
            return new Assessment(BackupState.NeverSucceeded, "no sync has completed"
                    + (f.createdAt() == null ? "" : " since it was created at " + f.createdAt())
                    + (f.nextSyncTime() == null ? "" : "; the next is due at " + f.nextSyncTime()), null);
        }
        return timely(f, now);
    }

    /** Late or Healthy: only the time since the last success decides. */
    private static Assessment timely(BackupFacts f, Instant now) {
        Instant last = f.lastSyncTime();
        if (BackupFacts.MANUAL.equals(f.trigger())) {
            return new Assessment(BackupState.Healthy, "last success at " + last + "; manual trigger: it syncs when asked, never late", null);
        }
        Optional<BackupSchedule> schedule = BackupFacts.SCHEDULE.equals(f.trigger()) ? BackupSchedule.parse(f.schedule()) : Optional.empty();
        Instant lateAfter;
        String why;
        if (schedule.isPresent()) {
            Optional<Instant> first = schedule.get().next(last);
            Optional<Instant> second = first.flatMap(t -> schedule.get().next(t));
            if (second.isEmpty()) {
                return new Assessment(BackupState.Healthy, "last success at " + last + "; its schedule fires no more", null);
            }
            lateAfter = f.lastSyncDuration() == null || f.lastSyncDuration().isNegative() ? second.get()
                    : second.get().plus(f.lastSyncDuration());
            why = "the runs scheduled at " + first.get() + " and " + second.get() + " passed without one (schedule " + f.schedule() + ")";
        } else {
            lateAfter = last.plus(BackupSchedule.UNREADABLE_LATE_AFTER);
            why = "more than " + BackupSchedule.UNREADABLE_LATE_AFTER.toHours() + " h" + (f.schedule() == null
                    ? " (no schedule: VolSync syncs again when a sync ends)" : " (schedule " + f.schedule() + " cannot be read)");
        }
        if (now.isAfter(lateAfter)) {
            return new Assessment(BackupState.Late, "no success since " + last + ": " + why, null);
        }
        return new Assessment(BackupState.Healthy, "last success at " + last
                + (f.nextSyncTime() == null ? "" : "; the next sync is due at " + f.nextSyncTime()), lateAfter);
    }

    private static String lastSuccess(BackupFacts f) {
        return f.lastSyncTime() == null ? "; it never succeeded" : "; last success at " + f.lastSyncTime();
    }

    /** An event with no time counts as after the last success, and anything counts when there was none. */
    private static boolean after(Instant event, Instant lastSuccess) {
        return event == null || lastSuccess == null || event.isAfter(lastSuccess);
    }
}
