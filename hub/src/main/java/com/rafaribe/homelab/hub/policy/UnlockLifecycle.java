package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.api.UnlockJobMetadata.*;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent.PodFact;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * The unlock life cycle of every failed mover pod, as a deterministic state machine: each input
 * (a cluster's event, the answer to an earlier action, the clock) changes the records and returns
 * the actions to take through {@code out}. It reads no clock, no network and no random source, so
 * the verticle is a thin adapter and the simulation drives it through thousands of schedules.
 * Detection, holder and busy checks, the limits, the unlock Job and its outcome are decided here;
 * the rules themselves are {@link HolderRule}, {@link UnlockOutcome}, {@link StatusBook}. This class
 * takes the inputs; what it knows is {@link LifecycleBooks}, when and how it unlocks {@link UnlockDecisions}.
 */
public final class UnlockLifecycle extends UnlockDecisions {
    /** @param recheck how often a queued record looks again (a holder answered absent is not asked again on the same evidence) */
    public UnlockLifecycle(TrustedNamespaces trusted, Duration recheck) {
        this(trusted, UnlockAllowList.MOVER_ONLY, recheck);
    }

    /** @param allowed the images and ServiceAccounts the monitors' unlockJobTemplates may ask for */
    public UnlockLifecycle(TrustedNamespaces trusted, UnlockAllowList allowed, Duration recheck) {
        super(trusted, allowed, recheck);
    }

    public StatusBook statuses() {
        return statuses;
    }

    /** The records, for the read model and the simulation's invariants. */
    public Collection<UnlockRecordView> records() {
        return records.values().stream().map(UnlockRecordView::of).toList();
    }

    public void clusterSynced(String cluster, Instant now, Consumer<PolicyAction> out) {
        known.add(cluster);
        synced.add(cluster);
        down.remove(cluster);
        evaluateAll(now, out);
    }

    /** The cluster stopped answering (or answers again): a holder there cannot be checked meanwhile. */
    public void clusterDown(String cluster, boolean isDown, Instant now, Consumer<PolicyAction> out) {
        known.add(cluster);
        if (isDown) {
            down.add(cluster);
        } else if (down.remove(cluster)) {
            evaluateAll(now, out);
        }
    }

    /** A cluster no longer watched: its records end, its monitors and pods are forgotten. */
    public void clusterRemoved(String cluster) {
        clusterRemoved(cluster, "its context left the kubeconfigs");
    }

    /**
     * A cluster this hub no longer acts on ({@code why}): its records end uncounted, its monitors
     * (with their statuses), pods and decisions are forgotten, so that acting there again starts
     * from what the cluster says, as after a restart.
     */
    public void clusterRemoved(String cluster, String why) {
        records.values().removeIf(r -> r.cluster.equals(cluster));
        evidence.keySet().removeIf(k -> k.startsWith(cluster + "/"));
        monitors.forget(cluster);
        pods.forget(cluster);
        synced.remove(cluster);
        down.remove(cluster);
        known.remove(cluster);
        decided.removeIf(key -> key.startsWith(cluster + "/"));
        LOG.info("cluster={} decision=forgotten why={}", cluster, why);
    }

    public void monitorsChanged(String cluster, List<VolSyncMonitor> resources, Instant now, Consumer<PolicyAction> out) {
        monitors.replace(cluster, resources, now, out);
        // A waiting record whose monitor went away, was disabled or is no longer the governing one is re-governed.
        // One whose create is on its way (it raced meanwhile) stays until the answer: the Job it makes must be deleted.
        for (UnlockRecord r : List.copyOf(records.values())) {
            if (!r.cluster.equals(cluster) || !r.waiting() || r.creating) {
                continue;
            }
            Optional<MonitorEntry> governing = monitors.governing(cluster, r.mover, r.labels);
            boolean same = governing.isPresent() && governing.get().key().equals(r.monitorNamespace + "/" + r.monitorName);
            Optional<MonitorPolicy> policy = monitors.policy(cluster, r.monitorKey);
            if (!same || policy.isEmpty() || !policy.get().enabled()) {
                String why = governing.isEmpty() ? "no monitor governs this Job any more"
                        : !same ? "monitor " + governing.get().key() + " governs this Job now" : "the monitor is invalid or disabled now";
                end(r, UnlockRecord.State.Cancelled, "monitor " + r.monitorNamespace + "/" + r.monitorName + " changed: " + why
                        + "; the failed pod is decided again under the monitors as they are", now, out);
                records.remove(r.key);
                decided.remove(r.key);
            }
        }
        evaluateAll(now, out);
    }

    /**
     * A mover pod failed. {@code alreadyRead}: the evidence when the pod is gone (the log tail
     * VolSync kept in the ReplicationSource), else null and the pod's log is read.
     */
    public void moverFailed(String cluster, Pod pod, FailedMover mover, Map<String, String> labels, String alreadyRead,
                            Instant now, Consumer<PolicyAction> out) {
        String key = cluster + "/" + mover.podUid();
        if (records.containsKey(key) || decided.contains(key) || evidence.containsKey(key) || alreadyProcessed(cluster, mover.podUid())) {
            return;
        }
        decided.add(key);
        List<MonitorEntry> entries = monitors.of(cluster);
        Optional<MonitorEntry> governing = monitors.governing(cluster, mover, labels);
        if (governing.isEmpty()) {
            boolean untrusted = GoverningMonitor.untrustedWouldMatch(entries, mover, labels);
            failure(cluster, mover, untrusted ? "untrusted-namespace" : "no-governing-monitor", untrusted
                    ? "only monitors outside the trusted namespaces (" + monitors.trusted() + ") select this Job" : "no monitor selects this Job", null, now, out);
            return;
        }
        MonitorEntry entry = governing.get();
        if (!entry.validation().valid()) {
            failure(cluster, mover, "monitor-invalid", String.join("; ", entry.validation().problems()), entry.key(), now, out);
            return;
        }
        MonitorPolicy policy = entry.validation().policy();
        if (!policy.enabled()) {
            failure(cluster, mover, "monitor-disabled", "monitor " + entry.key() + " has enabled: false", entry.key(), now, out);
            return;
        }
        Instant printedAt = PodStates.terminated(pod).map(t -> t.getFinishedAt()).filter(t -> t != null && !t.isBlank())
                .map(Instant::parse).orElse(now);
        evidence.put(key, new Evidence(pod, mover, labels, entry, printedAt, alreadyRead == null));
        String container = MoverContainer.of(pod) == null ? null : MoverContainer.of(pod).getName();
        String message = PodStates.terminated(pod).map(t -> t.getMessage()).orElse(null);
        out.accept(new PolicyAction.ReadEvidence(cluster, mover.podUid(), mover.namespace(), mover.podName(), container, alreadyRead,
                message, policy.detector()));
    }

    /** The log could not be read: not a decision, the next report of the pod (a rescan) tries again. */
    public void evidenceUnavailable(String cluster, String podUid, String why, Instant now, Consumer<PolicyAction> out) {
        String key = cluster + "/" + podUid;
        Evidence e = evidence.remove(key);
        decided.remove(key);
        if (e != null) {
            failure(cluster, e.mover(), "log-unavailable", "could not read the pod's log yet: " + why, e.monitor().key(), now, out);
        }
    }

    public void detected(String cluster, String podUid, LockVerdict verdict, Instant now, Consumer<PolicyAction> out) {
        Evidence e = evidence.remove(cluster + "/" + podUid);
        if (e == null) {
            return;
        }
        FailedMover mover = e.mover();
        String monitorKey = StatusBook.key(cluster, e.monitor().namespace(), e.monitor().name());
        if (!verdict.lock()) {
            failure(cluster, mover, "not-a-lock", verdict.reason(), e.monitor().key(), now, out);
            return;
        }
        RepositoryKey repository = RepositoryKey.of(cluster, e.pod());
        // For the holder check, the lock's time by the pod's own end (tight: an impostor made later is no holder); for
        // staleness, by the hub's clock (late, so never early: the hub may read the log long after the pod ended).
        Instant lockTime = verdict.lockAge() == null ? null : e.printedAt().minus(verdict.lockAge());
        Instant seenFresh = verdict.lockAge() == null ? now : now.minus(verdict.lockAge());
        lockSeen.merge(repository.asString(), seenFresh, (a, b) -> a.isAfter(b) ? a : b);
        statuses.countDetected(monitorKey, mover, now, verdict.line());
        PolicyAction.RecordEvent lockDetected = new PolicyAction.RecordEvent(cluster, Involved.failedJob(mover), "Warning", "LockDetected",
                verdict.reason());
        LOG.info("cluster={} namespace={} job={} pod={} decision=lock-detected why={}", cluster, mover.namespace(), mover.jobName(),
                mover.podName(), verdict.reason());

        int failures = statuses.consecutiveFailures(monitorKey, repository.asString());
        if (failures >= MonitorConditions.CIRCUIT_LIMIT) {
            out.accept(lockDetected);
            failure(cluster, mover, "circuit-open", failures + " unlocks in a row failed for repository " + repository
                    + "; change the monitor's spec or set the " + MonitorConditions.RETRY_ANNOTATION + " annotation to retry", e.monitor().key(), now, out);
            return;
        }
        UnlockRecord leader = records.values().stream()
                .filter(r -> r.active() && r.cluster.equals(cluster) && r.repository.equals(repository.asString())).findFirst().orElse(null);
        if (leader != null) {
            out.accept(lockDetected);
            leader.joined.add(mover);
            newerEvidence(leader, verdict, lockTime, e.printedAt(), mover.jobName(), e.watched(), now, out);
            // The leader's unlock serves this pod too: a restarted hub must not unlock for it again.
            statuses.noteJoined(monitorKey, mover.podUid(), leader.unlockJob != null ? leader.unlockJob
                    : UnlockJobFactory.jobName(leader.mover.ownerName(), leader.mover.podUid(), leader.attempt + 1));
            failure(cluster, mover, "joined", "an unlock of the same repository is already " + leader.state + " for pod "
                    + leader.mover.podName(), e.monitor().key(), now, out);
            if (leader.waiting()) {
                evaluate(leader, now, out);
            }
            return;
        }
        String holder = verdict.holder() != null ? verdict.holder().describe() : verdict.invalidLockFile() ? "invalid lock file" : "unknown";
        UnlockRecord record = new UnlockRecord(cluster, mover, e.labels(), e.monitor().namespace(), e.monitor().name(), repository,
                verdict.line(), holder, now, lockTime, e.pod(), verdict);
        record.evidenceAt = e.printedAt();
        record.evidenceWatched = e.watched();
        // Listed with the others: /api/failures shows every failed mover pod; its unlock goes on in /api/unlocks.
        publishFailure(cluster, mover, "unlocked", verdict.reason(), e.monitor().key(), now, out);
        records.put(record.key, record);
        setState(record, UnlockRecord.State.Queued, "queued", out);
        // Recorded with the unlock Job's creation when that follows at once (one Event, not two), else before the wait.
        record.lockEventPending = verdict.reason();
        evaluate(record, now, out);
    }

    /** The pod path saw failures of this Job not long before VolSync gave up on it: those were handled. */
    public boolean handledRecently(String cluster, String namespace, String jobName, Instant gaveUp) {
        Instant since = gaveUp.minus(Duration.ofHours(2));
        boolean inMemory = records.values().stream().anyMatch(r -> r.cluster.equals(cluster) && namespace.equals(r.mover.namespace())
                && jobName.equals(r.mover.jobName()) && !r.detectedAt.isBefore(since));
        return inMemory || monitors.of(cluster).stream().anyMatch(m -> {
            VolSyncMonitorStatus s = statuses.get(StatusBook.key(cluster, m.namespace(), m.name()));
            return s != null && s.getProcessedJobs().stream().anyMatch(p -> namespace.equals(p.getNamespace()) && jobName.equals(p.getJobName())
                    && p.getProcessedTime() != null && !Instant.parse(p.getProcessedTime()).isBefore(since));
        });
    }

    public void podChanged(String cluster, PodFact pod, boolean deleted, Instant now, Consumer<PolicyAction> out) {
        pods.changed(cluster, pod, deleted);
        if (!pod.unlock() && !deleted && "Succeeded".equals(pod.phase())) {
            noteRecovery(cluster, pod, now, out);
            endRecoveredWaits(cluster, pod, now, out);
        }
        if (!pod.unlock() && !deleted && pod.alive()) {
            catchRace(cluster, pod, now, out);
        }
        for (UnlockRecord r : List.copyOf(records.values())) {
            boolean holderChanged = r.verdict != null && r.verdict.holder() != null && pod.name().equals(r.verdict.holder().host());
            boolean repositoryFreed = r.cluster.equals(cluster) && r.repository.equals(pod.repository());
            if ((holderChanged || repositoryFreed) && r.waiting()) {
                evaluate(r, now, out);
            }
        }
    }

    /** A watched holder (outside the pod watches) changed or went: the records waiting for it decide again. */
    public void holderChanged(String cluster, String namespace, String name, Instant now, Consumer<PolicyAction> out) {
        UnlockRecord.HolderName changed = new UnlockRecord.HolderName(cluster, namespace, name);
        for (UnlockRecord r : List.copyOf(records.values())) {
            if (r.waiting() && r.watchedHolders.contains(changed)) {
                evaluate(r, now, out);
            }
        }
    }

    /** A pod of a Job whose unlock succeeded has now succeeded: that app's backups run again. */
    private void noteRecovery(String cluster, PodFact pod, Instant now, Consumer<PolicyAction> out) {
        for (UnlockRecord r : records.values()) {
            if (r.state == UnlockRecord.State.Succeeded && r.recoveredAt == null && r.cluster.equals(cluster) && r.mover.jobName() != null
                    && r.mover.namespace().equals(pod.namespace()) && PodStates.isPodOfJob(pod.name(), r.mover.jobName())) {
                r.recoveredAt = now;
                LOG.info("cluster={} namespace={} job={} pod={} decision=recovered why=pod {} of the Job succeeded after the unlock",
                        r.cluster, r.mover.namespace(), r.mover.jobName(), r.mover.podName(), pod.name());
                out.accept(new PolicyAction.Publish(r.view()));
            }
        }
    }

    /**
     * A mover of the repository that started after the lock was printed ran to the end: the lock no
     * longer blocks its backups (a raced unlock pod that ran anyway, VolSync's own unlock). Waiting on
     * would run a plain unlock that removes nothing, every 10 minutes, on a healthy repository; a
     * newer failure is decided afresh.
     */
    private void endRecoveredWaits(String cluster, PodFact pod, Instant now, Consumer<PolicyAction> out) {
        for (UnlockRecord r : List.copyOf(records.values())) {
            if (!r.waiting() || r.creating || !r.cluster.equals(cluster) || !r.repository.equals(pod.repository())
                    || r.evidenceAt == null || pod.createdAt() == null || pod.createdAt().isBefore(r.evidenceAt)) {
                continue;
            }
            String why = "pod " + pod.namespace() + "/" + pod.name() + " of the repository succeeded after the lock was seen: the lock"
                    + " no longer blocks its backups, so no unlock is needed (a newer lock failure is decided again)";
            r.recoveredAt = now;
            out.accept(new PolicyAction.RecordEvent(cluster, Involved.failedJob(r.mover), "Normal", "BackupRecovered", why));
            LOG.info("cluster={} namespace={} job={} pod={} decision=recovered-without-unlock why={}", cluster, r.mover.namespace(),
                    r.mover.jobName(), r.mover.podName(), why);
            end(r, UnlockRecord.State.Cancelled, why, now, out);
        }
    }

    /**
     * The busy check ran when the unlock Job was created; a mover of the repository (VolSync's next
     * retry) can start before the unlock pod runs. Until an unlock pod has succeeded, such a Job is
     * deleted and waits for the repository again, and the race is recorded.
     */
    private void catchRace(String cluster, PodFact mover, Instant now, Consumer<PolicyAction> out) {
        for (UnlockRecord r : List.copyOf(records.values())) {
            if (r.state != UnlockRecord.State.Running || r.unlockJob == null || r.racedWhileCreating != null || !r.cluster.equals(cluster)
                    || !r.repository.equals(mover.repository()) || mover.uid().equals(r.mover.podUid())) {
                continue;
            }
            // Only a pod that succeeded ran restic unlock to the end; after a failed one the Job starts another (backoffLimit).
            boolean ran = pods.unlockPodsOf(cluster, r.mover.namespace(), r.unlockJob).stream().anyMatch(p -> "Succeeded".equals(p.phase()));
            if (ran) {
                continue;
            }
            r.races++;
            if (PodTable.ran(mover)) {
                r.ranSince.add(mover.uid());
            }
            String why = "pod " + mover.namespace() + "/" + mover.name() + " of the repository started before unlock Job " + r.unlockJob
                    + " ran: the Job is deleted and the unlock waits for the repository (race " + r.races + ")";
            out.accept(new PolicyAction.RecordEvent(cluster, Involved.failedJob(r.mover), "Warning", "UnlockRaced", why));
            LOG.warn("cluster={} namespace={} job={} decision=unlock-raced why={}", cluster, r.mover.namespace(), r.mover.jobName(), why);
            if (r.creating) {
                // Its create is still on the way: the Job is deleted when the answer comes.
                r.racedWhileCreating = why;
                continue;
            }
            withdraw(r, why, now, out);
        }
    }

    public void holderAnswered(String recordKey, String cluster, List<HolderRule.HolderPod> found, Instant now, Consumer<PolicyAction> out) {
        UnlockRecord r = records.get(recordKey);
        PolicyAction.FindHolder question = r == null ? null : r.asked.remove(cluster);
        if (question == null) {
            return;
        }
        if (found == null) {
            r.unanswered.add(cluster);
        } else {
            r.answers.put(cluster, found);
            if (found.isEmpty()) {
                r.absentAnswers.put(cluster, question);
            }
        }
        if (r.asked.isEmpty()) {
            if (r.newerVerdict != null) {
                LockVerdict verdict = r.newerVerdict;
                Instant lockTime = r.newerLockTime;
                Instant printedAt = r.newerEvidenceAt;
                String printedBy = r.newerEvidenceJob;
                boolean watched = r.newerEvidenceWatched;
                r.newerVerdict = null;
                r.newerLockTime = null;
                r.newerEvidenceAt = null;
                r.answers.clear();
                r.unanswered.clear();
                newerEvidence(r, verdict, lockTime, printedAt, printedBy, watched, now, out);
                evaluate(r, now, out);
                return;
            }
            decide(r, now, out);
        }
    }

    public void jobCreateAnswered(String recordKey, boolean existed, String error, Instant now, Consumer<PolicyAction> out) {
        UnlockRecord r = records.get(recordKey);
        if (r == null || !r.creating) {
            return;
        }
        r.creating = false;
        if (error != null) {
            r.racedWhileCreating = null;
            r.attempt--;
            r.unlockJob = null;
            r.mode = null;
            r.wakeAt = now.plus(CREATE_RETRY);
            // Beside the failed pod too: a refused create (a namespace the hub may not create Jobs in) says why there.
            publishFailure(r.cluster, r.mover, "unlock-not-created", error, r.monitorKey, r.detectedAt, out);
            setState(r, UnlockRecord.State.Queued, "unlock Job not created yet: " + error, out);
            return;
        }
        created(r, existed, null, now, out);
    }

    /**
     * The record's unlock Job exists: its create was answered, or its watch reported it first (the
     * answer, when it comes, then changes nothing). A record that raced while the create was on its
     * way (a mover of the repository started) deletes the Job now: the delete it asked for then may
     * have come before the Job existed.
     */
    private void created(UnlockRecord r, boolean existed, String uid, Instant now, Consumer<PolicyAction> out) {
        r.creating = false;
        // A failure once shown as "unlock-not-created" is an unlock again.
        if (r.verdict != null) {
            publishFailure(r.cluster, r.mover, "unlocked", r.verdict.reason(), r.monitorKey, r.detectedAt, out);
        }
        r.createdAt = now;
        statuses.countCreated(r.monitorKey, r.mover, r.unlockJob, now, r.matched);
        if (r.racedWhileCreating != null) {
            String raced = r.racedWhileCreating;
            r.racedWhileCreating = null;
            withdraw(r, "unlock Job " + r.unlockJob + " was created after " + raced, now, out);
            return;
        }
        if (r.state != UnlockRecord.State.Running) {
            // A create answered with an error made the Job after all, and the record has not meant it to run since.
            String why = "unlock Job " + r.unlockJob + " was created after its create was answered with an error, and the record is "
                    + r.state + " (" + r.reason + "): it is deleted before it runs";
            out.accept(new PolicyAction.DeleteUnlockJob(r.cluster, r.mover.namespace(), r.unlockJob, uid));
            statuses.countFinished(r.monitorKey, r.mover.podUid(), r.unlockJob, now, StatusBook.Result.RACED, r.repository, now, why);
            setState(r, r.state, why, out);
            return;
        }
        String why = r.reason;
        String lockEvent = r.lockEventPending;
        r.lockEventPending = null;
        setState(r, UnlockRecord.State.Running, "unlock Job " + r.unlockJob + " created: " + why, out);
        if (lockEvent != null) {
            out.accept(new PolicyAction.RecordEvent(r.cluster, Involved.failedJob(r.mover), "Warning", "LockDetected",
                    lockEvent + (existed ? "" : "; created unlock Job " + r.unlockJob + ": " + why)));
        } else if (!existed) {
            out.accept(new PolicyAction.RecordEvent(r.cluster, Involved.failedJob(r.mover), "Normal", "UnlockJobCreated",
                    "created " + r.unlockJob + ": " + why));
        }
        LOG.info("cluster={} namespace={} job={} pod={} decision=unlock-created unlockJob={} existed={} why={}", r.cluster,
                r.mover.namespace(), r.mover.jobName(), r.mover.podName(), r.unlockJob, existed, why);
        updateActive(r.monitorKey, out);
    }

    public void unlockJobChanged(String cluster, Job job, List<Pod> jobPods, boolean deleted, Instant now, Consumer<PolicyAction> out) {
        UnlockJobClaim claim = UnlockJobClaim.of(job);
        if (claim == null) {
            ignore(cluster, job, "it names no failed pod, or its name is not the one the hub gives that pod's unlock");
            return;
        }
        String key = cluster + "/" + claim.podUid();
        UnlockRecord r = records.get(key);
        PodFact failedPod = pods.get(cluster, claim.podUid());
        String expectedNamespace = r != null ? r.mover.namespace() : failedPod != null ? failedPod.namespace() : null;
        if (expectedNamespace != null && !expectedNamespace.equals(job.getMetadata().getNamespace())) {
            ignore(cluster, job, "the failed pod it names runs in namespace " + expectedNamespace);
            return;
        }
        if (r == null) {
            // A pod this hub decided on already (its record ended and was forgotten): its unlock Jobs are history.
            if (deleted || decided.contains(key)) {
                return;
            }
            r = UnlockJobClaim.rebuild(cluster, job, claim, now);
            String ns = r.mover.namespace();
            boolean governs = monitors.find(cluster, r.monitorKey).filter(MonitorEntry::trusted).filter(m -> m.validation().valid())
                    .filter(m -> m.validation().policy().namespaces() == null || m.validation().policy().namespaces().isEmpty()
                            || m.validation().policy().namespaces().contains(ns)).isPresent();
            if (!governs) {
                ignore(cluster, job, "monitor " + r.monitorNamespace + "/" + r.monitorName + " is not a trusted monitor selecting namespace " + ns);
                return;
            }
            if (statuses.laterAttempt(r.monitorKey, claim.podUid(), claim.owner(), claim.attempt(), r.unlockJob)) {
                // The status names a later attempt's Job for this pod: this one ended, and was counted, before that was made.
                return;
            }
            if (statuses.finishCounted(r.monitorKey, claim.podUid(), r.unlockJob, r.createdAt)
                    && UnlockOutcome.of(job, jobPods, now).state() == UnlockOutcome.State.RUNNING) {
                // Withdrawn after a race (its end counted) and still there: its delete was lost or has not landed yet.
                out.accept(new PolicyAction.DeleteUnlockJob(cluster, job.getMetadata().getNamespace(), r.unlockJob, job.getMetadata().getUid()));
                return;
            }
            records.put(key, r);
            decided.add(key);
            if (!statuses.createdCounted(r.monitorKey, r.mover.podUid(), r.unlockJob, r.createdAt)) {
                statuses.countCreated(r.monitorKey, r.mover, r.unlockJob, r.createdAt, r.matched);
            }
            out.accept(new PolicyAction.Publish(r.view()));
            updateActive(r.monitorKey, out);
        }
        if (r.creating && job.getMetadata().getName().equals(r.unlockJob)) {
            created(r, false, job.getMetadata().getUid(), now, out);
        } else if (!r.creating && r.waiting() && claim.attempt() == r.attempt + 1) {
            // A create answered with an error (a timeout) made the Job after all; the record no longer meant it to run now.
            r.attempt++;
            r.unlockJob = job.getMetadata().getName();
            r.mode = claim.mode();
            created(r, false, job.getMetadata().getUid(), now, out);
            return;
        }
        boolean current = job.getMetadata().getName().equals(r.unlockJob) && r.state == UnlockRecord.State.Running;
        if (!current && !deleted && !r.creating && claim.attempt() <= r.attempt
                && UnlockOutcome.of(job, jobPods, now).state() == UnlockOutcome.State.RUNNING) {
            // A withdrawn attempt's Job exists again (its delete landed first, or its create reached the server twice):
            // the record means only its current attempt to run.
            out.accept(new PolicyAction.DeleteUnlockJob(cluster, job.getMetadata().getNamespace(), job.getMetadata().getName(),
                    job.getMetadata().getUid()));
            return;
        }
        if (!current || r.terminal()) {
            return;
        }
        r.unlockJobUid = job.getMetadata().getUid();
        if (deleted) {
            finish(r, StatusBook.Result.FAILED, false, "unlock Job " + r.unlockJob + " was deleted before it finished", now, out);
            return;
        }
        UnlockOutcome.Result outcome = UnlockOutcome.of(job, jobPods, now);
        if (outcome.state() == UnlockOutcome.State.FAILED) {
            finish(r, StatusBook.Result.FAILED, true, outcome.reason(), now, out);
        } else if (outcome.state() == UnlockOutcome.State.SUCCEEDED) {
            Optional<Pod> succeeded = jobPods.stream().filter(p -> "Succeeded".equals(PodStates.phase(p))).findFirst();
            if (r.mode == HolderRule.Kind.PLAIN && succeeded.isPresent() && !r.readingLog) {
                // Whether the plain unlock removed anything is in its log only.
                r.readingLog = true;
                out.accept(new PolicyAction.ReadUnlockLog(r.key, cluster, job.getMetadata().getNamespace(), succeeded.get().getMetadata().getName()));
            } else if (!r.readingLog) {
                finish(r, StatusBook.Result.SUCCEEDED, true, outcome.reason(), now, out);
            }
        }
    }

    /** What a plain unlock printed: removed nothing means the lock is live; wait and try again. Empty: the log said nothing readable. */
    public void unlockLogRead(String recordKey, OptionalInt removed, Instant now, Consumer<PolicyAction> out) {
        UnlockRecord r = records.get(recordKey);
        if (r == null || !r.readingLog || r.state != UnlockRecord.State.Running) {
            return;
        }
        r.readingLog = false;
        if (removed.isPresent() && removed.getAsInt() == 0) {
            String why = "plain restic unlock " + r.unlockJob + " removed no lock: the lock is live (restic refreshes it while its holder runs)"
                    + "; trying again in " + PLAIN_RETRY.toMinutes() + " minutes";
            statuses.countFinished(r.monitorKey, r.mover.podUid(), r.unlockJob, r.createdAt, StatusBook.Result.NOTHING_REMOVED, r.repository, now, why);
            out.accept(new PolicyAction.RecordEvent(r.cluster, Involved.failedJob(r.mover), "Normal", "WaitingForHolder", why));
            r.mode = null;
            r.retryNotBefore = now.plus(PLAIN_RETRY);
            r.wakeAt = r.retryNotBefore;
            setState(r, UnlockRecord.State.WaitingForHolder, why, out);
            updateActive(r.monitorKey, out);
            evaluateAll(now, out);
            return;
        }
        finish(r, StatusBook.Result.SUCCEEDED, true, removed.isPresent() ? "plain restic unlock removed " + removed.getAsInt() + " stale lock(s)"
                : "plain restic unlock ran; its log does not say whether it removed the lock (restic before 0.15 does not):"
                + " a lock still live fails the next backup again, and the hub waits for it again", now, out);
    }

    public void failedJobDeleted(String recordKey, boolean deleted) {
        UnlockRecord r = records.get(recordKey);
        if (r != null && deleted) {
            statuses.countRemoved(r.monitorKey, r.mover.podUid());
        }
    }

    /** Waits that end now, create retries, and forgetting what finished long ago. */
    public void tick(Instant now, Consumer<PolicyAction> out) {
        Instant before = now.minus(KEEP_FINISHED);
        records.values().removeIf(r -> r.terminal() && r.finishedAt != null && r.finishedAt.isBefore(before));
        for (UnlockRecord r : List.copyOf(records.values())) {
            if (r.state == UnlockRecord.State.Running && !r.creating && !r.readingLog && r.createdAt != null
                    && r.createdAt.plus(JOB_UNSEEN).isBefore(now)) {
                finish(r, StatusBook.Result.FAILED, false, "unlock Job " + r.unlockJob + " was not seen to end within "
                        + JOB_UNSEEN.toMinutes() + " minutes of its creation: it ended while its cluster's watch was down", now, out);
            }
        }
        for (UnlockRecord r : List.copyOf(records.values())) {
            if (r.waiting() && r.wakeAt != null && !r.wakeAt.isAfter(now)) {
                evaluate(r, now, out);
            }
        }
    }
}
