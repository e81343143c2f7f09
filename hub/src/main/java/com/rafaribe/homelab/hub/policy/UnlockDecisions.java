package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.api.UnlockJobMetadata.*;

import com.rafaribe.homelab.hub.api.VolSyncMonitorSpec;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent.PodFact;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * When a record may unlock, and how: the holder rule on its newest evidence, whether that
 * evidence still shows the lock table (no pod or unlock of the repository since), the busy check,
 * the limits; then the unlock Job's creation, its end, or its withdrawal after a race.
 */
abstract class UnlockDecisions extends LifecycleBooks {
    UnlockDecisions(TrustedNamespaces trusted, UnlockAllowList allowed, Duration recheck) {
        super(trusted, allowed, recheck);
    }

    /** A raced unlock Job is deleted (that UID when known) and the record waits for the repository again. */
    void withdraw(UnlockRecord r, String why, Instant now, Consumer<PolicyAction> out) {
        lockTableChanged(r, now);
        out.accept(new PolicyAction.DeleteUnlockJob(r.cluster, r.mover.namespace(), r.unlockJob, r.unlockJobUid));
        statuses.countFinished(r.monitorKey, r.mover.podUid(), r.unlockJob, r.createdAt == null ? now : r.createdAt, StatusBook.Result.RACED,
                r.repository, now, why);
        if (r.unlockJob != null && pods.unlockPodsOf(r.cluster, r.mover.namespace(), r.unlockJob).stream().anyMatch(PodTable::ran)) {
            // Its unlock pod started: restic may have removed locks before the Job was deleted.
            r.evidenceStale = true;
        }
        r.mode = null;
        r.wakeAt = now.plus(recheck);
        setState(r, UnlockRecord.State.Queued, why, out);
        updateActive(r.monitorKey, out);
    }

    /**
     * A joined failure printed after the leader's evidence shows the lock table as it is now: the
     * leader decides on it. A --remove-all the leader started on older evidence that named another
     * lock is stopped before it runs (its holder rule was about a lock that may be gone).
     */
    void newerEvidence(UnlockRecord r, LockVerdict verdict, Instant lockTime, Instant printedAt, String printedBy, boolean watched,
            Instant now, Consumer<PolicyAction> out) {
        if (r.evidenceAt != null && !printedAt.isAfter(r.evidenceAt)
                || r.newerEvidenceAt != null && !printedAt.isAfter(r.newerEvidenceAt)) {
            return;
        }
        if (!r.asked.isEmpty()) {
            // The answers on their way are about the holder the older evidence named: decide on them never, ask again after.
            r.newerVerdict = verdict;
            r.newerLockTime = lockTime;
            r.newerEvidenceAt = printedAt;
            r.newerEvidenceJob = printedBy;
            r.newerEvidenceWatched = watched;
            return;
        }
        boolean sameLock = r.verdict != null && sameLock(r.verdict, verdict);
        // New evidence, new questions: what was absent when the older lock was printed is asked about again.
        r.absentAnswers.clear();
        r.verdict = verdict;
        r.lockTime = lockTime;
        r.evidenceAt = printedAt;
        r.evidenceJob = printedBy;
        r.evidenceWatched = watched;
        // Fresh, unless it names the holder seen alive and was printed before the hub saw it gone: that holder may have been
        // alive then, and its clean exit since would have removed its lock and let another process lock.
        boolean namesHolderSeenAlive = r.holderSeenAlive != null && r.holderSeenAlive.equals(holderKey(verdict));
        if (!namesHolderSeenAlive || r.holderSeenGoneAt != null && printedAt.isAfter(r.holderSeenGoneAt)) {
            r.evidenceStale = false;
            r.ranSince.clear();
            r.holderSeenAlive = null;
            r.holderSeenGoneAt = null;
        }
        r.holder = verdict.holder() != null ? verdict.holder().describe() : verdict.invalidLockFile() ? "invalid lock file" : "unknown";
        if (sameLock || r.state != UnlockRecord.State.Running || r.mode != HolderRule.Kind.REMOVE_ALL || r.unlockJob == null) {
            return;
        }
        boolean ran = pods.unlockPodsOf(r.cluster, r.mover.namespace(), r.unlockJob).stream().anyMatch(p -> "Succeeded".equals(p.phase()));
        if (ran) {
            return;
        }
        r.races++;
        String why = "a newer lock failure names " + r.holder + ", not the lock unlock Job " + r.unlockJob + " was decided on: the Job is"
                + " deleted and the unlock decided again (race " + r.races + ")";
        out.accept(new PolicyAction.DeleteUnlockJob(r.cluster, r.mover.namespace(), r.unlockJob, r.unlockJobUid));
        out.accept(new PolicyAction.RecordEvent(r.cluster, Involved.failedJob(r.mover), "Warning", "UnlockRaced", why));
        if (!r.creating) {
            statuses.countFinished(r.monitorKey, r.mover.podUid(), r.unlockJob, r.createdAt, StatusBook.Result.RACED, r.repository, now, why);
        }
        r.mode = null;
        setState(r, UnlockRecord.State.Queued, why, out);
        updateActive(r.monitorKey, out);
    }

