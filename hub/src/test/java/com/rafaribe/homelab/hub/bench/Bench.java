package com.rafaribe.homelab.hub.bench;

import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.HubApi;
import com.rafaribe.homelab.hub.testing.HubJar;
import com.rafaribe.homelab.hub.testing.ImageJvmOptions;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The benchmark behind {@code scripts/bench}: N mock clusters in this JVM, the packaged hub as a
 * process of its own watching them through one kubeconfig, and a bare informer per cluster in
 * this JVM as the floor. It measures how long after a failed mover pod is written the hub's
 * unlock Job create arrives, what the hub asks the API servers per failure and when idle, its
 * memory, and how soon it is ready. Exits 1 when the hub does not get there.
 */
public final class Bench {
    static final Duration START_DEADLINE = Duration.ofMinutes(5);
    static final Duration WAVE_DEADLINE = Duration.ofMinutes(2);

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions o;
        try {
            o = BenchOptions.parse(args).withDeploymentsInitialHeap(Path.of(""));
        } catch (IllegalArgumentException e) {
            System.err.print((e.getMessage().isEmpty() ? "" : e.getMessage() + "\n") + BenchOptions.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        try {
            JsonObject result = run(o);
            Files.createDirectories(o.out().toAbsolutePath().getParent());
            Files.writeString(o.out(), result.encodePrettily() + "\n");
            System.out.println(BenchReport.table(result));
            System.out.println("result: " + o.out().toAbsolutePath());
            System.exit(0);
        } catch (Exception | AssertionError e) {
            System.err.println("bench failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    static JsonObject run(BenchOptions o) throws Exception {
        Path work = Files.createTempDirectory("volsync-monitor-bench");
        List<BenchCluster> clusters = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Process hub = null;
        try {
            log("starting %d mock clusters with %d mover pods and %d more ReplicationSources each", o.clusters(), o.pods(), o.sources());
            long setup = System.nanoTime();
            for (int i = 0; i < o.clusters(); i++) {
                BenchCluster c = new BenchCluster("bench-" + i);
                VolSyncWorld.applyHubMonitor(c.api, "{enabled: true, ttlSecondsAfterFinished: 3600, removeFailedJobs: true}");
                clusters.add(c);
            }
            List<Future<?>> made = new ArrayList<>();
            for (BenchCluster c : clusters) {
                made.addAll(byNamespace(pool, o.pods(), c::addFinishedMover));
                made.addAll(byNamespace(pool, o.sources(), c::addSourceWithoutMover));
            }
            for (Future<?> f : made) {
                f.get();
            }
            clusters.forEach(BenchCluster::startFloor);
            await("the floor informers to sync", START_DEADLINE, () -> clusters.stream().allMatch(BenchCluster::floorSynced));
            clusters.forEach(BenchCluster::warmFloor);
            await("the floor informers' first watch event", START_DEADLINE, () -> clusters.stream().allMatch(BenchCluster::floorWarm));
            log("clusters ready in %.1f s", seconds(System.nanoTime() - setup));

            clusters.forEach(BenchCluster::warmServer);
            Path kubeconfig = SandboxApiServer.kubeconfig(work, clusters.stream().map(c -> c.api).toArray(SandboxApiServer[]::new));
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Map<String, String> environment = BenchOptions.hubEnvironment(ImageJvmOptions.environment(Path.of("")), System.getenv());
            List<String> jvm = new ArrayList<>(o.javaOptions());
            jvm.addAll(o.heapOptions());
            List<BenchReport.StartUp> startUps = new ArrayList<>();
            for (int start = 1; start <= o.startUps(); start++) {
                if (hub != null) {
                    stop(hub);
                }
                long started = System.nanoTime();
                Duration ownCpu = cpu(ProcessHandle.current());
                hub = startHub(work, kubeconfig, port, jvm, environment);
                BenchReport.StartUp up = awaitStartUp(hub, new HubApi(port), o.clusters(), started, ownCpu, work);
                startUps.add(up);
                log("start-up %d of %d: hub ready after %.1f s, all clusters Connected after %.1f s; CPU seconds until then: hub %.1f,"
                        + " this JVM (the mock servers) %.1f", start, o.startUps(), up.readySeconds(), up.connectedSeconds(), up.hubCpuSeconds(),
                        up.mockServersCpuSeconds());
            }
            HubApi api = new HubApi(port);
            // Every ReplicationSource is one backup row: the memory below is measured with all of them held.
            int backups = o.clusters() * (o.pods() + o.sources());
            await("the hub to show all " + backups + " backups", START_DEADLINE, () -> api.list("/api/backups").size() == backups);

            log("counting requests for %d s while nothing happens", o.idleSeconds());
            long idleFrom = System.nanoTime();
            // A measuring window, not a wait for something to settle: the hub's requests are counted as they arrive.
            Thread.sleep(TimeUnit.SECONDS.toMillis(o.idleSeconds()));
            long idleTo = System.nanoTime();

            log("%d failures in waves of %d, one every %d ms at most", o.failures(), o.wave(), o.waveEveryMs());
            long failFrom = System.nanoTime();
            List<Failure> failures = new ArrayList<>();
            for (int first = 0; first < o.failures(); first += o.wave()) {
                long waveStarted = System.nanoTime();
                List<Failure> wave = new ArrayList<>();
                List<Future<?>> written = new ArrayList<>();
                for (int i = first; i < Math.min(o.failures(), first + o.wave()); i++) {
                    Failure f = new Failure(clusters.get(i % clusters.size()), "bench-fail-" + i, "app-" + i);
                    wave.add(f);
                    written.add(pool.submit(() -> {
                        VolSyncWorld.Mover m = VolSyncWorld.failMover(f.cluster().api, f.namespace(), f.app(), "b2c3d", f.app() + "-restic",
                                VolSyncWorld.lockLog("volsync-src-" + f.app() + "-a1b2c", "3m2s"));
                        f.pod()[0] = m.pod().getMetadata().getName();
                        return null;
                    }));
                }
                for (Future<?> w : written) {
                    w.get();
                }
                await("the unlock Jobs of failures " + first + "..", WAVE_DEADLINE,
                        () -> wave.stream().allMatch(f -> f.cluster().requests.jobCreates.containsKey(f.namespace())));
                // The Job controller's part: each unlock Job succeeds.
                for (Failure f : wave) {
                    for (Job job : f.cluster().api.client().batch().v1().jobs().inNamespace(f.namespace()).list().getItems()) {
                        if (job.getMetadata().getAnnotations() != null && job.getMetadata().getAnnotations().containsKey(UnlockJobMetadata.FAILED_POD_UID)) {
                            VolSyncWorld.finishJob(f.cluster().api, job, true);
                        }
                    }
                }
                failures.addAll(wave);
                // The load's pace (a wave per second), not a wait for something to settle: every unlock Job is in already.
                long early = waveStarted + TimeUnit.MILLISECONDS.toNanos(o.waveEveryMs()) - System.nanoTime();
                if (early > 0 && first + o.wave() < o.failures()) {
                    TimeUnit.NANOSECONDS.sleep(early);
                }
            }
            await("every unlock to show Succeeded", WAVE_DEADLINE, () -> api.list("/api/unlocks").stream()
                    .filter(u -> "Succeeded".equals(u.getString("state"))).count() >= o.failures());
            long failTo = System.nanoTime();

            JsonObject stages = BenchStages.of(api.get("/metrics").body());
            JsonObject memory = BenchMemory.measure(hub.pid());
            List<Double> hubMs = new ArrayList<>();
            List<Double> floorMs = new ArrayList<>();
            for (Failure f : failures) {
                Long written = f.cluster().requests.statusWrites.get(f.namespace() + "/" + f.pod()[0]);
                Long created = f.cluster().requests.jobCreates.get(f.namespace());
                Long seen = f.cluster().floorSeen.get(f.namespace() + "/" + f.pod()[0]);
                if (written == null || created == null || seen == null) {
                    throw new IllegalStateException("failure " + f + ": written " + written + ", unlock Job " + created + ", floor " + seen);
                }
                hubMs.add((created - written) / 1e6);
                floorMs.add((seen - written) / 1e6);
            }
            JsonObject result = BenchReport.result(o, hubMs, floorMs, counts(clusters, failFrom, failTo), counts(clusters, idleFrom, idleTo),
                    seconds(idleTo - idleFrom), memory, startUps, stages);
            result.getJsonObject("options").put("environment", new JsonObject(new java.util.LinkedHashMap<>(environment)));
            return result;
        } finally {
            if (hub != null) {
                stop(hub);
            }
            pool.shutdownNow();
            clusters.forEach(BenchCluster::close);
        }
    }

    /**
     * The packaged hub, a process of its own, logging to hub.log (each start after the first appends). Every start holds
     * the Leases under one identity, so that a start after a stopped one acts at once, as a restarted pod does.
     */
    private static Process startHub(Path work, Path kubeconfig, int port, List<String> jvm, Map<String, String> environment)
            throws java.io.IOException {
        ProcessBuilder builder = new ProcessBuilder(HubJar.command(jvm,
                List.of("run", "--http-host", "127.0.0.1", "--http-port", String.valueOf(port), "--log-format", "json")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("hub.log").toFile()));
        builder.environment().remove("KUBERNETES_SERVICE_HOST");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().putAll(environment);
        builder.environment().put("HUB_KUBECONFIG", kubeconfig.toString());
        builder.environment().put("HUB_IDENTITY", "bench-hub");
        return builder.start();
    }

    /**
     * Seconds from {@code started} to the first /readyz 200 and to every cluster Connected, and the CPU time the hub and this JVM
     * (the mock servers, the floor, this polling) used until then: on a small machine they share its CPUs.
     */
    private static BenchReport.StartUp awaitStartUp(Process hub, HubApi api, int clusters, long started, Duration ownCpuBefore, Path work)
            throws InterruptedException {
        long[] ready = {-1};
        long[] connected = {-1};
        await("the hub to be ready and every cluster Connected", START_DEADLINE, () -> {
            if (!hub.isAlive()) {
                throw new IllegalStateException("the hub exited with " + hub.exitValue() + "; its log: " + work.resolve("hub.log"));
            }
            try {
                if (ready[0] < 0 && api.get("/readyz").statusCode() == 200) {
                    ready[0] = System.nanoTime();
                }
                // Asked only once the hub is ready (every cluster synced or failed): the cluster list is the dearer answer,
                // and asked every 20 ms all along it cost the hub half a CPU-second of its start-up.
                if (ready[0] > 0 && connected[0] < 0
                        && api.list("/api/clusters").stream().filter(c -> "Connected".equals(c.getString("state"))).count() == clusters) {
                    connected[0] = System.nanoTime();
                }
            } catch (RuntimeException notListeningYet) {
                return false;
            }
            return ready[0] > 0 && connected[0] > 0;
        });
        return new BenchReport.StartUp(seconds(ready[0] - started), seconds(connected[0] - started), seconds(cpu(hub.toHandle()).toNanos()),
                seconds(cpu(ProcessHandle.current()).minus(ownCpuBefore).toNanos()));
    }

    private static Duration cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** As Kubernetes stops a pod: SIGTERM, then SIGKILL after the grace period. */
    private static void stop(Process hub) throws InterruptedException {
        hub.destroy();
        if (!hub.waitFor(30, TimeUnit.SECONDS)) {
            hub.destroyForcibly();
            hub.waitFor();
        }
    }

    /** Objects 0..count-1 of one namespace in order (its first object makes it), namespaces in parallel. */
    private static List<Future<?>> byNamespace(ExecutorService pool, int count, java.util.function.IntConsumer add) {
        List<Future<?>> made = new ArrayList<>();
        for (int first = 0; first < count; first += BenchCluster.APPS_PER_NAMESPACE) {
            int from = first;
            made.add(pool.submit(() -> {
                for (int i = from; i < Math.min(count, from + BenchCluster.APPS_PER_NAMESPACE); i++) {
                    add.accept(i);
                }
                return null;
            }));
        }
        return made;
    }

    record Failure(BenchCluster cluster, String namespace, String app, String[] pod) {
        Failure(BenchCluster cluster, String namespace, String app) {
            this(cluster, namespace, app, new String[1]);
        }

        @Override
        public String toString() {
            return cluster.name() + "/" + namespace + "/" + pod[0];
        }
    }

    private static Map<String, Long> counts(List<BenchCluster> clusters, long from, long to) {
        Map<String, Long> all = new java.util.TreeMap<>();
        clusters.forEach(c -> c.requests.between(from, to).forEach((k, v) -> all.merge(k, v, Long::sum)));
        return all;
    }

    /** Polls every 20 ms until the condition holds; fails past the deadline. */
    static void await(String what, Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("gave up waiting for " + what + " after " + deadline.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static void log(String format, Object... args) {
        System.out.printf("bench: " + format + "%n", args);
    }
}
