package com.rafaribe.homelab.hub.pipeline;

import static com.rafaribe.homelab.hub.testing.HubFixture.unlockJobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.BlockedThreadWatch;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.TcpProxy;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A user mints a kubeconfig for every cluster, and home is in it twice: as {@code home} and as
 * {@code home-external}, another address of the same API server (a TCP relay here, as an Ingress
 * or a second DNS name would be), with the hub's own identity. The hub reads each cluster's
 * kube-system UID and watches home once: {@code home}, the name sorted first; {@code
 * home-external} shows as its duplicate. A lock failure on home is unlocked once. When {@code home}
 * leaves the kubeconfig the duplicate takes over, and when it comes back it watches again.
 * On mock API servers and on real control planes (RBAC: agent-config's identity).
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(value = Backend.class, names = {"MOCK", "CONTROL_PLANE"})
class OneWatcherPerClusterTest {
    static final BlockedThreadWatch BLOCKED = new BlockedThreadWatch();
    static final Duration WAIT = Duration.ofSeconds(60);
    @Parameter
    Backend backend;

    @Test
    void aClusterReachedThroughTwoContextsIsWatchedOnceAndTheDuplicateTakesOverWhenTheOtherLeaves() throws Exception {
        Path dir = Files.createTempDirectory("one-watcher");
        Path kubeconfigs = Files.createDirectories(dir.resolve("kubeconfigs"));
        List<TestCluster> clusters = backend.start("home", "office");
        TestCluster home = clusters.get(0);
        TestCluster office = clusters.get(1);
        URI direct = URI.create(home.server());
        TcpProxy relay = new TcpProxy(direct.getPort());
        String external = direct.getScheme() + "://127.0.0.1:" + relay.port();
        HubFixture hub = null;
        try {
            for (TestCluster c : clusters) {
                VolSyncWorld.applyHubMonitor(c, "{enabled: true}");
            }
            String uid = home.client().namespaces().withName("kube-system").get().getMetadata().getUid();
            assertThat(uid).isNotBlank().isNotEqualTo(office.client().namespaces().withName("kube-system").get().getMetadata().getUid());
            Path file = kubeconfigs.resolve("clusters.yaml");
            Files.writeString(file, kubeconfig(Map.of("home", home.server(), "home-external", external, "office", office.server()),
                    home, office));
            hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(2), null, kubeconfigs);
            HubFixture api = hub;

            await().atMost(WAIT).untilAsserted(() -> assertThat(states(api))
                    .containsExactly(Map.entry("home", "Connected"), Map.entry("home-external", "Duplicate"), Map.entry("office", "Connected")));
            JsonObject duplicate = cluster(api, "home-external");
            assertThat(duplicate.getString("duplicateOf")).isEqualTo("home");
            assertThat(duplicate.getString("error")).contains("same cluster (kube-system UID " + uid + ") as home; watched there",
                    "the name sorted first watches");
            // A random UID may hold the digits 403 (CI drew 7d74afad-30af-4403-...): only the rest of the text is checked.
            assertThat(duplicate.getString("error").replace(uid, "")).as("the identity was read, not refused").doesNotContain("403");
            assertThat(cluster(api, "home").getString("duplicateOf")).isNull();
            assertThat(cluster(api, "home").getString("error")).as("the identity was read").isNull();
            String officeSince = cluster(api, "office").getString("since");

            // One watcher, one writer: a lock failure on home is unlocked once, and reported under home only.
            VolSyncWorld.Mover first = VolSyncWorld.failMover(home, "apps", "wiki", "w1w1w", "wiki-restic",
                    VolSyncWorld.lockLog("volsync-src-wiki-zzzzz", "1m"));
            await().atMost(WAIT).until(() -> unlockJobs(home, "apps").size() == 1);
            Thread.sleep(3_000);
            assertThat(unlockJobs(home, "apps")).as("one unlock Job, not one per context").hasSize(1);
            await().atMost(WAIT).untilAsserted(() -> assertThat(unlockedBy(api, first)).isEqualTo("home"));
            for (String list : List.of("/api/unlocks", "/api/failures", "/api/monitors")) {
                assertThat(api.api.list(list)).as(list).noneMatch(o -> "home-external".equals(o.getString("cluster")));
            }
            VolSyncWorld.finishJob(home, unlockJobs(home, "apps").get(0), true);

            // home leaves the kubeconfig: its duplicate takes over, and unlocks the next failure.
            Files.writeString(file, kubeconfig(Map.of("home-external", external, "office", office.server()), home, office));
            await().atMost(WAIT).untilAsserted(() -> assertThat(states(api))
                    .containsExactly(Map.entry("home-external", "Connected"), Map.entry("office", "Connected")));
            assertThat(cluster(api, "home-external").getString("duplicateOf")).isNull();
            assertThat(cluster(api, "home-external").getString("error")).isNull();
            VolSyncWorld.Mover second = VolSyncWorld.failMover(home, "apps", "wiki", "w2w2w", "wiki-restic",
                    VolSyncWorld.lockLog("volsync-src-wiki-zzzzz", "1m"));
            await().atMost(WAIT).until(() -> unlockJobs(home, "apps").size() == 2);
            await().atMost(WAIT).untilAsserted(() -> assertThat(unlockedBy(api, second)).isEqualTo("home-external"));
            VolSyncWorld.finishJob(home, unlockJobs(home, "apps").stream()
                    .filter(j -> j.getStatus() == null || j.getStatus().getSucceeded() == null).findFirst().orElseThrow(), true);

            // Back: the rule, not who came first, decides; home-external hands the cluster over.
            Files.writeString(file, kubeconfig(Map.of("home", home.server(), "home-external", external, "office", office.server()),
                    home, office));
            await().atMost(WAIT).untilAsserted(() -> assertThat(states(api))
                    .containsExactly(Map.entry("home", "Connected"), Map.entry("home-external", "Duplicate"), Map.entry("office", "Connected")));
            assertThat(api.api.list("/api/monitors")).as("what home-external reported is forgotten")
                    .noneMatch(o -> "home-external".equals(o.getString("cluster")));
            Thread.sleep(3_000);
            assertThat(unlockJobs(home, "apps")).as("no unlock again for what was already unlocked").hasSize(2);
            assertThat(cluster(api, "office").getString("since")).as("office was never touched").isEqualTo(officeSince);
        } finally {
            relay.close();
            Teardown.close(dir, hub == null ? null : hub::close, home, office);
        }
        assertThat(BLOCKED.warnings()).as("Vert.x blocked-thread checker").isEmpty();
    }

    /** One kubeconfig, a context per entry, with the hub's token of the cluster its server belongs to. */
    static String kubeconfig(Map<String, String> servers, TestCluster home, TestCluster office) {
        StringBuilder clusters = new StringBuilder();
        StringBuilder users = new StringBuilder();
        StringBuilder contexts = new StringBuilder();
        servers.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String token = e.getKey().startsWith("home") ? home.hubToken() : office.hubToken();
            clusters.append("- name: %s\n  cluster: {server: \"%s\", insecure-skip-tls-verify: true}\n".formatted(e.getKey(), e.getValue()));
            users.append("- name: %s\n  user: {token: \"%s\"}\n".formatted(e.getKey(), token));
            contexts.append("- name: %1$s\n  context: {cluster: %1$s, user: %1$s}\n".formatted(e.getKey()));
        });
        return "apiVersion: v1\nkind: Config\nclusters:\n" + clusters + "users:\n" + users + "contexts:\n" + contexts
                + "current-context: office\n";
    }

    static Map<String, String> states(HubFixture hub) {
        return hub.api.list("/api/clusters").stream().collect(Collectors.toMap(c -> c.getString("name"), c -> c.getString("state"),
                (a, b) -> a, java.util.TreeMap::new));
    }

    /** The cluster /api/unlocks names for the unlock of this mover's failed pod, or null. */
    static String unlockedBy(HubFixture hub, VolSyncWorld.Mover mover) {
        JsonObject unlock = hub.unlock(mover.pod().getMetadata().getUid());
        return unlock == null ? null : unlock.getString("cluster");
    }

    static JsonObject cluster(HubFixture hub, String name) {
        return hub.api.list("/api/clusters").stream().filter(c -> name.equals(c.getString("name"))).findFirst().orElseThrow();
    }
}
