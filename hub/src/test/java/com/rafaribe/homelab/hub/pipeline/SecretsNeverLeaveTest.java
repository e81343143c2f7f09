package com.rafaribe.homelab.hub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.MockCluster;
import com.rafaribe.homelab.hub.testing.SecretShapes;
import com.rafaribe.homelab.hub.testing.SecretShapes.Shape;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import com.rafaribe.homelab.hub.testing.VolSyncWorld.Mover;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mover logs full of credentials, and a CSI repository volume with keys in its attributes, go
 * through the whole hub on a mock cluster; then every output is searched for them: Events, the
 * monitor's status, the unlock Jobs' annotations and added env, /api/*, the event stream and the
 * hub's own log on standard error.
 */
@ExtendWith(VertxExtension.class)
class SecretsNeverLeaveTest {
    static final String HOLDER_SECRET = "holderPw99Secret";
    static final String CSI_SECRET = "csiAttrSecret77";
    static final String CSI_KEY_ID = "AKIACSIATTRIBUTE0077";
    static final int SHAPES_PER_MOVER = 6;

    @Test
    void noSinkShowsAnySecretOfTheMoverLogsOrTheCsiAttributes(Vertx vertx, @TempDir Path dir) throws Exception {
        ByteArrayOutputStream hubLog = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, hubLog), true, StandardCharsets.UTF_8));
        SandboxApiServer cluster = SandboxApiServer.start("vault");
        HubFixture fixture = null;
        StringBuffer sse = new StringBuffer();
        CompletableFuture<HttpResponse<InputStream>> stream = null;
        try {
            VolSyncWorld.applyHubMonitor(cluster, "{enabled: true, removeFailedJobs: false, maxConcurrentUnlocks: 20}");
            fixture = HubFixture.start(vertx, dir, HubConfig.DEFAULT_RESYNC, cluster);
            stream = openEventStream(fixture.hub.httpPort(), sse);

            List<Mover> movers = new ArrayList<>();
            List<List<Shape>> groups = groups();
            for (int i = 0; i < groups.size(); i++) {
                String ns = "vault-" + i;
                String log = moverLog(groups.get(i));
                movers.add(i == 0
                        ? VolSyncWorld.failMoverShaped(new MockCluster(cluster), ns, "app", "b2c3d", "app-restic", log, pod -> pod.getSpec().getVolumes()
                                .add(new VolumeBuilder().withName("repository").withNewCsi().withDriver("csi-rclone").withVolumeAttributes(Map.of(
                                        "remote", "s3", "s3-access-key-id", CSI_KEY_ID, "s3-secret-access-key", CSI_SECRET)).endCsi().build()))
                        : VolSyncWorld.failMover(cluster, ns, "app", "b2c3d", "app-restic", log));
            }
            HubFixture f = fixture;
            for (Mover m : movers) {
                String uid = m.pod().getMetadata().getUid();
                await().atMost(HubFixture.WAIT).until(() -> HubFixture.unlockJobs(cluster, m.namespace()).size() == 1);
                await().atMost(HubFixture.WAIT).until(() -> f.unlock(uid) != null && sse.toString().contains(uid));
                await().atMost(HubFixture.WAIT).until(() -> HubFixture.eventReasons(cluster, m.namespace()).contains("LockDetected"));
            }
            await().atMost(HubFixture.WAIT).until(() -> {
                var s = HubFixture.status(cluster, "volsync-monitor");
                return s != null && s.getProcessedJobs() != null && s.getProcessedJobs().size() >= movers.size();
            });

            Map<String, String> sinks = new LinkedHashMap<>();
            StringBuilder events = new StringBuilder();
            StringBuilder annotations = new StringBuilder();
            for (Mover m : movers) {
                for (Event e : cluster.client().v1().events().inNamespace(m.namespace()).list().getItems()) {
                    events.append(Serialization.asJson(e)).append('\n');
                }
                for (Job job : HubFixture.unlockJobs(cluster, m.namespace())) {
                    annotations.append(job.getMetadata().getAnnotations()).append('\n');
                    job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                            .filter(e -> e.getName().equals(UnlockJobMetadata.ENV_LOCK_ERROR)).map(EnvVar::getValue)
                            .forEach(v -> annotations.append(v).append('\n'));
                }
            }
            sinks.put("Events", events.toString());
            sinks.put("unlock Job annotations and lock error env", annotations.toString());
            sinks.put("monitor status", Serialization.asJson(HubFixture.status(cluster, "volsync-monitor")));
            for (String path : List.of("/api/clusters", "/api/unlocks", "/api/failures", "/api/monitors")) {
                sinks.put(path, fixture.api.get(path).body());
            }
            sinks.put("/api/events (SSE)", sse.toString());
            sinks.put("hub log", hubLog.toString(StandardCharsets.UTF_8));

            List<String> secrets = new ArrayList<>(List.of(HOLDER_SECRET, CSI_SECRET, CSI_KEY_ID));
            SecretShapes.ALL.forEach(s -> secrets.addAll(s.secrets()));
            sinks.forEach((sink, text) -> {
                for (String secret : secrets) {
                    assertThat(text).as(sink + " holds " + secret).doesNotContain(secret);
                }
            });
            for (String sink : List.of("Events", "unlock Job annotations and lock error env", "monitor status", "/api/unlocks", "/api/failures",
                    "/api/events (SSE)")) {
                assertThat(sinks.get(sink)).as(sink + " was given secrets to mask").contains("password=***");
            }
            assertThat(sinks.get("unlock Job annotations and lock error env")).as("the holder annotation").contains("user password=***");
            assertThat(sinks.get("/api/unlocks")).as("the CSI repository, by hash").contains("csi:csi-rclone:");
        } finally {
            if (stream != null) {
                stream.thenAccept(r -> closeQuietly(r.body()));
                stream.cancel(true);
            }
            if (fixture != null) {
                fixture.close();
            }
            cluster.close();
            System.setErr(originalErr);
        }
    }

    /** The shapes in groups, one group per mover: each group rides on that mover's lock line, which every sink quotes. */
    static List<List<Shape>> groups() {
        List<List<Shape>> groups = new ArrayList<>();
        for (int i = 0; i < SecretShapes.ALL.size(); i += SHAPES_PER_MOVER) {
            groups.add(SecretShapes.ALL.subList(i, Math.min(i + SHAPES_PER_MOVER, SecretShapes.ALL.size())));
        }
        return groups;
    }

    /** restic's lock message, its holder's user name a credential, the group's shapes on the lock line and on lines of their own. */
    static String moverLog(List<Shape> group) {
        StringBuilder log = new StringBuilder("Starting container\nVolSync restic container version: v0.16.0\n");
        group.forEach(s -> log.append(s.text()).append('\n'));
        String flat = String.join(" | ", group.stream().map(s -> s.text().replace('\n', ' ')).toList());
        log.append("unable to create lock in backend: repository is already locked exclusively by PID 31 on volsync-src-app-a1b2c by password=")
                .append(HOLDER_SECRET).append(" (UID 568, GID 568) ").append(flat).append('\n')
                .append("lock was created at 2026-11-26 11:30:06 (3m2s ago)\nstorage ID 3335e539\n")
                .append("the `unlock` command can be used to remove stale locks\nERROR: failure locking repository\n");
        return log.toString();
    }

    static CompletableFuture<HttpResponse<InputStream>> openEventStream(int port, StringBuffer into) {
        CompletableFuture<HttpResponse<InputStream>> response = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
        response.thenAcceptAsync(r -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    into.append(line).append('\n');
                }
            } catch (Exception closed) {
                // the test is over
            }
        });
        return response;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (Exception ignored) {
            // closing a stream the server may have closed already
        }
    }

    /** Standard error as it was, and a copy. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }

        @Override
        public synchronized void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
