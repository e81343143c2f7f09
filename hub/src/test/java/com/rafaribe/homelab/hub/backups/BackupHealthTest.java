package com.rafaribe.homelab.hub.backups;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.backups.BackupHealth.Assessment;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every state and the precedence between them, on a clock of the test's. 2026-01-02 is a Friday. */
class BackupHealthTest {
    static final Instant CREATED = Instant.parse("2025-12-01T00:00:00Z");
    static final Instant LAST = Instant.parse("2026-01-02T02:05:00Z");
    static final Instant DOWN_SINCE = Instant.parse("2026-01-02T09:00:00Z");

    /** A daily 02:00 restic backup that last succeeded on Friday 02:05, after a sync of one minute. */
    static BackupFacts daily() {
        return new BackupFacts("east", BackupFacts.SOURCE, "media", "photos", "restic", BackupFacts.SCHEDULE, "0 2 * * *", false,
                CREATED, LAST, Duration.ofMinutes(1), Instant.parse("2026-01-03T02:00:00Z"), "Successful", LAST);
    }

    static BackupFacts with(UnaryOperator<Facts> change) {
        return change.apply(new Facts(daily())).build();
    }

    /** A mutable copy, so that each row of the table says only what differs from {@link #daily()}. */
    static final class Facts {
        String kind;
        String trigger;
        String schedule;
        boolean paused;
        Instant lastSyncTime;
        Duration lastSyncDuration;
        String latestResult;
        Instant latestResultTime;
        final BackupFacts base;

        Facts(BackupFacts f) {
            base = f;
            kind = f.kind();
            trigger = f.trigger();
            schedule = f.schedule();
            paused = f.paused();
            lastSyncTime = f.lastSyncTime();
            lastSyncDuration = f.lastSyncDuration();
            latestResult = f.latestResult();
            latestResultTime = f.latestResultTime();
        }

        Facts schedule(String cron) {
            trigger = cron == null ? BackupFacts.NONE : BackupFacts.SCHEDULE;
            schedule = cron;
            return this;
        }

        Facts manual() {
            trigger = BackupFacts.MANUAL;
            schedule = null;
            return this;
        }

        Facts destination() {
            kind = BackupFacts.DESTINATION;
            return this;
        }

        Facts paused() {
            paused = true;
            return this;
        }

        Facts neverSynced() {
            lastSyncTime = null;
            lastSyncDuration = null;
            latestResult = null;
            latestResultTime = null;
            return this;
        }

        Facts lastFailedAt(String at) {
            latestResult = "Failed";
            latestResultTime = Instant.parse(at);
            return this;
        }

        BackupFacts build() {
            return new BackupFacts(base.cluster(), kind, base.namespace(), base.name(), base.mover(), trigger, schedule, paused,
                    base.createdAt(), lastSyncTime, lastSyncDuration, base.nextSyncTime(), latestResult, latestResultTime);
        }
    }

    static HubKnowledge failures(int n) {
        return new HubKnowledge(n, 0, null, null, null, null);
    }

    static HubKnowledge unlock(String state, String at) {
        return new HubKnowledge(1, 1, state, Instant.parse(at), "volsync-src-photos-x1", "exited with code 1");
    }

    static Arguments row(String name, BackupFacts f, HubKnowledge k, String cluster, String now, BackupState state, String reasonHas) {
        return Arguments.of(name, f, k, cluster, Instant.parse(now), state, reasonHas);
    }

