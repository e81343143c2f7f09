package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.JobSelector;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorSpec;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent.PodFact;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Drives an {@link UnlockLifecycle} the way {@code PolicyVerticle} does, with hand-made mover
 * pods, lock logs and unlock Jobs, and keeps the actions it returns: for tests that pin one
 * schedule the simulation found.
 */
final class LifecycleFixture {
    static final String TRUSTED = "homelab-assistant-system";
    static final String MONITOR = "volsync-monitor";
    static final String NS = "media";
    static final String APP = "jellyfin";
    static final String JOB = "volsync-src-" + APP;

    final UnlockLifecycle hub = new UnlockLifecycle(new TrustedNamespaces(Set.of(TRUSTED)), Duration.ofMinutes(1));
    final List<PolicyAction> out = new ArrayList<>();
    Instant now = Instant.parse("2026-03-01T10:00:00Z");
    private int uids;

    Consumer<PolicyAction> out() {
        return out::add;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    static VolSyncMonitor monitor(String name, VolSyncMonitorStatus status) {
        VolSyncMonitor m = new VolSyncMonitor();
        m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(TRUSTED).withUid("uid-" + name).withGeneration(1L)
                .withCreationTimestamp("2026-01-01T00:00:00Z").build());
        VolSyncMonitorSpec spec = new VolSyncMonitorSpec();
        spec.setEnabled(true);
        spec.setMaxConcurrentUnlocks(3);
        spec.setJobSelector(new JobSelector());
        m.setSpec(spec);
        m.setStatus(status);
        return m;
    }

    /** The cluster connects: Connecting, its monitors, then listed. */
    void connect(String cluster, VolSyncMonitor... monitors) {
        hub.clusterDown(cluster, false, now, out());
        hub.monitorsChanged(cluster, List.of(monitors), now, out());
        hub.clusterSynced(cluster, now, out());
    }

    static PodSpec moverSpec() {
        return new PodSpecBuilder()
                .addNewContainer().withName("restic").withImage("quay.io/backube/volsync:0.16.0")
                    .addNewEnv().withName("RESTIC_REPOSITORY").withNewValueFrom().withNewSecretKeyRef("RESTIC_REPOSITORY", APP + "-restic", null)
                    .endValueFrom().endEnv()
                    .addNewVolumeMount().withName("repository").withMountPath("/repository").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("repository").withNewNfs("/mnt/tank/volsync", false, "nas.lan").endVolume()
                .build();
    }

    /** A mover pod of the app's Job: Running, or terminated (Failed/Succeeded) at {@code finished}. */
    Pod mover(String namespace, String name, String phase, Instant created, Instant finished) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).withUid("uid-" + name + "-" + (++uids))
                .withCreationTimestamp(created.truncatedTo(ChronoUnit.SECONDS).toString())
                .withLabels(Map.of("app.kubernetes.io/created-by", "volsync", "job-name", JOB, "controller-uid", "job-uid"))
                .endMetadata().withSpec(moverSpec()).withNewStatus().withPhase(phase).endStatus();
        Pod pod = b.build();
        if (finished != null) {
            pod.getStatus().setContainerStatuses(List.of(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder().withName("restic")
                    .withNewState().withNewTerminated().withExitCode("Succeeded".equals(phase) ? 0 : 1)
                    .withFinishedAt(finished.truncatedTo(ChronoUnit.SECONDS).toString()).endTerminated().endState().build()));
        }
        return pod;
    }

    static PodFact fact(String cluster, Pod pod) {
        return PodFacts.of(cluster, pod);
    }

    static String lockLog(String holder, Duration age) {
        return "unable to create lock in backend: repository is already locked exclusively by PID 31 on " + holder
                + " by root (UID 0, GID 0)\nlock was created at 2026-03-01 09:55:00 (" + age.toSeconds() + "s ago)\nstorage ID "
                + Integer.toHexString(holder.hashCode()) + "\nERROR: failure locking repository\n";
    }

    /** A mover pod failed with this log: reported, its log read, and detected, as PolicyVerticle would do it. */
    void fails(String cluster, Pod pod, String log) {
        hub.podChanged(cluster, fact(cluster, pod), false, now, out());
        FailedMover mover = FailedMover.of(pod, null);
        hub.moverFailed(cluster, pod, mover, pod.getMetadata().getLabels(), null, now, out());
        PolicyAction.ReadEvidence read = last(PolicyAction.ReadEvidence.class);
        hub.detected(cluster, read.podUid(), read.detector().examine(log), now, out());
    }

    /** Answers the holder questions that are out, from these pods (by name). */
    void answerHolders(Pod... pods) {
        for (PolicyAction.FindHolder f : take(PolicyAction.FindHolder.class)) {
            List<HolderRule.HolderPod> found = new ArrayList<>();
            for (Pod p : pods) {
                if (p.getMetadata().getName().equals(f.podName()) && f.namespaces().contains(p.getMetadata().getNamespace())) {
                    found.add(new HolderRule.HolderPod(f.cluster(), p.getMetadata().getNamespace(), p.getMetadata().getName(),
                            p.getMetadata().getUid(), PodStates.phase(p), PodStates.alive(p), Instant.parse(p.getMetadata().getCreationTimestamp())));
                }
            }
            hub.holderAnswered(f.recordKey(), f.cluster(), found, now, out());
        }
    }

    /** The unlock Job as the API server returns it once created. */
    Job created(PolicyAction.CreateJob create) {
        return new JobBuilder(create.job()).editMetadata().withUid("uid-" + create.job().getMetadata().getName())
                .withCreationTimestamp(now.truncatedTo(ChronoUnit.SECONDS).toString()).endMetadata().build();
    }

    static Job finished(Job job, boolean succeeded) {
        return new JobBuilder(job).withStatus(succeeded
                ? new JobStatusBuilder().withSucceeded(1).addNewCondition().withType("Complete").withStatus("True").endCondition().build()
                : new JobStatusBuilder().withFailed(3).addNewCondition().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
                        .endCondition().build()).build();
    }

    /** A pod of the unlock Job, labelled as the Job controller labels it. */
    static Pod unlockPod(Job job, String suffix, String phase) {
        Map<String, String> labels = new java.util.HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
        labels.put("job-name", job.getMetadata().getName());
        return new PodBuilder().withNewMetadata().withName(job.getMetadata().getName() + "-" + suffix)
                .withNamespace(job.getMetadata().getNamespace()).withUid("uid-" + job.getMetadata().getName() + "-" + suffix).withLabels(labels)
                .endMetadata().withSpec(job.getSpec().getTemplate().getSpec()).withNewStatus().withPhase(phase).endStatus().build();
    }

    <T extends PolicyAction> List<T> all(Class<T> type) {
        return out.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends PolicyAction> List<T> take(Class<T> type) {
        List<T> found = all(type);
        out.removeAll(found);
        return found;
    }

    <T extends PolicyAction> T last(Class<T> type) {
        List<T> found = all(type);
        if (found.isEmpty()) {
            throw new AssertionError("no " + type.getSimpleName() + " in " + out);
        }
        return found.get(found.size() - 1);
    }

    UnlockRecordView record(String podUid) {
        return hub.records().stream().filter(r -> r.podUid().equals(podUid)).findFirst().orElse(null);
    }

    VolSyncMonitorStatus status(String cluster) {
        return hub.statuses().get(StatusBook.key(cluster, TRUSTED, MONITOR));
    }
}
