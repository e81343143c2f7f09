package com.rafaribe.homelab.hub.sandbox;

import com.rafaribe.homelab.hub.Hub;
import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.HubVertx;
import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.FailureView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import com.rafaribe.homelab.hub.policy.TrustedNamespaces;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
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
import java.util.concurrent.ConcurrentHashMap;
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
    static final String FOREIGN_HOLDER = "nas-cron";

    private final Path root;
    private final List<Sandbox> clusters = new ArrayList<>();
    private final PrintStream out;
    private final ScheduledExecutorService injector = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-lock-injector");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, String> lastState = new HashMap<>();
    /** Apps whose unlock succeeded, by "cluster/app", with when their lock was detected; reported when a backup succeeds again. */
    private final Map<String, Instant> awaitingRecovery = new ConcurrentHashMap<>();
    private final List<SharedIndexInformer<GenericKubernetesResource>> replicationSources = new ArrayList<>();
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
        if (!"root".equals(System.getProperty("user.name"))) {
            // Without root every lock would name this machine, a host the hub cannot place: no lock would be unlocked at once.
            throw new IllegalStateException("the demo needs root: each sandbox pod runs restic under its own hostname (unshare --uts) "
                    + "and user (setpriv), as in a cluster; run it as root");
        }
        if (!onPath("unshare") || !onPath("setpriv")) {
            throw new IllegalStateException("the demo gives each sandbox pod its own hostname and user with unshare and setpriv, "
                    + "which are not on the PATH: install them (Debian: apt-get install util-linux)");
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
            replicationSources.add(watchBackups(clusters.get(i)));
        }
    }

    /** VolSync records every successful mover run in the ReplicationSource's status: that is the backup recovering. */
    private SharedIndexInformer<GenericKubernetesResource> watchBackups(Sandbox cluster) {
        return cluster.api.client().genericKubernetesResources(VolSyncEmulator.REPLICATION_SOURCES).inAnyNamespace()
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GenericKubernetesResource rs) {
                    }

                    @Override
                    public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource rs) {
                        Object sync = status(rs).get("lastSyncTime");
                        Instant detected = sync == null || sync.equals(status(old).get("lastSyncTime")) ? null
                                : awaitingRecovery.remove(cluster.name + "/" + rs.getMetadata().getName());
                        if (detected != null) {
                            out.printf("%s %s/%s: backup recovered, %ds after the lock was detected%n", cluster.name,
                                    rs.getMetadata().getNamespace(), rs.getMetadata().getName(), Duration.between(detected, Instant.now()).toSeconds());
                        }
                    }

                    @Override
                    public void onDelete(GenericKubernetesResource rs, boolean unknown) {
                    }
                });
    }

    private static Map<?, ?> status(GenericKubernetesResource rs) {
        return rs.getAdditionalProperties().get("status") instanceof Map<?, ?> m ? m : Map.of();
    }

    private void startHub(int httpPort) throws Exception {
        Path kubeconfig = SandboxApiServer.kubeconfig(root, clusters.stream().map(c -> c.api).toArray(SandboxApiServer[]::new));
        HubVertx hubVertx = HubVertx.create();
        vertx = hubVertx.vertx();
        HubConfig config = new HubConfig(List.of(kubeconfig), Set.of(), false, new TrustedNamespaces(Set.of(TrustedNamespaces.DEFAULT)),
                "127.0.0.1", httpPort, HubConfig.DEFAULT_RESYNC);
        hub = Hub.start(vertx, config, Clock.systemUTC(), hubVertx.registry()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        vertx.eventBus().<ReadModelUpdate>consumer(Addresses.READ_MODEL, m -> report(m.body()));
        out.printf("hub: API and dashboard on http://127.0.0.1:%d/ (try /api/clusters, /api/unlocks); Ctrl-C stops%n", hub.httpPort());
    }

    List<Sandbox> clusters() {
        return clusters;
    }

    /** The folder every cluster keeps its volumes and repositories in; close() removes it. */
    Path root() {
        return root;
    }

    public int httpPort() {
        return hub.httpPort();
    }

    private void report(ReadModelUpdate update) {
        String previous = update instanceof UnlockView u ? lastState.put(u.cluster() + "/" + u.failedPodUid(), u.state()) : null;
        if (update instanceof UnlockView u && previous == null) {
            out.printf("%s %s/%s: lock detected in failed pod %s: %s%n", u.cluster(), u.namespace(), u.app(), u.failedPod(), u.matched());
        }
        if (update instanceof UnlockView u && !u.state().equals(previous)) {
            long seconds = Duration.between(u.detectedAt(), Instant.now()).toSeconds();
            out.printf("%s %s/%s: unlock %s after %ds (%s)%n", u.cluster(), u.namespace(), u.app(), u.state(), seconds, u.reason());
            if ("Succeeded".equals(u.state())) {
                awaitingRecovery.put(u.cluster() + "/" + u.app(), u.detectedAt());
            }
        } else if (update instanceof FailureView f && !"joined".equals(f.decision())) {
            out.printf("%s %s/%s: failed pod %s, %s: %s%n", f.cluster(), f.namespace(), f.failedJob(), f.failedPod(), f.decision(), f.reason());
        }
    }

    /**
     * A stale lock, mostly one whose holder is an earlier attempt of the app's mover (the hub can
     * tell it is gone and unlocks at once); every third one a NAS cron job's, a host the hub cannot
     * see, for which it waits until restic itself would call the lock stale (30 minutes).
     */
    private void injectLock() {
        try {
            Sandbox cluster = clusters.get(next % clusters.size());
            List<String> apps = APPS.get((next % clusters.size()) % APPS.size());
            String app = apps.get((next / clusters.size()) % apps.size());
            boolean foreign = next % 3 == 1;
            next++;
            String holder = foreign ? FOREIGN_HOLDER : "volsync-src-" + app + "-" + suffix();
            out.printf("%s %s/%s: injecting a stale lock: restic check as %s, killed with SIGKILL while it holds its lock%s%n",
                    cluster.name, Sandbox.APPS_NAMESPACE, app, holder, foreign ? " (a host the hub cannot see: it will wait)" : "");
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
        replicationSources.forEach(SharedIndexInformer::close);
        // Closing the clusters kills their processes, which lets an injection under way end.
        clusters.forEach(Sandbox::close);
        try {
            injector.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            out.println("demo folder " + root + " not removed: " + e.getMessage());
        }
    }
}
