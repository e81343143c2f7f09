package com.rafaribe.homelab.hub.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.testing.AgentConfig;
import com.rafaribe.homelab.hub.testing.ControlPlane;
import com.rafaribe.homelab.hub.testing.ControlPlaneExtension;
import com.rafaribe.homelab.hub.testing.HubApi;
import com.rafaribe.homelab.hub.testing.HubJar;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tier 4: the jar as deploy/ runs it in a pod, with --in-cluster, against a real API server: the
 * environment the kubelet gives a pod (KUBERNETES_SERVICE_HOST/PORT, a token and a CA, here at
 * paths of the test's choosing) and nothing else, no kubeconfig anywhere. The token is
 * agent-config's identity; a rotated token is read on the next request.
 */
@ExtendWith(ControlPlaneExtension.class)
class InClusterIT {
    @Test
    void inAPodTheHubWatchesItsOwnClusterAsItsServiceAccount(ControlPlane plane, @TempDir Path dir) throws Exception {
        try (KubernetesClient admin = plane.admin()) {
            AgentConfig.apply(admin);
        }
        Path token = Files.writeString(dir.resolve("token"), plane.hubToken + "\n");
        Path kubeconfigs = Files.createDirectories(dir.resolve("kubeconfigs"));
        int port = freePort();
        Process hub = startInCluster(plane, dir, token, kubeconfigs, port);
        String projected;
        try {
            HubApi api = new HubApi(port);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(api.list("/api/clusters"))
                    .extracting(c -> c.getString("name") + " " + c.getString("state")).containsExactly("in-cluster Connected"));

            // The kubelet rotates the projected token; a token that no longer works shows as 401 on the next request.
            Files.writeString(token, "revoked-token\n");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(api.list("/api/clusters").get(0).getString("error"))
                    .isNotNull().contains("401"));
            Files.writeString(token, plane.hubToken + "\n");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                var cluster = api.list("/api/clusters").get(0);
                assertThat(cluster.getString("state")).isEqualTo("Connected");
                assertThat(cluster.getString("error")).isNull();
                assertThat(cluster.getString("credentialExpiresAt")).as("a static token does not say").isNull();
            });

            // A projected token is a JWT from the TokenRequest API: its exp is shown, read again as the kubelet rotates the file.
            TokenRequest issued;
            try (KubernetesClient admin = plane.admin()) {
                issued = admin.serviceAccounts().inNamespace("homelab-assistant-system").withName("volsync-monitor-hub")
                        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(2L * 86400).endSpec().build());
            }
            projected = issued.getStatus().getToken();
            Files.writeString(token, projected + "\n");
            String expires = Instant.parse(issued.getStatus().getExpirationTimestamp()).toString();
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                var cluster = api.list("/api/clusters").get(0);
                assertThat(cluster.getString("credentialExpiresAt")).isEqualTo(expires);
                assertThat(cluster.getString("state")).isEqualTo("Connected");
            });
            assertThat(api.get("/metrics").body()).contains("volsync_hub_cluster_credential_expiry_timestamp_seconds{cluster=\"in-cluster\"}");
        } finally {
            hub.destroy();
            assertThat(hub.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readString(dir.resolve("log"))).as("the token never reaches the log").doesNotContain(plane.hubToken)
                .doesNotContain(projected.split("\\.")[1]);
    }

    /**
     * The user minted a kubeconfig for every cluster, this one included: the same cluster through
     * in-cluster and a context. Watched once, as in-cluster; the context says whose duplicate it is.
     */
    @Test
    void theOwnClusterInTheKubeconfigsTooIsWatchedOnceAsInCluster(ControlPlane plane, @TempDir Path dir) throws Exception {
        String uid;
        try (KubernetesClient admin = plane.admin()) {
            AgentConfig.apply(admin);
            uid = admin.namespaces().withName("kube-system").get().getMetadata().getUid();
        }
        Path token = Files.writeString(dir.resolve("token"), plane.hubToken + "\n");
        Path kubeconfigs = Files.createDirectories(dir.resolve("kubeconfigs"));
        Files.copy(plane.kubeconfig("home", plane.hubToken), kubeconfigs.resolve("home.kubeconfig"));
        int port = freePort();
        Process hub = startInCluster(plane, dir, token, kubeconfigs, port);
        try {
            HubApi api = new HubApi(port);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(api.list("/api/clusters"))
                    .extracting(c -> c.getString("name") + " " + c.getString("state"))
                    .containsExactlyInAnyOrder("in-cluster Connected", "home Duplicate"));
            var home = api.list("/api/clusters").stream().filter(c -> "home".equals(c.getString("name"))).findFirst().orElseThrow();
            assertThat(home.getString("duplicateOf")).isEqualTo("in-cluster");
            assertThat(home.getString("error")).contains("same cluster (kube-system UID " + uid + ") as in-cluster; watched there",
                    "in-cluster is preferred");
        } finally {
            hub.destroy();
            assertThat(hub.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** The jar as the Deployment runs it: the pod's environment, these kubeconfigs too. */
    static Process startInCluster(ControlPlane plane, Path dir, Path token, Path kubeconfigs, int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(HubJar.command("run"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("KUBE") || k.startsWith("HUB_"));
        builder.environment().putAll(java.util.Map.of(
                "HOME", dir.toString(),
                "KUBERNETES_SERVICE_HOST", "127.0.0.1",
                "KUBERNETES_SERVICE_PORT", String.valueOf(URI.create(plane.server).getPort()),
                "KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", token.toString(),
                "KUBERNETES_CERTS_CA_FILE", plane.dir.resolve("certs/apiserver.crt").toString(),
                "HUB_IN_CLUSTER", "true",
                "HUB_KUBECONFIG", kubeconfigs.toString(),
                "HUB_HTTP_HOST", "127.0.0.1",
                "HUB_HTTP_PORT", String.valueOf(port)));
        return builder.start();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
