package com.rafaribe.homelab.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.HubApi;
import com.rafaribe.homelab.hub.testing.HubJar;
import com.rafaribe.homelab.hub.testing.Kustomize;
import io.fabric8.kubernetes.api.model.Container;
import com.rafaribe.homelab.hub.testing.TestData;
import com.rafaribe.homelab.hub.testing.Tier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar runs on its own with java -jar: every dependency is inside it. */
class HubJarIT {
    record Result(int exit, String out) {
    }

    static Result java(String... args) throws IOException, InterruptedException {
        return javaWithPath(null, args);
    }

    /** @param path the PATH the jar runs with; null keeps this JVM's */
    static Result javaWithPath(String path, String... args) throws IOException, InterruptedException {
        assertThat(HubJar.jar()).exists();
        ProcessBuilder builder = new ProcessBuilder(HubJar.command(args)).redirectErrorStream(true);
        if (path != null) {
            builder.environment().put("PATH", path);
        }
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void versionAndHelp() throws Exception {
        Result version = java("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("volsync-monitor-hub " + HubVersion.version());
        Result help = java("check-log", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: volsync-monitor-hub check-log");
    }

    @Test
    void theDemoWithoutResticStopsAtOnceAndSaysHowToInstallIt(@TempDir Path emptyBin) throws Exception {
        Result demo = javaWithPath(emptyBin.toString(), "demo", "--http-port", "0");
        assertThat(demo.exit()).as(demo.out()).isEqualTo(2);
        assertThat(demo.out()).contains("restic", "not on the PATH", "apt-get install restic").doesNotContain("sandbox cluster");
    }

    /** Ctrl-C (SIGINT) on the jar's demo: the hub, both clusters, their processes and the demo's folder all go. */
    @Test
    void theDemoFromTheJarStopsOnCtrlCLeavingNothingBehind(@TempDir Path dir) throws Exception {
        Tier.requireSandbox();
        Set<Path> before = demoFolders();
        Path log = dir.resolve("demo.log");
        Process demo = new ProcessBuilder(HubJar.command("demo", "--http-port", "0"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Pattern listening = Pattern.compile("hub: API and dashboard on http://127\\.0\\.0\\.1:(\\d+)/");
            AtomicInteger port = new AtomicInteger();
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                Matcher m = listening.matcher(Files.readString(log));
                if (m.find()) {
                    port.set(Integer.parseInt(m.group(1)));
                }
                return port.get() > 0;
            });
            HubApi api = new HubApi(port.get());
            await().atMost(Duration.ofSeconds(60)).until(() -> api.list("/api/clusters").stream()
                    .filter(c -> "Connected".equals(c.getString("state"))).count() == 2);
            Set<Path> created = new java.util.HashSet<>(demoFolders());
            created.removeAll(before);
            assertThat(created).as("the demo's folder").hasSize(1);
            List<ProcessHandle> started = demo.descendants().toList();

            assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(demo.pid())).start().waitFor()).isZero();
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo stops on Ctrl-C").isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> started.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(created.iterator().next()).as("the demo's folder after Ctrl-C").doesNotExist();
            assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", port.get()).close()).isInstanceOf(java.net.ConnectException.class);
            assertThat(Files.readString(log)).contains("sandbox cluster homelab-main", "sandbox cluster homelab-nas");
        } finally {
            demo.destroyForcibly();
        }
    }

