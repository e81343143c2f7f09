package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Jwt;
import com.rafaribe.homelab.hub.testing.Teardown;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A context's credential expiry and TLS warning, end to end on a fabric8 mock API server (which
 * ignores the token): in /api/clusters, in /metrics, in the log once; read again when the
 * kubeconfig changes; and the token itself nowhere.
 */
class CredentialExpiryHubTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String METRIC = "volsync_hub_cluster_credential_expiry_timestamp_seconds";

    final ListAppender<ILoggingEvent> log = new ListAppender<>();
    Path dir;
    SandboxApiServer cluster;
    HubFixture hub;

    @BeforeEach
    void start() throws Exception {
        log.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
        dir = Files.createTempDirectory("credential-expiry");
        cluster = SandboxApiServer.start("expiring");
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
        Teardown.close(dir, hub == null ? null : hub::close, cluster);
    }

    Path write(String tlsLine, String token) throws Exception {
        Path next = Files.writeString(dir.resolve("next.yaml"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: expiring, cluster: {server: "%s"%s}}]
                users: [{name: hub, user: {token: "%s"}}]
                contexts: [{name: expiring, context: {cluster: expiring, user: hub}}]
                current-context: expiring
                """.formatted(cluster.url(), tlsLine, token));
        return Files.move(next, dir.resolve("kubeconfig"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    JsonObject entry() {
        return hub.api.list("/api/clusters").stream().filter(c -> "expiring".equals(c.getString("name"))).findFirst().orElse(new JsonObject());
    }

    /** The gauge's value for the cluster, or null while it has none. */
    Double metric() {
        Matcher m = Pattern.compile("(?m)^" + METRIC + "\\{cluster=\"expiring\"} (\\S+)$").matcher(hub.api.get("/metrics").body());
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }

    @Test
    void theExpiryAndTheTlsWarningShowAndFollowTheKubeconfig() throws Exception {
        Instant exp = Instant.now().plus(Duration.ofDays(12)).truncatedTo(ChronoUnit.SECONDS);
        String token = Jwt.expiring(exp);
        Path kubeconfig = write(", insecure-skip-tls-verify: true", token);
        hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(2), null, kubeconfig);

        await().atMost(WAIT).until(() -> "Connected".equals(entry().getString("state")) && entry().getString("credentialExpiresAt") != null);
        JsonObject shown = entry();
        assertThat(shown.getString("credentialExpiresAt")).isEqualTo(exp.toString());
        assertThat(shown.getJsonArray("warnings").getList()).containsExactly(ClusterCredentials.INSECURE_WARNING);
        assertThat(shown.getString("error")).as("a warning is no error").isNull();
        await().atMost(WAIT).until(() -> metric() != null);
        assertThat(metric()).isEqualTo((double) exp.getEpochSecond());
        String metrics = hub.api.get("/metrics").body();
        assertThat(metrics).contains("# TYPE " + METRIC + " gauge");

        // The token goes nowhere: neither whole nor its claims (the middle part).
        String claims = token.split("\\.")[1];
        for (String said : List.of(hub.api.get("/api/clusters").body(), metrics, String.join("\n", logLines()))) {
            assertThat(said).doesNotContain(token).doesNotContain(claims);
        }
        assertThat(logLines()).filteredOn(l -> l.contains("insecure-skip-tls-verify")).as("logged once, at WARN").singleElement()
                .satisfies(l -> assertThat(l).startsWith("WARN ").contains("expiring", ClusterCredentials.INSECURE_WARNING));

        // A new token, minted for longer, and the CA given: the restarted context reads both again.
        Instant later = exp.plus(Duration.ofDays(30));
        write("", Jwt.expiring(later));
        await().atMost(WAIT).until(() -> later.toString().equals(entry().getString("credentialExpiresAt")));
        assertThat(entry().getJsonArray("warnings")).isEmpty();
        await().atMost(WAIT).until(() -> Double.valueOf(later.getEpochSecond()).equals(metric()));

        // A static token says nothing of its expiry: the field is null and the gauge goes.
        write("", "token-expiring");
        await().atMost(WAIT).until(() -> entry().containsKey("credentialExpiresAt") && entry().getString("credentialExpiresAt") == null
                && "Connected".equals(entry().getString("state")));
        await().atMost(WAIT).until(() -> metric() == null);
    }

    List<String> logLines() {
        return log.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }
}
