package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One failed mover pod whose log showed a lock, from detection to the unlock's outcome. */
final class UnlockRecord {
    enum State { Queued, WaitingForHolder, Running, Succeeded, Failed }

    final String cluster;
    final FailedMover mover;
    final String monitorNamespace;
    final String monitorName;
    final String monitorKey;
    final String repository;
    final String matched;
    final String holder;
    final Instant detectedAt;
    /** The failed pod and verdict; null for a record rebuilt from an unlock Job after a restart. */
    final Pod pod;
    final LockVerdict verdict;
    final List<FailedMover> joined = new ArrayList<>();

    State state = State.Queued;
    String reason = "queued";
    String unlockJob;
    Instant createdAt;
    Instant finishedAt;
    /** When a pod of the failed Job first succeeded after the unlock: the backup recovered. */
    Instant recoveredAt;
    boolean evaluating;
    long timer = -1;

    UnlockRecord(String cluster, FailedMover mover, String monitorNamespace, String monitorName, String repository, String matched,
                 String holder, Instant detectedAt, Pod pod, LockVerdict verdict) {
        this.cluster = cluster;
        this.mover = mover;
        this.monitorNamespace = monitorNamespace;
        this.monitorName = monitorName;
        this.monitorKey = MonitorStatusWriter.key(cluster, monitorNamespace, monitorName);
        this.repository = repository;
        this.matched = matched;
        this.holder = holder;
        this.detectedAt = detectedAt;
        this.pod = pod;
        this.verdict = verdict;
    }

    boolean active() {
        return state == State.Queued || state == State.WaitingForHolder || state == State.Running;
    }

    boolean terminal() {
        return state == State.Succeeded || state == State.Failed;
    }

    UnlockView view() {
        return new UnlockView(cluster, mover.namespace(), monitorNamespace + "/" + monitorName, mover.ownerName(), mover.jobName(), mover.podName(),
                mover.podUid(), unlockJob, state.name(), Redactor.redact(reason), Redactor.redact(matched), holder, repository,
                detectedAt, createdAt, finishedAt, recoveredAt);
    }
}