    private static Set<Path> demoFolders() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("volsync-monitor-demo")).collect(java.util.stream.Collectors.toSet());
        }
    }

    /**
     * deploy/'s Deployment, outside a cluster: the jar started with the container's arguments and
     * environment (its kubeconfig folder laid out as a Secret volume, another free port), watching
     * a mock cluster; the in-cluster one says it is not in a pod, and the logs are JSON.
     */
    /** What the kubelet gives a variable from the downward API (POD_NAME: the pod's name); any other source fails the test. */
    static String downward(io.fabric8.kubernetes.api.model.EnvVar e) {
        assertThat(e.getValueFrom()).as(e.getName()).isNotNull();
        assertThat(e.getValueFrom().getFieldRef()).as(e.getName() + ": only the downward API is given here").isNotNull();
        assertThat(e.getValueFrom().getFieldRef().getFieldPath()).as(e.getName()).isEqualTo("metadata.name");
        return "homelab-assistant-controller-7d9f8b6c5d-x2x4q";
    }

    @Test
    void theJarRunsWithTheArgumentsAndEnvironmentTheDeploymentGives(@TempDir Path dir) throws Exception {
        Container container = Kustomize.hubDeployment(Kustomize.build(Kustomize.DEPLOY)).getSpec().getTemplate().getSpec().getContainers().get(0);
        try (SandboxApiServer home = SandboxApiServer.start("home")) {
            Path secret = Files.createDirectories(dir.resolve("kubeconfigs"));
            Path version = Files.createDirectories(secret.resolve("..2026_11_26_20_00_00.1"));
            Files.move(SandboxApiServer.kubeconfig(dir, home), version.resolve("home"));
            Files.createSymbolicLink(secret.resolve("..data"), version.getFileName());
            Files.createSymbolicLink(secret.resolve("home"), Path.of("..data/home"));
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path log = dir.resolve("log");
            ProcessBuilder builder = new ProcessBuilder(HubJar.command(List.of(), container.getArgs())).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().remove("KUBERNETES_SERVICE_HOST");
            container.getEnv().forEach(e -> builder.environment().put(e.getName(), e.getValue() != null ? e.getValue() : downward(e)));
            builder.environment().put("HUB_KUBECONFIG", secret.toString());
            builder.environment().put("HUB_HTTP_PORT", String.valueOf(port));
            // The Secret hub-dashboard-token, mounted where the Deployment says (here: a file of the test's).
            assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("HUB_DASHBOARD_TOKEN_FILE"));
            String token = "a-dashboard-token-of-at-least-32-characters";
            builder.environment().put("HUB_DASHBOARD_TOKEN_FILE", Files.writeString(dir.resolve("token"), token + "\n").toString());
            Process hub = builder.start();
            try {
                HubApi api = new HubApi(port, token);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> api.get("/readyz").statusCode() == 200);
                assertThat(api.get("/healthz").statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(api.list("/api/clusters")).extracting(c -> c.getString("name") + " " + c.getString("state"))
                            .containsExactlyInAnyOrder("home Connected", "in-cluster Failed");
                });
                assertThat(api.list("/api/clusters")).filteredOn(c -> "in-cluster".equals(c.getString("name"))).singleElement()
                        .satisfies(c -> assertThat(c.getString("error")).contains("not running in a Kubernetes pod"));
                List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList();
                assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(new io.vertx.core.json.JsonObject(l).getString("level")).isNotNull());
            } finally {
                hub.destroy();
                assertThat(hub.waitFor(30, TimeUnit.SECONDS)).as("the hub stops on SIGTERM").isTrue();
            }
        }
    }

    @Test
    void runFromTheJarServesTheApiAndReportsAnUnreachableCluster(@TempDir Path dir) throws Exception {
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: gone, cluster: {server: "https://127.0.0.1:9"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: gone, context: {cluster: gone, user: u}}]
                """);
        Path log = dir.resolve("log");
        ProcessBuilder builder = new ProcessBuilder(HubJar.command(List.of("-Xmx128m"),
                List.of("run", "--http-host", "127.0.0.1", "--http-port", "0", "--log-format", "json")))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // Options come from the environment too, as the Deployment gives them.
        builder.environment().put("HUB_KUBECONFIG", kubeconfig.toString());
        Process hub = builder.start();
        try {
            Pattern listening = Pattern.compile("http:\\\\/\\\\/127\\.0\\.0\\.1:(\\d+)");
            AtomicInteger port = new AtomicInteger();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Matcher m = listening.matcher(Files.readString(log));
                if (m.find()) {
                    port.set(Integer.parseInt(m.group(1)));
                }
                return port.get() > 0;
            });
            HubApi api = new HubApi(port.get());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(api.list("/api/clusters")).singleElement().satisfies(c -> {
                assertThat(c.getString("name")).isEqualTo("gone");
                assertThat(c.getString("state")).isEqualTo("Failed");
                assertThat(c.getString("error")).startsWith("unreachable");
            }));
            assertThat(api.get("/readyz").statusCode()).isEqualTo(200);
            assertThat(Files.readString(log)).contains("\"formattedMessage\":\"watching 1 cluster(s): [gone]");
        } finally {
            hub.destroy();
            assertThat(hub.waitFor(30, TimeUnit.SECONDS)).as("the hub stops on SIGTERM").isTrue();
        }
    }

    @Test
    void checkLogOnTheCorpusFromTheJar() throws Exception {
        Path lock = TestData.corpus().resolve("087-volsync-head-backup-vs-live-exclusive-lock.log");
        Path notLock = TestData.corpus().resolve("112-v0.17.0-backup-circuit-breaker-lock-load.log");
        Result r = java("check-log", "--monitor", TestData.seedMonitors().toString(), "--monitor-name", "volsync-monitor-advanced",
                lock.toString(), notLock.toString());
        assertThat(r.exit()).as(r.out()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith(lock + "\tlock\tbuilt-in already-locked").contains("holder restic-maintenance-28896540-h8d2c");
        assertThat(lines.get(1)).startsWith(notLock + "\tnot-lock\tveto circuit-breaker")
                .contains("pattern \"unable to create lock\" matched it");
    }
}
