package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.policy.LifecycleFixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Schedules the simulation (hub/src/test/.../simulation) found the life cycle getting wrong, each
 * pinned down by hand: the seed that found it is named on each test.
 */
class SimulationFoundCasesTest {
    static final String HOME = "home";
    static final String LAB = "lab";

    final LifecycleFixture f = new LifecycleFixture();

    /** A dead holder and a pod that failed on its lock: the hub decides --remove-all and asks for the Job. */
    PolicyAction.CreateJob removeAllFor(Pod failed) {
        Pod holder = f.mover(NS, JOB + "-x1aaa", "Failed", f.now.minus(Duration.ofMinutes(20)), f.now.minus(Duration.ofMinutes(3)));
        f.hub.podChanged(HOME, fact(HOME, holder), false, f.now, f.out());
        f.fails(HOME, failed, lockLog(holder.getMetadata().getName(), Duration.ofMinutes(4)));
        f.answerHolders(holder);
        PolicyAction.CreateJob create = f.last(PolicyAction.CreateJob.class);
        assertThat(create.job().getMetadata().getAnnotations()).containsEntry("homelab.rafaribe.com/unlock-mode", "remove-all");
        return create;
    }

    Pod failedPod(String suffix) {
        return f.mover(NS, JOB + "-" + suffix, "Failed", f.now.minusSeconds(20), f.now.minusSeconds(1));
    }

    /** Seed 4: the watch reported the Job's end before its create was answered; the answer revived the record, then counted a failure. */
    @Test
    void aCreateAnsweredAfterTheJobEndedChangesNothing() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        PolicyAction.CreateJob create = removeAllFor(failed);
        Job job = f.created(create);
        f.hub.unlockJobChanged(HOME, job, List.of(), false, f.now, f.out());
        Pod unlock = unlockPod(job, "u1aaa", "Succeeded");
        f.hub.podChanged(HOME, fact(HOME, unlock), false, f.now, f.out());
        f.hub.unlockJobChanged(HOME, finished(job, true), List.of(unlock), false, f.now, f.out());
        assertThat(f.record(failed.getMetadata().getUid()).state()).isEqualTo("Succeeded");

        f.hub.jobCreateAnswered(create.recordKey(), false, null, f.now, f.out());
        f.hub.unlockJobChanged(HOME, finished(job, true), List.of(unlock), true, f.now, f.out());

