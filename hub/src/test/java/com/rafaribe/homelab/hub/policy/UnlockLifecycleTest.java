package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent.PodFact;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The unlock life cycle as a pure state machine: inputs in, actions out, no cluster, no clock. */
class UnlockLifecycleTest {
    static final String CLUSTER = "home";
    static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    UnlockLifecycle life;
    final List<PolicyAction> actions = new ArrayList<>();
    Instant now = T0;

    static VolSyncMonitor monitor(String name, String spec) throws IOException {
        return MonitorYaml.parseAll("apiVersion: homelab.rafaribe.com/v1alpha1\nkind: VolSyncMonitor\nmetadata: {name: " + name
                + ", namespace: hub, generation: 1, uid: uid-" + name + ", creationTimestamp: \"2026-01-01T00:00:00Z\"}\nspec: " + spec + "\n").get(0);
    }

    @BeforeEach
    void start() throws IOException {
        life = new UnlockLifecycle(new TrustedNamespaces(Set.of("hub")), Duration.ofSeconds(30));
        life.monitorsChanged(CLUSTER, List.of(monitor("volsync-monitor", "{enabled: true, maxConcurrentUnlocks: 2}")), now, actions::add);
        life.clusterSynced(CLUSTER, now, actions::add);
    }

    Pod failedPod(String namespace, String app, String suffix) {
        Job job = VolSyncObjects.sourceJob(namespace, app, "rs-" + app, "job-" + app);
        return new PodBuilder(VolSyncObjects.sourcePod(job, suffix, UUID.randomUUID().toString(), app + "-restic").build())
                .editMetadata().withCreationTimestamp(now.toString()).endMetadata()
                .withStatus(new PodStatusBuilder().withPhase("Failed").withContainerStatuses(new ContainerStatusBuilder().withName("restic")
                        .withNewState().withNewTerminated().withExitCode(1).endTerminated().endState().build()).build())
                .build();
    }

    /** The failed pod reported, its log read, the detector run: as the adapter does. */
    String fail(Pod pod, String log) {
        FailedMover mover = FailedMover.of(pod, null);
        life.moverFailed(CLUSTER, pod, mover, pod.getMetadata().getLabels(), null, now, actions::add);
        PolicyAction.ReadEvidence read = take(PolicyAction.ReadEvidence.class);
        life.detected(CLUSTER, read.podUid(), read.detector().examine(log), now, actions::add);
        answerHolders();
        return CLUSTER + "/" + mover.podUid();
    }

    /** Every holder question answered by its cluster: no pod of that name runs there. */
    void answerHolders() {
        List<PolicyAction.FindHolder> asked = actions.stream().filter(PolicyAction.FindHolder.class::isInstance)
                .map(PolicyAction.FindHolder.class::cast).toList();
        actions.removeAll(asked);
        asked.forEach(a -> life.holderAnswered(a.recordKey(), a.cluster(), List.of(), now, actions::add));
    }

    /** The create request answered: the Job as the API server would return it. */
    Job created(String recordKey) {
        PolicyAction.CreateJob create = take(PolicyAction.CreateJob.class);
        assertThat(create.recordKey()).isEqualTo(recordKey);
        life.jobCreateAnswered(recordKey, false, null, now, actions::add);
        return new JobBuilder(create.job()).editMetadata().withUid(UUID.randomUUID().toString()).withCreationTimestamp(now.toString())
                .endMetadata().build();
    }

    void finished(Job job, boolean succeeded) {
        Job done = new JobBuilder(job).withStatus(succeeded ? new JobStatusBuilder().withSucceeded(1).build()
                : new JobStatusBuilder().withFailed(3).addNewCondition().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
                .endCondition().build()).build();
        life.unlockJobChanged(CLUSTER, done, List.of(), false, now, actions::add);
    }

    <T extends PolicyAction> T take(Class<T> type) {
        T found = actions.stream().filter(type::isInstance).map(type::cast).reduce((a, b) -> b).orElseThrow(
                () -> new AssertionError("no " + type.getSimpleName() + " among " + actions));
        actions.clear();
        return found;
    }