    static Stream<Arguments> table() {
        HubKnowledge none = HubKnowledge.NONE;
        return Stream.of(
                row("daily, the next run not yet due", daily(), none, "Connected", "2026-01-02T10:00:00Z", BackupState.Healthy,
                        "last success at 2026-01-02T02:05:00Z"),
                row("daily, one run missed: not late yet", daily(), none, "Connected", "2026-01-03T12:00:00Z", BackupState.Healthy, "due"),
                row("daily, two runs and the sync's minute passed", daily(), none, "Connected", "2026-01-04T02:01:01Z", BackupState.Late,
                        "2026-01-03T02:00:00Z and 2026-01-04T02:00:00Z passed"),
                row("daily, the second run may still be syncing", daily(), none, "Connected", "2026-01-04T02:00:59Z", BackupState.Healthy,
                        "last success"),
                row("@hourly macro, late", with(f -> f.schedule("@hourly")), none, "Connected", "2026-01-02T04:10:00Z", BackupState.Late,
                        "schedule @hourly"),
                row("@hourly macro, on time", with(f -> f.schedule("@hourly")), none, "Connected", "2026-01-02T03:30:00Z", BackupState.Healthy,
                        "last success"),
                row("weekdays: the weekend is no interval", with(f -> f.schedule("0 2 * * 1-5")), none, "Connected", "2026-01-05T10:00:00Z",
                        BackupState.Healthy, "last success"),
                row("weekdays: Monday and Tuesday missed", with(f -> f.schedule("0 2 * * 1-5")), none, "Connected", "2026-01-06T03:00:00Z",
                        BackupState.Late, "2026-01-05T02:00:00Z and 2026-01-06T02:00:00Z"),
                row("unreadable schedule, 25 h", with(f -> f.schedule("every night")), none, "Connected", "2026-01-03T03:05:00Z",
                        BackupState.Healthy, "last success"),
                row("unreadable schedule, 27 h", with(f -> f.schedule("every night")), none, "Connected", "2026-01-03T05:05:00Z",
                        BackupState.Late, "schedule every night cannot be read"),
                row("no trigger, 27 h", with(f -> f.schedule(null)), none, "Connected", "2026-01-03T05:05:00Z", BackupState.Late,
                        "no schedule"),
                row("manual trigger, a year on", with(Facts::manual), none, "Connected", "2027-01-02T00:00:00Z", BackupState.Healthy,
                        "never late"),
                row("bootstrap-restore destination, restored once", with(f -> f.destination().manual()), none, "Connected",
                        "2027-01-02T00:00:00Z", BackupState.Healthy, "manual trigger"),
                row("last result Failed after the last success", with(f -> f.lastFailedAt("2026-01-03T02:03:00Z")), none, "Connected",
                        "2026-01-03T03:00:00Z", BackupState.Failing, "the last sync failed"),
                row("a Failed result older than the last success", with(f -> f.lastFailedAt("2026-01-01T02:03:00Z")), none, "Connected",
                        "2026-01-02T03:00:00Z", BackupState.Healthy, "last success"),
                row("failed mover pods since the last success", daily(), failures(3), "Connected", "2026-01-03T03:00:00Z",
                        BackupState.Failing, "3 mover pods failed since the last success"),
                row("an unlock that failed", daily(), new HubKnowledge(0, 1, "Failed", Instant.parse("2026-01-03T02:10:00Z"), "p", null),
                        "Connected", "2026-01-03T03:00:00Z", BackupState.Failing, "the unlock for failed pod p failed"),
                row("an unlock that failed before the last success", daily(),
                        new HubKnowledge(0, 0, "Failed", Instant.parse("2026-01-01T02:10:00Z"), "p", null), "Connected",
                        "2026-01-02T03:00:00Z", BackupState.Healthy, "last success"),
                row("a lock waited on", daily(), unlock("WaitingForHolder", "2026-01-03T02:04:00Z"), "Connected", "2026-01-03T03:00:00Z",
                        BackupState.Locked, "WaitingForHolder since 2026-01-03T02:04:00Z (lock left by: exited with code 1)"),
                row("a lock being unlocked", daily(), unlock("Running", "2026-01-03T02:04:00Z"), "Connected", "2026-01-03T03:00:00Z",
                        BackupState.Locked, "is Running"),
                row("paused", with(Facts::paused), none, "Connected", "2026-01-02T10:00:00Z", BackupState.Paused, "spec.paused"),
                row("never succeeded", with(Facts::neverSynced), none, "Connected", "2026-01-02T10:00:00Z", BackupState.NeverSucceeded,
                        "since it was created at 2025-12-01T00:00:00Z"),
                row("cluster Failed", daily(), none, "Failed", "2026-01-02T10:00:00Z", BackupState.Unknown,
                        "cluster east is Failed since 2026-01-02T09:00:00Z"),
                // Precedence, each row two states that hold at once:
                row("Unknown over Paused and Locked", with(Facts::paused), unlock("Running", "2026-01-02T09:30:00Z"), "Connecting",
                        "2026-01-02T10:00:00Z", BackupState.Unknown, "Connecting"),
                row("Paused over Locked", with(Facts::paused), unlock("Queued", "2026-01-02T09:30:00Z"), "Connected", "2026-01-02T10:00:00Z",
                        BackupState.Paused, "no sync runs"),
                row("Locked over Failing", with(f -> f.lastFailedAt("2026-01-02T09:00:00Z")), unlock("Queued", "2026-01-02T09:30:00Z"),
                        "Connected", "2026-01-02T10:00:00Z", BackupState.Locked, "Queued"),
                row("Failing over NeverSucceeded", with(Facts::neverSynced), failures(1), "Connected", "2026-01-02T10:00:00Z",
                        BackupState.Failing, "1 mover pod failed and none succeeded yet"),
                row("Failing over Late", with(f -> f.lastFailedAt("2026-01-05T02:03:00Z")), none, "Connected", "2026-01-05T10:00:00Z",
                        BackupState.Failing, "the last sync failed"),
                row("NeverSucceeded over Late", with(f -> f.neverSynced().schedule("@hourly")), none, "Connected", "2026-03-01T00:00:00Z",
                        BackupState.NeverSucceeded, "no sync has completed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void stateAndReason(String name, BackupFacts facts, HubKnowledge knowledge, String cluster, Instant now, BackupState state,
                        String reasonHas) {
        Assessment a = BackupHealth.assess(facts, knowledge, cluster, DOWN_SINCE, now);
        assertThat(a.state()).as(a.reason()).isEqualTo(state);
        assertThat(a.reason()).contains(reasonHas);
    }

    @Test
    void aHealthyScheduledBackupSaysWhenItTurnsLate() {
        Assessment a = BackupHealth.assess(daily(), HubKnowledge.NONE, "Connected", DOWN_SINCE, Instant.parse("2026-01-02T10:00:00Z"));
        assertThat(a.changesAt()).isEqualTo(Instant.parse("2026-01-04T02:01:00Z"));
        assertThat(BackupHealth.assess(daily(), HubKnowledge.NONE, "Connected", DOWN_SINCE, a.changesAt().plusSeconds(1)).state())
                .isEqualTo(BackupState.Late);
    }

    @Test
    void theOrderOfTheEnumIsThePrecedence() {
        assertThat(BackupState.values()).containsExactly(BackupState.Unknown, BackupState.Paused, BackupState.Locked, BackupState.Failing,
                BackupState.NeverSucceeded, BackupState.Late, BackupState.Healthy);
    }
}
