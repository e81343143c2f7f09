package com.rafaribe.homelab.hub.sandbox;

import com.rafaribe.homelab.hub.Hub;
import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.FailureView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import com.rafaribe.homelab.hub.policy.TrustedNamespaces;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Sandbox clusters with apps and real restic repositories, the real hub watching them through a
 * generated kubeconfig (the code path of {@code run}), and a stale lock injected now and then.
 */
public final class Demo implements AutoCloseable {
    static final List<List<String>> APPS = List.of(List.of("prowlarr", "sonarr", "home-assistant"), List.of("paperless", "immich"),
            List.of("jellyfin", "nextcloud"));
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private final Path root;
    private final List<Sandbox> clusters = new ArrayList<>();
    private final PrintStream out;
    private final ScheduledExecutorService injector = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-lock-injector");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, String> lastState = new HashMap<>();
    private final SecureRandom random = new SecureRandom();
    private Vertx vertx;
    private Hub hub;
    private int next;

    private Demo(Path root, PrintStream out) {
        this.root = root;
        this.out = out;
    }

    /** Starts everything; the first lock is injected after {@code firstLockAfter}, then every {@code lockEvery}. */
    public static Demo start(int clusterCount, int httpPort, Duration lockEvery, Duration firstLockAfter, Duration syncInterval,
                             PrintStream out) throws Exception {
        if (!onPath("restic")) {
            throw new IllegalStateException("the demo runs the real restic, which is not on the PATH: install it (Debian: apt-get install restic)");
        }
        Demo demo = new Demo(Files.createTempDirectory("volsync-monitor-demo"), out);
        try {
            demo.startClusters(clusterCount, syncInterval);
            demo.startHub(httpPort);
            demo.injector.scheduleWithFixedDelay(demo::injectLock, firstLockAfter.toMillis(), lockEvery.toMillis(), TimeUnit.MILLISECONDS);
            return demo;
        } catch (Exception e) {
            demo.close();
            throw e;
        }
    }

    private void startClusters(int count, Duration syncInterval) throws IOException, InterruptedException {
        for (int i = 0; i < count; i++) {
            String name = i == 0 ? "homelab-main" : i == 1 ? "homelab-nas" : "homelab-" + (i + 1);
            clusters.add(Sandbox.start(name, root.resolve(name), APPS.get(i % APPS.size()), syncInterval));
            out.printf("sandbox cluster %s: API server %s, apps %s%n", name, clusters.get(i).api.url(), APPS.get(i % APPS.size()));
        }
    }

    private void startHub(int httpPort) throws Exception {
        Path kubeconfig = SandboxApiServer.kubeconfig(root, clusters.stream().map(c -> c.api).toArray(SandboxApiServer[]::new));
        vertx = Vertx.vertx();
        HubConfig config = new HubConfig(List.of(kubeconfig), Set.of(), false, new TrustedNamespaces(Set.of(TrustedNamespaces.DEFAULT)),
                "127.0.0.1", httpPort, HubConfig.DEFAULT_RESYNC);
        hub = Hub.start(vertx, config, Clock.systemUTC()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        vertx.eventBus().<ReadModelUpdate>consumer(Addresses.READ_MODEL, m -> report(m.body()));
        out.printf("hub: API and dashboard on http://127.0.0.1:%d/ (try /api/clusters, /api/unlocks); Ctrl-C stops%n", hub.httpPort());
    }

    List<Sandbox> clusters() {
        return clusters;
    }

    public int httpPort() {
        return hub.httpPort();
    }

    private void report(ReadModelUpdate update) {
        if (update instanceof UnlockView u && !u.state().equals(lastState.put(u.cluster() + "/" + u.failedPodUid(), u.state()))) {
            long seconds = Duration.between(u.detectedAt(), Instant.now()).toSeconds();
            out.printf("%s %s/%s: unlock %s after %ds (%s)%n", u.cluster(), u.namespace(), u.app(), u.state(), seconds, u.reason());
        } else if (update instanceof FailureView f && !"joined".equals(f.decision())) {
            out.printf("%s %s/%s: failed pod %s, %s: %s%n", f.cluster(), f.namespace(), f.failedJob(), f.failedPod(), f.decision(), f.reason());
        }
    }

    /** A stale lock whose holder is an earlier attempt of the app's mover: the hub can tell it is gone. */
    private void injectLock() {
        try {
            Sandbox cluster = clusters.get(next % clusters.size());
            List<String> apps = APPS.get((next % clusters.size()) % APPS.size());
            String app = apps.get((next / clusters.size()) % apps.size());
            next++;
            String holder = "volsync-src-" + app + "-" + suffix();
            out.printf("%s %s/%s: injecting a stale lock: restic as %s, killed with SIGKILL while it holds its lock%n",
                    cluster.name, Sandbox.APPS_NAMESPACE, app, holder);
            cluster.injectStaleLock(app, holder);
        } catch (IOException | RuntimeException e) {
            out.println("lock injection failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String suffix() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    /** Stops the injector, the hub and every cluster, and removes the demo's folder. */
    @Override
    public void close() {
        injector.shutdownNow();
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                out.println("hub did not stop cleanly: " + e.getMessage());
            }
        }
        clusters.forEach(Sandbox::close);
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            out.println("demo folder " + root + " not removed: " + e.getMessage());
        }
    }
}