    static String holderKey(LockVerdict v) {
        return v == null || v.holder() == null ? null : v.holder().host() + "/" + v.holder().pid();
    }

    /** The same lock file: the same storage ID, or else the same holder (host and PID). */
    static boolean sameLock(LockVerdict a, LockVerdict b) {
        if (a.invalidLockFile() != b.invalidLockFile()) {
            return false;
        }
        if (a.lockId() != null && b.lockId() != null) {
            return a.lockId().equals(b.lockId());
        }
        return a.holder() != null && b.holder() != null && a.holder().host().equals(b.holder().host()) && a.holder().pid() == b.holder().pid();
    }

    void evaluateAll(Instant now, Consumer<PolicyAction> out) {
        for (UnlockRecord r : List.copyOf(records.values())) {
            if (r.waiting()) {
                evaluate(r, now, out);
            }
        }
    }

    /** Holder first (never remove a live lock), then a busy repository, then the limits, then create. */
    void evaluate(UnlockRecord r, Instant now, Consumer<PolicyAction> out) {
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
                continue;
            }
            // The cluster whose pod watch reported the failure can place a pod of the failed mover's own Job from its cache.
            boolean own = r.evidenceWatched && c.equals(r.cluster) && ownJob(r) != null;
            PolicyAction.FindHolder question = new PolicyAction.FindHolder(r.key, c, holder.host(), allowedNamespaces(r, c),
                    own ? r.mover.namespace() : null, own ? ownJob(r) : null);
            if (question.equals(r.absentAnswers.get(c))) {
                r.answers.put(c, List.of());
            } else {
                r.asked.put(c, question);
            }
        }
        if (r.asked.isEmpty()) {
            decide(r, now, out);
            return;
        }
        List.copyOf(r.asked.values()).forEach(out);
    }

    /** The Job whose pods' names the holder rule calls the failed mover's own (as {@link #decide} passes it on). */
    static String ownJob(UnlockRecord r) {
        return r.evidenceJob != null ? r.evidenceJob : r.mover.jobName();
    }

    Set<String> clustersToAsk(UnlockRecord r) {
        Set<String> clusters = new java.util.TreeSet<>(pods.clustersSharing(r.location));
        clusters.add(r.cluster);
        return clusters;
    }

    Set<String> allowedNamespaces(UnlockRecord r, String cluster) {
        Set<String> namespaces = new java.util.TreeSet<>(pods.namespacesSharing(cluster, r.location));
        if (cluster.equals(r.cluster)) {
            namespaces.add(r.mover.namespace());
        }
        return namespaces;
    }

    void decide(UnlockRecord r, Instant now, Consumer<PolicyAction> out) {
        Map<String, Set<String>> allowed = new HashMap<>();
        Set<String> unreachable = new java.util.TreeSet<>(r.unanswered);
        if (r.location != null) {
            // A cluster not listed since the hub started, or not answering now, may run the holder where the repository is
            // shared (its pods may have changed since it was last seen): it is not known not to, so it could not be asked.
            known.stream().filter(c -> !c.equals(r.cluster) && (!synced.contains(c) || down.contains(c))).forEach(unreachable::add);
        }
        boolean askedAboutHolder = r.verdict != null && r.verdict.holder() != null && !r.verdict.holder().host().isEmpty()
                && !r.verdict.invalidLockFile();
        for (String c : clustersToAsk(r)) {
            allowed.put(c, allowedNamespaces(r, c));
            if (r.verdict != null && r.verdict.invalidLockFile() && (down.contains(c) || !synced.contains(c))) {
                unreachable.add(c);
            }
            if (askedAboutHolder && !r.answers.containsKey(c) && !r.unanswered.contains(c)) {
                // It shares the repository's location since the question went out (it listed its pods meanwhile): not asked.
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
                    deletedHolder = new HolderRule.HolderPod(a.getKey(), p.namespace(), p.name(), p.uid(), p.phase(), false, p.createdAt(), p.cause());
                }
            }
        }
        Set<String> except = new HashSet<>(Set.of(r.mover.podUid()));
        r.joined.forEach(j -> except.add(j.podUid()));
        Optional<PodFact> busy = pods.busy(r.cluster, r.repository, except);
        String busyBy = busy.map(p -> p.namespace() + "/" + p.name()).orElse(null);
        Instant seen = lockSeen.get(r.repository);
        Instant staleNotBefore = seen == null ? r.detectedAt.plus(HolderRule.STALE_AGE) : seen.plus(HolderRule.STALE_AGE);
        if (r.retryNotBefore != null && r.retryNotBefore.isAfter(staleNotBefore)) {
            staleNotBefore = r.retryNotBefore;
        }
        HolderRule.Evidence evidence = new HolderRule.Evidence(r.verdict, r.lockTime, r.cluster, r.mover.namespace(),
                r.evidenceJob != null ? r.evidenceJob : r.mover.jobName(), allowed, found, unreachable, deletedHolder, busyBy, staleNotBefore);
        HolderRule.Decision decision = HolderRule.decide(evidence, now);
        busy.filter(PodTable::ran).ifPresent(p -> r.ranSince.add(p.uid()));
        if (decision.kind() == HolderRule.Kind.WAIT) {
            // The holder still runs: when it ends (a clean exit removes its own lock), the lock table is no longer the one
            // the evidence showed.
            r.evidenceStale = true;
            if (holderKey(r.verdict) != null) {
                r.holderSeenAlive = holderKey(r.verdict);
                r.holderSeenGoneAt = null;
            }
        } else if (decision.kind() == HolderRule.Kind.REMOVE_ALL && r.holderSeenAlive != null && r.holderSeenGoneAt == null) {
            r.holderSeenGoneAt = now;
        }
        // Another unlock of the repository ended, or a pod of it started, after the evidence was printed (what the hub still
        // sees of that survives its own restart): the lock the evidence showed may be gone and another taken.
        if (decision.kind() == HolderRule.Kind.REMOVE_ALL && (r.evidenceStale || r.ranSince.stream().anyMatch(uid -> !except.contains(uid))
                || r.lockTableChangedAt != null && (r.evidenceAt == null || !r.evidenceAt.isAfter(r.lockTableChangedAt))
                || r.evidenceAt != null && pods.startedSince(r.cluster, r.repository, r.evidenceAt, except).isPresent())) {
            // Its holder is gone, but the lock it held may be too: a pod of the repository ran since, and another process
            // (a NAS job, another pod) may hold a live lock now. Only restic's own stale rule is safe until a newer failure.
            Instant at = staleNotBefore.isAfter(now) ? staleNotBefore : now;
            decision = new HolderRule.Decision(HolderRule.Kind.PLAIN, at, decision.reason() + "; but a pod of the repository ran since that"
                    + " lock was seen, so a plain restic unlock (never --remove-all) until a newer failure shows the lock again");
        }
        if (decision.kind() != HolderRule.Kind.WAIT && (r.cause == null || r.cause == LockCause.UNKNOWN)) {
            // Decided: the holder's last seen state is the one to tell (a later look may no longer find the pod).
            r.cause = HolderCause.of(evidence, r.pod, watchedCause(r, allowed));
        }
        r.answers.clear();
        r.unanswered.clear();
        if (busyBy != null && decision.kind() != HolderRule.Kind.WAIT) {
            // No unlock starts while a pod of the repository is Pending or Running: that is what the record waits for first.
            r.wakeAt = now.plus(recheck);
            setState(r, UnlockRecord.State.Queued, "repository in use by pod " + busyBy + " (" + decision.reason() + ")", out);
            return;
        }
        // A live holder is watched by name until it changes (the answer is its next change, not a poll); a wait on
        // something else (a pod of the repository, a cluster to answer) ends on that pod's or cluster's own event.
        Set<UnlockRecord.HolderName> liveHolders = new HashSet<>();
        if (decision.kind() == HolderRule.Kind.WAIT) {
            found.stream().filter(HolderRule.HolderPod::alive)
                    .forEach(p -> liveHolders.add(new UnlockRecord.HolderName(p.cluster(), p.namespace(), p.name())));
        }
        watchHolders(r, liveHolders, out);
        if (decision.kind() == HolderRule.Kind.WAIT || decision.notBefore().isAfter(now)) {
            r.wakeAt = decision.kind() == HolderRule.Kind.WAIT ? null : decision.notBefore();
            if (r.state != UnlockRecord.State.WaitingForHolder || !decision.reason().equals(r.reason)) {
                recordLockDetected(r, out);
                out.accept(new PolicyAction.RecordEvent(r.cluster, Involved.failedJob(r.mover), "Normal", "WaitingForHolder", decision.reason()));
            }
            setState(r, UnlockRecord.State.WaitingForHolder, decision.reason(), out);
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

    String capacityBlocker(UnlockRecord r) {
        int max = monitors.policy(r.cluster, r.monitorKey).map(MonitorPolicy::maxConcurrentUnlocks)
                .orElse(VolSyncMonitorSpec.DEFAULT_MAX_CONCURRENT_UNLOCKS);
        long running = records.values().stream().filter(o -> o.state == UnlockRecord.State.Running && o.monitorKey.equals(r.monitorKey)).count();
        if (running >= max) {
            return "maxConcurrentUnlocks (" + max + ") unlocks already running";
        }
        boolean sameRepository = records.values().stream().anyMatch(o -> o != r && o.state == UnlockRecord.State.Running && sharesLocks(o, r));
        return sameRepository ? "an unlock of the same repository is running" : null;
    }

    /**
     * The same repository key; or the same location (an NFS export, a URL), reached under another key or
     * from another cluster, where both failures saw the same lock: one repository. Apps whose repositories
     * are folders of one export share the location but not their locks, and do not wait for each other.
     */
    static boolean sharesLocks(UnlockRecord a, UnlockRecord b) {
        return a.cluster.equals(b.cluster) && a.repository.equals(b.repository)
                || a.location != null && a.location.equals(b.location) && a.verdict != null && b.verdict != null && sameLock(a.verdict, b.verdict);
    }

    /** What the pod watches last saw of a pod of the holder's name where it may run, live first. */
    private LockCause watchedCause(UnlockRecord r, Map<String, Set<String>> allowed) {
        if (r.verdict == null || r.verdict.holder() == null) {
            return null;
        }
        String host = r.verdict.holder().host();
        for (Map.Entry<String, Set<String>> a : allowed.entrySet()) {
            Optional<PodFact> seen = pods.named(a.getKey(), a.getValue(), host).or(() -> pods.deleted(a.getKey(), a.getValue(), host));
            if (seen.isPresent() && seen.get().cause() != null) {
                return seen.get().cause();
            }
        }
        return null;
    }

    /** An unlock ended (or was withdrawn): the others of its repository no longer see the lock table their evidence showed. */
    void lockTableChanged(UnlockRecord ended, Instant now) {
        records.values().stream().filter(o -> o != ended && sharesLocks(o, ended)).forEach(o -> o.lockTableChangedAt = now);
    }

    void create(UnlockRecord r, HolderRule.Decision decision, Instant now, Consumer<PolicyAction> out) {
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

    void finish(UnlockRecord r, StatusBook.Result result, boolean breaker, String why, Instant now, Consumer<PolicyAction> out) {
        lockTableChanged(r, now);
        boolean succeeded = result == StatusBook.Result.SUCCEEDED;
        Instant created = r.createdAt == null ? now : r.createdAt;
        // A Job whose end was counted before (a restart, a record forgotten and rebuilt) is told about once only.
        boolean toldBefore = statuses.finishCounted(r.monitorKey, r.mover.podUid(), r.unlockJob, created);
        statuses.countFinished(r.monitorKey, r.mover.podUid(), r.unlockJob, created,
                breaker ? result : StatusBook.Result.FAILED_NOT_COUNTED_BY_BREAKER, r.repository, now, why);
        end(r, succeeded ? UnlockRecord.State.Succeeded : UnlockRecord.State.Failed, why, now, out);
        if (!toldBefore) {
            out.accept(new PolicyAction.RecordEvent(r.cluster, Involved.failedJob(r.mover), succeeded ? "Normal" : "Warning",
                    succeeded ? "UnlockSucceeded" : "UnlockFailed", r.unlockJob + ": " + why
                    + (r.cause == null ? "" : "; why the lock was left: " + r.cause.words())));
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
}