        assertThat(f.record(failed.getMetadata().getUid()).state()).isEqualTo("Succeeded");
        VolSyncMonitorStatus s = f.status(HOME);
        assertThat(s.getTotalUnlocksCreated()).isEqualTo(1);
        assertThat(s.getTotalUnlocksSucceeded()).isEqualTo(1);
        assertThat(s.getTotalUnlocksFailed()).isNull();
    }

    /** Seed 147's first half: raced while its create was on its way, the Job that then exists must not run. */
    @Test
    void aJobCreatedAfterItsRecordRacedIsDeletedOnceItExists() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        PolicyAction.CreateJob create = removeAllFor(failed);
        Pod retry = f.mover(NS, JOB + "-r2bbb", "Pending", f.now, null);
        f.hub.podChanged(HOME, fact(HOME, retry), false, f.now, f.out());
        // A delete asked for now could reach the cluster before the create does: it is asked for once the Job exists.
        assertThat(f.take(PolicyAction.DeleteUnlockJob.class)).isEmpty();

        f.hub.jobCreateAnswered(create.recordKey(), false, null, f.now, f.out());

        assertThat(f.take(PolicyAction.DeleteUnlockJob.class)).extracting(PolicyAction.DeleteUnlockJob::name)
                .containsExactly(create.job().getMetadata().getName());
        assertThat(f.record(failed.getMetadata().getUid()).state()).isNotEqualTo("Running");
    }

    /**
     * Found by CI (SafetyTest, mock tier): a raced Job's delete was sent, and then the same Job, a
     * new UID, was on the server again (a create that reached it twice). Seen again, it is deleted:
     * the record means only its current attempt to run.
     */
    @Test
    void aWithdrawnJobThatIsThereAgainIsDeletedAgain() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        PolicyAction.CreateJob create = removeAllFor(failed);
        f.hub.podChanged(HOME, fact(HOME, f.mover(NS, JOB + "-r2bbb", "Pending", f.now, null)), false, f.now, f.out());
        f.hub.jobCreateAnswered(create.recordKey(), false, null, f.now, f.out());
        f.take(PolicyAction.DeleteUnlockJob.class);

        Job again = new JobBuilder(f.created(create)).editMetadata().withUid("uid-created-again").endMetadata().build();
        f.hub.unlockJobChanged(HOME, again, List.of(), false, f.now, f.out());

        assertThat(f.take(PolicyAction.DeleteUnlockJob.class)).extracting(PolicyAction.DeleteUnlockJob::name, PolicyAction.DeleteUnlockJob::uid)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(create.job().getMetadata().getName(), "uid-created-again"));
        assertThat(f.record(failed.getMetadata().getUid()).state()).isNotEqualTo("Running");

        // Once it is gone, or once it has ended, there is nothing more to delete.
        f.hub.unlockJobChanged(HOME, again, List.of(), true, f.now, f.out());
        f.hub.unlockJobChanged(HOME, LifecycleFixture.finished(again, true), List.of(), false, f.now, f.out());
        assertThat(f.take(PolicyAction.DeleteUnlockJob.class)).isEmpty();
    }

    /** Seed 147: the same record, its monitor gone meanwhile, was dropped; the Job its create then made ran unsupervised. */
    @Test
    void aRecordWhoseCreateIsOutOutlivesItsMonitorUntilTheAnswer() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        PolicyAction.CreateJob create = removeAllFor(failed);
        f.hub.podChanged(HOME, fact(HOME, f.mover(NS, JOB + "-r2bbb", "Pending", f.now, null)), false, f.now, f.out());
        f.take(PolicyAction.DeleteUnlockJob.class);

        f.hub.monitorsChanged(HOME, List.of(), f.now, f.out());
        assertThat(f.record(failed.getMetadata().getUid())).isNotNull();
        f.hub.jobCreateAnswered(create.recordKey(), false, null, f.now, f.out());

        assertThat(f.take(PolicyAction.DeleteUnlockJob.class)).extracting(PolicyAction.DeleteUnlockJob::name)
                .containsExactly(create.job().getMetadata().getName());
    }

    /** Seed 40: a failed unlock pod was taken for "the unlock ran"; the Job's next pod ran --remove-all beside the new mover. */
    @Test
    void aFailedUnlockPodDoesNotExcuseARace() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        PolicyAction.CreateJob create = removeAllFor(failed);
        Job job = f.created(create);
        f.hub.jobCreateAnswered(create.recordKey(), false, null, f.now, f.out());
        f.hub.unlockJobChanged(HOME, job, List.of(), false, f.now, f.out());
        Pod firstTry = unlockPod(job, "u1aaa", "Failed");
        f.hub.podChanged(HOME, fact(HOME, firstTry), false, f.now, f.out());
        f.hub.unlockJobChanged(HOME, job, List.of(firstTry), false, f.now, f.out());
        f.out.clear();

        f.hub.podChanged(HOME, fact(HOME, f.mover(NS, JOB + "-r2bbb", "Pending", f.now, null)), false, f.now, f.out());

        assertThat(f.take(PolicyAction.DeleteUnlockJob.class)).extracting(PolicyAction.DeleteUnlockJob::name)
                .containsExactly(job.getMetadata().getName());
        assertThat(f.record(failed.getMetadata().getUid()).races()).isEqualTo(1);
    }

    /** Seed 84: an hour after a record ended, a rescan reported its Job (no TTL) again and the hub adopted it as new. */
    @Test
    void theJobsOfAForgottenRecordAreHistory() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        PolicyAction.CreateJob create = removeAllFor(failed);
        Job job = f.created(create);
        f.hub.jobCreateAnswered(create.recordKey(), false, null, f.now, f.out());
        Pod unlock = unlockPod(job, "u1aaa", "Succeeded");
        f.hub.unlockJobChanged(HOME, finished(job, true), List.of(unlock), false, f.now, f.out());
        f.advance(UnlockLifecycle.KEEP_FINISHED.plusMinutes(1));
        f.hub.tick(f.now, f.out());
        assertThat(f.hub.records()).isEmpty();
        f.out.clear();

        f.hub.unlockJobChanged(HOME, finished(job, true), List.of(unlock), false, f.now, f.out());

        assertThat(f.hub.records()).isEmpty();
        assertThat(f.out).isEmpty();
        assertThat(f.status(HOME).getTotalUnlocksCreated()).isEqualTo(1);
    }

    /** Seed 84, after a restart: the Job of an earlier attempt (a plain unlock that removed nothing) was counted as created again. */
    @Test
    void aRestartedHubLeavesTheJobsOfEarlierAttemptsAlone() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        f.fails(HOME, failed, lockLog("truenas", Duration.ofMinutes(2)));
        f.answerHolders();
        Job first = plainAttempt(failed, 0);
        Job second = plainAttempt(failed, 1);
        assertThat(f.record(failed.getMetadata().getUid()).state()).isEqualTo("Succeeded");
        VolSyncMonitorStatus written = io.fabric8.kubernetes.client.utils.Serialization.clone(f.status(HOME));
        assertThat(written.getTotalUnlocksCreated()).isEqualTo(2);

        LifecycleFixture restarted = new LifecycleFixture();
        restarted.now = f.now;
        restarted.hub.clusterDown(HOME, false, restarted.now, restarted.out());
        restarted.hub.monitorsChanged(HOME, List.of(monitor(MONITOR, written)), restarted.now, restarted.out());
        restarted.hub.unlockJobChanged(HOME, first, List.of(unlockPod(first, "u1aaa", "Succeeded")), false, restarted.now, restarted.out());
        restarted.hub.unlockJobChanged(HOME, second, List.of(unlockPod(second, "u2aaa", "Succeeded")), false, restarted.now, restarted.out());

        assertThat(restarted.status(HOME).getTotalUnlocksCreated()).isEqualTo(2);
        assertThat(restarted.hub.records()).extracting(UnlockRecordView::unlockJob).containsExactly(second.getMetadata().getName());
    }

    /** One plain attempt, once the lock could be stale: created, succeeded, its log read ({@code removed} locks). */
    private Job plainAttempt(Pod failed, int removed) {
        f.advance(Duration.ofMinutes(31));
        f.hub.tick(f.now, f.out());
        f.answerHolders();
        PolicyAction.CreateJob create = f.last(PolicyAction.CreateJob.class);
        f.out.clear();
        assertThat(create.job().getMetadata().getAnnotations()).containsEntry("homelab.rafaribe.com/unlock-mode", "plain");
        Job job = finished(f.created(create), true);
        f.hub.jobCreateAnswered(create.recordKey(), false, null, f.now, f.out());
        f.hub.unlockJobChanged(HOME, job, List.of(unlockPod(job, "u1aaa", "Succeeded")), false, f.now, f.out());
        PolicyAction.ReadUnlockLog read = f.last(PolicyAction.ReadUnlockLog.class);
        f.hub.unlockLogRead(read.recordKey(), OptionalInt.of(removed), f.now, f.out());
        return job;
    }

    /** Seed 134: a joined failure named a NAS process; the leader still ran --remove-all on its own, older evidence, over the NAS's live lock. */
    @Test
    void aNewerFailureNamingAnotherHolderReplacesTheLeadersEvidence() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        Pod holder = f.mover(NS, JOB + "-x1aaa", "Failed", f.now.minus(Duration.ofMinutes(20)), f.now.minus(Duration.ofMinutes(3)));
        f.hub.podChanged(HOME, fact(HOME, holder), false, f.now, f.out());
        f.fails(HOME, failed, lockLog(holder.getMetadata().getName(), Duration.ofMinutes(4)));
        // While the hub asks about that holder, the next retry fails on a lock the NAS took meanwhile.
        f.advance(Duration.ofSeconds(30));
        f.fails(HOME, f.mover(NS, JOB + "-p2bbb", "Failed", f.now.minusSeconds(5), f.now), lockLog("truenas", Duration.ofSeconds(40)));
        assertThat(f.all(PolicyAction.Publish.class)).anyMatch(p -> p.update() instanceof com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.FailureView v
                && v.failedPod().equals(JOB + "-p2bbb") && v.decision().equals("joined"));

        f.answerHolders(holder);
        f.answerHolders();

        assertThat(f.all(PolicyAction.CreateJob.class)).isEmpty();
        UnlockRecordView r = f.record(failed.getMetadata().getUid());
        assertThat(r.state()).isEqualTo("WaitingForHolder");
        assertThat(r.reason()).contains("truenas").contains("plain restic unlock");
    }

    /** Seed 739: a holder seen alive later ended (a clean exit removes its lock) and another process locked; "terminated" meant --remove-all. */
    @Test
    void aHolderSeenAliveMayHaveReleasedItsLockSinceSoNoRemoveAll() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        Pod holder = f.mover(NS, JOB + "-x1aaa", "Running", f.now.minus(Duration.ofMinutes(20)), null);
        f.hub.podChanged(HOME, fact(HOME, holder), false, f.now, f.out());
        f.fails(HOME, failed, lockLog(holder.getMetadata().getName(), Duration.ofMinutes(1)));
        f.answerHolders(holder);
        assertThat(f.record(failed.getMetadata().getUid()).state()).isEqualTo("WaitingForHolder");

        f.advance(Duration.ofMinutes(5));
        Pod ended = f.mover(NS, holder.getMetadata().getName(), "Succeeded", f.now.minus(Duration.ofMinutes(25)), f.now);
        ended.getMetadata().setUid(holder.getMetadata().getUid());
        f.hub.podChanged(HOME, fact(HOME, ended), false, f.now, f.out());
        f.answerHolders(ended);

        assertThat(f.all(PolicyAction.CreateJob.class)).isEmpty();
        assertThat(f.record(failed.getMetadata().getUid()).reason()).contains("plain restic unlock (never --remove-all)");
    }

    /**
     * Seed 2649: a newer failure naming the holder seen alive was taken as fresh evidence; printed while the holder still
     * ran, it said nothing of the lock the holder's clean exit removed, nor of the NAS job that locked next.
     */
    @Test
    void aNewerFailureNamingTheHolderSeenAliveIsFreshOnlyOnceItIsGone() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        Pod holder = f.mover(NS, JOB + "-x1aaa", "Running", f.now.minus(Duration.ofMinutes(20)), null);
        f.hub.podChanged(HOME, fact(HOME, holder), false, f.now, f.out());
        f.fails(HOME, failed, lockLog(holder.getMetadata().getName(), Duration.ofMinutes(1)));
        f.answerHolders(holder);
        f.advance(Duration.ofMinutes(2));
        f.fails(HOME, f.mover(NS, JOB + "-p2bbb", "Failed", f.now.minusSeconds(5), f.now), lockLog(holder.getMetadata().getName(),
                Duration.ofMinutes(2)));
        f.answerHolders(holder);

        f.advance(Duration.ofMinutes(1));
        Pod ended = f.mover(NS, holder.getMetadata().getName(), "Succeeded", f.now.minus(Duration.ofMinutes(23)), f.now);
        ended.getMetadata().setUid(holder.getMetadata().getUid());
        f.hub.podChanged(HOME, fact(HOME, ended), false, f.now, f.out());
        f.answerHolders(ended);
        assertThat(f.all(PolicyAction.CreateJob.class)).isEmpty();

        // A failure printed after the hub saw the holder gone shows its lock is still there: a dead holder's, --remove-all.
        f.advance(Duration.ofMinutes(1));
        f.fails(HOME, f.mover(NS, JOB + "-p3ccc", "Failed", f.now.minusSeconds(5), f.now), lockLog(holder.getMetadata().getName(),
                Duration.ofMinutes(4)));
        f.advance(Duration.ofMinutes(1));
        f.hub.tick(f.now, f.out());
        f.answerHolders(ended);
        f.answerHolders(ended);
        assertThat(f.last(PolicyAction.CreateJob.class).job().getMetadata().getAnnotations())
                .containsEntry("homelab.rafaribe.com/unlock-mode", "remove-all");
    }

    /** Seed 2877: a create answered with a timeout had made the Job; the record no longer tracked it, and it ran beside the mover. */
    @Test
    void aJobMadeByACreateAnsweredWithAnErrorIsDeletedOnceSeen() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        PolicyAction.CreateJob create = removeAllFor(failed);
        f.hub.jobCreateAnswered(create.recordKey(), false, "request timed out after 15s", f.now, f.out());
        f.out.clear();

        f.hub.unlockJobChanged(HOME, f.created(create), List.of(), false, f.now, f.out());

        assertThat(f.take(PolicyAction.DeleteUnlockJob.class)).extracting(PolicyAction.DeleteUnlockJob::name)
                .containsExactly(create.job().getMetadata().getName());
        assertThat(f.record(failed.getMetadata().getUid()).state()).isNotEqualTo("Running");
        assertThat(f.status(HOME).getTotalUnlocksCreated()).isEqualTo(1);
    }

    /** Seed 234: the Job was created, ran and was deleted (TTL) while the cluster's watch was down: the record stayed Running for ever. */
    @Test
    void aJobThatCameAndWentUnseenEndsItsRecordAfterItsDeadline() {
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        PolicyAction.CreateJob create = removeAllFor(failed);
        f.hub.jobCreateAnswered(create.recordKey(), false, null, f.now, f.out());

        f.advance(UnlockLifecycle.JOB_UNSEEN.minusSeconds(1));
        f.hub.tick(f.now, f.out());
        assertThat(f.record(failed.getMetadata().getUid()).state()).isEqualTo("Running");
        f.advance(Duration.ofSeconds(2));
        f.hub.tick(f.now, f.out());

        UnlockRecordView r = f.record(failed.getMetadata().getUid());
        assertThat(r.state()).isEqualTo("Failed");
        assertThat(r.reason()).contains("was not seen to end");
        assertThat(f.status(HOME).getTotalUnlocksFailed()).isEqualTo(1);
        assertThat(f.status(HOME).getFailingRepositories()).isEmpty();
    }

    /** Seed 388: right after a restart, a cluster that had not listed its pods yet ran the holder (a Job of the same name on a shared repository). */
    @Test
    void aClusterNotListedYetMayRunTheHolder() {
        f.hub.clusterDown(LAB, false, f.now, f.out());
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        f.fails(HOME, failed, lockLog(JOB + "-x1aaa", Duration.ofMinutes(2)));
        f.answerHolders();

        assertThat(f.all(PolicyAction.CreateJob.class)).isEmpty();
        assertThat(f.record(failed.getMetadata().getUid()).reason()).contains("cluster lab does not answer");
    }

    /** Seed 6685: the holder started in another cluster while that cluster did not answer; its old pod list said nothing of it. */
    @Test
    void aClusterThatDoesNotAnswerMayRunTheHolder() {
        f.connect(LAB);
        f.connect(HOME, monitor(MONITOR, null));
        f.hub.clusterDown(LAB, true, f.now, f.out());
        Pod failed = failedPod("p1aaa");
        f.fails(HOME, failed, lockLog(JOB + "-x1aaa", Duration.ofMinutes(2)));
        f.answerHolders();

        assertThat(f.all(PolicyAction.CreateJob.class)).isEmpty();
        assertThat(f.record(failed.getMetadata().getUid()).reason()).contains("cluster lab does not answer");
    }

    /** Seed 388, second path: the other cluster listed its pods (the holder among them) while the question to the first was out. */
    @Test
    void aClusterThatSharesTheRepositoryOnlySinceTheQuestionWentOutWasNotAsked() {
        f.connect(LAB);
        f.connect(HOME, monitor(MONITOR, null));
        Pod failed = failedPod("p1aaa");
        f.fails(HOME, failed, lockLog(JOB + "-x1aaa", Duration.ofMinutes(2)));
        Pod holderInLab = f.mover(NS, JOB + "-x1aaa", "Running", f.now.minus(Duration.ofMinutes(10)), null);
        f.hub.podChanged(LAB, fact(LAB, holderInLab), false, f.now, f.out());

        f.answerHolders();

        assertThat(f.all(PolicyAction.CreateJob.class)).isEmpty();
        assertThat(f.record(failed.getMetadata().getUid()).reason()).contains("cluster lab");
    }
}