    UnlockRecordView record(String key) {
        return life.records().stream().filter(r -> (r.cluster() + "/" + r.podUid()).equals(key)).findFirst().orElse(null);
    }

    VolSyncMonitorStatus status() {
        return life.statuses().get(StatusBook.key(CLUSTER, "hub", "volsync-monitor"));
    }

    static long count(Long counter) {
        return counter == null ? 0 : counter;
    }

    String ownJobHolderLog(Pod pod) {
        return VolSyncWorld.lockLog(pod.getMetadata().getLabels().get("job-name") + "-zzzzz", "2m");
    }

    /** Bug 4a: an unlock Job deleted before it finished left its record Running, holding a slot, forever. */
    @Test
    void anUnlockJobDeletedBeforeItFinishedEndsItsRecord() {
        Pod pod = failedPod("media", "jellyfin", "a1a1a");
        String key = fail(pod, ownJobHolderLog(pod));
        Job job = created(key);
        life.unlockJobChanged(CLUSTER, job, List.of(), true, now, actions::add);
        assertThat(record(key).state()).isEqualTo("Failed");
        assertThat(record(key).reason()).contains("was deleted before it finished");
        assertThat(status().getTotalUnlocksFailed()).isEqualTo(1);
        assertThat(status().getFailingRepositories()).as("not a failure of the unlock itself: the circuit breaker is not fed").isEmpty();
    }

    /** Bug 4b: a record waiting for its holder kept asking forever after its monitor was deleted. */
    @Test
    void aWaitingRecordWhoseMonitorIsDeletedIsCancelledAndDecidedAgain() throws IOException {
        Pod pod = failedPod("media", "jellyfin", "b1b1b");
        String key = fail(pod, VolSyncWorld.lockLog("truenas", "1m"));
        assertThat(record(key).state()).isEqualTo("WaitingForHolder");
        life.monitorsChanged(CLUSTER, List.of(monitor("renamed", "{enabled: true}")), now, actions::add);
        assertThat(record(key)).as("the record left the book").isNull();
        assertThat(actions).filteredOn(PolicyAction.Publish.class::isInstance).map(a -> ((PolicyAction.Publish) a).update())
                .filteredOn(ReadModelUpdate.UnlockView.class::isInstance).map(u -> (ReadModelUpdate.UnlockView) u)
                .anySatisfy(u -> assertThat(u.state() + " " + u.reason()).startsWith("Cancelled").contains("volsync-monitor changed"));
        actions.clear();
        // The failed pod reported again (a rescan) is decided under the monitor as it is now.
        life.moverFailed(CLUSTER, pod, FailedMover.of(pod, null), pod.getMetadata().getLabels(), null, now, actions::add);
        assertThat(actions).anyMatch(PolicyAction.ReadEvidence.class::isInstance);
    }

    /** Bug 3: a Job carrying the unlock labels and annotations under another name is not the hub's. */
    @Test
    void aForgedUnlockJobIsIgnored() {
        Pod pod = failedPod("media", "jellyfin", "c1c1c");
        String key = fail(pod, ownJobHolderLog(pod));
        Job job = created(key);
        Job forged = new JobBuilder(job).editMetadata().withName("volsync-unlock-jellyfin-00000000").withUid("forged").endMetadata()
                .withNewStatus().withFailed(3).addNewCondition().withType("Failed").withStatus("True").endCondition().endStatus().build();
        life.unlockJobChanged(CLUSTER, forged, List.of(), false, now, actions::add);
        Job elsewhere = new JobBuilder(job).editMetadata().withNamespace("tenant").withUid("forged-2").endMetadata()
                .withNewStatus().withFailed(3).addNewCondition().withType("Failed").withStatus("True").endCondition().endStatus().build();
        life.unlockJobChanged(CLUSTER, elsewhere, List.of(), false, now, actions::add);
        assertThat(record(key).state()).isEqualTo("Running");
        assertThat(count(status().getTotalUnlocksFailed())).isZero();
        finished(job, true);
        assertThat(record(key).state()).isEqualTo("Succeeded");
    }

