package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.api.UnlockJobMetadata.*;

import com.rafaribe.homelab.hub.api.ActiveUnlock;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.FailureView;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the unlock life cycle knows (records, watched pods, monitors, the status book, which
 * clusters answer) and how it writes it down: a record's state, the monitor's active unlocks,
 * the read model's failures. {@link UnlockDecisions} decides on it, {@link UnlockLifecycle} takes
 * the inputs; the three are one state machine split by concern.
 */
abstract class LifecycleBooks {
    static final Logger LOG = LoggerFactory.getLogger(UnlockLifecycle.class);
    static final int MAX_DECIDED = 20_000;
    /** A finished unlock is forgotten this long after it finished; its Job's annotations and the status remember it. */
    static final Duration KEEP_FINISHED = Duration.ofHours(1);
    /** After a plain unlock removed nothing (the lock is live), the next try. */
    public static final Duration PLAIN_RETRY = Duration.ofMinutes(10);
    /** A create that failed (cluster busy or down) is tried again after this. */
    static final Duration CREATE_RETRY = Duration.ofSeconds(10);

    /**
     * An unlock Job ends within its activeDeadlineSeconds; a Running record that has not seen its
     * end this long after creating it missed it (the Job came and went while its watch was down:
     * a relist reports no deletion for an object it never listed).
     */
    static final Duration JOB_UNSEEN = Duration.ofSeconds(UnlockJobFactory.ACTIVE_DEADLINE_SECONDS).plus(Duration.ofMinutes(5));

    final Duration recheck;
    final StatusBook statuses = new StatusBook();
    final MonitorBook monitors;
    final PodTable pods = new PodTable();
    final Set<String> synced = new HashSet<>();
    /** Every cluster the hub watches, as its connection states name them. */
    final Set<String> known = new HashSet<>();
    final Set<String> down = new HashSet<>();
    final Map<String, UnlockRecord> records = new LinkedHashMap<>();
    final Map<String, Evidence> evidence = new HashMap<>();
    /** Per repository, the newest time its lock was seen written (the mover log's time minus the age it printed). */
    final Map<String, Instant> lockSeen = new HashMap<>();
    /** Failed pods already decided on; bounded, the oldest forgotten first (a restart forgets them all: state lives in the clusters). */
    final Set<String> decided = bounded(MAX_DECIDED);
    final Set<String> ignoredJobs = bounded(1_000);

    /** A failed pod whose evidence is being read; {@code watched}: its cluster's pod watch reported it (not a ReplicationSource's status). */
    record Evidence(Pod pod, FailedMover mover, Map<String, String> labels, MonitorEntry monitor, Instant printedAt, boolean watched) {
    }

    /**
     * @param allowed the images and ServiceAccounts the monitors' unlockJobTemplates may ask for
     * @param recheck how often a queued record looks again (a holder answered absent is not asked again on the same evidence)
     */
    LifecycleBooks(TrustedNamespaces trusted, UnlockAllowList allowed, Duration recheck) {
        this.recheck = recheck;
        this.monitors = new MonitorBook(trusted, allowed, statuses);
    }

    void end(UnlockRecord r, UnlockRecord.State state, String why, Instant now, Consumer<PolicyAction> out) {
        r.finishedAt = now;
        r.wakeAt = null;
        watchHolders(r, Set.of(), out);
        setState(r, state, why, out);
        updateActive(r.monitorKey, out);
    }

    /** An unlock Job was created for this pod (it may be gone since, deleted by its TTL). */
    boolean alreadyProcessed(String cluster, String podUid) {
        return monitors.of(cluster).stream().anyMatch(m -> {
            var p = statuses.processed(StatusBook.key(cluster, m.namespace(), m.name()), podUid);
            return p != null && p.getUnlockJobName() != null;
        });
    }

    void ignore(String cluster, Job job, String why) {
        if (ignoredJobs.add(cluster + "/" + job.getMetadata().getUid())) {
            LOG.warn("cluster={} namespace={} job={} decision=ignored-unlock-job why=not the hub's own unlock Job: {}", cluster,
                    job.getMetadata().getNamespace(), job.getMetadata().getName(), why);
        }
    }

    void updateActive(String monitorKey, Consumer<PolicyAction> out) {
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

    void setState(UnlockRecord r, UnlockRecord.State state, String reason, Consumer<PolicyAction> out) {
        if (state != UnlockRecord.State.Running) {
            recordLockDetected(r, out);
        }
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

    /**
     * The live holders the record waits for now: each told to its cluster again (a cluster that reconnected has
     * forgotten), those it no longer waits for let go.
     */
    static void watchHolders(UnlockRecord r, Set<UnlockRecord.HolderName> holders, Consumer<PolicyAction> out) {
        for (UnlockRecord.HolderName h : List.copyOf(r.watchedHolders)) {
            if (!holders.contains(h)) {
                out.accept(new PolicyAction.UnwatchHolder(r.key, h.cluster(), h.namespace(), h.name()));
            }
        }
        r.watchedHolders.clear();
        r.watchedHolders.addAll(holders);
        holders.forEach(h -> out.accept(new PolicyAction.WatchHolder(r.key, h.cluster(), h.namespace(), h.name())));
    }

    /** The record's LockDetected Event, if it has not been recorded yet. */
    static void recordLockDetected(UnlockRecord r, Consumer<PolicyAction> out) {
        if (r.lockEventPending != null) {
            out.accept(new PolicyAction.RecordEvent(r.cluster, Involved.failedJob(r.mover), "Warning", "LockDetected", r.lockEventPending));
            r.lockEventPending = null;
        }
    }

    void failure(String cluster, FailedMover mover, String decision, String reason, String monitorKey, Instant now, Consumer<PolicyAction> out) {
        LOG.info("cluster={} namespace={} job={} pod={} decision={} why={}", cluster, mover.namespace(), mover.jobName(), mover.podName(),
                decision, Redactor.redact(reason));
        publishFailure(cluster, mover, decision, reason, monitorKey, now, out);
    }

    static void publishFailure(String cluster, FailedMover mover, String decision, String reason, String monitorKey, Instant now,
                                       Consumer<PolicyAction> out) {
        out.accept(new PolicyAction.Publish(new FailureView(cluster, mover.namespace(), mover.jobName(), mover.podName(), mover.podUid(), decision,
                Redactor.redact(reason, 1024), monitorKey, now)));
    }

    static <T> Set<T> bounded(int max) {
        return Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<T, Boolean> eldest) {
                return size() > max;
            }
        });
    }
}
