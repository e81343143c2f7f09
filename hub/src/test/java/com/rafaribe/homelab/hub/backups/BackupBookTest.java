package com.rafaribe.homelab.hub.backups;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.BackupGone;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.BackupView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the hub knows of each backup, counted since its last success; views published only when they change. */
class BackupBookTest {
    static final Instant LAST = BackupHealthTest.LAST;
    static final Instant NOW = Instant.parse("2026-01-02T10:00:00Z");

    BackupBook book;

    @BeforeEach
    void connected() {
        book = new BackupBook();
        book.cluster("east", "Connected", NOW, NOW);
    }

    static BackupView only(List<ReadModelUpdate> updates) {
        assertThat(updates).hasSize(1);
        return (BackupView) updates.get(0);
    }

    static UnlockView unlock(String job, String app, String podUid, String state, Instant detectedAt) {
        return unlock(job, app, podUid, state, detectedAt, null);
    }

    static UnlockView unlock(String job, String app, String podUid, String state, Instant detectedAt, String cause) {
        return new UnlockView("east", "media", "hub/m", app, job, job + "-x", podUid, null, state, "why", "locked", "h", "repo",
                detectedAt, null, null, null, cause, cause == null ? null : "oom_killed");
    }

    @Test
    void failedPodsCountSinceTheLastSuccessOnceEachAndANewSuccessClearsThem() {
        book.changed(BackupHealthTest.daily(), NOW);
        assertThat(book.moverPodFailed("east", BackupFacts.SOURCE, "media", "photos", "old", LAST.minusSeconds(60), NOW))
                .as("a pod from before the last success changes nothing").isEmpty();
        BackupView failing = only(book.moverPodFailed("east", BackupFacts.SOURCE, "media", "photos", "p1", LAST.plusSeconds(3600), NOW));
        assertThat(failing.consecutiveFailures()).isEqualTo(1);
        assertThat(failing.state()).isEqualTo("Failing");
        assertThat(book.moverPodFailed("east", BackupFacts.SOURCE, "media", "photos", "p1", LAST.plusSeconds(3600), NOW))
                .as("the rescan reports it again").isEmpty();
        assertThat(only(book.moverPodFailed("east", BackupFacts.SOURCE, "media", "photos", "p2", LAST.plusSeconds(3700), NOW))
                .consecutiveFailures()).isEqualTo(2);

        BackupFacts synced = new BackupFacts("east", BackupFacts.SOURCE, "media", "photos", "restic", BackupFacts.SCHEDULE, "0 2 * * *",
                false, BackupHealthTest.CREATED, LAST.plusSeconds(7200), Duration.ofMinutes(1), null, "Successful", LAST.plusSeconds(7200));
        BackupView healthy = only(book.changed(synced, NOW));
        assertThat(healthy.consecutiveFailures()).isZero();
        assertThat(healthy.state()).isEqualTo("Healthy");
    }

