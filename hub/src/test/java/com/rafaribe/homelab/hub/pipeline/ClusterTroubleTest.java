package com.rafaribe.homelab.hub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.Hub;
import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.policy.TrustedNamespaces;
import com.rafaribe.homelab.hub.testing.BlockedThreadWatch;
import com.rafaribe.homelab.hub.testing.HubApi;
import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One cluster's trouble stays that cluster's: a proxy, a missing exec plugin, a wrong token, a missing permission. The outage: {@link ClusterOutageTest}. */
@ExtendWith(VertxExtension.class)
class ClusterTroubleTest {
    static final BlockedThreadWatch BLOCKED = new BlockedThreadWatch();
    static final Duration WAIT = Duration.ofSeconds(30);
    static SandboxApiServer alpha;
    static SandboxApiServer beta;
    static HttpServer rejecting;
    static HttpServer forbidding;
    static HubApi api;
    static Hub hub;

    @BeforeAll
    static void start(Vertx vertx, @TempDir Path dir) throws Exception {
        alpha = SandboxApiServer.start("alpha");
        beta = SandboxApiServer.start("beta");
        for (SandboxApiServer c : List.of(alpha, beta)) {
            VolSyncWorld.applyHubMonitor(c, "{enabled: true}");
        }
        // An API server that rejects the token, as one does after the token was rotated.
        rejecting = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        rejecting.createContext("/", exchange -> {
            byte[] body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        rejecting.start();
        // An API server whose RBAC lacks a rule: /version is public, listing pods is forbidden.
        forbidding = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        forbidding.createContext("/", exchange -> {
            boolean version = exchange.getRequestURI().getPath().equals("/version");
            byte[] body = (version ? "{\"major\":\"1\",\"minor\":\"30\",\"gitVersion\":\"v1.30.0\"}"
                    : "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"pods is forbidden: User \\\"system:serviceaccount:hub:hub\\\" cannot list resource \\\"pods\\\" in API group \\\"\\\" at the cluster scope\",\"reason\":\"Forbidden\",\"code\":403}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(version ? 200 : 403, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        forbidding.start();
        Path good = SandboxApiServer.kubeconfig(dir, alpha, beta);
        Path troubled = Files.writeString(dir.resolve("troubled"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: proxied
                  cluster: {server: "%s", proxy-url: "http://hubuser:s3cret@127.0.0.1:1"}
                - name: exec
                  cluster: {server: "%s"}
                - name: badtoken
                  cluster: {server: "http://127.0.0.1:%d"}
                - name: norbac
                  cluster: {server: "http://127.0.0.1:%d"}
                - name: gke
                  cluster: {server: "%s"}
                - name: bareproxy
                  cluster: {server: "%s", proxy-url: "http://127.0.0.1:1"}
                users:
                - name: plain
                  user: {token: abc}
                - name: oidc
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1beta1
                      command: kubectl-oidc_login-not-installed
                      args: [get-token]
                - name: rotated
                  user: {token: expired-token}
                - name: gcp
                  user: {auth-provider: {name: gcp, config: {cmd-path: /usr/lib/google-cloud-sdk/bin/gcloud}}}
                contexts:
                - name: proxied
                  context: {cluster: proxied, user: plain}
                - name: exec
                  context: {cluster: exec, user: oidc}
                - name: badtoken
                  context: {cluster: badtoken, user: rotated}
                - name: norbac
                  context: {cluster: norbac, user: plain}
                - name: gke
                  context: {cluster: gke, user: gcp}
                - name: bareproxy
                  context: {cluster: bareproxy, user: plain}
                current-context: proxied
                """.formatted(alpha.url() + "/proxied", beta.url() + "/exec", rejecting.getAddress().getPort(), forbidding.getAddress().getPort(),
                beta.url() + "/gke", alpha.url() + "/bareproxy"));
        HubConfig config = new HubConfig(List.of(good, troubled), Set.of(), false, new TrustedNamespaces(Set.of(TrustedNamespaces.DEFAULT)),
                "127.0.0.1", 0, Duration.ofSeconds(2));
        hub = Hub.start(vertx, config, Clock.systemUTC()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        api = new HubApi(hub.httpPort());
    }

    @AfterAll
    static void stop() throws Exception {
        hub.vertx().close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        alpha.close();
        beta.close();
        rejecting.stop(0);
        forbidding.stop(0);
        assertThat(BLOCKED.warnings()).as("Vert.x blocked-thread checker").isEmpty();
    }

    static JsonObject cluster(String name) {
        return api.list("/api/clusters").stream().filter(c -> name.equals(c.getString("name"))).findFirst().orElseThrow();
    }

    @Test
    void aBrokenContextFailsOnlyItsOwnCluster() {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(cluster("alpha").getString("state")).isEqualTo("Connected");
            assertThat(cluster("beta").getString("state")).isEqualTo("Connected");
            assertThat(cluster("proxied").getString("state")).isEqualTo("Failed");
            assertThat(cluster("exec").getString("state")).isEqualTo("Failed");
            assertThat(cluster("badtoken").getString("state")).isEqualTo("Failed");
            assertThat(cluster("norbac").getString("state")).isEqualTo("Failed");
            assertThat(cluster("gke").getString("state")).isEqualTo("Failed");
            assertThat(cluster("bareproxy").getString("state")).isEqualTo("Failed");
        });
        // A proxy without credentials: what fabric8's Vert.x 5 adapter cannot do on Vert.x 5.0 (NoSuchMethodError).
        assertThat(cluster("bareproxy").getString("error")).contains("through proxy http://127.0.0.1:1");
        assertThat(cluster("gke").getString("error")).contains("auth provider \"gcp\"", "use a token or an exec plugin");
        assertThat(cluster("norbac").getString("error"))
                .isEqualTo("403 Forbidden: pods is forbidden: User \"system:serviceaccount:hub:hub\" cannot list resource \"pods\" in API group \"\" at the cluster scope (missing RBAC permission)");
        assertThat(cluster("exec").getString("error")).contains("kubectl-oidc_login-not-installed");
        assertThat(cluster("badtoken").getString("error")).startsWith("401 Unauthorized");
        assertThat(cluster("proxied").getString("error")).contains("through proxy http://***@127.0.0.1:1").doesNotContain("s3cret");
        assertThat(api.get("/api/clusters").body()).doesNotContain("s3cret").doesNotContain("hubuser");
        assertThat(cluster("proxied").getString("since")).isNotBlank();
        assertThat(api.get("/readyz").statusCode()).as("every cluster synced or failed").isEqualTo(200);
    }
}
