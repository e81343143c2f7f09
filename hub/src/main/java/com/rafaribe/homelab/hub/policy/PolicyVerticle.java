package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.api.UnlockJobMetadata.*;

import com.rafaribe.homelab.hub.api.ProcessedJob;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent;
import com.rafaribe.homelab.hub.api.bus.CommandReply;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.FailureView;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only stateful decider. Fed by every cluster's events, it picks the governing monitor,
 * reads the failed mover's log, decides with the lock detector, waits for live holders and busy
 * repositories, keeps within maxConcurrentUnlocks, asks the cluster to create the unlock Job and
 * records everything in the monitor's status and in Events. The decisions themselves are the
 * pure classes of this package; this verticle moves messages and keeps the book.
 */
public final class PolicyVerticle extends AbstractVerticle {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyVerticle.class);
    static final int CIRCUIT_LIMIT = MonitorConditions.CIRCUIT_LIMIT;
    static final int MAX_DECIDED = 20_000;
    /** A finished unlock is forgotten this long after it finished; its Job's annotations and the status remember it. */
    static final Duration KEEP_FINISHED = Duration.ofHours(1);
    static final String RETRY_ANNOTATION = MonitorConditions.RETRY_ANNOTATION;

    private final TrustedNamespaces trusted;
    private final Clock clock;
    private final Duration recheckInterval;
    private final Map<String, List<MonitorEntry>> monitors = new HashMap<>();
    private final Set<String> syncedClusters = new HashSet<>();
    private final Map<String, UnlockRecord> records = new LinkedHashMap<>();
    /** Failed pods already decided on; bounded, the oldest forgotten first (a restart forgets them all: state lives in the clusters). */
    private final Set<String> decided = java.util.Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_DECIDED;
        }
    });
    private final Map<String, Long> invalidSpecReported = new HashMap<>();
    private MonitorStatusWriter statuses;
    private ClusterCalls calls;
    private long recheckTimer;

    /** @param recheckInterval how often waiting and queued unlocks are looked at again, besides the events that wake them */
    public PolicyVerticle(TrustedNamespaces trusted, Clock clock, Duration recheckInterval) {
        this.trusted = trusted;
        this.clock = clock;
        this.recheckInterval = recheckInterval;
    }

    @Override
    public void start() {
        statuses = new MonitorStatusWriter(vertx);
        calls = new ClusterCalls(vertx);
        vertx.eventBus().<ClusterEvent>consumer(Addresses.CLUSTER_EVENTS, m -> onEvent(m.body()));
        // A safety net for holders outside the watched movers (a maintenance pod, a NAS): one GET by name per waiting unlock.
        recheckTimer = vertx.setPeriodic(recheckInterval.toMillis(), id -> {
            forgetFinished();
            evaluateAll();
        });
    }

    @Override
    public void stop() {
        vertx.cancelTimer(recheckTimer);
        statuses.close();
    }

    private void onEvent(ClusterEvent event) {
        if (event instanceof ClusterEvent.MonitorsChanged e) {
            onMonitors(e);
        } else if (event instanceof ClusterEvent.MoverPodFailed e) {
            onMoverPodFailed(e);
        } else if (event instanceof ClusterEvent.MoverStatusFailed e) {
            onMoverStatusFailed(e);
        } else if (event instanceof ClusterEvent.UnlockJobChanged e) {
            onUnlockJob(e);
        } else if (event instanceof ClusterEvent.PodChanged e) {
            onPodChanged(e);
        } else if (event instanceof ClusterEvent.ClusterSynced e) {
            syncedClusters.add(e.cluster());
            evaluateAll();
        } else if (event instanceof ClusterEvent.ClusterRemoved e) {
            forget(e.cluster());
        }
    }

    /** A cluster no longer watched: its waiting unlocks would only ask a cluster that is not there. */
    private void forget(String cluster) {
        records.values().removeIf(r -> {
            if (!r.cluster.equals(cluster)) {
                return false;
            }
            if (r.timer >= 0) {
                vertx.cancelTimer(r.timer);
            }
            return true;
        });
        for (MonitorEntry m : monitors.getOrDefault(cluster, List.of())) {
            String key = MonitorStatusWriter.key(cluster, m.namespace(), m.name());
            statuses.forget(key);
            invalidSpecReported.remove(key);
        }
        monitors.remove(cluster);
        syncedClusters.remove(cluster);
        decided.removeIf(key -> key.startsWith(cluster + "/"));
        LOG.info("cluster={} decision=forgotten why=its context left the kubeconfigs", cluster);
    }

    // ---- monitors ----

    private void onMonitors(ClusterEvent.MonitorsChanged e) {
        List<MonitorEntry> entries = e.monitors().stream().map(m -> MonitorEntry.of(m, trusted)).toList();
        Set<String> present = new HashSet<>();
        for (MonitorEntry entry : entries) {
            String key = MonitorStatusWriter.key(e.cluster(), entry.namespace(), entry.name());
            present.add(key);
            VolSyncMonitorStatus status = statuses.seed(e.cluster(), entry.monitor());
            if (applyConditions(e.cluster(), entry, status)) {
                statuses.markDirty(key);
            }
            publishMonitor(e.cluster(), entry, status);
        }
        for (MonitorEntry old : monitors.getOrDefault(e.cluster(), List.of())) {
            String key = MonitorStatusWriter.key(e.cluster(), old.namespace(), old.name());
            if (!present.contains(key)) {
                statuses.forget(key);
                vertx.eventBus().publish(Addresses.READ_MODEL, new ReadModelUpdate.MonitorGone(e.cluster(), old.namespace(), old.name()));
            }
        }
        monitors.put(e.cluster(), entries);
    }

    /** Conditions, phase and circuit-breaker resets (pure, {@link MonitorConditions}); an invalid spec also gets an Event, once per generation. */
    private boolean applyConditions(String cluster, MonitorEntry entry, VolSyncMonitorStatus status) {
        MonitorConditions.Outcome outcome = MonitorConditions.apply(entry, status, trusted, clock.instant());
        if (outcome.circuitReset()) {
            LOG.info("cluster={} monitor={} circuit breaker reset ({})", cluster, entry.key(), outcome.resetReason());
        }
        if (entry.trusted() && !entry.validation().valid()) {
            Long generation = entry.monitor().getMetadata().getGeneration();
            Long reported = invalidSpecReported.put(MonitorStatusWriter.key(cluster, entry.namespace(), entry.name()), generation);
            if (reported == null || !reported.equals(generation)) {
                calls.recordEvent(cluster, ClusterCalls.monitor(entry.namespace(), entry.name(), entry.monitor().getMetadata().getUid()),
                        "Warning", "InvalidSpec",
                        "monitor is invalid and does nothing: " + String.join("; ", entry.validation().problems()));
                LOG.warn("cluster={} monitor={} decision=invalid-spec why={}", cluster, entry.key(), entry.validation().problems());
            }
        }
        return outcome.changed();
    }

    // ---- failed movers ----

    private void onMoverPodFailed(ClusterEvent.MoverPodFailed e) {
        FailedMover mover = e.mover();
        // A Job of the same name but another UID is a newer one: its labels are not this pod's.
        Map<String, String> labels = FailedMover.isJobOf(e.pod(), e.job()) ? e.job().getMetadata().getLabels() : e.pod().getMetadata().getLabels();
        String container = MoverContainer.of(e.pod()) == null ? null : MoverContainer.of(e.pod()).getName();
        handleFailure(e.cluster(), e.pod(), mover, labels,
                () -> calls.request(e.cluster(), new ClusterCommand.FetchLog(mover.namespace(), mover.podName(), container), CommandReply.LogText.class)
                        .map(log -> evidence(log.text(), e.pod())));
    }

    /**
     * The pods are gone (VolSync deleted the Job after 8 failures while no hub ran): the log tail it
     * kept in latestMoverStatus is the evidence, and the Job it created again is what the unlock mirrors.
     */
    private void onMoverStatusFailed(ClusterEvent.MoverStatusFailed e) {
        String podUid = "rs-" + RepositoryKey.sha256Hex(e.replicationSourceUid() + "/" + e.time()).substring(0, 32);
        if (e.job() == null) {
            FailedMover unknown = new FailedMover(e.namespace(), null, podUid, null, null, FailedMover.SOURCE_KIND, e.replicationSource());
            failure(e.cluster(), unknown, "waiting-for-mover-job", "ReplicationSource " + e.replicationSource()
                    + " failed while no hub ran; waiting for VolSync to create its mover Job again, to mirror it", null);
            return;
        }
        String jobName = e.job().getMetadata().getName();
        if (handledThroughPods(e.cluster(), e.namespace(), jobName, e.time())) {
            return;
        }
        Pod pod = new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName(jobName + "-" + podUid.substring(3, 8)).withNamespace(e.namespace()).withUid(podUid)
                    .withLabels(e.job().getSpec().getTemplate().getMetadata() == null ? Map.of()
                            : e.job().getSpec().getTemplate().getMetadata().getLabels())
                .endMetadata()
                .withSpec(e.job().getSpec().getTemplate().getSpec())
                .build();
        // No Job UID: the failed Job is gone, and e.job() is the one VolSync created again, which removeFailedJobs must not delete.
        FailedMover mover = new FailedMover(e.namespace(), pod.getMetadata().getName(), podUid, jobName, null,
                FailedMover.SOURCE_KIND, e.replicationSource());
        handleFailure(e.cluster(), pod, mover, e.job().getMetadata().getLabels(), () -> Future.succeededFuture(e.logs()));
    }

    /** The pod path saw failures of this Job not long before VolSync gave up on it: those were handled. */
    private boolean handledThroughPods(String cluster, String namespace, String jobName, String time) {
        Instant gaveUp;
        try {
            gaveUp = Instant.parse(time);
        } catch (RuntimeException e) {
            gaveUp = clock.instant();
        }
        Instant since = gaveUp.minus(Duration.ofHours(2));
        boolean inMemory = records.values().stream().anyMatch(r -> r.cluster.equals(cluster) && namespace.equals(r.mover.namespace())
                && jobName.equals(r.mover.jobName()) && !r.detectedAt.isBefore(since));
        return inMemory || monitors.getOrDefault(cluster, List.of()).stream().anyMatch(m -> {
            VolSyncMonitorStatus s = statuses.get(MonitorStatusWriter.key(cluster, m.namespace(), m.name()));
            return s != null && s.getProcessedJobs().stream().anyMatch(p -> namespace.equals(p.getNamespace()) && jobName.equals(p.getJobName())
                    && p.getProcessedTime() != null && !Instant.parse(p.getProcessedTime()).isBefore(since));
        });
    }

    private void handleFailure(String cluster, Pod pod, FailedMover mover, Map<String, String> labels,
                               java.util.function.Supplier<Future<String>> evidence) {
        String recordKey = cluster + "/" + mover.podUid();
        if (records.containsKey(recordKey) || decided.contains(recordKey) || alreadyProcessed(cluster, mover.podUid())) {
            return;
        }
        decided.add(recordKey);
        List<MonitorEntry> entries = monitors.getOrDefault(cluster, List.of());
        var governing = GoverningMonitor.select(entries, mover, labels);
        if (governing.isEmpty()) {
            boolean untrusted = GoverningMonitor.untrustedWouldMatch(entries, mover, labels);
            failure(cluster, mover, untrusted ? "untrusted-namespace" : "no-governing-monitor",
                    untrusted ? "only monitors outside the trusted namespaces (" + trusted + ") select this Job" : "no monitor selects this Job", null);
            return;
        }
        MonitorEntry entry = governing.get();
        if (!entry.validation().valid()) {
            failure(cluster, mover, "monitor-invalid", String.join("; ", entry.validation().problems()), entry.key());
            return;
        }
        MonitorPolicy policy = entry.validation().policy();
        if (!policy.enabled()) {
            failure(cluster, mover, "monitor-disabled", "monitor " + entry.key() + " has enabled: false", entry.key());
            return;
        }
        evidence.get()
                .onFailure(err -> {
                    // Not a decision: the cluster reports its failed pods again when it is back, and then the log is read.
                    decided.remove(recordKey);
                    failure(cluster, mover, "log-unavailable", "could not read the pod's log yet: " + err.getMessage(), entry.key());
                })
                .onSuccess(text -> decide(cluster, pod, mover, entry, policy, text));
    }

    private static String evidence(String log, Pod pod) {
        String message = PodStates.terminated(pod).map(t -> t.getMessage()).orElse(null);
        return message == null || message.isBlank() ? log : log + "\n" + message;
    }

    private void decide(String cluster, Pod pod, FailedMover mover, MonitorEntry entry, MonitorPolicy policy, String evidence) {
        LockVerdict verdict = policy.detector().examine(evidence);
        if (!verdict.lock()) {
            failure(cluster, mover, "not-a-lock", verdict.reason(), entry.key());
            return;
        }
        String repository = RepositoryKey.of(cluster, pod).asString();
        String holder = verdict.holder() != null ? verdict.holder().describe() : verdict.invalidLockFile() ? "invalid lock file" : "unknown";
        Instant now = clock.instant();
        UnlockRecord record = new UnlockRecord(cluster, mover, entry.namespace(), entry.name(), repository,
                verdict.line(), holder, now, pod, verdict);
        String statusKey = record.monitorKey;
        // A hub killed after detection finds its entry again: the detection is not counted twice.
        if (statuses.processedEntry(statusKey, mover.podUid()) == null) {
            statuses.update(statusKey, s -> {
                s.setTotalLockErrorsDetected(plus(s.getTotalLockErrorsDetected()));
                MonitorStatusWriter.addProcessed(s, mover, now, Redactor.redact(verdict.line(), 1024), null);
            });
        }
        calls.recordEvent(cluster, ClusterCalls.failedJob(mover), "Warning", "LockDetected", verdict.reason());
        LOG.info("cluster={} namespace={} job={} pod={} decision=lock-detected why={}", cluster, mover.namespace(),
                mover.jobName(), mover.podName(), verdict.reason());

        int failures = statuses.consecutiveFailures(statusKey, repository);
        if (failures >= CIRCUIT_LIMIT) {
            failure(cluster, mover, "circuit-open", failures + " unlocks in a row failed for repository " + repository
                    + "; change the monitor's spec or set the " + RETRY_ANNOTATION + " annotation to retry", entry.key());
            return;
        }
        UnlockRecord leader = records.values().stream()
                .filter(r -> r.active() && r.cluster.equals(cluster) && r.repository.equals(repository)).findFirst().orElse(null);
        if (leader != null) {
            leader.joined.add(mover);
            // The leader's unlock serves this pod too: a restarted hub must not unlock for it again.
            String leaderJob = UnlockJobFactory.jobName(leader.mover.ownerName(), leader.mover.podUid());
            statuses.update(statusKey, s -> {
                ProcessedJob processed = statuses.processedEntry(statusKey, mover.podUid());
                if (processed != null) {
                    processed.setUnlockJobName(leaderJob);
                }
            });
            failure(cluster, mover, "joined", "an unlock of the same repository is already " + leader.state
                    + " for pod " + leader.mover.podName(), entry.key());
            return;
        }
        // Listed with the others: /api/failures shows every failed mover pod; its unlock goes on in /api/unlocks.
        publishFailure(cluster, mover, "unlocked", verdict.reason(), entry.key());
        records.put(cluster + "/" + mover.podUid(), record);
        setState(record, UnlockRecord.State.Queued, "queued");
        evaluate(record);
    }

    /** Memory stays flat over months: finished unlocks leave the book (a late update of their Job rebuilds them as finished). */
    private void forgetFinished() {
        Instant before = clock.instant().minus(KEEP_FINISHED);
        records.values().removeIf(r -> r.terminal() && r.finishedAt != null && r.finishedAt.isBefore(before));
    }

    private void evaluateAll() {
        new ArrayList<>(records.values()).stream().filter(r -> r.state == UnlockRecord.State.Queued
                || r.state == UnlockRecord.State.WaitingForHolder).forEach(this::evaluate);
    }

    /** Holder first (never remove a live lock), then a busy repository, then the concurrency limit, then create. */
    private void evaluate(UnlockRecord record) {
        if (record.evaluating || record.pod == null || !(record.state == UnlockRecord.State.Queued
                || record.state == UnlockRecord.State.WaitingForHolder)) {
            return;
        }
        record.evaluating = true;
        holderFacts(record).compose(facts -> {
            HolderRule.Decision decision = HolderRule.decide(record.verdict, record.detectedAt, clock.instant(), facts);
            if (!decision.unlockNow()) {
                setState(record, UnlockRecord.State.WaitingForHolder, decision.reason());
                scheduleAt(record, decision.unlockAt());
                return Future.succeededFuture();
            }
            return calls.request(record.cluster, new ClusterCommand.CheckRepository(record.repository, record.mover.podUid()),
                    CommandReply.RepositoryBusy.class).compose(busy -> {
                if (busy.busy()) {
                    setState(record, UnlockRecord.State.Queued, "repository in use by pod " + busy.byPod() + " (" + decision.reason() + ")");
                    return Future.succeededFuture();
                }
                String blocker = capacityBlocker(record);
                if (blocker != null) {
                    setState(record, UnlockRecord.State.Queued, blocker);
                    return Future.succeededFuture();
                }
                return create(record, decision.reason());
            });
        }).onComplete(ar -> {
            record.evaluating = false;
            if (ar.failed()) {
                LOG.warn("cluster={} pod={} unlock not started yet: {}", record.cluster, record.mover.podName(), ar.cause().getMessage());
                setState(record, record.state, "waiting: " + ar.cause().getMessage());
            }
        });
    }

    /**
     * What every cluster knows of the holder. Another cluster that is down cannot answer and is left
     * out (its trouble must not stop this one), with a log line; restic's 30-minute rule still holds
     * for a holder no answering cluster can place.
     */
    private Future<Map<String, CommandReply.HolderFacts>> holderFacts(UnlockRecord record) {
        LockHolder holder = record.verdict.holder();
        if (holder == null || holder.host().isEmpty() || record.verdict.invalidLockFile()) {
            return Future.succeededFuture(Map.of());
        }
        List<String> clusters = new ArrayList<>(syncedClusters);
        List<Future<CommandReply.HolderFacts>> asks = clusters.stream()
                .map(c -> calls.request(c, new ClusterCommand.FindHolder(holder.host()), CommandReply.HolderFacts.class)).toList();
        return Future.join(asks).transform(ar -> {
            Map<String, CommandReply.HolderFacts> facts = new LinkedHashMap<>();
            for (int i = 0; i < clusters.size(); i++) {
                if (asks.get(i).succeeded()) {
                    facts.put(clusters.get(i), asks.get(i).result());
                } else if (clusters.get(i).equals(record.cluster)) {
                    return Future.failedFuture("cluster " + record.cluster + " cannot be asked about " + holder.host()
                            + ": " + asks.get(i).cause().getMessage());
                } else {
                    LOG.info("cluster={} pod={} holder check without cluster {}: {}", record.cluster, record.mover.podName(),
                            clusters.get(i), asks.get(i).cause().getMessage());
                }
            }
            return Future.succeededFuture(facts);
        });
    }

    private String capacityBlocker(UnlockRecord record) {
        MonitorPolicy policy = policyOf(record);
        int max = policy == null ? com.rafaribe.homelab.hub.api.VolSyncMonitorSpec.DEFAULT_MAX_CONCURRENT_UNLOCKS : policy.maxConcurrentUnlocks();
        long running = records.values().stream().filter(r -> r.state == UnlockRecord.State.Running && r.monitorKey.equals(record.monitorKey)).count();
        if (running >= max) {
            return "maxConcurrentUnlocks (" + max + ") unlocks already running";
        }
        boolean sameRepository = records.values().stream().anyMatch(r -> r != record && r.state == UnlockRecord.State.Running
                && r.cluster.equals(record.cluster) && r.repository.equals(record.repository));
        return sameRepository ? "an unlock of the same repository is running" : null;
    }

    private Future<Void> create(UnlockRecord record, String why) {
        MonitorPolicy policy = policyOf(record);
        if (policy == null || !policy.enabled()) {
            setState(record, UnlockRecord.State.Queued, "the governing monitor changed; waiting for it");
            return Future.succeededFuture();
        }
        Job job = UnlockJobFactory.build(new UnlockRequest(record.cluster, record.pod, record.mover, policy, record.verdict,
                RepositoryKey.of(record.cluster, record.pod)));
        record.unlockJob = job.getMetadata().getName();
        record.state = UnlockRecord.State.Running;
        return calls.request(record.cluster, new ClusterCommand.CreateJob(job), CommandReply.JobCreated.class).map(created -> {
            record.createdAt = clock.instant();
            setState(record, UnlockRecord.State.Running, "unlock Job " + record.unlockJob + " created: " + why);
            ProcessedJob processed = statuses.processedEntry(record.monitorKey, record.mover.podUid());
            boolean counted = processed != null && processed.getUnlockJobName() != null;
            if (!counted) {
                statuses.update(record.monitorKey, s -> {
                    s.setTotalUnlocksCreated(plus(s.getTotalUnlocksCreated()));
                    s.setLastUnlockTime(record.createdAt.toString());
                    if (processed != null) {
                        processed.setUnlockJobName(record.unlockJob);
                    }
                });
            }
            if (!created.alreadyExisted()) {
                calls.recordEvent(record.cluster, ClusterCalls.failedJob(record.mover), "Normal", "UnlockJobCreated",
                        "created " + record.unlockJob + ": " + why);
            }
            LOG.info("cluster={} namespace={} job={} pod={} decision=unlock-created unlockJob={} existed={} why={}", record.cluster,
                    record.mover.namespace(), record.mover.jobName(), record.mover.podName(), record.unlockJob, created.alreadyExisted(), why);
            updateActive(record.monitorKey);
            return (Void) null;
        }).recover(err -> {
            record.state = UnlockRecord.State.Queued;
            record.unlockJob = null;
            return Future.failedFuture(err);
        });
    }

    private void scheduleAt(UnlockRecord record, Instant at) {
        if (at == null || record.timer >= 0) {
            return;
        }
        long delay = Math.max(1, Duration.between(clock.instant(), at).toMillis());
        record.timer = vertx.setTimer(delay, id -> {
            record.timer = -1;
            evaluate(record);
        });
    }

    private void onPodChanged(ClusterEvent.PodChanged e) {
        if ("Succeeded".equals(e.phase())) {
            noteRecovery(e);
        }
        for (UnlockRecord r : new ArrayList<>(records.values())) {
            boolean holderChanged = r.verdict != null && r.verdict.holder() != null && e.name().equals(r.verdict.holder().host());
            boolean repositoryFreed = r.cluster.equals(e.cluster()) && r.state == UnlockRecord.State.Queued;
            if (holderChanged || repositoryFreed) {
                evaluate(r);
            }
        }
    }

    /** A pod of a Job whose unlock succeeded has now succeeded: that app's backups run again. */
    private void noteRecovery(ClusterEvent.PodChanged e) {
        for (UnlockRecord r : records.values()) {
            if (r.state == UnlockRecord.State.Succeeded && r.recoveredAt == null && r.cluster.equals(e.cluster())
                    && r.mover.namespace().equals(e.namespace()) && PodStates.isPodOfJob(e.name(), r.mover.jobName())) {
                r.recoveredAt = clock.instant();
                LOG.info("cluster={} namespace={} job={} pod={} decision=recovered why=pod {} of the Job succeeded after the unlock",
                        r.cluster, r.mover.namespace(), r.mover.jobName(), r.mover.podName(), e.name());
                publish(r.view());
            }
        }
    }

    // ---- unlock Jobs ----

    private void onUnlockJob(ClusterEvent.UnlockJobChanged e) {
        Job job = e.job();
        Map<String, String> a = job.getMetadata().getAnnotations() == null ? Map.of() : job.getMetadata().getAnnotations();
        String podUid = a.get(FAILED_POD_UID);
        if (podUid == null) {
            return;
        }
        String key = e.cluster() + "/" + podUid;
        UnlockRecord record = records.get(key);
        if (record == null) {
            record = rebuild(e.cluster(), job, a);
            if (record == null) {
                return;
            }
            records.put(key, record);
            decided.add(key);
        }
        if (record.terminal() || e.deleted()) {
            return;
        }
        UnlockOutcome.Result outcome = UnlockOutcome.of(job, e.pods(), clock.instant());
        if (outcome.state() == UnlockOutcome.State.RUNNING) {
            if (record.state != UnlockRecord.State.Running) {
                record.unlockJob = job.getMetadata().getName();
                setState(record, UnlockRecord.State.Running, outcome.reason());
            }
            return;
        }
        finish(record, outcome);
    }

    /** A restarted hub learns its unlocks back from the Jobs it created. */
    private UnlockRecord rebuild(String cluster, Job job, Map<String, String> a) {
        String monitor = a.getOrDefault(MONITOR, "");
        int slash = monitor.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String app = a.getOrDefault(APP, "");
        int kindSlash = app.indexOf('/');
        FailedMover mover = new FailedMover(job.getMetadata().getNamespace(), a.get(FAILED_POD), a.get(FAILED_POD_UID),
                a.get(FAILED_JOB), a.get(FAILED_JOB_UID), kindSlash < 0 ? null : app.substring(0, kindSlash),
                kindSlash < 0 ? app : app.substring(kindSlash + 1));
        Instant created = job.getMetadata().getCreationTimestamp() == null ? clock.instant() : Instant.parse(job.getMetadata().getCreationTimestamp());
        UnlockRecord record = new UnlockRecord(cluster, mover, monitor.substring(0, slash), monitor.substring(slash + 1),
                a.getOrDefault(REPOSITORY_KEY, ""), a.get(MATCHED_LINE), a.get(HOLDER), created, null, null);
        record.unlockJob = job.getMetadata().getName();
        record.createdAt = created;
        record.state = UnlockRecord.State.Running;
        record.reason = "unlock Job " + record.unlockJob + " found at start";
        ProcessedJob processed = statuses.processedEntry(record.monitorKey, mover.podUid());
        if (processed != null && processed.getUnlockResult() != null) {
            record.state = "Succeeded".equals(processed.getUnlockResult()) ? UnlockRecord.State.Succeeded : UnlockRecord.State.Failed;
            record.reason = "unlock " + processed.getUnlockResult().toLowerCase() + " (recorded before the restart)";
            record.finishedAt = clock.instant();
            MonitorPolicy policy = policyOf(record);
            if (record.state == UnlockRecord.State.Succeeded && !Boolean.TRUE.equals(processed.getRemoved())
                    && policy != null && policy.removeFailedJobs()) {
                removeFailedJob(record);
            }
        } else if (processed == null || processed.getUnlockJobName() == null) {
            // Created before a restart that came before the status write: count what that write would have counted.
            statuses.update(record.monitorKey, s -> {
                if (processed == null) {
                    s.setTotalLockErrorsDetected(plus(s.getTotalLockErrorsDetected()));
                    MonitorStatusWriter.addProcessed(s, mover, created, a.get(MATCHED_LINE), record.unlockJob);
                } else {
                    processed.setUnlockJobName(record.unlockJob);
                }
                s.setTotalUnlocksCreated(plus(s.getTotalUnlocksCreated()));
                s.setLastUnlockTime(created.toString());
            });
        }
        publish(record.view());
        updateActive(record.monitorKey);
        return record;
    }

    private void finish(UnlockRecord record, UnlockOutcome.Result outcome) {
        boolean succeeded = outcome.state() == UnlockOutcome.State.SUCCEEDED;
        record.finishedAt = clock.instant();
        setState(record, succeeded ? UnlockRecord.State.Succeeded : UnlockRecord.State.Failed, outcome.reason());
        MonitorPolicy policy = policyOf(record);
        statuses.update(record.monitorKey, s -> {
            ProcessedJob processed = statuses.processedEntry(record.monitorKey, record.mover.podUid());
            if (processed != null) {
                processed.setUnlockResult(succeeded ? "Succeeded" : "Failed");
            }
            if (succeeded) {
                s.setTotalUnlocksSucceeded(plus(s.getTotalUnlocksSucceeded()));
                s.getFailingRepositories().removeIf(r -> record.repository.equals(r.getRepositoryKey()));
            } else {
                s.setTotalUnlocksFailed(plus(s.getTotalUnlocksFailed()));
                s.setLastError(Redactor.redact(outcome.reason(), 1024));
                var failures = s.getFailingRepositories().stream().filter(r -> record.repository.equals(r.getRepositoryKey())).findFirst()
                        .orElseGet(() -> {
                            var r = new com.rafaribe.homelab.hub.api.RepositoryFailures();
                            r.setRepositoryKey(record.repository);
                            r.setConsecutiveFailures(0);
                            s.getFailingRepositories().add(r);
                            return r;
                        });
                failures.setConsecutiveFailures(failures.getConsecutiveFailures() + 1);
                failures.setLastFailureTime(record.finishedAt.toString());
                failures.setLastError(Redactor.redact(outcome.reason(), 512));
            }
        });
        calls.recordEvent(record.cluster, ClusterCalls.failedJob(record.mover), succeeded ? "Normal" : "Warning",
                succeeded ? "UnlockSucceeded" : "UnlockFailed", record.unlockJob + ": " + outcome.reason());
        LOG.info("cluster={} namespace={} job={} pod={} decision={} unlockJob={} why={}", record.cluster, record.mover.namespace(),
                record.mover.jobName(), record.mover.podName(), succeeded ? "unlock-succeeded" : "unlock-failed", record.unlockJob, outcome.reason());
        if (!succeeded && statuses.consecutiveFailures(record.monitorKey, record.repository) >= CIRCUIT_LIMIT) {
            calls.recordEvent(record.cluster, ClusterCalls.monitor(record.monitorNamespace, record.monitorName, null),
                    "Warning", "UnlockFailed", "circuit open: " + CIRCUIT_LIMIT
                    + " unlocks in a row failed for " + record.repository + "; set the " + RETRY_ANNOTATION + " annotation to retry");
            refreshConditions(record.cluster, record.monitorKey);
        }
        if (succeeded && policy != null && policy.removeFailedJobs()) {
            removeFailedJob(record);
        }
        updateActive(record.monitorKey);
        evaluateAll();
    }

    /** Only after its unlock succeeded, only that very Job (UID), only while none of its pods runs. */
    private void removeFailedJob(UnlockRecord record) {
        calls.request(record.cluster, new ClusterCommand.DeleteFailedJob(record.mover.namespace(), record.mover.jobName(), record.mover.jobUid()),
                CommandReply.JobDeleted.class).onSuccess(deleted -> {
            LOG.info("cluster={} namespace={} job={} decision=remove-failed-job outcome={}", record.cluster, record.mover.namespace(),
                    record.mover.jobName(), deleted.outcome());
            if (deleted.outcome() == CommandReply.JobDeleted.Outcome.DELETED) {
                statuses.update(record.monitorKey, s -> {
                    s.setTotalFailedJobsRemoved(plus(s.getTotalFailedJobsRemoved()));
                    ProcessedJob processed = statuses.processedEntry(record.monitorKey, record.mover.podUid());
                    if (processed != null) {
                        processed.setRemoved(true);
                    }
                });
            }
        }).onFailure(err -> LOG.warn("cluster={} job={} failed Job not removed: {}", record.cluster, record.mover.jobName(), err.getMessage()));
    }

    // ---- bookkeeping ----

    /** An unlock Job was created for this pod (it may be gone since, deleted by its TTL). */
    private boolean alreadyProcessed(String cluster, String podUid) {
        return monitors.getOrDefault(cluster, List.of()).stream().anyMatch(m -> {
            VolSyncMonitorStatus s = statuses.get(MonitorStatusWriter.key(cluster, m.namespace(), m.name()));
            return s != null && s.getProcessedJobs().stream().anyMatch(p -> podUid.equals(p.getPodUid()) && p.getUnlockJobName() != null);
        });
    }

    private MonitorPolicy policyOf(UnlockRecord record) {
        return monitors.getOrDefault(record.cluster, List.of()).stream()
                .filter(m -> m.namespace().equals(record.monitorNamespace) && m.name().equals(record.monitorName))
                .filter(m -> m.validation().valid()).map(m -> m.validation().policy()).findFirst().orElse(null);
    }

    private void refreshConditions(String cluster, String monitorKey) {
        monitors.getOrDefault(cluster, List.of()).stream()
                .filter(m -> MonitorStatusWriter.key(cluster, m.namespace(), m.name()).equals(monitorKey)).findFirst()
                .ifPresent(m -> {
                    VolSyncMonitorStatus s = statuses.get(monitorKey);
                    if (s != null && applyConditions(cluster, m, s)) {
                        statuses.markDirty(monitorKey);
                    }
                    publishMonitor(cluster, m, s);
                });
    }

    private void updateActive(String monitorKey) {
        statuses.update(monitorKey, s -> {
            s.getActiveUnlocks().clear();
            records.values().stream().filter(r -> r.active() && r.monitorKey.equals(monitorKey)).forEach(r -> {
                var a = new com.rafaribe.homelab.hub.api.ActiveUnlock();
                a.setAppName(r.mover.ownerName());
                a.setNamespace(r.mover.namespace());
                a.setObjectName(r.mover.ownerName());
                a.setJobName(r.unlockJob == null ? UnlockJobFactory.jobName(r.mover.ownerName(), r.mover.podUid()) : r.unlockJob);
                a.setStartTime((r.createdAt == null ? r.detectedAt : r.createdAt).toString());
                a.setAlertFingerprint(r.mover.namespace() + "-" + r.mover.jobName());
                a.setState(r.state.name());
                a.setFailedJob(r.mover.jobName());
                a.setPodUid(r.mover.podUid());
                s.getActiveUnlocks().add(a);
            });
            s.setActiveUnlockCount(s.getActiveUnlocks().size());
        });
        monitors.forEach((cluster, entries) -> entries.forEach(m -> {
            if (MonitorStatusWriter.key(cluster, m.namespace(), m.name()).equals(monitorKey)) {
                publishMonitor(cluster, m, statuses.get(monitorKey));
            }
        }));
    }

    private void setState(UnlockRecord record, UnlockRecord.State state, String reason) {
        boolean changed = record.state != state || !reason.equals(record.reason);
        record.state = state;
        record.reason = reason;
        if (changed) {
            if (state == UnlockRecord.State.WaitingForHolder || state == UnlockRecord.State.Queued) {
                LOG.info("cluster={} namespace={} job={} pod={} decision={} why={}", record.cluster, record.mover.namespace(),
                        record.mover.jobName(), record.mover.podName(), state, reason);
                if (state == UnlockRecord.State.WaitingForHolder) {
                    calls.recordEvent(record.cluster, ClusterCalls.failedJob(record.mover), "Normal", "WaitingForHolder", reason);
                }
            }
            publish(record.view());
            updateActive(record.monitorKey);
        }
    }

    private void failure(String cluster, FailedMover mover, String decision, String reason, String monitorKey) {
        LOG.info("cluster={} namespace={} job={} pod={} decision={} why={}", cluster, mover.namespace(), mover.jobName(),
                mover.podName(), decision, reason);
        publishFailure(cluster, mover, decision, reason, monitorKey);
    }

    private void publishFailure(String cluster, FailedMover mover, String decision, String reason, String monitorKey) {
        publish(new FailureView(cluster, mover.namespace(), mover.jobName(), mover.podName(), mover.podUid(), decision,
                Redactor.redact(reason, 1024), monitorKey, clock.instant()));
    }

    private void publishMonitor(String cluster, MonitorEntry entry, VolSyncMonitorStatus s) {
        MonitorValidator.Result v = entry.validation();
        publish(new ReadModelUpdate.MonitorView(cluster, entry.namespace(), entry.name(), v.valid() && v.policy().enabled(),
                v.valid(), entry.trusted(), s == null || s.getPhase() == null ? null : s.getPhase().name(),
                v.valid() ? null : String.join("; ", v.problems()),
                value(s == null ? null : s.getTotalUnlocksCreated()), value(s == null ? null : s.getTotalUnlocksSucceeded()),
                value(s == null ? null : s.getTotalUnlocksFailed()), value(s == null ? null : s.getTotalLockErrorsDetected()),
                value(s == null ? null : s.getTotalFailedJobsRemoved()), s == null ? 0 : s.getActiveUnlocks().size()));
    }

    private void publish(ReadModelUpdate update) {
        vertx.eventBus().publish(Addresses.READ_MODEL, update);
    }

    private static long plus(Long value) {
        return value == null ? 1 : value + 1;
    }

    private static long value(Long value) {
        return value == null ? 0 : value;
    }
}
