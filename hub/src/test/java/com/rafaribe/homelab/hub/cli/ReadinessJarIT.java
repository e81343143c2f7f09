package com.rafaribe.homelab.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.testing.HubApi;
import com.rafaribe.homelab.hub.testing.HubJar;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /readyz from the packaged jar tells the truth from its first answer: a cluster whose API server
 * accepts the connection and never answers holds readiness back until the hub gives up on it.
 */
class ReadinessJarIT {
    @Test
    void readyzIs503FromTheFirstAnswerUntilASilentClusterHasFailed(@TempDir Path dir) throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread accepter = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "silent-api-server");
            accepter.setDaemon(true);
            accepter.start();
            Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: silent, cluster: {server: "https://127.0.0.1:%d"}}]
                    users: [{name: u, user: {token: t}}]
                    contexts: [{name: silent, context: {cluster: silent, user: u}}]
                    """.formatted(silent.getLocalPort()));
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            ProcessBuilder builder = new ProcessBuilder(HubJar.command(List.of("-Xmx128m"),
                    List.of("run", "--http-host", "127.0.0.1", "--http-port", String.valueOf(port))))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
            builder.environment().remove("KUBERNETES_SERVICE_HOST");
            builder.environment().put("HUB_KUBECONFIG", kubeconfig.toString());
            Process hub = builder.start();
            try {
                HubApi api = new HubApi(port);
                List<String> seen = new ArrayList<>();
                await().atMost(Duration.ofSeconds(120)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                        .ignoreException(java.io.UncheckedIOException.class).until(() -> {
                            assertThat(hub.isAlive()).as("the hub runs").isTrue();
                            int status = api.get("/readyz").statusCode();
                            // Asked after /readyz: if it said ready, the cluster had given up by then and stays Failed.
                            String state = api.list("/api/clusters").stream().filter(c -> "silent".equals(c.getString("name")))
                                    .map(c -> c.getString("state")).findFirst().orElse("not listed");
                            seen.add(status + " " + state);
                            return status == 200;
                        });
                assertThat(seen).as("ready only once the silent cluster has failed").last().isEqualTo("200 Failed");
                assertThat(seen.subList(0, seen.size() - 1)).as("every answer before").allMatch(s -> s.startsWith("503"));
                assertThat(seen.get(0)).as("the first answer").startsWith("503");
                assertThat(seen).as("503 while connecting").anyMatch(s -> s.equals("503 Connecting"));
                assertThat(held).as("the hub did reach the silent server").isNotEmpty();
            } finally {
                hub.destroy();
                assertThat(hub.waitFor(30, TimeUnit.SECONDS)).as("the hub stops on SIGTERM").isTrue();
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
