package com.rafaribe.homelab.hub.cluster;

import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent;
import com.rafaribe.homelab.hub.api.bus.ClustersConfigured;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link ClusterVerticle} per context of the kubeconfigs and follows the files as they
 * change (inotify through {@link WatchService}, on the folders that hold them: a Kubernetes
 * Secret volume swaps a {@code ..data} symlink rather than writing the files). After a change
 * settles the files are read again and only the clusters whose context was added, changed or
 * removed are started, restarted or stopped ({@link KubeconfigChanges}). A file that does not
 * parse is read again every {@link #RETRY} until it does. The clusters share one
 * {@link ClusterIdentities}: a cluster reached through two entries is watched by one of them.
 */
public final class ClusterSupervisor extends AbstractVerticle {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSupervisor.class);
    /** Editors and kubelet write in several steps: one read after the last of them. */
    static final Duration SETTLE = Duration.ofMillis(300);
    static final Duration RETRY = Duration.ofSeconds(10);

    private final List<Path> paths;
    private final Set<String> contexts;
    private final boolean inCluster;
    private final Duration resync;
    private final LeaseSettings lease;
    /** How many Leases this hub holds over all its clusters, so that replicas share them. */
    private final LeaseShare leaseShare;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final ClusterIdentities identities = new ClusterIdentities();
    private WatchService watcher;
    private long settleTimer = -1;
    private long retryTimer = -1;
    private boolean reading;
    private boolean readAgain;

    private record Running(ClusterTarget target, String deploymentId) {
    }

    public ClusterSupervisor(List<Path> paths, Set<String> contexts, boolean inCluster, Duration resync) {
        this(paths, contexts, inCluster, resync, new LeaseSettings(com.rafaribe.homelab.hub.policy.TrustedNamespaces.DEFAULT,
                LeaseSettings.defaultIdentity(System::getenv)));
    }

    /** @param lease how every cluster's Lease is held: a hub acts on a cluster only while it holds its Lease */
    public ClusterSupervisor(List<Path> paths, Set<String> contexts, boolean inCluster, Duration resync, LeaseSettings lease) {
        this.paths = List.copyOf(paths);
        this.contexts = Set.copyOf(contexts);
        this.inCluster = inCluster;
        this.resync = resync;
        this.lease = lease;
        this.leaseShare = lease.newShare();
    }

    @Override
    public void start(Promise<Void> started) {
        vertx.executeBlocking(this::discover)
                .compose(this::apply)
                .compose(v -> vertx.executeBlocking(this::watch))
                .onSuccess(v -> {
                    LOG.info("watching {} cluster(s): {}", running.size(), running.keySet());
                    started.complete();
                })
                .onFailure(started::fail);
    }

    @Override
    public void stop() throws IOException {
        if (watcher != null) {
            watcher.close();
        }
    }

    /** The clusters as they run now. */
    public synchronized List<ClusterTarget> clusters() {
        return running.values().stream().map(Running::target).toList();
    }

    private List<ClusterTarget> discover() {
        List<ClusterTarget> found = new ArrayList<>(Kubeconfigs.discover(paths, contexts));
        if (inCluster) {
            found.add(ClusterTarget.inCluster());
        }
        return found;
    }

    private Future<Void> apply(List<ClusterTarget> discovered) {
        KubeconfigChanges changes;
        synchronized (this) {
            changes = KubeconfigChanges.between(clusters(), discovered);
        }
        // Told before any stop: a duplicate of a cluster that restarts waits for it rather than taking over for a moment.
        for (ClusterTarget target : changes.start()) {
            if (target.problem() == null) {
                identities.starting(target.name(), target.isInCluster(), target.serverKey());
            }
        }
        Future<Void> done = Future.succeededFuture();
        for (String name : changes.stop()) {
            boolean gone = changes.start().stream().noneMatch(t -> t.name().equals(name));
            boolean connects = changes.start().stream().anyMatch(t -> t.name().equals(name) && t.problem() == null);
            done = done.compose(v -> stopCluster(name, gone)).onSuccess(v -> {
                if (!connects) {
                    identities.gone(name);
                }
            });
        }
        for (ClusterTarget target : changes.start()) {
            done = done.compose(v -> startCluster(target));
        }
        // After the clusters started (each has said Connecting or Failed): readiness counts these names, not only those heard of.
        return done.andThen(ar -> publishConfigured()).onSuccess(v -> {
            changes.configErrors().forEach((name, problem) -> vertx.eventBus()
                    .send(Addresses.clusterCommands(name), new ClusterCommand.KubeconfigProblem(problem)));
            if (!changes.changesNothing()) {
                LOG.info("kubeconfigs changed: stopped {}, started {}", changes.stop(), changes.start().stream().map(ClusterTarget::name).toList());
            }
            boolean broken = discovered.stream().anyMatch(ClusterTarget::isBrokenFile);
            if (broken && retryTimer < 0) {
                retryTimer = vertx.setTimer(RETRY.toMillis(), id -> {
                    retryTimer = -1;
                    read();
                });
            }
        });
    }

    private void publishConfigured() {
        Set<String> names;
        synchronized (this) {
            names = Set.copyOf(running.keySet());
        }
        vertx.eventBus().publish(Addresses.CLUSTERS_CONFIGURED, new ClustersConfigured(names));
    }

    private Future<Void> startCluster(ClusterTarget target) {
        return vertx.deployVerticle(new ClusterVerticle(target, resync, identities, lease, leaseShare)).map(id -> {
            synchronized (this) {
                running.put(target.name(), new Running(target, id));
            }
            return null;
        });
    }

    /** @param gone the context left the kubeconfigs (not a restart): the dashboard forgets the cluster */
    private Future<Void> stopCluster(String name, boolean gone) {
        Running r;
        synchronized (this) {
            r = running.remove(name);
        }
        if (r == null) {
            return Future.succeededFuture();
        }
        return vertx.undeploy(r.deploymentId()).otherwiseEmpty().map(v -> {
            if (gone) {
                vertx.eventBus().publish(Addresses.CLUSTER_EVENTS, new ClusterEvent.ClusterRemoved(name));
                vertx.eventBus().publish(Addresses.READ_MODEL, new ReadModelUpdate.ClusterGone(name));
            }
            return null;
        });
    }

    /** The folders to watch: each folder given, and the folder of each file given (and of its link's target). */
    private Void watch() throws IOException {
        Set<Path> folders = new LinkedHashSet<>();
        for (Path path : paths) {
            Path absolute = path.toAbsolutePath();
            if (Files.isDirectory(absolute)) {
                folders.add(absolute);
            } else if (absolute.getParent() != null) {
                folders.add(absolute.getParent());
                if (Files.exists(absolute)) {
                    folders.add(absolute.toRealPath().getParent());
                }
            }
        }
        watcher = FileSystems.getDefault().newWatchService();
        for (Path folder : folders) {
            if (Files.isDirectory(folder)) {
                folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        }
        Thread thread = new Thread(() -> {
            try {
                while (true) {
                    var key = watcher.take();
                    key.pollEvents();
                    key.reset();
                    context.runOnContext(v -> settleThenRead());
                }
            } catch (ClosedWatchServiceException | InterruptedException e) {
                // stopped
            }
        }, "kubeconfig-watch");
        thread.setDaemon(true);
        thread.start();
        return null;
    }

    private void settleThenRead() {
        if (settleTimer >= 0) {
            vertx.cancelTimer(settleTimer);
        }
        settleTimer = vertx.setTimer(SETTLE.toMillis(), id -> {
            settleTimer = -1;
            read();
        });
    }

    /** One reading at a time; a change during one is read right after it. */
    private void read() {
        if (reading) {
            readAgain = true;
            return;
        }
        reading = true;
        vertx.executeBlocking(this::discover).compose(this::apply)
                .onFailure(e -> LOG.warn("kubeconfigs: could not apply a change: {}", e.getMessage()))
                .onComplete(ar -> {
                    reading = false;
                    if (readAgain) {
                        readAgain = false;
                        read();
                    }
                });
    }
}
