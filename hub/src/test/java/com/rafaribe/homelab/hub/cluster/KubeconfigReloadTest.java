package com.rafaribe.homelab.hub.cluster;

import static com.rafaribe.homelab.hub.testing.HubFixture.unlockJobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.BlockedThreadWatch;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The kubeconfigs change while the hub runs: each change does what it says to exactly one
 * cluster, while beta, in a file nobody touches, keeps handling lock failures on the same
 * connection throughout. A plain folder (files added, changed, broken, removed) and a folder laid
 * out as a Kubernetes Secret volume ({@code ..data} symlink swapped) are watched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeconfigReloadTest {
    static final BlockedThreadWatch BLOCKED = new BlockedThreadWatch();
    static final Duration WAIT = Duration.ofSeconds(30);
    static Path dir;
    static Path plain;
    static Path secret;
    static SandboxApiServer alpha;
    static SandboxApiServer beta;
    static SandboxApiServer gamma;
    static HubFixture hub;
    static String betaSince;
    static int steady;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("kubeconfig-reload");
        plain = Files.createDirectories(dir.resolve("plain"));
        secret = Files.createDirectories(dir.resolve("secret"));
        alpha = SandboxApiServer.start("alpha");
        beta = SandboxApiServer.start("beta");
        gamma = SandboxApiServer.start("gamma");
        for (SandboxApiServer c : List.of(alpha, beta, gamma)) {
            VolSyncWorld.applyHubMonitor(c, "{enabled: true}");
        }
        Files.writeString(plain.resolve("beta.yaml"), kubeconfig(beta, "token-beta"));
        secretVersion("..2026_11_26_20_00_00.1", kubeconfig(gamma, "token-gamma-1"));
        Files.createSymbolicLink(secret.resolve("..data"), Path.of("..2026_11_26_20_00_00.1"));
        Files.createSymbolicLink(secret.resolve("gamma.yaml"), Path.of("..data/gamma.yaml"));
        hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(2), null, plain, secret);
        await().atMost(WAIT).until(() -> "Connected".equals(state("beta")) && "Connected".equals(state("gamma")));
        betaSince = cluster("beta").getString("since");
    }

    @AfterAll
    static void stop() throws Exception {
        Teardown.close(dir, hub == null ? null : hub::close, alpha, beta, gamma);
        assertThat(BLOCKED.warnings()).as("Vert.x blocked-thread checker").isEmpty();
    }

    static String kubeconfig(SandboxApiServer server, String token) {
        return """
                apiVersion: v1
                kind: Config
                clusters: [{name: %1$s, cluster: {server: "%2$s"}}]
                users: [{name: %1$s, user: {token: %3$s}}]
                contexts: [{name: %1$s, context: {cluster: %1$s, user: %1$s}}]
                current-context: %1$s
                """.formatted(server.name, server.url(), token);
    }

    /** What kubelet writes for a Secret's new version: a timestamped folder, the files in it. */
    static void secretVersion(String folder, String gammaKubeconfig) throws Exception {
        Files.writeString(Files.createDirectories(secret.resolve(folder)).resolve("gamma.yaml"), gammaKubeconfig);
    }

    static JsonObject cluster(String name) {
        return hub.api.list("/api/clusters").stream().filter(c -> name.equals(c.getString("name"))).findFirst().orElse(null);
    }

    static String state(String name) {
        JsonObject c = cluster(name);
        return c == null ? null : c.getString("state");
    }

    /** Beta handles a lock failure, on the connection it had from the start. */
    static void betaKeepsUnlocking() {
        String ns = "steady-" + ++steady;
        VolSyncWorld.failMover(beta, ns, "wiki", "s" + steady + "s" + steady + "s", "wiki-restic", VolSyncWorld.lockLog("volsync-src-wiki-zzzzz", "1m"));
        await().atMost(WAIT).until(() -> unlockJobs(beta, ns).size() == 1);
        // Finished, so that the monitor's maxConcurrentUnlocks never holds the next step's unlock back.
        VolSyncWorld.finishJob(beta, unlockJobs(beta, ns).get(0), true);
        assertThat(cluster("beta").getString("since")).as("beta was never restarted").isEqualTo(betaSince);
        assertThat(cluster("beta").getString("state")).isEqualTo("Connected");
    }

    @Test
    @Order(1)
    void aFileAddedStartsItsCluster() throws Exception {
        assertThat(cluster("alpha")).isNull();
        Files.writeString(plain.resolve("alpha.yaml"), kubeconfig(alpha, "token-alpha-1"));
        await().atMost(WAIT).until(() -> "Connected".equals(state("alpha")));
        assertThat(alpha.authorizations).as("the hub's credentials; the test's own client sends another")
                .filteredOn(a -> a.startsWith("Bearer token-")).containsExactly("Bearer token-alpha-1");
        betaKeepsUnlocking();
    }

    @Test
    @Order(2)
    void aChangedTokenRestartsThatClusterWithIt() throws Exception {
        String since = cluster("alpha").getString("since");
        Files.writeString(plain.resolve("alpha.yaml"), kubeconfig(alpha, "token-alpha-2"));
        await().atMost(WAIT).until(() -> alpha.authorizations.contains("Bearer token-alpha-2"));
        await().atMost(WAIT).until(() -> "Connected".equals(state("alpha")) && !since.equals(cluster("alpha").getString("since")));
        String gammaSince = cluster("gamma").getString("since");
        betaKeepsUnlocking();
        assertThat(cluster("gamma").getString("since")).isEqualTo(gammaSince);
    }

    @Test
    @Order(3)
    void garbageKeepsTheLastGoodConfigurationRunningAndSaysSo() throws Exception {
        String since = cluster("alpha").getString("since");
        Files.writeString(plain.resolve("alpha.yaml"), "apiVersion: v1\nkind: Config\nclusters: [{name: alpha, cluster: {server: ");
        await().atMost(WAIT).until(() -> cluster("alpha").getString("error") != null);
        assertThat(cluster("alpha").getString("error")).contains("alpha.yaml does not parse", "last good configuration");
        assertThat(cluster("alpha").getString("state")).isEqualTo("Connected");
        // Still at work on the last good configuration.
        VolSyncWorld.failMover(alpha, "alpha-apps", "gitea", "g4g4g", "gitea-restic", VolSyncWorld.lockLog("volsync-src-gitea-zzzzz", "1m"));
        await().atMost(WAIT).until(() -> unlockJobs(alpha, "alpha-apps").size() == 1);
        betaKeepsUnlocking();

        // Repaired as it was: the error goes, and the cluster is not restarted.
        Files.writeString(plain.resolve("alpha.yaml"), kubeconfig(alpha, "token-alpha-2"));
        await().atMost(WAIT).until(() -> cluster("alpha").getString("error") == null);
        assertThat(cluster("alpha").getString("since")).isEqualTo(since);
    }

    @Test
    @Order(4)
    void aContextRemovedStopsOnlyItsClusterAndTheHubForgetsIt() throws Exception {
        assertThat(hub.api.list("/api/unlocks")).as("alpha's unlock, still running").anyMatch(u -> "alpha".equals(u.getString("cluster")));
        Files.delete(plain.resolve("alpha.yaml"));
        await().atMost(WAIT).until(() -> cluster("alpha") == null);
        assertThat(hub.api.list("/api/clusters")).extracting(c -> c.getString("name")).containsExactly("beta", "gamma");
        for (String list : List.of("/api/unlocks", "/api/failures", "/api/monitors")) {
            assertThat(hub.api.list(list)).as(list).noneMatch(o -> "alpha".equals(o.getString("cluster")));
        }
        betaKeepsUnlocking();
    }

    @Test
    @Order(5)
    void aSecretVolumeUpdateSwapsTheDataLinkAndRestartsOnlyWhatChanged() throws Exception {
        String since = cluster("gamma").getString("since");
        secretVersion("..2026_11_26_20_05_00.2", kubeconfig(gamma, "token-gamma-2"));
        Path tmp = Files.createSymbolicLink(secret.resolve("..data_tmp"), Path.of("..2026_11_26_20_05_00.2"));
        Files.move(tmp, secret.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        await().atMost(WAIT).until(() -> gamma.authorizations.contains("Bearer token-gamma-2"));
        await().atMost(WAIT).until(() -> "Connected".equals(state("gamma")) && !since.equals(cluster("gamma").getString("since")));
        betaKeepsUnlocking();
    }
}
