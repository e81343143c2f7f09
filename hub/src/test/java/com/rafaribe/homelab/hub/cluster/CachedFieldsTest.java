package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.policy.FailedMover;
import com.rafaribe.homelab.hub.policy.PodFacts;
import com.rafaribe.homelab.hub.policy.PodStates;
import com.rafaribe.homelab.hub.policy.RepositoryKey;
import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The informer caches keep what the hub reads and nothing else: no managedFields, no kubectl copy
 * of the object, no pod conditions or addresses, nothing of a ReplicationSource but its last
 * mover's result; what the policy derives from a trimmed object is what it derives from the whole.
 */
class CachedFieldsTest {
    private final SandboxApiServer api = SandboxApiServer.start("trim");
    private SharedIndexInformer<?> informer;

    @AfterEach
    void close() {
        if (informer != null) {
            informer.close();
        }
        api.close();
    }

    @Test
    void aCachedPodHasOnlyWhatTheHubReads() {
        Job job = VolSyncObjects.sourceJob("media", "jellyfin", "rs-uid", "job-uid");
        Pod whole = api.client().pods().inNamespace("media")
                .resource(asAnApiServerWritesIt(VolSyncObjects.sourcePod(job, "x1y2z", "pod-uid", "jellyfin-restic").build())).create();
        assertThat(whole.getMetadata().getManagedFields()).as("the server keeps them").isNotEmpty();

        List<Pod> told = new CopyOnWriteArrayList<>();
        SharedIndexInformer<Pod> pods = TrimmingStore.trimmed(api.client().pods().inAnyNamespace().runnableInformer(0), CachedFields::pod);
        pods.addEventHandler(new Recorder<>(told));
        informer = pods;
        pods.start().toCompletableFuture().join();
        String key = "media/" + whole.getMetadata().getName();
        await().atMost(Duration.ofSeconds(10)).until(() -> !told.isEmpty());
        // The handlers are handed the objects as stored: trimmed too.
        assertThat(told).allSatisfy(p -> {
            assertThat(p.getMetadata().getManagedFields()).isNullOrEmpty();
            assertThat(p.getStatus().getConditions()).extracting(PodCondition::getType).containsExactly("DisruptionTarget");
        });

        Pod cached = pods.getStore().getByKey(key);
        assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(cached.getMetadata().getAnnotations()).doesNotContainKey(CachedFields.LAST_APPLIED).containsEntry("kept", "yes");
        // DisruptionTarget alone is kept: it says why the pod was killed (the lock's cause).
        assertThat(cached.getStatus().getConditions()).extracting(PodCondition::getType).containsExactly("DisruptionTarget");
        assertThat(cached.getStatus().getPodIP()).isNull();
        assertThat(cached.getStatus().getContainerStatuses().get(0).getImageID()).isNull();
        assertThat(cached.getStatus().getContainerStatuses().get(0).getLastState()).isNull();
        // What the policy reads of it is unchanged.
        assertThat(cached.getSpec()).isEqualTo(whole.getSpec());
        assertThat(PodStates.failed(cached)).isTrue();
        assertThat(PodFacts.of("c", cached)).isEqualTo(PodFacts.of("c", whole));
        assertThat(PodFacts.of("c", cached).cause().label()).isEqualTo("evicted");
        assertThat(FailedMover.of(cached, job)).isEqualTo(FailedMover.of(whole, job));
        assertThat(RepositoryKey.of("c", cached)).isEqualTo(RepositoryKey.of("c", whole));
    }

