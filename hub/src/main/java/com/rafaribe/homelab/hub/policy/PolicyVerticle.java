package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent;
import com.rafaribe.homelab.hub.api.bus.CommandReply;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.api.bus.StageTiming;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The central policy's adapter: feeds every cluster's events and the answers to earlier actions
 * into the pure {@link UnlockLifecycle} with the current time, and carries out the actions it
 * returns (cluster commands, Events, the read model). Detection runs on the worker pool: a
 * monitor's patterns must not hold the event loop.
 */
public final class PolicyVerticle extends AbstractVerticle {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyVerticle.class);
    /** How often waits with a stated end are looked at; no API call is made unless a wait ended. */
    static final Duration TICK = Duration.ofSeconds(1);

    private final Clock clock;
    private final UnlockLifecycle lifecycle;
    private MonitorStatusWriter statuses;
    private ClusterCalls calls;
    private long tickTimer;

    /** @param recheckInterval how often a queued record looks again (a holder answered absent is not asked again on the same evidence) */
    public PolicyVerticle(TrustedNamespaces trusted, Clock clock, Duration recheckInterval) {
        this(trusted, UnlockAllowList.MOVER_ONLY, clock, recheckInterval);
    }

    /** @param allowed the images and ServiceAccounts the monitors' unlockJobTemplates may ask for */
    public PolicyVerticle(TrustedNamespaces trusted, UnlockAllowList allowed, Clock clock, Duration recheckInterval) {
        this.clock = clock;
        this.lifecycle = new UnlockLifecycle(trusted, allowed, recheckInterval);
    }

    @Override
    public void start() {
        statuses = new MonitorStatusWriter(vertx, lifecycle.statuses());
        calls = new ClusterCalls(vertx);
        vertx.eventBus().<ClusterEvent>consumer(Addresses.CLUSTER_EVENTS, m -> onEvent(m.body()));
        vertx.eventBus().<ReadModelUpdate>consumer(Addresses.READ_MODEL, m -> {
            if (m.body() instanceof ReadModelUpdate.ClusterView c) {
                lifecycle.clusterDown(c.name(), "Failed".equals(c.state()), now(), this::act);
            }
        });
        tickTimer = vertx.setPeriodic(TICK.toMillis(), id -> lifecycle.tick(now(), this::act));
    }

    @Override
    public void stop() {
        vertx.cancelTimer(tickTimer);
        statuses.close();
    }

    private Instant now() {
        return clock.instant();
    }

    private void onEvent(ClusterEvent event) {
        if (event instanceof ClusterEvent.MonitorsChanged e) {
            lifecycle.monitorsChanged(e.cluster(), e.monitors(), now(), this::act);
        } else if (event instanceof ClusterEvent.MoverPodFailed e) {
            // A Job of the same name but another UID is a newer one: its labels are not this pod's.
            Map<String, String> labels = FailedMover.isJobOf(e.pod(), e.job()) ? e.job().getMetadata().getLabels() : e.pod().getMetadata().getLabels();
            lifecycle.moverFailed(e.cluster(), e.pod(), e.mover(), labels, null, now(), this::act);
        } else if (event instanceof ClusterEvent.MoverStatusFailed e) {
            onMoverStatusFailed(e);
        } else if (event instanceof ClusterEvent.UnlockJobChanged e) {
            lifecycle.unlockJobChanged(e.cluster(), e.job(), e.pods(), e.deleted(), now(), this::act);
        } else if (event instanceof ClusterEvent.PodChanged e) {
            lifecycle.podChanged(e.cluster(), e.pod(), e.deleted(), now(), this::act);
        } else if (event instanceof ClusterEvent.HolderChanged e) {
            lifecycle.holderChanged(e.cluster(), e.namespace(), e.name(), now(), this::act);
        } else if (event instanceof ClusterEvent.ClusterSynced e) {
            lifecycle.clusterSynced(e.cluster(), now(), this::act);
        } else if (event instanceof ClusterEvent.ClusterRemoved e) {
            lifecycle.clusterRemoved(e.cluster(), "its context left the kubeconfigs");
        } else if (event instanceof ClusterEvent.ClusterStandby e) {
            lifecycle.clusterRemoved(e.cluster(), "another hub holds its Lease now: the holder finishes what was under way here");
        }
    }

    /**
     * The pods are gone (VolSync deleted the Job after 8 failures while no hub ran): the log tail it
     * kept in latestMoverStatus is the evidence, and the Job it created again is what the unlock mirrors.
     */
    private void onMoverStatusFailed(ClusterEvent.MoverStatusFailed e) {
        String podUid = "rs-" + RepositoryKey.sha256Hex(e.replicationSourceUid() + "/" + e.time()).substring(0, 32);
        if (e.job() == null) {
            LOG.info("cluster={} namespace={} replicationSource={} decision=waiting-for-mover-job why=it failed while no hub ran; waiting for"
                    + " VolSync to create its mover Job again, to mirror it", e.cluster(), e.namespace(), e.replicationSource());
            return;
        }
        String jobName = e.job().getMetadata().getName();
        Instant gaveUp;
        try {
            gaveUp = Instant.parse(e.time());
        } catch (RuntimeException notATime) {
            gaveUp = now();
        }
        if (lifecycle.handledRecently(e.cluster(), e.namespace(), jobName, gaveUp)) {
            return;
        }
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(jobName + "-" + podUid.substring(3, 8)).withNamespace(e.namespace()).withUid(podUid)
                    .withLabels(e.job().getSpec().getTemplate().getMetadata() == null ? Map.of()
                            : e.job().getSpec().getTemplate().getMetadata().getLabels())
                .endMetadata()
                .withSpec(e.job().getSpec().getTemplate().getSpec())
                .build();
        // No Job UID: the failed Job is gone, and e.job() is the one VolSync created again, which removeFailedJobs must not delete.
        FailedMover mover = new FailedMover(e.namespace(), pod.getMetadata().getName(), podUid, jobName, null,
                FailedMover.SOURCE_KIND, e.replicationSource());
        lifecycle.moverFailed(e.cluster(), pod, mover, e.job().getMetadata().getLabels(), e.logs(), now(), this::act);
    }

    /** Carries out one action of the life cycle; every answer goes back into it on this verticle's context. */
    private void act(PolicyAction action) {
        if (action instanceof PolicyAction.ReadEvidence a) {
            readEvidence(a);
        } else if (action instanceof PolicyAction.FindHolder a) {
            long asked = System.nanoTime();
            calls.request(a.cluster(), new ClusterCommand.FindHolder(a.podName(), a.namespaces(), a.ownJobNamespace(), a.ownJob()), CommandReply.HolderFacts.class)
                    .onComplete(ar -> timed(StageTiming.HOLDER_DECISION, a.cluster(), asked))
                    .onSuccess(facts -> lifecycle.holderAnswered(a.recordKey(), a.cluster(), facts.pods().stream()
                            .map(p -> new HolderRule.HolderPod(a.cluster(), p.namespace(), p.name(), p.uid(), p.phase(), p.alive(), p.createdAt(), p.cause()))
                            .toList(), now(), this::act))
                    .onFailure(err -> {
                        LOG.info("holder {} not checked on cluster {}: {}", a.podName(), a.cluster(), Redactor.redact(err.getMessage()));
                        lifecycle.holderAnswered(a.recordKey(), a.cluster(), null, now(), this::act);
                    });
        } else if (action instanceof PolicyAction.CreateJob a) {
            long asked = System.nanoTime();
            calls.request(a.cluster(), new ClusterCommand.CreateJob(a.job()), CommandReply.JobCreated.class)
                    .onComplete(ar -> timed(StageTiming.JOB_CREATE, a.cluster(), asked))
                    .onSuccess(created -> lifecycle.jobCreateAnswered(a.recordKey(), created.alreadyExisted(), null, now(), this::act))
                    .onFailure(err -> lifecycle.jobCreateAnswered(a.recordKey(), false, Redactor.redact(err.getMessage()), now(), this::act));
        } else if (action instanceof PolicyAction.DeleteUnlockJob a) {
            calls.request(a.cluster(), new ClusterCommand.DeleteUnlockJob(a.namespace(), a.name(), a.uid()), CommandReply.Done.class)
                    .onFailure(err -> LOG.warn("cluster={} unlock Job {} not deleted: {}", a.cluster(), a.name(), Redactor.redact(err.getMessage())));
        } else if (action instanceof PolicyAction.ReadUnlockLog a) {
            calls.request(a.cluster(), new ClusterCommand.FetchLog(a.namespace(), a.pod(), UnlockJobFactory.CONTAINER_NAME), CommandReply.LogText.class)
                    .map(log -> UnlockLog.removedLocks(log.text()))
                    .otherwise(OptionalInt.empty())
                    .onSuccess(removed -> lifecycle.unlockLogRead(a.recordKey(), removed, now(), this::act));
        } else if (action instanceof PolicyAction.DeleteFailedJob a) {
            calls.request(a.cluster(), new ClusterCommand.DeleteFailedJob(a.namespace(), a.name(), a.uid()), CommandReply.JobDeleted.class)
                    .onSuccess(deleted -> {
                        LOG.info("cluster={} namespace={} job={} decision=remove-failed-job outcome={}", a.cluster(), a.namespace(), a.name(),
                                deleted.outcome());
                        lifecycle.failedJobDeleted(a.recordKey(), deleted.outcome() == CommandReply.JobDeleted.Outcome.DELETED);
                    })
                    .onFailure(err -> LOG.warn("cluster={} job={} failed Job not removed: {}", a.cluster(), a.name(), Redactor.redact(err.getMessage())));
        } else if (action instanceof PolicyAction.WatchHolder a) {
            watchHolder(a.cluster(), new ClusterCommand.WatchHolder(a.recordKey(), a.namespace(), a.podName(), true));
        } else if (action instanceof PolicyAction.UnwatchHolder a) {
            watchHolder(a.cluster(), new ClusterCommand.WatchHolder(a.recordKey(), a.namespace(), a.podName(), false));
        } else if (action instanceof PolicyAction.RecordEvent a) {
            calls.recordEvent(a.cluster(), a.involved(), a.type(), a.reason(), Redactor.redact(a.message(), 1024));
        } else if (action instanceof PolicyAction.Publish a) {
            vertx.eventBus().publish(Addresses.READ_MODEL, a.update());
        }
    }

    /** The log (or the tail VolSync kept), then the detector on the worker pool: a monitor's patterns must not hold the event loop. */
    private void readEvidence(PolicyAction.ReadEvidence a) {
        long asked = System.nanoTime();
        Future<String> log = a.alreadyRead() != null ? Future.succeededFuture(a.alreadyRead())
                : calls.request(a.cluster(), new ClusterCommand.FetchLog(a.namespace(), a.pod(), a.container()), CommandReply.LogText.class)
                        .map(CommandReply.LogText::text).onComplete(ar -> timed(StageTiming.LOG_READ, a.cluster(), asked));
        log.compose(text -> {
            String evidence = a.terminationMessage() == null || a.terminationMessage().isBlank() ? text : text + "\n" + a.terminationMessage();
            long submitted = System.nanoTime();
            return vertx.executeBlocking(() -> a.detector().examine(evidence), false)
                    .onComplete(ar -> timed(StageTiming.DETECTION, a.cluster(), submitted));
        }).onComplete(ar -> {
            if (ar.succeeded()) {
                lifecycle.detected(a.cluster(), a.podUid(), ar.result(), now(), this::act);
            } else {
                lifecycle.evidenceUnavailable(a.cluster(), a.podUid(), Redactor.redact(ar.cause().getMessage()), now(), this::act);
            }
        });
    }

    /** A cluster that cannot take it is down: when it is back, its listing makes every waiting record ask (and watch) again. */
    private void watchHolder(String cluster, ClusterCommand.WatchHolder command) {
        calls.request(cluster, command, CommandReply.Done.class).onFailure(err -> LOG.debug("cluster={} holder {}/{} not (un)watched: {}",
                cluster, command.namespace(), command.podName(), Redactor.redact(err.getMessage())));
    }

    /** One stage of a failure's handling, for /metrics: measured here, at the adapter, never in the pure life cycle. */
    private void timed(String stage, String cluster, long startedNanos) {
        vertx.eventBus().publish(Addresses.STAGE_TIMINGS, new StageTiming(stage, cluster, System.nanoTime() - startedNanos));
    }

    /** For tests: the life cycle's records as values. */
    List<UnlockRecordView> records() {
        return List.copyOf(lifecycle.records());
    }
}
