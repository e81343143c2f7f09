package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One failed mover pod whose log showed a lock, from detection to the unlock's outcome. */
final class UnlockRecord {
    /**
     * Queued (repository busy or the limit reached), WaitingForHolder (the holder lives, or the lock
     * cannot be stale yet), Running (an unlock Job exists), then one of: Succeeded, Failed, or
     * Cancelled (nothing left to do: the monitor went away, the cluster was removed).
     */
    enum State { Queued, WaitingForHolder, Running, Succeeded, Failed, Cancelled }

    final String key;
    final String cluster;
    final FailedMover mover;
    final Map<String, String> labels;
    final String monitorNamespace;
    final String monitorName;
    final String monitorKey;
    final String repository;
    final String location;
    final String matched;
    /** The holder as the newest evidence names it. */
    String holder;
    final Instant detectedAt;
    /** When the lock was last written, by the age the newest evidence printed; null when it printed none. */
    Instant lockTime;
    /** The failed pod (or the pod template of a rebuilt unlock Job), mirrored by every unlock Job. */
    final Pod pod;
    /** The newest evidence's verdict: the leader's own, or a joined failure's printed later; null when rebuilt after a restart. */
    LockVerdict verdict;
    /** When the newest evidence was printed (the failed pod's end); null when rebuilt. */
    Instant evidenceAt;
    /**
     * Another pod of the repository ran (a race, a busy repository), or the holder was seen alive,
     * since the newest evidence: the lock it saw may be gone and another taken since, so no
     * --remove-all until a newer failure shows the lock table again.
     */
    boolean evidenceStale;
    /**
     * Pods of the repository seen running since the newest evidence (a race, a busy repository): unless
     * each turns out to be a failure on the same lock (joined), the lock table may have changed.
     */
    final java.util.Set<String> ranSince = new java.util.HashSet<>();
    /** The holder (host/PID) seen alive: a newer failure naming it is stale too, unless printed after it was seen gone. */
    String holderSeenAlive;
    /** When the hub first saw that holder gone (terminated or deleted). */
    Instant holderSeenGoneAt;
    /**
     * When another unlock of the same repository or location last ended: it may have removed the
     * lock this record's evidence showed, and another process may have locked since.
     */
    Instant lockTableChangedAt;
    /** Newer evidence that came while holder questions about the older one were out: adopted once they are answered. */
    LockVerdict newerVerdict;
    Instant newerLockTime;
    Instant newerEvidenceAt;
    String newerEvidenceJob;
    boolean newerEvidenceWatched;
    /** The Job of the failed pod that printed the newest evidence: a holder named like its pods is one of its own. */
    String evidenceJob;
    /** The newest evidence came from a failed pod its cluster's pod watch reported (not from a ReplicationSource's status). */
    boolean evidenceWatched;
    final List<FailedMover> joined = new ArrayList<>();
    /**
     * The LockDetected Event not yet recorded: an unlock Job created at once says both in one Event;
     * anything else (a wait, a busy repository, an end) records it first.
     */
    String lockEventPending;
    /** Why the lock was left behind, from the holder as last seen when the unlock was decided; null until then. */
    LockCause cause;

    State state = State.Queued;
    String reason = "queued";
    HolderRule.Kind mode;
    int attempt;
    String unlockJob;
    String unlockJobUid;
    Instant createdAt;
    Instant finishedAt;
    Instant recoveredAt;
    /** Look again no later than this (waits with a stated end; a live holder is watched instead). */
    Instant wakeAt;
    /** After a plain unlock removed nothing: no new unlock before this. */
    Instant retryNotBefore;
    /** A create request or holder question is out: wait for its answer. */
    boolean creating;
    /** A plain unlock succeeded and its log is being read: did it remove anything? */
    boolean readingLog;
    /** The holder questions out, by cluster: wait for their answers. */
    final Map<String, PolicyAction.FindHolder> asked = new HashMap<>();
    /**
     * By cluster, the holder question it answered "no pod of that name": true for good on the same evidence (the holder
     * ran when the lock was written, before the question; a pod of that name created since is not it), so asked again only
     * when the question changes (newer evidence, more namespaces sharing the repository), never each re-check.
     */
    final Map<String, PolicyAction.FindHolder> absentAnswers = new HashMap<>();
    /** The live holders this record waits for, told to their clusters ({@link PolicyAction.WatchHolder}). */
    final Set<HolderName> watchedHolders = new HashSet<>();

    /** A holder by name, as a watch on it is kept. */
    record HolderName(String cluster, String namespace, String name) {
    }
    final Map<String, List<HolderRule.HolderPod>> answers = new HashMap<>();
    final Set<String> unanswered = new HashSet<>();
    int races;
    /** A mover of the repository started while the create was on its way: withdraw the Job once it is answered. */
    String racedWhileCreating;

    UnlockRecord(String cluster, FailedMover mover, Map<String, String> labels, String monitorNamespace, String monitorName,
                 RepositoryKey repository, String matched, String holder, Instant detectedAt, Instant lockTime, Pod pod, LockVerdict verdict) {
        this.key = cluster + "/" + mover.podUid();
        this.cluster = cluster;
        this.mover = mover;
        this.labels = labels == null ? Map.of() : Map.copyOf(labels);
        this.monitorNamespace = monitorNamespace;
        this.monitorName = monitorName;
        this.monitorKey = StatusBook.key(cluster, monitorNamespace, monitorName);
        this.repository = repository.asString();
        this.location = repository.location();
        this.matched = matched;
        this.holder = holder;
        this.detectedAt = detectedAt;
        this.lockTime = lockTime;
        this.pod = pod;
        this.verdict = verdict;
    }

    boolean active() {
        return state == State.Queued || state == State.WaitingForHolder || state == State.Running;
    }

    boolean terminal() {
        return !active();
    }

    boolean waiting() {
        return state == State.Queued || state == State.WaitingForHolder;
    }

    UnlockView view() {
        return new UnlockView(cluster, mover.namespace(), monitorNamespace + "/" + monitorName, mover.ownerName(), mover.jobName(), mover.podName(),
                mover.podUid(), unlockJob, state.name(), Redactor.redact(reason), Redactor.redact(matched), holder, repository,
                detectedAt, createdAt, finishedAt, recoveredAt, cause == null ? null : Redactor.redact(cause.words()),
                cause == null ? null : cause.label());
    }
}