    /**
     * Most mover pods in a cache are Succeeded ones VolSync keeps until the next sync: never mirrored, so of
     * their spec only what the repository key reads is kept (the mover's name, its RESTIC_REPOSITORY and
     * envFrom, the volumes that may hold the repository).
     */
    @Test
    void aSucceededPodKeepsOnlyWhatItsRepositoryKeyReads() {
        Job job = VolSyncObjects.sourceJob("media", "jellyfin", "rs-uid", "job-uid");
        Pod whole = VolSyncObjects.sourcePod(job, "x1y2z", "pod-uid", "jellyfin-restic")
                .editSpec().editFirstContainer().addNewEnvFrom().withNewSecretRef("jellyfin-extra", false).endEnvFrom().endContainer()
                    .addNewContainer().withName("mesh-proxy").withImage("proxy:1").endContainer().endSpec()
                .withNewStatus().withPhase("Succeeded").endStatus().build();
        VolSyncObjects.mountNfsRepository(whole, "/mnt/backups/jellyfin");

        Pod cached = CachedFields.pod(Serialization.clone(whole));

        assertThat(cached.getSpec().getContainers()).hasSize(1);
        assertThat(cached.getSpec().getContainers().get(0).getName()).isEqualTo("restic");
        assertThat(cached.getSpec().getContainers().get(0).getEnv()).extracting(e -> e.getName()).containsExactly("RESTIC_REPOSITORY");
        assertThat(cached.getSpec().getContainers().get(0).getEnvFrom()).hasSize(1);
        assertThat(cached.getSpec().getContainers().get(0).getImage()).isNull();
        assertThat(cached.getSpec().getVolumes()).extracting(v -> v.getName()).containsExactly("repository");
        assertThat(cached.getSpec().getSecurityContext()).isNull();
        assertThat(RepositoryKey.of("c", cached)).isEqualTo(RepositoryKey.of("c", whole));
        assertThat(PodFacts.of("c", cached)).isEqualTo(PodFacts.of("c", whole));
        assertThat(FailedMover.of(cached, job)).isEqualTo(FailedMover.of(whole, job));

        Pod failed = new io.fabric8.kubernetes.api.model.PodBuilder(whole).editStatus().withPhase("Failed").endStatus().build();
        assertThat(CachedFields.pod(Serialization.clone(failed)).getSpec()).as("a failed pod is mirrored: its spec stays whole")
                .isEqualTo(failed.getSpec());
    }

    @Test
    void aCachedReplicationSourceKeepsWhatTheFailurePathAndTheBackupModelRead() {
        Map<String, Object> latest = Map.of("result", "Failed", "time", "2026-01-01T00:00:00Z", "logs", "repository is already locked");
        GenericKubernetesResource rs = new GenericKubernetesResourceBuilder().withApiVersion("volsync.backube/v1alpha1")
                .withKind("ReplicationSource").withNewMetadata().withName("jellyfin").withNamespace("media")
                .withCreationTimestamp("2025-12-01T00:00:00Z")
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("flux").withOperation("Apply").build())
                .addToAnnotations(CachedFields.LAST_APPLIED, "{\"a\":\"copy\"}").endMetadata()
                .addToAdditionalProperties("spec", Map.of("sourcePVC", "data", "restic", Map.of("repository", "jellyfin-restic"),
                        "trigger", Map.of("schedule", "0 3 * * *")))
                .addToAdditionalProperties("status", Map.of("latestMoverStatus", latest, "conditions", List.of(Map.of("type", "Synchronizing")),
                        "lastSyncTime", "2026-01-01T03:01:00Z", "lastSyncDuration", "1m0s", "nextSyncTime", "2026-01-02T03:00:00Z"))
                .build();

        GenericKubernetesResource cached = CachedFields.replicationSource(Serialization.clone(rs));

        assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(cached.getMetadata().getAnnotations()).isEmpty();
        assertThat(cached.getMetadata().getName()).isEqualTo("jellyfin");
        assertThat(cached.getAdditionalProperties()).containsOnlyKeys("spec", "status");
        assertThat(cached.getAdditionalProperties().get("status")).isEqualTo(Map.of("latestMoverStatus", latest,
                "lastSyncTime", "2026-01-01T03:01:00Z", "lastSyncDuration", "1m0s", "nextSyncTime", "2026-01-02T03:00:00Z"));
        assertThat(cached.getAdditionalProperties().get("spec")).as("the repository Secret's name and the PVC are not kept")
                .isEqualTo(Map.of("sourcePVC", Map.of(), "restic", Map.of(), "trigger", Map.of("schedule", "0 3 * * *")));
        assertThat(com.rafaribe.homelab.hub.backups.BackupFacts.of("c", "ReplicationSource", cached))
                .as("the backup model reads the same facts from the trimmed copy")
                .isEqualTo(com.rafaribe.homelab.hub.backups.BackupFacts.of("c", "ReplicationSource", rs));
    }

    /** Most backups, most of the time: a successful sync's log summary is not evidence of anything, and is not kept. */
    @Test
    void aSuccessfulSyncsLogIsNotKept() {
        GenericKubernetesResource rs = new GenericKubernetesResourceBuilder().withApiVersion("volsync.backube/v1alpha1")
                .withKind("ReplicationSource").withNewMetadata().withName("jellyfin").withNamespace("media").endMetadata()
                .addToAdditionalProperties("spec", Map.of("trigger", Map.of("schedule", "0 3 * * *")))
                .addToAdditionalProperties("status", Map.of("lastSyncTime", "2026-01-01T03:01:00Z", "latestMoverStatus",
                        Map.of("result", "Successful", "time", "2026-01-01T03:01:00Z", "logs", "snapshot 1a2b3c4d saved\nRestic completed in 12s")))
                .build();

        GenericKubernetesResource cached = CachedFields.replicationSource(Serialization.clone(rs));

        assertThat(((Map<?, ?>) cached.getAdditionalProperties().get("status")).get("latestMoverStatus"))
                .isEqualTo(Map.of("result", "Successful", "time", "2026-01-01T03:01:00Z"));
        assertThat(com.rafaribe.homelab.hub.backups.BackupFacts.of("c", "ReplicationSource", cached))
                .isEqualTo(com.rafaribe.homelab.hub.backups.BackupFacts.of("c", "ReplicationSource", rs));
    }

    /** Most mover Jobs are Complete ones VolSync keeps until the next sync: their pod template is never mirrored. */
    @Test
    void aCompletedMoverJobKeepsNoPodTemplate() {
        Job running = VolSyncObjects.sourceJob("media", "jellyfin", "rs-uid", "job-uid");
        Job complete = new JobBuilder(Serialization.clone(running)).withNewStatus().withSucceeded(1)
                .addNewCondition().withType("Complete").withStatus("True").endCondition().endStatus().build();

        assertThat(CachedFields.moverJob(Serialization.clone(running)).getSpec().getTemplate().getSpec())
                .as("a Job that may still fail is mirrored by the ReplicationSource path").isEqualTo(running.getSpec().getTemplate().getSpec());
        Job trimmed = CachedFields.moverJob(Serialization.clone(complete));
        assertThat(trimmed.getSpec().getTemplate().getSpec()).isNull();
        assertThat(trimmed.getSpec().getTemplate().getMetadata()).isEqualTo(complete.getSpec().getTemplate().getMetadata());
        assertThat(trimmed.getMetadata()).usingRecursiveComparison().ignoringFields("managedFields").isEqualTo(complete.getMetadata());
        assertThat(trimmed.getStatus()).isEqualTo(complete.getStatus());
        assertThat(CachedFields.complete(trimmed)).isTrue();
        assertThat(CachedFields.complete(running)).isFalse();
    }

    /** What a real API server adds to a failed mover pod: managedFields, conditions, addresses, IDs. */
    private static Pod asAnApiServerWritesIt(Pod pod) {
        pod.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("kube-controller-manager")
                .withOperation("Update").withApiVersion("v1").withFieldsType("FieldsV1").build()));
        pod.getMetadata().setAnnotations(Map.of(CachedFields.LAST_APPLIED, "{\"kind\":\"Pod\"}", "kept", "yes"));
        pod.setStatus(new PodStatusBuilder().withPhase("Failed").withPodIP("10.0.0.7").withHostIP("192.168.1.2").withQosClass("BestEffort")
                .addNewCondition().withType("Ready").withStatus("False").endCondition()
                .addNewCondition().withType("DisruptionTarget").withStatus("True").withReason("EvictionByEvictionAPI").endCondition()
                .withContainerStatuses(new ContainerStatusBuilder().withName("restic").withImageID("quay.io/backube/volsync@sha256:abc")
                        .withContainerID("containerd://123").withNewLastState().withNewTerminated().withExitCode(1).endTerminated().endLastState()
                        .withNewState().withNewTerminated().withExitCode(1).withReason("Error").endTerminated().endState().build())
                .build());
        return pod;
    }

    private record Recorder<T>(List<T> told) implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T obj) {
            told.add(obj);
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            told.add(newObj);
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        }
    }
}