    /** Bug 5: a finished record forgotten after an hour was rebuilt and counted again once its processedJobs entry rolled out. */
    @Test
    void anUnlockJobIsCountedOnceWhateverRescansAndRolloversHappen() {
        Pod first = failedPod("media", "jellyfin", "d1d1d");
        String key = fail(first, ownJobHolderLog(first));
        Job job = created(key);
        finished(job, true);
        // 60 more failures of other repositories roll the first pod's entry out of the newest 50.
        for (int i = 0; i < 60; i++) {
            now = now.plusSeconds(60);
            Pod other = failedPod("app-" + i, "app-" + i, "e" + (1000 + i));
            String k = fail(other, ownJobHolderLog(other));
            finished(created(k), true);
        }
        long created = status().getTotalUnlocksCreated();
        long succeeded = status().getTotalUnlocksSucceeded();
        long detected = status().getTotalLockErrorsDetected();
        String lastUnlock = status().getLastUnlockTime();
        now = now.plus(Duration.ofHours(2));
        life.tick(now, actions::add);
        actions.clear();
        assertThat(record(key)).as("forgotten an hour after it finished").isNull();
        Job done = new JobBuilder(job).withNewStatus().withSucceeded(1).endStatus().build();
        life.unlockJobChanged(CLUSTER, done, List.of(), false, now, actions::add);
        assertThat(status().getTotalUnlocksCreated()).isEqualTo(created).isEqualTo(61);
        assertThat(status().getTotalUnlocksSucceeded()).isEqualTo(succeeded).isEqualTo(61);
        assertThat(status().getTotalLockErrorsDetected()).isEqualTo(detected).isEqualTo(61);
        assertThat(status().getLastUnlockTime()).isEqualTo(lastUnlock);
        assertThat(actions).noneMatch(a -> a instanceof PolicyAction.RecordEvent e && e.reason().equals("UnlockSucceeded"));
    }

    /** Bug 1: a plain unlock that removed nothing means the lock is live: wait, not a failure, not the circuit breaker. */
    @Test
    void aPlainUnlockThatRemovedNothingWaitsAgain() {
        Pod pod = failedPod("media", "jellyfin", "f1f1f");
        String key = fail(pod, VolSyncWorld.lockLog("truenas", "40m0s"));
        Job job = created(key);
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsExactly("unlock");
        Pod unlockPod = new PodBuilder().withNewMetadata().withName(job.getMetadata().getName() + "-u1u1u").withNamespace("media").endMetadata()
                .withNewStatus().withPhase("Succeeded").endStatus().build();
        life.unlockJobChanged(CLUSTER, new JobBuilder(job).withNewStatus().withSucceeded(1).endStatus().build(), List.of(unlockPod), false,
                now, actions::add);
        PolicyAction.ReadUnlockLog read = take(PolicyAction.ReadUnlockLog.class);
        life.unlockLogRead(read.recordKey(), OptionalInt.of(0), now, actions::add);
        assertThat(record(key).state()).isEqualTo("WaitingForHolder");
        // Said in the Event; the record's reason is the holder rule's again at once (its holder was answered absent before).
        assertThat(actions).anyMatch(a -> a instanceof PolicyAction.RecordEvent e && e.reason().equals("WaitingForHolder")
                && e.message().contains("removed no lock: the lock is live"));
        assertThat(record(key).wakeAt()).isEqualTo(now.plus(UnlockLifecycle.PLAIN_RETRY));
        assertThat(count(status().getTotalUnlocksFailed())).isZero();
        assertThat(count(status().getTotalUnlocksSucceeded())).isZero();
        assertThat(status().getFailingRepositories()).isEmpty();
        // Not before the stated wait; then a new Job of its own (the old one may still be there).
        now = now.plus(UnlockLifecycle.PLAIN_RETRY).minusSeconds(1);
        life.tick(now, actions::add);
        assertThat(actions).noneMatch(PolicyAction.CreateJob.class::isInstance);
        now = now.plusSeconds(2);
        life.tick(now, actions::add);
        answerHolders();
        Job second = created(key);
        assertThat(second.getMetadata().getName()).isNotEqualTo(job.getMetadata().getName());
        assertThat(second.getMetadata().getAnnotations()).containsEntry(UnlockJobMetadata.ATTEMPT, "2");
        assertThat(status().getTotalUnlocksCreated()).isEqualTo(2);
    }

