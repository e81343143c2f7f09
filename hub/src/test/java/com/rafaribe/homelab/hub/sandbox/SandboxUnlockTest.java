package com.rafaribe.homelab.hub.sandbox;

import static com.rafaribe.homelab.hub.testing.HubFixture.unlockJobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Restic;
import com.rafaribe.homelab.hub.testing.Tier;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tier 3: a sandbox cluster whose pods really run, with the real restic. A stale lock left by a
 * killed backup of an earlier mover attempt blocks the app's prune; the hub's unlock Job, run with
 * exactly the env and volumes the hub mirrored, removes it, and the mover's next attempt succeeds.
 */
@ExtendWith(VertxExtension.class)
class SandboxUnlockTest {
    static final String NS = "media";
    static final String NFS_SERVER = "truenas.example";
    static final String NFS_PATH = "/mnt/storage-0/volsync";
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path root;
    SandboxApiServer api;
    PodRunner runner;
    JobController jobs;
    HubFixture hub;

    @BeforeEach
    void startSandbox() {
        Restic.requireInstalled();
        Tier.require("root".equals(System.getProperty("user.name")), "tier 3 (sandbox pods with their own hostname)",
                "needs root for unshare --uts; CI runs as root");
        api = SandboxApiServer.start("home");
        runner = new PodRunner(api, root);
        jobs = new JobController(api);
    }

    @AfterEach
    void stopSandbox() throws Exception {
        if (hub != null) {
            hub.close();
        }
        if (jobs != null) {
            jobs.close();
            runner.close();
            api.close();
        }
    }

    /** A mover Job shaped like VolSync's: entry.sh backup with FORGET_OPTIONS, whose forget needs an exclusive lock. */
    Job moverJob(String app, String secret) {
        Job owner = VolSyncObjects.sourceJob(NS, app, UUID.randomUUID().toString(), null);
        return new JobBuilder(owner).editMetadata().withUid(null).endMetadata()
                .withNewSpec().withBackoffLimit(8).withNewTemplate()
                    .withNewMetadata().withLabels(Map.of("app.kubernetes.io/created-by", "volsync")).endMetadata()
                    .withNewSpec().withRestartPolicy("Never")
                        .addNewContainer().withName("restic").withImage(VolSyncObjects.IMAGE)
                            .withCommand(PodRunner.MOVER_ENTRYPOINT).withArgs("backup")
                            .withEnv(secretEnv("RESTIC_REPOSITORY", secret), secretEnv("RESTIC_PASSWORD", secret),
                                    new EnvVarBuilder().withName("RESTIC_CACHE_DIR").withValue("/cache").build(),
                                    new EnvVarBuilder().withName("DATA_DIR").withValue("/data").build(),
                                    new EnvVarBuilder().withName("PRIVILEGED_MOVER").withValue("0").build(),
                                    new EnvVarBuilder().withName("FORGET_OPTIONS").withValue("--keep-last 1").build())
                            .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                            .addNewVolumeMount().withName("cache").withMountPath("/cache").endVolumeMount()
                            .addNewVolumeMount().withName("tempdir").withMountPath("/tmp").endVolumeMount()
                            .addNewVolumeMount().withName("repository").withMountPath("/repository").endVolumeMount()
                        .endContainer()
                        .addNewVolume().withName("data").withNewPersistentVolumeClaim("volsync-" + app + "-src", true).endVolume()
                        .addNewVolume().withName("cache").withNewPersistentVolumeClaim("volsync-src-" + app + "-cache", false).endVolume()
                        .addNewVolume().withName("tempdir").withNewEmptyDir().withMedium("Memory").endEmptyDir().endVolume()
                        .addNewVolume().withName("repository").withNewNfs(NFS_PATH, false, NFS_SERVER).endVolume()
                    .endSpec()
                .endTemplate().endSpec().build();
    }

