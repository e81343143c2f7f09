package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.api.UnlockJobMetadata.*;

import com.rafaribe.homelab.hub.api.ActiveUnlock;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorSpec;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent.PodFact;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.FailureView;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unlock life cycle of every failed mover pod, as a deterministic state machine: each input
 * (a cluster's event, the answer to an earlier action, the clock) changes the records and returns
 * the actions to take through {@code out}. It reads no clock, no network and no random source, so
 * the verticle is a thin adapter and the simulation drives it through thousands of schedules.
 * Detection, holder and busy checks, the limits, the unlock Job and its outcome are decided here;
 * the rules themselves are {@link HolderRule}, {@link UnlockOutcome}, {@link StatusBook}.
 */
public final class UnlockLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(UnlockLifecycle.class);
    static final int MAX_DECIDED = 20_000;
    /** A finished unlock is forgotten this long after it finished; its Job's annotations and the status remember it. */
    static final Duration KEEP_FINISHED = Duration.ofHours(1);
    /** After a plain unlock removed nothing (the lock is live), the next try. */
    public static final Duration PLAIN_RETRY = Duration.ofMinutes(10);
    /** A create that failed (cluster busy or down) is tried again after this. */
    static final Duration CREATE_RETRY = Duration.ofSeconds(10);

    private final Duration recheck;
    private final StatusBook statuses = new StatusBook();
    private final MonitorBook monitors;
    private final PodTable pods = new PodTable();
    private final Set<String> synced = new HashSet<>();
    private final Set<String> down = new HashSet<>();
    private final Map<String, UnlockRecord> records = new LinkedHashMap<>();
    private final Map<String, Evidence> evidence = new HashMap<>();
    /** Per repository, the newest time its lock was seen written (the mover log's time minus the age it printed). */
    private final Map<String, Instant> lockSeen = new HashMap<>();
    /** Failed pods already decided on; bounded, the oldest forgotten first (a restart forgets them all: state lives in the clusters). */
    private final Set<String> decided = bounded(MAX_DECIDED);
    private final Set<String> ignoredJobs = bounded(1_000);

    /** A failed pod whose evidence is being read. */
    private record Evidence(Pod pod, FailedMover mover, Map<String, String> labels, MonitorEntry monitor, Instant printedAt) {
    }

    /** @param recheck how often a holder outside the watched pods is asked about again */
    public UnlockLifecycle(TrustedNamespaces trusted, Duration recheck) {
        this(trusted, UnlockAllowList.MOVER_ONLY, recheck);
    }

    /** @param allowed the images and ServiceAccounts the monitors' unlockJobTemplates may ask for */
    public UnlockLifecycle(TrustedNamespaces trusted, UnlockAllowList allowed, Duration recheck) {
        this.recheck = recheck;
        this.monitors = new MonitorBook(trusted, allowed, statuses);
    }

    public StatusBook statuses() {
        return statuses;
    }

    /** The records, for the read model and the simulation's invariants. */
    public Collection<UnlockRecordView> records() {
        return records.values().stream().map(UnlockRecordView::of).toList();
    }

    // ---- clusters ----

    public void clusterSynced(String cluster, Instant now, Consumer<PolicyAction> out) {
        synced.add(cluster);
        down.remove(cluster);
        evaluateAll(now, out);
    }

    /** The cluster stopped answering (or answers again): a holder there cannot be checked meanwhile. */
    public void clusterDown(String cluster, boolean isDown, Instant now, Consumer<PolicyAction> out) {
        if (isDown) {
            down.add(cluster);
        } else if (down.remove(cluster)) {
            evaluateAll(now, out);
        }
    }

    /** A cluster no longer watched: its records end, its monitors and pods are forgotten. */
    public void clusterRemoved(String cluster) {
        records.values().removeIf(r -> r.cluster.equals(cluster));
        evidence.keySet().removeIf(k -> k.startsWith(cluster + "/"));
        monitors.forget(cluster);
        pods.forget(cluster);
        synced.remove(cluster);
        down.remove(cluster);
        decided.removeIf(key -> key.startsWith(cluster + "/"));
        LOG.info("cluster={} decision=forgotten why=its context left the kubeconfigs", cluster);
    }

    // ---- monitors ----

    public void monitorsChanged(String cluster, List<VolSyncMonitor> resources, Instant now, Consumer<PolicyAction> out) {
        monitors.replace(cluster, resources, now, out);
        // A waiting record whose monitor went away, was disabled or is no longer the governing one is re-governed.
        for (UnlockRecord r : List.copyOf(records.values())) {
            if (!r.cluster.equals(cluster) || !r.waiting()) {
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

    // ---- failed movers ----

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
        evidence.put(key, new Evidence(pod, mover, labels, entry, printedAt));
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
        out.accept(new PolicyAction.RecordEvent(cluster, Involved.failedJob(mover), "Warning", "LockDetected", verdict.reason()));
        LOG.info("cluster={} namespace={} job={} pod={} decision=lock-detected why={}", cluster, mover.namespace(), mover.jobName(),
                mover.podName(), verdict.reason());

        int failures = statuses.consecutiveFailures(monitorKey, repository.asString());
        if (failures >= MonitorConditions.CIRCUIT_LIMIT) {
            failure(cluster, mover, "circuit-open", failures + " unlocks in a row failed for repository " + repository
                    + "; change the monitor's spec or set the " + MonitorConditions.RETRY_ANNOTATION + " annotation to retry", e.monitor().key(), now, out);
            return;
        }
        UnlockRecord leader = records.values().stream()
                .filter(r -> r.active() && r.cluster.equals(cluster) && r.repository.equals(repository.asString())).findFirst().orElse(null);
        if (leader != null) {
            leader.joined.add(mover);
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
        // Listed with the others: /api/failures shows every failed mover pod; its unlock goes on in /api/unlocks.
        publishFailure(cluster, mover, "unlocked", verdict.reason(), e.monitor().key(), now, out);
        records.put(record.key, record);
        setState(record, UnlockRecord.State.Queued, "queued", out);
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

    // ---- pods ----

    public void podChanged(String cluster, PodFact pod, boolean deleted, Instant now, Consumer<PolicyAction> out) {
        pods.changed(cluster, pod, deleted);
        if (!pod.unlock() && !deleted && "Succeeded".equals(pod.phase())) {
            noteRecovery(cluster, pod, now, out);
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
     * The busy check ran when the unlock Job was created; a mover of the repository (VolSync's next
     * retry) can start before the unlock pod runs. Until an unlock pod has finished, such a Job is
     * deleted and waits for the repository again, and the race is recorded.
     */
    private void catchRace(String cluster, PodFact mover, Instant now, Consumer<PolicyAction> out) {
        for (UnlockRecord r : List.copyOf(records.values())) {
            if (r.state != UnlockRecord.State.Running || r.unlockJob == null || r.racedWhileCreating != null || !r.cluster.equals(cluster)
                    || !r.repository.equals(mover.repository()) || mover.uid().equals(r.mover.podUid())) {
                continue;
            }
            boolean ran = pods.unlockPodsOf(cluster, r.mover.namespace(), r.unlockJob).stream().anyMatch(p -> !p.alive());
            if (ran) {
                continue;
            }
            r.races++;
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

    /** A raced unlock Job is deleted (that UID when known) and the record waits for the repository again. */
    private void withdraw(UnlockRecord r, String why, Instant now, Consumer<PolicyAction> out) {
        out.accept(new PolicyAction.DeleteUnlockJob(r.cluster, r.mover.namespace(), r.unlockJob, r.unlockJobUid));
        statuses.countFinished(r.monitorKey, r.mover.podUid(), r.unlockJob, r.createdAt == null ? now : r.createdAt, StatusBook.Result.RACED,
                r.repository, now, why);
        r.mode = null;
        r.wakeAt = now.plus(recheck);
        setState(r, UnlockRecord.State.Queued, why, out);
        updateActive(r.monitorKey, out);
    }

    // ---- holder ----

    public void holderAnswered(String recordKey, String cluster, List<HolderRule.HolderPod> found, Instant now, Consumer<PolicyAction> out) {
        UnlockRecord r = records.get(recordKey);
        if (r == null || !r.asked.remove(cluster)) {
            return;
        }
        if (found == null) {
            r.unanswered.add(cluster);
        } else {
            r.answers.put(cluster, found);
        }
        if (r.asked.isEmpty()) {
            decide(r, now, out);
        }
    }

    // ---- unlock Jobs ----

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
            setState(r, UnlockRecord.State.Queued, "unlock Job not created yet: " + error, out);
            return;
        }
        r.createdAt = now;
        statuses.countCreated(r.monitorKey, r.mover, r.unlockJob, now, r.matched);
        if (r.racedWhileCreating != null) {
            String raced = r.racedWhileCreating;
            r.racedWhileCreating = null;
            withdraw(r, raced, now, out);
            return;
        }
        String why = r.reason;
        setState(r, UnlockRecord.State.Running, "unlock Job " + r.unlockJob + " created: " + why, out);
        if (!existed) {
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
            if (deleted) {
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
            records.put(key, r);
            decided.add(key);
            if (!statuses.createdCounted(r.monitorKey, r.mover.podUid(), r.unlockJob, r.createdAt)) {
                statuses.countCreated(r.monitorKey, r.mover, r.unlockJob, r.createdAt, r.matched);
            }
            out.accept(new PolicyAction.Publish(r.view()));
            updateActive(r.monitorKey, out);
        }
        if (!job.getMetadata().getName().equals(r.unlockJob) || r.terminal() || r.state != UnlockRecord.State.Running) {
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

    // ---- time ----

    /** Waits that end now, create retries, and forgetting what finished long ago. */
    public void tick(Instant now, Consumer<PolicyAction> out) {
        Instant before = now.minus(KEEP_FINISHED);
        records.values().removeIf(r -> r.terminal() && r.finishedAt != null && r.finishedAt.isBefore(before));
        for (UnlockRecord r : List.copyOf(records.values())) {
            if (r.waiting() && r.wakeAt != null && !r.wakeAt.isAfter(now)) {
                evaluate(r, now, out);
            }
        }
    }

    // ---- deciding ----

    private void evaluateAll(Instant now, Consumer<PolicyAction> out) {
        for (UnlockRecord r : List.copyOf(records.values())) {
            if (r.waiting()) {
                evaluate(r, now, out);
            }
        }
    }

    /** Holder first (never remove a live lock), then a busy repository, then the limits, then create. */
    private void evaluate(UnlockRecord r, Instant now, Consumer<PolicyAction> out) {
        if (!r.waiting() || r.creating || !r.asked.isEmpty() || records.get(r.key) != r) {
            return;
        }
        if (!synced.contains(r.cluster)) {
            // Its pods and Jobs are not all known yet: no decision on half a picture.
            setState(r, UnlockRecord.State.Queued, "waiting for cluster " + r.cluster + " to list its pods and Jobs", out);
            return;
        }
        LockHolder holder = r.verdict == null ? null : r.verdict.holder();
        if (holder == null || holder.host().isEmpty() || r.verdict.invalidLockFile()) {
            decide(r, now, out);
            return;
        }
        r.answers.clear();
        r.unanswered.clear();
        for (String c : clustersToAsk(r)) {
            if (down.contains(c) || !synced.contains(c)) {
                r.unanswered.add(c);
            } else {
                r.asked.add(c);
            }
        }
        if (r.asked.isEmpty()) {
            decide(r, now, out);
            return;
        }
        for (String c : List.copyOf(r.asked)) {
            out.accept(new PolicyAction.FindHolder(r.key, c, holder.host(), allowedNamespaces(r, c)));
        }
    }

    private Set<String> clustersToAsk(UnlockRecord r) {
        Set<String> clusters = new java.util.TreeSet<>(pods.clustersSharing(r.location));
        clusters.add(r.cluster);
        return clusters;
    }

    private Set<String> allowedNamespaces(UnlockRecord r, String cluster) {
        Set<String> namespaces = new java.util.TreeSet<>(pods.namespacesSharing(cluster, r.location));
        if (cluster.equals(r.cluster)) {
            namespaces.add(r.mover.namespace());
        }
        return namespaces;
    }

    private void decide(UnlockRecord r, Instant now, Consumer<PolicyAction> out) {
        Map<String, Set<String>> allowed = new HashMap<>();
        Set<String> unreachable = new java.util.TreeSet<>(r.unanswered);
        for (String c : clustersToAsk(r)) {
            allowed.put(c, allowedNamespaces(r, c));
            if (r.verdict != null && r.verdict.invalidLockFile() && (down.contains(c) || !synced.contains(c))) {
                unreachable.add(c);
            }
        }
        List<HolderRule.HolderPod> found = new ArrayList<>();
        r.answers.values().forEach(found::addAll);
        HolderRule.HolderPod deletedHolder = null;
        if (r.verdict != null && r.verdict.holder() != null) {
            for (Map.Entry<String, Set<String>> a : allowed.entrySet()) {
                Optional<PodFact> gone = pods.deleted(a.getKey(), a.getValue(), r.verdict.holder().host());
                if (gone.isPresent()) {
                    PodFact p = gone.get();
                    deletedHolder = new HolderRule.HolderPod(a.getKey(), p.namespace(), p.name(), p.uid(), p.phase(), false, p.createdAt());
                }
            }
        }
        Set<String> except = new HashSet<>(Set.of(r.mover.podUid()));
        r.joined.forEach(j -> except.add(j.podUid()));
        String busyBy = pods.busy(r.cluster, r.repository, except).map(p -> p.namespace() + "/" + p.name()).orElse(null);
        Instant seen = lockSeen.get(r.repository);
        Instant staleNotBefore = seen == null ? r.detectedAt.plus(HolderRule.STALE_AGE) : seen.plus(HolderRule.STALE_AGE);
        if (r.retryNotBefore != null && r.retryNotBefore.isAfter(staleNotBefore)) {
            staleNotBefore = r.retryNotBefore;
        }
        HolderRule.Decision decision = HolderRule.decide(new HolderRule.Evidence(r.verdict, r.lockTime, r.cluster, r.mover.namespace(),
                r.mover.jobName(), allowed, found, unreachable, deletedHolder, busyBy, staleNotBefore), now);
        r.answers.clear();
        r.unanswered.clear();
        if (decision.kind() == HolderRule.Kind.WAIT || decision.notBefore().isAfter(now)) {
            r.wakeAt = decision.kind() == HolderRule.Kind.WAIT ? now.plus(recheck) : decision.notBefore();
            if (r.state != UnlockRecord.State.WaitingForHolder || !decision.reason().equals(r.reason)) {
                out.accept(new PolicyAction.RecordEvent(r.cluster, Involved.failedJob(r.mover), "Normal", "WaitingForHolder", decision.reason()));
            }
            setState(r, UnlockRecord.State.WaitingForHolder, decision.reason(), out);
            return;
        }
        if (busyBy != null) {
            r.wakeAt = now.plus(recheck);
            setState(r, UnlockRecord.State.Queued, "repository in use by pod " + busyBy + " (" + decision.reason() + ")", out);
            return;
        }
        String blocker = capacityBlocker(r);
        if (blocker != null) {
            r.wakeAt = now.plus(recheck);
            setState(r, UnlockRecord.State.Queued, blocker, out);
            return;
        }
        create(r, decision, now, out);
    }

    private String capacityBlocker(UnlockRecord r) {
        int max = monitors.policy(r.cluster, r.monitorKey).map(MonitorPolicy::maxConcurrentUnlocks)
                .orElse(VolSyncMonitorSpec.DEFAULT_MAX_CONCURRENT_UNLOCKS);
        long running = records.values().stream().filter(o -> o.state == UnlockRecord.State.Running && o.monitorKey.equals(r.monitorKey)).count();
        if (running >= max) {
            return "maxConcurrentUnlocks (" + max + ") unlocks already running";
        }
        boolean sameRepository = records.values().stream().anyMatch(o -> o != r && o.state == UnlockRecord.State.Running
                && o.cluster.equals(r.cluster) && o.repository.equals(r.repository));
        return sameRepository ? "an unlock of the same repository is running" : null;
    }

    private void create(UnlockRecord r, HolderRule.Decision decision, Instant now, Consumer<PolicyAction> out) {
        Optional<MonitorPolicy> policy = monitors.policy(r.cluster, r.monitorKey);
        if (policy.isEmpty() || !policy.get().enabled()) {
            r.wakeAt = now.plus(recheck);
            setState(r, UnlockRecord.State.Queued, "the governing monitor changed; waiting for it", out);
            return;
        }
        r.attempt++;
        r.mode = decision.kind();
        Job job = UnlockJobFactory.build(new UnlockRequest(r.cluster, r.pod, r.mover, policy.get(), r.verdict == null ? UnlockJobClaim.NO_VERDICT : r.verdict,
                RepositoryKey.of(r.cluster, r.pod), r.mode, r.attempt));
        r.unlockJob = job.getMetadata().getName();
        r.unlockJobUid = null;
        r.creating = true;
        r.wakeAt = null;
        setState(r, UnlockRecord.State.Running, decision.reason(), out);
        out.accept(new PolicyAction.CreateJob(r.key, r.cluster, job));
    }

    private void finish(UnlockRecord r, StatusBook.Result result, boolean breaker, String why, Instant now, Consumer<PolicyAction> out) {
        boolean succeeded = result == StatusBook.Result.SUCCEEDED;
        Instant created = r.createdAt == null ? now : r.createdAt;
        // A Job whose end was counted before (a restart, a record forgotten and rebuilt) is told about once only.
        boolean toldBefore = statuses.finishCounted(r.monitorKey, r.mover.podUid(), r.unlockJob, created);
        statuses.countFinished(r.monitorKey, r.mover.podUid(), r.unlockJob, created,
                breaker ? result : StatusBook.Result.FAILED_NOT_COUNTED_BY_BREAKER, r.repository, now, why);
        end(r, succeeded ? UnlockRecord.State.Succeeded : UnlockRecord.State.Failed, why, now, out);
        if (!toldBefore) {
            out.accept(new PolicyAction.RecordEvent(r.cluster, Involved.failedJob(r.mover), succeeded ? "Normal" : "Warning",
                    succeeded ? "UnlockSucceeded" : "UnlockFailed", r.unlockJob + ": " + why));
            LOG.info("cluster={} namespace={} job={} pod={} decision={} unlockJob={} why={}", r.cluster, r.mover.namespace(), r.mover.jobName(),
                    r.mover.podName(), succeeded ? "unlock-succeeded" : "unlock-failed", r.unlockJob, why);
            if (!succeeded && statuses.consecutiveFailures(r.monitorKey, r.repository) >= MonitorConditions.CIRCUIT_LIMIT) {
                out.accept(new PolicyAction.RecordEvent(r.cluster, Involved.monitor(r.monitorNamespace, r.monitorName, null), "Warning",
                        "UnlockFailed", "circuit open: " + MonitorConditions.CIRCUIT_LIMIT + " unlocks in a row failed for " + r.repository
                        + "; set the " + MonitorConditions.RETRY_ANNOTATION + " annotation to retry"));
                monitors.refresh(r.cluster, r.monitorKey, now, out);
            }
        }
        var processed = statuses.processed(r.monitorKey, r.mover.podUid());
        boolean removed = processed != null && Boolean.TRUE.equals(processed.getRemoved());
        boolean remove = monitors.policy(r.cluster, r.monitorKey).map(MonitorPolicy::removeFailedJobs).orElse(false);
        if (succeeded && remove && !removed && r.mover.jobUid() != null && r.mover.jobName() != null) {
            // Only after its unlock succeeded, only that very Job (UID), only while none of its pods runs.
            out.accept(new PolicyAction.DeleteFailedJob(r.key, r.cluster, r.mover.namespace(), r.mover.jobName(), r.mover.jobUid()));
        }
        evaluateAll(now, out);
    }

    private void end(UnlockRecord r, UnlockRecord.State state, String why, Instant now, Consumer<PolicyAction> out) {
        r.finishedAt = now;
        r.wakeAt = null;
        setState(r, state, why, out);
        updateActive(r.monitorKey, out);
    }

    // ---- bookkeeping ----

    /** An unlock Job was created for this pod (it may be gone since, deleted by its TTL). */
    private boolean alreadyProcessed(String cluster, String podUid) {
        return monitors.of(cluster).stream().anyMatch(m -> {
            var p = statuses.processed(StatusBook.key(cluster, m.namespace(), m.name()), podUid);
            return p != null && p.getUnlockJobName() != null;
        });
    }

    private void ignore(String cluster, Job job, String why) {
        if (ignoredJobs.add(cluster + "/" + job.getMetadata().getUid())) {
            LOG.warn("cluster={} namespace={} job={} decision=ignored-unlock-job why=not the hub's own unlock Job: {}", cluster,
                    job.getMetadata().getNamespace(), job.getMetadata().getName(), why);
        }
    }

    private void updateActive(String monitorKey, Consumer<PolicyAction> out) {
        statuses.update(monitorKey, s -> {
            s.getActiveUnlocks().clear();
            records.values().stream().filter(r -> r.active() && r.monitorKey.equals(monitorKey)).forEach(r -> {
                ActiveUnlock a = new ActiveUnlock();
                a.setAppName(r.mover.ownerName());
                a.setNamespace(r.mover.namespace());
                a.setObjectName(r.mover.ownerName());
                a.setJobName(r.unlockJob == null ? UnlockJobFactory.jobName(r.mover.ownerName(), r.mover.podUid(), r.attempt + 1) : r.unlockJob);
                a.setStartTime((r.createdAt == null ? r.detectedAt : r.createdAt).toString());
                a.setAlertFingerprint(r.mover.namespace() + "-" + r.mover.jobName());
                a.setState(r.state.name());
                a.setFailedJob(r.mover.jobName());
                a.setPodUid(r.mover.podUid());
                s.getActiveUnlocks().add(a);
            });
            s.setActiveUnlockCount(s.getActiveUnlocks().size());
        });
        String cluster = monitorKey.substring(0, monitorKey.indexOf('/'));
        monitors.publish(cluster, monitorKey, out);
    }

    private void setState(UnlockRecord r, UnlockRecord.State state, String reason, Consumer<PolicyAction> out) {
        boolean changed = r.state != state || !reason.equals(r.reason);
        r.state = state;
        r.reason = reason;
        if (changed) {
            if (r.waiting()) {
                LOG.info("cluster={} namespace={} job={} pod={} decision={} why={}", r.cluster, r.mover.namespace(), r.mover.jobName(),
                        r.mover.podName(), state, reason);
            }
            out.accept(new PolicyAction.Publish(r.view()));
            updateActive(r.monitorKey, out);
        }
    }

    private void failure(String cluster, FailedMover mover, String decision, String reason, String monitorKey, Instant now, Consumer<PolicyAction> out) {
        LOG.info("cluster={} namespace={} job={} pod={} decision={} why={}", cluster, mover.namespace(), mover.jobName(), mover.podName(),
                decision, Redactor.redact(reason));
        publishFailure(cluster, mover, decision, reason, monitorKey, now, out);
    }

    private static void publishFailure(String cluster, FailedMover mover, String decision, String reason, String monitorKey, Instant now,
                                       Consumer<PolicyAction> out) {
        out.accept(new PolicyAction.Publish(new FailureView(cluster, mover.namespace(), mover.jobName(), mover.podName(), mover.podUid(), decision,
                Redactor.redact(reason, 1024), monitorKey, now)));
    }

    private static <T> Set<T> bounded(int max) {
        return Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<T, Boolean> eldest) {
                return size() > max;
            }
        });
    }
}