    @Test
    void aFailedPodOrUnlockReportedBeforeItsResourceCountsOnceTheResourceIsSeen() {
        assertThat(book.moverPodFailed("east", BackupFacts.SOURCE, "media", "photos", "p1", LAST.plusSeconds(60), NOW)).isEmpty();
        assertThat(book.moverPodFailed("east", null, "media", "stray", "p9", LAST, NOW)).as("no VolSync owner").isEmpty();
        assertThat(only(book.changed(BackupHealthTest.daily(), NOW)).consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void anUnlockLocksItsBackupAndADestinationIsToldByItsJobName() {
        book.changed(BackupHealthTest.daily(), NOW);
        BackupFacts restore = new BackupFacts("east", BackupFacts.DESTINATION, "media", "photos", "restic", BackupFacts.MANUAL, null, false,
                null, LAST, null, null, "Successful", LAST);
        book.changed(restore, NOW);
        Instant detected = LAST.plusSeconds(600);

        BackupView locked = only(book.unlock(unlock("volsync-dst-photos", "photos", "uid-1", "Running", detected, "OOMKilled"), NOW));
        assertThat(locked.kind()).isEqualTo(BackupFacts.DESTINATION);
        assertThat(locked.state()).isEqualTo("Locked");
        assertThat(locked.lockSince()).isEqualTo(detected);
        assertThat(locked.unlockPodUid()).isEqualTo("uid-1");
        assertThat(locked.unlockCause()).isEqualTo("OOMKilled");
        assertThat(locked.reason()).as("the unlock's own cause, told in the reason").endsWith("(lock left by: OOMKilled)");
        assertThat(locked.lockFailures()).isEqualTo(1);

        BackupView unlocked = only(book.unlock(unlock("volsync-dst-photos", "photos", "uid-1", "Succeeded", detected, "OOMKilled"), NOW));
        assertThat(unlocked.state()).isEqualTo("Healthy");
        assertThat(unlocked.lockSince()).isNull();
        assertThat(unlocked.unlockState()).isEqualTo("Succeeded");
    }

    @Test
    void aClusterDownMakesItsBackupsUnknownAndAGoneClusterTakesThemAway() {
        book.changed(BackupHealthTest.daily(), NOW);
        Instant down = NOW.plusSeconds(5);
        BackupView unknown = only(book.cluster("east", "Failed", down, down));
        assertThat(unknown.state()).isEqualTo("Unknown");
        assertThat(unknown.reason()).contains("since " + down);
        assertThat(book.cluster("east", "Failed", down, down)).as("no change, nothing published").isEmpty();
        assertThat(book.clusterGone("east")).containsExactly(new BackupGone("east", BackupFacts.SOURCE, "media", "photos"));
        assertThat(book.size()).isZero();
    }

    @Test
    void aDeletedBackupGoesOnce() {
        book.changed(BackupHealthTest.daily(), NOW);
        assertThat(book.deleted("east", BackupFacts.SOURCE, "media", "photos")).containsExactly(
                new BackupGone("east", BackupFacts.SOURCE, "media", "photos"));
        assertThat(book.deleted("east", BackupFacts.SOURCE, "media", "photos")).isEmpty();
    }

    @Test
    void timeAloneTurnsItLateAtTheMomentItsAssessmentNamed() {
        book.changed(BackupHealthTest.daily(), NOW);
        assertThat(book.tick(Instant.parse("2026-01-04T02:00:00Z"))).isEmpty();
        BackupView late = only(book.tick(Instant.parse("2026-01-04T02:01:01Z")));
        assertThat(late.state()).isEqualTo("Late");
        assertThat(book.tick(Instant.parse("2026-01-05T02:01:01Z"))).as("Late says no later change").isEmpty();
    }

    @Test
    void whatIsKeptPerBackupIsBounded() {
        book.changed(BackupHealthTest.daily(), NOW);
        List<ReadModelUpdate> views = new java.util.ArrayList<>();
        for (int i = 0; i < 250; i++) {
            views.addAll(book.moverPodFailed("east", BackupFacts.SOURCE, "media", "photos", "p" + i, LAST.plusSeconds(i + 1), NOW));
            views.addAll(book.unlock(unlock("volsync-src-photos", "photos", "u" + i, "Failed", LAST.plusSeconds(i + 1)), NOW));
        }
        BackupView newest = (BackupView) views.get(views.size() - 1);
        assertThat(newest.consecutiveFailures()).isEqualTo(BackupBook.MAX_FAILED_PODS);
        assertThat(newest.lockFailures()).isEqualTo(BackupBook.MAX_UNLOCKS);
        assertThat(newest.unlockPodUid()).isEqualTo("u249");
    }

    @Test
    void whatWasReportedOfABackupTheClusterDoesNotHaveGoesWhenItHasListed() {
        book.moverPodFailed("east", BackupFacts.SOURCE, "media", "deleted-meanwhile", "p1", LAST, NOW);
        book.synced("east");
        assertThat(only(book.changed(new BackupFacts("east", BackupFacts.SOURCE, "media", "deleted-meanwhile", "restic", BackupFacts.NONE,
                null, false, null, null, null, null, null, null), NOW)).consecutiveFailures()).isZero();
    }
}