    /** The repository Secret VolSync's mover reads by secretKeyRef: the repository on the NAS, and a password. */
    void repositorySecret(String name, String password) {
        api.client().secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withStringData(Map.of("RESTIC_REPOSITORY", "/repository/app", "RESTIC_PASSWORD", password)).build()).create();
    }

    void awaitSucceeded(String job) {
        await().atMost(WAIT).until(() -> {
            Job j = api.client().batch().v1().jobs().inNamespace(NS).withName(job).get();
            return j != null && j.getStatus() != null && j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() == 1;
        });
    }

    static io.fabric8.kubernetes.api.model.EnvVar secretEnv(String name, String secret) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef(name, secret, null).endValueFrom().build();
    }

    /** The repository with a stale lock of an earlier mover attempt (another host, seconds old). */
    Restic repositoryWithStaleLock() throws Exception {
        repositorySecret("app-restic", Restic.PASSWORD);
        Path data = Files.createDirectories(root.resolve("pvc").resolve(NS).resolve("volsync-app-src"));
        Files.writeString(data.resolve("config.xml"), "<settings/>");
        Path repository = runner.nfsDir(NFS_SERVER, NFS_PATH).resolve("app");
        Files.createDirectories(repository.getParent());
        Restic restic = new Restic(repository);
        assertThat(restic.run("init").exit()).isZero();
        // An earlier attempt of the mover, killed while it held its lock: a stale lock under that pod's hostname.
        Process holding = restic.startAs("volsync-src-app-x7k2p", "backup", "--stdin", "--stdin-filename", "dump.sql");
        await().atMost(WAIT).until(restic::hasLocks);
        holding.destroyForcibly().waitFor();
        return restic;
    }

    @Test
    void theHubsUnlockJobRemovesARealStaleLockAndTheNextAttemptSucceeds(Vertx vertx, @TempDir Path hubDir) throws Exception {
        Restic restic = repositoryWithStaleLock();
        VolSyncWorld.applyHubMonitor(api, "{enabled: true}");
        hub = HubFixture.start(vertx, hubDir, Duration.ofSeconds(5), api);
        long start = System.nanoTime();
        Job mover = api.client().batch().v1().jobs().inNamespace(NS).resource(moverJob("app", "app-restic")).create();

        await().atMost(WAIT).until(() -> unlockJobs(api, NS).size() == 1);
        Job unlock = unlockJobs(api, NS).get(0);
        assertThat(unlock.getMetadata().getAnnotations().get(UnlockJobMetadata.HOLDER)).startsWith("volsync-src-app-x7k2p");
        assertThat(unlock.getMetadata().getAnnotations().get(UnlockJobMetadata.MATCHED_LINE))
                .as("restic's own words, from the emulated VolSync mover").contains("repository is already locked by PID");
        awaitSucceeded(unlock.getMetadata().getName());
        assertThat(restic.run("list", "locks", "--no-lock").text()).as("the repository's locks").isBlank();
        awaitSucceeded(mover.getMetadata().getName());
        System.out.printf("sandbox: mover Job created to its recovered run: %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        List<Pod> unlockPods = api.client().pods().inNamespace(NS).withLabel("job-name", unlock.getMetadata().getName()).list().getItems();
        assertThat(unlockPods).singleElement().satisfies(p -> assertThat(p.getSpec().getVolumes()).extracting(v -> v.getName())
                .doesNotContain("data").contains("repository"));
        await().atMost(WAIT).until(() -> "Succeeded".equals(hub.unlock(unlock.getMetadata().getAnnotations()
                .get(UnlockJobMetadata.FAILED_POD_UID)).getString("state")));
        assertThat(unlockJobs(api, NS)).as("one unlock for one stale lock").hasSize(1);
    }

    @Test
    void plainResticUnlockLeavesAnotherPodsRecentLockInPlace(Vertx vertx, @TempDir Path hubDir) throws Exception {
        Restic restic = repositoryWithStaleLock();
        // What VolSync's own spec.restic.unlock runs: it removes only locks it may call stale, and this one is not.
        VolSyncWorld.applyHubMonitor(api, "{enabled: true, unlockJobTemplate: {args: [\"unlock\"]}}");
        hub = HubFixture.start(vertx, hubDir, Duration.ofSeconds(5), api);
        api.client().batch().v1().jobs().inNamespace(NS).resource(moverJob("app", "app-restic")).create();
        await().atMost(WAIT).until(() -> unlockJobs(api, NS).size() == 1);
        Job unlock = unlockJobs(api, NS).get(0);
        awaitSucceeded(unlock.getMetadata().getName());
        assertThat(restic.run("list", "locks", "--no-lock").text()).as("plain unlock left the lock").isNotBlank();
    }

    @Test
    void aWrongPasswordFailsTheMoverAndGetsNoUnlock(Vertx vertx, @TempDir Path hubDir) throws Exception {
        Restic restic = repositoryWithStaleLock();
        repositorySecret("bad-restic", "not-the-password");
        VolSyncWorld.applyHubMonitor(api, "{enabled: true}");
        hub = HubFixture.start(vertx, hubDir, Duration.ofSeconds(5), api);
        api.client().batch().v1().jobs().inNamespace(NS).resource(moverJob("app", "bad-restic")).create();
        // Two attempts fail and are decided on: neither is a lock, though the repository has a stale lock.
        await().atMost(WAIT).until(() -> hub.api.list("/api/failures").stream().filter(f -> "not-a-lock".equals(f.getString("decision"))).count() >= 2);
        assertThat(unlockJobs(api, NS)).isEmpty();
        assertThat(restic.run("list", "locks", "--no-lock").text()).as("the stale lock is left alone").isNotBlank();
    }
}
