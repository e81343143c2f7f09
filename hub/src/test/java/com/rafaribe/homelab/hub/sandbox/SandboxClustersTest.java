package com.rafaribe.homelab.hub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.Tier;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tier 3, end to end: three sandbox clusters whose VolSync movers really run restic, and the hub
 * watching them all, as {@code run} does. Each test breaks one app in its own way and watches the
 * hub unlock it, or rightly not. The same suite runs on each {@link Backend}: mock API servers,
 * real control planes (the hub then runs as agent-config's identity), k3s where Docker runs.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(Backend.class)
public class SandboxClustersTest {
    static final String NS = Sandbox.APPS_NAMESPACE;
    static final Duration WAIT = Duration.ofSeconds(90);

    @Parameter
    Backend backend;
    static Path root;
    static List<TestCluster> clusters;
    static Sandbox main;
    static Sandbox nas;
    /** Its monitor runs VolSync's own remedy, plain {@code restic unlock}, instead of the hub's default. */
    static Sandbox plain;
    static HubFixture hub;

    @BeforeParameterizedClassInvocation
    static void startClusters(Backend backend) throws Exception {
        Tier.requireSandbox();
        root = Files.createTempDirectory("sandbox-clusters-test");
        clusters = backend.start("homelab-main", "homelab-nas", "homelab-plain");
        main = clusters.get(0).sandbox(root.resolve("main"), List.of("prowlarr", "sonarr", "radarr"), Sandbox.DEFAULT_MONITOR_SPEC);
        nas = clusters.get(1).sandbox(root.resolve("nas"), List.of("paperless", "immich"), Sandbox.DEFAULT_MONITOR_SPEC);
        plain = clusters.get(2).sandbox(root.resolve("plain"), List.of("bazarr"), "{enabled: true, unlockJobTemplate: {args: [unlock]}}");
        for (Sandbox cluster : List.of(main, nas, plain)) {
            for (String app : cluster.apps()) {
                awaitBackedUp(cluster, app, "initial");
            }
        }
        hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, Backend.kubeconfig(root.resolve("hub"), clusters));
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    static void stopClusters() throws Exception {
        // The hub first: it would reconnect to whatever server gets a closed cluster's port next.
        List<AutoCloseable> parts = new java.util.ArrayList<>();
        parts.add(hub == null ? null : hub::close);
        parts.addAll(java.util.Arrays.asList(main, nas, plain));
        if (clusters != null) {
            parts.addAll(clusters);
        }
        Teardown.close(root, parts.toArray(AutoCloseable[]::new));
        hub = null;
        main = nas = plain = null;
        clusters = null;
    }

    @Test
    void aStaleLockOfAnEarlierMoverIsUnlockedAndTheNextBackupSucceeds() throws Exception {
        Set<String> unlocksBefore = allUnlockJobs();
        main.injectStaleLock("prowlarr", "volsync-src-prowlarr-x7k2p");
        String sync = main.syncNow("prowlarr");
        awaitFailedMoverPod(main, "prowlarr");
        Instant failedAt = Instant.now();

        Job unlock = awaitUnlockJob(main, "prowlarr");
        // A real Job controller may have retried the first failure at once: the unlock names the first failed pod.
        Pod failed = failedMoverPods(main, "prowlarr").stream()
                .filter(p -> p.getMetadata().getUid().equals(unlock.getMetadata().getAnnotations().get(UnlockJobMetadata.FAILED_POD_UID)))
                .findFirst().orElseThrow(() -> new AssertionError("the unlock Job names no failed pod of prowlarr: " + unlock.getMetadata()));
        assertThat(main.client().pods().inNamespace(NS).withName(failed.getMetadata().getName()).getLog())
                .as("the mover's log").contains("repository is already locked exclusively by PID", "ERROR:");
        assertThat(unlock.getMetadata().getAnnotations().get(UnlockJobMetadata.HOLDER)).startsWith("volsync-src-prowlarr-x7k2p (PID ");
        assertMirrorsTheRepositoryOnly(unlock.getSpec().getTemplate().getSpec(), "prowlarr-restic");
        awaitSucceeded(main, unlock.getMetadata().getName());
        assertThat(main.locks("prowlarr")).as("locks left in the repository").isZero();

        awaitBackedUp(main, "prowlarr", sync);
        System.out.printf("sandbox on %s: failed mover pod to recovered backup: %d ms%n", backend, Duration.between(failedAt, Instant.now()).toMillis());
        await().atMost(WAIT).until(() -> hub.unlock(failed.getMetadata().getUid()) != null
                && hub.unlock(failed.getMetadata().getUid()).getString("recoveredAt") != null);
        // removeFailedJobs deletes the failed Job so that VolSync runs it at once, but never while a pod of it is active:
        // the emulated Job controller waits 10 s before its next pod, a 1.20 one retries a first failure at once, and
        // that pod then recovers the backup. RestartTest shows the removal on every backend.
        assertThat(hub.unlock(failed.getMetadata().getUid()).getString("state")).isEqualTo("Succeeded");
        Set<String> created = allUnlockJobs();
        created.removeAll(unlocksBefore);
        assertThat(created).as("unlock Jobs created in every cluster during this test")
                .containsExactly("homelab-main/" + unlock.getMetadata().getName());
    }

    @Test
    void plainResticUnlockLeavesAnotherPodsRecentLockInPlace() throws Exception {
        plain.injectStaleLock("bazarr", "volsync-src-bazarr-q9w4t");
        plain.syncNow("bazarr");
        Job unlock = awaitUnlockJob(plain, "bazarr");
        assertThat(unlock.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsExactly("unlock");
        awaitSucceeded(plain, unlock.getMetadata().getName());
        assertThat(plain.locks("bazarr")).as("the lock plain unlock left (another host's, minutes old)").isEqualTo(1);
    }

    @Test
    void aLockOfAForeignHostIsWaitedForAndSaidSoInTheApi() throws Exception {
        main.injectStaleLock("sonarr", "nas-cron");
        main.syncNow("sonarr");
        Pod failed = awaitFailedMoverPod(main, "sonarr");
        await().atMost(WAIT).until(() -> hub.unlock(failed.getMetadata().getUid()) != null
                && "WaitingForHolder".equals(hub.unlock(failed.getMetadata().getUid()).getString("state")));
        JsonObject waiting = hub.unlock(failed.getMetadata().getUid());
        assertThat(waiting.getString("holder")).startsWith("nas-cron");
        assertThat(waiting.getString("reason")).contains("nas-cron", "30 minutes");
        assertThat(unlockJobs(main, "sonarr")).isEmpty();
        assertThat(main.locks("sonarr")).isEqualTo(1);
    }

    @Test
    void aLiveBackupOfTheSameRepositoryIsWaitedForAndUnlockedOnlyAfterItEnds() throws Exception {
        String holder = "volsync-src-radarr-db-h2x9k";
        main.startBackupPod("radarr", holder);
        await().atMost(WAIT).until(() -> main.locks("radarr") == 1);
        String sync = main.syncNow("radarr");
        Pod failed = awaitFailedMoverPod(main, "radarr");
        await().atMost(WAIT).until(() -> hub.unlock(failed.getMetadata().getUid()) != null
                && "WaitingForHolder".equals(hub.unlock(failed.getMetadata().getUid()).getString("state")));
        assertThat(hub.unlock(failed.getMetadata().getUid()).getString("reason")).contains(holder, "Running", "the lock is live");
        assertThat(unlockJobs(main, "radarr")).as("unlock Jobs while the holder runs").isEmpty();

        // The holder's node dies: its pod is gone, its lock stays. Now the hub may remove it.
        main.client().pods().inNamespace(NS).withName(holder).delete();
        Job unlock = awaitUnlockJob(main, "radarr");
        awaitSucceeded(main, unlock.getMetadata().getName());
        awaitBackedUp(main, "radarr", sync);
        assertThat(main.locks("radarr")).isZero();
    }

    @Test
    void aWrongPasswordFailsTheMoverAndGetsNoUnlock() throws Exception {
        nas.changePassword("paperless", "not-the-password");
        nas.syncNow("paperless");
        Pod failed = awaitFailedMoverPod(nas, "paperless");
        await().atMost(WAIT).until(() -> hub.failure(failed.getMetadata().getUid()) != null);
        assertThat(hub.failure(failed.getMetadata().getUid()).getString("decision")).isEqualTo("not-a-lock");
        assertThat(unlockJobs(nas, "paperless")).isEmpty();
    }

    @Test
    void aRepositoryThatCannotBeReachedNorCreatedGetsNoUnlock() throws Exception {
        nas.breakRepository("immich");
        nas.syncNow("immich");
        Pod failed = awaitFailedMoverPod(nas, "immich");
        assertThat(nas.client().pods().inNamespace(NS).withName(failed.getMetadata().getName()).getLog())
                .as("entry.sh tried to create the repository").contains("ERROR:");
        await().atMost(WAIT).until(() -> hub.failure(failed.getMetadata().getUid()) != null);
        assertThat(hub.failure(failed.getMetadata().getUid()).getString("decision")).isEqualTo("not-a-lock");
        assertThat(unlockJobs(nas, "immich")).isEmpty();
    }

    @Test
    void podsTakeEnvFromConfigMapsAndSecretsAndAnUnknownCommandFailsClearly() {
        KubernetesClient client = main.client();
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("lidarr-repo").endMetadata()
                .addToData("RESTIC_REPOSITORY", "/repository/homelab-main/prowlarr").build()).create();
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("lidarr-password").endMetadata()
                .addToStringData("RESTIC_PASSWORD", Sandbox.PASSWORD).build()).create();
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("list-snapshots").endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("restic").withImage("restic/restic")
                    .withCommand("restic", "snapshots", "--no-lock")
                    .addNewEnv().withName("RESTIC_REPOSITORY").withNewValueFrom().withNewConfigMapKeyRef("RESTIC_REPOSITORY", "lidarr-repo", null)
                        .endValueFrom().endEnv()
                    .addNewEnvFrom().withNewSecretRef("lidarr-password", null).endEnvFrom()
                    .addNewVolumeMount().withName("repository").withMountPath("/repository").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("repository").withNewNfs(Sandbox.NFS_PATH, false, Sandbox.NFS_SERVER).endVolume()
                .endSpec().build()).create();
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("a-shell").endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("sh").withImage("busybox")
                    .withCommand("sh", "-c", "echo hello").endContainer().endSpec().build()).create();

        await().atMost(WAIT).until(() -> phase("list-snapshots").equals("Succeeded") && phase("a-shell").equals("Failed"));
        assertThat(client.pods().inNamespace(NS).withName("list-snapshots").getLog()).contains("/pvc/apps/prowlarr-data")
                .containsPattern("\\d+ snapshots");
        Pod shell = client.pods().inNamespace(NS).withName("a-shell").get();
        assertThat(shell.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode()).isEqualTo(127);
        assertThat(client.pods().inNamespace(NS).withName("a-shell").getLog()).contains("unknown command [sh, -c, echo hello]");
    }

    private static String phase(String pod) {
        Pod p = main.client().pods().inNamespace(NS).withName(pod).get();
        return p == null || p.getStatus() == null || p.getStatus().getPhase() == null ? "" : p.getStatus().getPhase();
    }

    /**
     * The unlock Job reaches the repository as the mover did, and nothing else of the app: the NFS
     * repository volume, the Secret's keys by reference, and never the data or cache PVC (often
     * ReadWriteOnce: mounting one would hang the Job on another node; the cache becomes an emptyDir).
     */
    static void assertMirrorsTheRepositoryOnly(PodSpec spec, String secret) {
        assertThat(spec.getVolumes()).extracting(Volume::getName).contains("repository").doesNotContain("data");
        assertThat(spec.getVolumes()).as("PVC volumes").noneMatch(v -> v.getPersistentVolumeClaim() != null);
        assertThat(spec.getVolumes()).filteredOn(v -> v.getName().equals("repository")).singleElement()
                .satisfies(v -> assertThat(v.getNfs().getServer() + ":" + v.getNfs().getPath()).isEqualTo(Sandbox.NFS_SERVER + ":" + Sandbox.NFS_PATH));
        Map<String, EnvVar> env = new java.util.HashMap<>();
        spec.getContainers().get(0).getEnv().forEach(e -> env.put(e.getName(), e));
        for (String key : List.of("RESTIC_REPOSITORY", "RESTIC_PASSWORD")) {
            assertThat(env.get(key)).as(key).isNotNull();
            assertThat(env.get(key).getValue()).as(key + " as a literal value").isNull();
            assertThat(env.get(key).getValueFrom().getSecretKeyRef().getName()).as(key + " from the Secret").isEqualTo(secret);
        }
    }

    static List<Job> unlockJobs(Sandbox cluster, String app) {
        return HubFixture.unlockJobs(cluster.client(), NS).stream()
                .filter(j -> ("volsync-src-" + app).equals(j.getMetadata().getLabels().get(UnlockJobMetadata.FAILED_JOB_LABEL))).toList();
    }

    static Set<String> allUnlockJobs() {
        Set<String> names = new HashSet<>();
        for (Sandbox cluster : List.of(main, nas, plain)) {
            HubFixture.unlockJobs(cluster.client(), NS).forEach(j -> names.add(cluster.name + "/" + j.getMetadata().getName()));
        }
        return names;
    }

    static Job awaitUnlockJob(Sandbox cluster, String app) {
        await().atMost(WAIT).until(() -> unlockJobs(cluster, app).size() == 1);
        return unlockJobs(cluster, app).get(0);
    }

    static Pod awaitFailedMoverPod(Sandbox cluster, String app) {
        await().atMost(WAIT).until(() -> !failedMoverPods(cluster, app).isEmpty());
        return failedMoverPods(cluster, app).get(0);
    }

    /** The first to fail first: a real Job controller may have started and failed another already. */
    private static List<Pod> failedMoverPods(Sandbox cluster, String app) {
        return cluster.client().pods().inNamespace(NS).withLabel("job-name", "volsync-src-" + app).list().getItems().stream()
                .filter(p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase()))
                .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getCreationTimestamp())).toList();
    }


    static void awaitSucceeded(Sandbox cluster, String job) {
        await().atMost(WAIT).until(() -> {
            Job j = cluster.client().batch().v1().jobs().inNamespace(NS).withName(job).get();
            return j != null && j.getStatus() != null && j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() == 1;
        });
    }

    /** VolSync recorded a successful run for this manual trigger. */
    @SuppressWarnings("unchecked")
    public static void awaitBackedUp(Sandbox cluster, String app, String trigger) {
        await().atMost(WAIT).until(() -> {
            Object status = cluster.replicationSource(app).getAdditionalProperties().get("status");
            return status instanceof Map<?, ?> s && trigger.equals(s.get("lastManualSync"))
                    && "Successful".equals(((Map<String, Object>) s.get("latestMoverStatus")).get("result"));
        });
    }
}