    /** Bug 1 again: the wait is measured from the newest age any mover log of the repository printed, not frozen at detection. */
    @Test
    void aNewerLockAgeOfTheSameRepositoryPushesThePlainUnlockBack() {
        Pod first = failedPod("media", "jellyfin", "g1g1g");
        String key = fail(first, VolSyncWorld.lockLog("truenas", "20m0s"));
        assertThat(record(key).wakeAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        now = T0.plus(Duration.ofMinutes(8));
        Pod retry = failedPod("media", "jellyfin", "g2g2g");
        fail(retry, VolSyncWorld.lockLog("truenas", "1m0s"));
        now = T0.plus(Duration.ofMinutes(11));
        life.tick(now, actions::add);
        answerHolders();
        assertThat(actions).noneMatch(PolicyAction.CreateJob.class::isInstance);
        assertThat(record(key).state()).isEqualTo("WaitingForHolder");
        assertThat(record(key).wakeAt()).isEqualTo(T0.plus(Duration.ofMinutes(37)));
    }

    /** Bug 10: a mover of the repository started before the unlock pod ran: the Job is deleted, the race recorded. */
    @Test
    void aMoverThatStartsBeforeTheUnlockPodRanGetsTheUnlockJobDeleted() {
        Pod pod = failedPod("media", "jellyfin", "h1h1h");
        String key = fail(pod, ownJobHolderLog(pod));
        Job job = created(key);
        life.unlockJobChanged(CLUSTER, job, List.of(), false, now, actions::add);
        actions.clear();
        Pod next = new PodBuilder(failedPod("media", "jellyfin", "h2h2h")).withNewStatus().withPhase("Running").endStatus().build();
        PodFact running = PodFacts.of(CLUSTER, next);
        life.podChanged(CLUSTER, running, false, now, actions::add);
        assertThat(actions).anyMatch(a -> a instanceof PolicyAction.DeleteUnlockJob d && d.name().equals(job.getMetadata().getName())
                && job.getMetadata().getUid().equals(d.uid()));
        assertThat(actions).anyMatch(a -> a instanceof PolicyAction.RecordEvent e && e.reason().equals("UnlockRaced"));
        assertThat(record(key).state()).isEqualTo("Queued");
        assertThat(record(key).races()).isEqualTo(1);
        // Decided again at once on the holder answered absent before: it waits for the mover that raced.
        assertThat(actions).anyMatch(a -> a instanceof PolicyAction.RecordEvent e && e.reason().equals("UnlockRaced")
                && e.message().contains("started before unlock Job"));
        assertThat(record(key).reason()).contains("repository in use by pod media/volsync-src-jellyfin-h2h2h");
        answerHolders();
        actions.clear();
        now = now.plusSeconds(3);
        life.podChanged(CLUSTER, PodFacts.of(CLUSTER, new PodBuilder(next).withNewStatus().withPhase("Succeeded").endStatus().build()), false,
                now, actions::add);
        answerHolders();
        // Seen on the real API server (the raced Job's pod ran before its deletion reached it): the mover that started after the
        // lock was printed backed the repository up, so the lock no longer blocks it. Waiting on would run a plain unlock every
        // 10 minutes on a healthy repository, each "removing nothing", for ever.
        assertThat(record(key).state()).isEqualTo("Cancelled");
        assertThat(record(key).reason()).contains("pod media/volsync-src-jellyfin-h2h2h of the repository succeeded after the lock was seen");
        Instant recovered = now;
        assertThat(actions).as("the dashboard is told when the backup recovered")
                .anyMatch(a -> a instanceof PolicyAction.Publish p && p.update() instanceof ReadModelUpdate.UnlockView v
                        && "Cancelled".equals(v.state()) && recovered.equals(v.recoveredAt()));
        assertThat(actions).anyMatch(a -> a instanceof PolicyAction.RecordEvent e && e.reason().equals("BackupRecovered"));
        now = now.plus(Duration.ofHours(1));
        life.tick(now, actions::add);
        answerHolders();
        assertThat(actions).noneMatch(PolicyAction.CreateJob.class::isInstance);
        assertThat(count(status().getTotalUnlocksFailed())).isZero();
    }

    /** A mover that was already running when the lock was printed proves nothing about the lock when it succeeds. */
    @Test
    void aMoverThatStartedBeforeTheFailureLeavesTheUnlockWaiting() {
        Pod running = new PodBuilder(failedPod("media", "jellyfin", "k2k2k")).withNewStatus().withPhase("Running").endStatus().build();
        life.podChanged(CLUSTER, PodFacts.of(CLUSTER, running), false, now, actions::add);
        now = now.plusSeconds(5);
        Pod pod = failedPod("media", "jellyfin", "k1k1k");
        String key = fail(pod, ownJobHolderLog(pod));
        assertThat(record(key).state()).isEqualTo("Queued");
        life.podChanged(CLUSTER, PodFacts.of(CLUSTER, new PodBuilder(running).withNewStatus().withPhase("Succeeded").endStatus().build()),
                false, now, actions::add);
        answerHolders();
        assertThat(record(key).state()).as(record(key).reason()).isEqualTo("WaitingForHolder");
        assertThat(record(key).wakeAt()).as("a plain unlock once the lock could be stale").isNotNull();
    }

    /** Seen on the real API server: the mover's pod appeared while the create request was on its way. */
    @Test
    void aMoverThatStartsWhileTheCreateIsOnItsWayGetsTheJobWithdrawnOnceCreated() {
        Pod pod = failedPod("media", "jellyfin", "j1j1j");
        String key = fail(pod, ownJobHolderLog(pod));
        PolicyAction.CreateJob create = take(PolicyAction.CreateJob.class);
        Pod next = new PodBuilder(failedPod("media", "jellyfin", "j2j2j")).withNewStatus().withPhase("Pending").endStatus().build();
        life.podChanged(CLUSTER, PodFacts.of(CLUSTER, next), false, now, actions::add);
        assertThat(actions).as("nothing to delete yet").noneMatch(PolicyAction.DeleteUnlockJob.class::isInstance);
        life.jobCreateAnswered(key, false, null, now, actions::add);
        assertThat(actions).anyMatch(a -> a instanceof PolicyAction.DeleteUnlockJob d && d.name().equals(create.job().getMetadata().getName()));
        assertThat(record(key).state()).isEqualTo("Queued");
        assertThat(record(key).races()).isEqualTo(1);
        actions.clear();
        life.unlockJobChanged(CLUSTER, new JobBuilder(create.job()).editMetadata().withUid("u").endMetadata().build(), List.of(), true, now,
                actions::add);
        assertThat(record(key).state()).as("the withdrawn Job's deletion is no failure").isEqualTo("Queued");
        assertThat(count(status().getTotalUnlocksFailed())).isZero();
    }

    @Test
    void aRepositoryInUseQueuesTheUnlock() {
        Pod running = new PodBuilder(failedPod("media", "jellyfin", "i2i2i")).withNewStatus().withPhase("Running").endStatus().build();
        life.podChanged(CLUSTER, PodFacts.of(CLUSTER, running), false, now, actions::add);
        Pod pod = failedPod("media", "jellyfin", "i1i1i");
        String key = fail(pod, ownJobHolderLog(pod));
        assertThat(record(key).state()).isEqualTo("Queued");
        assertThat(record(key).reason()).contains("repository in use by pod media/volsync-src-jellyfin-i2i2i");
        assertThat(actions).noneMatch(PolicyAction.CreateJob.class::isInstance);
    }

    /**
     * Issue 14: a record queued behind a busy repository wakes every re-check period; a holder the caches cannot place
     * (a NAS host) that its cluster answered absent stays absent for the same evidence (a pod of that name created after
     * the lock is not its holder), so it is not asked about again. A newer failure's log is new evidence: asked again.
     */
    @Test
    void anAbsentHolderIsAskedAboutAgainOnlyForNewerEvidence() {
        Pod running = new PodBuilder(failedPod("media", "jellyfin", "i2i2i")).withNewStatus().withPhase("Running").endStatus().build();
        life.podChanged(CLUSTER, PodFacts.of(CLUSTER, running), false, now, actions::add);
        String log = VolSyncWorld.lockLog("truenas-backup", "45m");
        String key = fail(failedPod("media", "jellyfin", "i1i1i"), log);
        assertThat(record(key).state()).isEqualTo("Queued");
        actions.clear();
        for (int i = 0; i < 5; i++) {
            now = now.plusSeconds(31);
            life.tick(now, actions::add);
        }
        assertThat(record(key).state()).isEqualTo("Queued");
        assertThat(actions).as("no question about the absent holder while the record waits").noneMatch(PolicyAction.FindHolder.class::isInstance);

        // The next mover of the repository fails on the lock, printed later: the leader asks again on it.
        now = now.plusSeconds(1);
        Pod next = failedPod("media", "jellyfin", "i3i3i");
        life.moverFailed(CLUSTER, next, FailedMover.of(next, null), next.getMetadata().getLabels(), null, now, actions::add);
        PolicyAction.ReadEvidence read = take(PolicyAction.ReadEvidence.class);
        life.detected(CLUSTER, read.podUid(), read.detector().examine(log), now, actions::add);
        assertThat(actions).as("newer evidence asks again").anyMatch(a -> a instanceof PolicyAction.FindHolder f && f.recordKey().equals(key)
                && f.podName().equals("truenas-backup"));
        answerHolders();

        // The repository frees up: the unlock goes on, on the answers it has.
        actions.clear();
        Pod done = new PodBuilder(running).withNewStatus().withPhase("Succeeded").endStatus().build();
        life.podChanged(CLUSTER, PodFacts.of(CLUSTER, done), false, now, actions::add);
        assertThat(actions).noneMatch(PolicyAction.FindHolder.class::isInstance);
        assertThat(actions).anyMatch(PolicyAction.CreateJob.class::isInstance);
    }

    /** An absent answer covers the namespaces it was asked about: a namespace sharing the repository since is asked. */
    @Test
    void anAbsentHolderIsAskedAboutAgainWhereTheRepositoryIsSharedSince() {
        String nfs = "/mnt/storage-0/volsync/jellyfin";
        Pod running = new PodBuilder(failedPod("media", "jellyfin", "k2k2k")).withNewStatus().withPhase("Running").endStatus().build();
        VolSyncObjects.mountNfsRepository(running, nfs);
        life.podChanged(CLUSTER, PodFacts.of(CLUSTER, running), false, now, actions::add);
        Pod pod = failedPod("media", "jellyfin", "k1k1k");
        VolSyncObjects.mountNfsRepository(pod, nfs);
        String key = fail(pod, VolSyncWorld.lockLog("truenas-backup", "45m"));
        assertThat(record(key).state()).isEqualTo("Queued");
        actions.clear();
        now = now.plusSeconds(31);
        life.tick(now, actions::add);
        assertThat(actions).noneMatch(PolicyAction.FindHolder.class::isInstance);

        // A pod of another namespace uses the same export now: the holder may run there, which was never asked.
        Pod other = new PodBuilder(failedPod("photos", "immich", "p1p1p")).withNewStatus().withPhase("Succeeded").endStatus().build();
        VolSyncObjects.mountNfsRepository(other, nfs);
        life.podChanged(CLUSTER, PodFacts.of(CLUSTER, other), false, now, actions::add);
        now = now.plusSeconds(31);
        life.tick(now, actions::add);
        assertThat(actions).anyMatch(a -> a instanceof PolicyAction.FindHolder f && f.recordKey().equals(key)
                && f.namespaces().equals(Set.of("media", "photos")));
    }
}
