package com.rafaribe.homelab.hub.cluster;

import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.ClusterView;
import com.rafaribe.homelab.hub.policy.Redactor;
import com.rafaribe.homelab.hub.policy.TrustedNamespaces;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster: its connection and state, its Lease, the informers of each connection
 * ({@link ClusterInformers}) and the commands the policy sends it ({@link ClusterCommands}).
 * Everything runs on this verticle's context; blocking calls go to the shared {@link KubernetesOps}
 * pool. Trouble here never reaches another cluster.
 *
 * <p>On connect, before any informer, it reads the UID of the cluster's {@code kube-system}
 * namespace and asks {@link ClusterIdentities} whether it is the entry that watches that cluster:
 * if another entry of the hub (a second context, or in-cluster) reaches the same cluster and ranks
 * first, this one closes its connection and shows state Duplicate, naming that entry, until the
 * other goes away.
 */
public final class ClusterVerticle extends AbstractVerticle {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterVerticle.class);
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(10);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /** A monitor cannot make the hub rescan more often than this. */
    static final Duration MIN_RESCAN = Duration.ofSeconds(5);
    /** A token file (in-cluster, or a kubeconfig's tokenFile) may be rotated under a running context: its expiry is read this often. */
    static final Duration CREDENTIAL_REREAD = Duration.ofMinutes(1);
    static final String IDENTITY_COMMAND = "get namespace " + ClusterClients.IDENTITY_NAMESPACE;
    static final String IDENTITY_UNKNOWN = "cannot tell whether another context reaches this cluster too (its kube-system UID is"
            + " unknown): it is watched anyway";
    public static final ResourceDefinitionContext REPLICATION_SOURCES = new ResourceDefinitionContext.Builder()
            .withGroup("volsync.backube").withVersion("v1alpha1").withKind("ReplicationSource").withPlural("replicationsources")
            .withNamespaced(true).build();
    public static final ResourceDefinitionContext REPLICATION_DESTINATIONS = new ResourceDefinitionContext.Builder()
            .withGroup("volsync.backube").withVersion("v1alpha1").withKind("ReplicationDestination").withPlural("replicationdestinations")
            .withNamespaced(true).build();

    private final ClusterTarget target;
    private final Duration resync;
    private final ClusterIdentities identities;
    private final LeaseSettings leaseSettings;
    private final LeaseShare leaseShare;
    /** Competes for this cluster's Lease while the cluster is watched; null otherwise. */
    private ClusterLease lease;
    /** This hub holds the cluster's Lease: only then does the policy hear of the cluster and do its commands that act run. */
    private boolean acting;
    /** The Lease's holder as last read or written, and when it took the Lease; null if unknown or nobody holds it. */
    private String actingHub;
    private Instant actingSince;
    /** Why the Lease cannot be read or taken ("cannot take the lease: 403 ..."), or null. */
    private String leaseProblem;
    /** The registry's decision for this entry changed: look again, on this verticle's context. */
    private final Runnable identitiesChanged = () -> context.runOnContext(v -> identitiesChanged());

    /**
     * Where this connection stands. IDLE: connecting (no identity yet); WAITING: connected and
     * identified, not allowed to watch yet; WATCHING: informers started or starting; DUPLICATE:
     * another entry watches this cluster, no connection kept.
     */
    private enum Mode { IDLE, WAITING, WATCHING, DUPLICATE }

    private Mode mode = Mode.IDLE;
    /** Counts connections: a continuation of one that was closed meanwhile does nothing. */
    private int connection;
    /** The informers of this connection have listed and watch: the probe may report the cluster back. */
    private boolean watchStarted;
    private String duplicateOf;
    /** Set while the cluster's identity is unknown (refused, or no kube-system): duplicates cannot be told. */
    private String identityWarning;
    private KubernetesOps ops;
    private KubernetesClient client;
    /** The informers of the latest connection; closed with it, their stores still counted until the next one lists. */
    private ClusterInformers informers;
    private ClusterCommands commands;

    private String state = "Connecting";
    private String error;
    /** Its kubeconfig file broke after it was read: it runs on the last good content meanwhile. */
    private String kubeconfigProblem;
    private Instant since = Instant.now();
    /** When the last watch event of this cluster arrived: a cluster that is Connected but silent for days is worth a look. */
    private Instant lastEventAt;
    /** Commands the cluster refused for a permission, by command: shown with the cluster until they work again. */
    private final Map<String, String> deniedCommands = new TreeMap<>();
    private int attempt;
    private long probeTimer = -1;
    private long rescanTimer = -1;
    private long retryTimer = -1;
    private long credentialTimer = -1;
    /** What the context's credential and TLS settings say ({@link ClusterCredentials}): shown with the cluster, whatever its state. */
    private ClusterCredentials.Facts credentials = ClusterCredentials.Facts.NONE;
    private boolean stopped;
    private boolean probing;
    /** Why a list or watch fails (401, 403, ...): it keeps the cluster Failed until every informer watches again. */
    private String watchFailure;
    private MessageConsumer<ClusterCommand> consumer;

    /** A cluster on its own: no other entry can reach the same cluster. */
    public ClusterVerticle(ClusterTarget target, Duration resync) {
        this(target, resync, new ClusterIdentities());
    }

    /** @param identities shared by every cluster of the hub: says which entry watches a cluster two entries reach */
    public ClusterVerticle(ClusterTarget target, Duration resync, ClusterIdentities identities) {
        this(target, resync, identities, new LeaseSettings(TrustedNamespaces.DEFAULT, LeaseSettings.defaultIdentity(System::getenv)));
    }

    /** @param lease where this hub's Lease lives in the cluster, who it is, and how it holds it */
    public ClusterVerticle(ClusterTarget target, Duration resync, ClusterIdentities identities, LeaseSettings lease) {
        this(target, resync, identities, lease, lease.newShare());
    }

    /** @param share the Leases this hub holds over all its clusters: shared by its cluster verticles */
    ClusterVerticle(ClusterTarget target, Duration resync, ClusterIdentities identities, LeaseSettings lease, LeaseShare share) {
        this.target = target;
        this.resync = resync;
        this.identities = identities;
        this.leaseSettings = lease;
        this.leaseShare = share;
    }

    @Override
    public void start(Promise<Void> started) {
        ops = new KubernetesOps(vertx);
        publishState();
        if (target.problem() != null) {
            fail(target.problem());
            started.complete();
            return;
        }
        consumer = vertx.eventBus().consumer(Addresses.clusterCommands(target.name()), message -> {
            if (message.body() instanceof ClusterCommand.KubeconfigProblem p) {
                kubeconfigProblem = p.problem();
                publishState();
                return;
            }
            // Fail fast while the cluster is down: a caller waiting on it would hold up other clusters' work.
            if (commands == null || "Failed".equals(state)) {
                message.fail(503, "cluster " + target.name() + " is " + state + (error == null ? "" : ": " + error));
                return;
            }
            commands.handle(message, permissions, this::standbyReason);
        });
        identities.listen(target.name(), identitiesChanged);
        readCredentials();
        credentialTimer = vertx.setPeriodic(CREDENTIAL_REREAD.toMillis(), id -> readCredentials());
        connect();
        started.complete();
    }

    /** Off the event loop: a token or certificate file may be read. Only the expiry instant comes back, never the credential. */
    private void readCredentials() {
        ops.run(() -> ClusterCredentials.read(target, System::getenv)).onSuccess(read -> {
            // Stopped meanwhile (its context left the kubeconfigs): a late update would bring the cluster back to the page.
            if (stopped || read.equals(credentials)) {
                return;
            }
            read.warnings().stream().filter(w -> !credentials.warnings().contains(w))
                    .forEach(w -> LOG.warn("cluster {}: {}", target.name(), Redactor.redact(w)));
            credentials = read;
            publishState();
        });
    }

    /** Waits (a few seconds at most) for the Lease to be released: another hub then takes the cluster over at once. */
    @Override
    public void stop(Promise<Void> done) {
        stopped = true;
        identities.unlisten(target.name(), identitiesChanged);
        vertx.cancelTimer(probeTimer);
        vertx.cancelTimer(rescanTimer);
        vertx.cancelTimer(retryTimer);
        vertx.cancelTimer(credentialTimer);
        CompletableFuture<Void> closed = closeClient();
        identities.stoppedWatching(target.name());
        Future.fromCompletionStage(closed.completeOnTimeout(null, 5, java.util.concurrent.TimeUnit.SECONDS), context)
                .onComplete(ar -> {
                    ops.close();
                    done.complete();
                });
    }

    /** A connection and the cluster's identity read through it. */
    private record Opened(KubernetesClient client, ClusterClients.Identity identity) {
    }

    private void connect() {
        int attemptOf = ++connection;
        mode = Mode.IDLE;
        ops.run(() -> {
            KubernetesClient c = ClusterClients.open(target, vertx);
            try {
                return new Opened(c, ClusterClients.readIdentity(c));
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }).onComplete(ar -> {
            if (attemptOf != connection) {
                if (ar.succeeded()) {
                    ar.result().client().close();
                }
            } else if (ar.failed()) {
                fail(ConnectionErrors.describe(ar.cause()) + (target.proxy() == null ? "" : " (through proxy " + target.proxy() + ")"));
                closeClient();
                // Not reached, it claims no cluster: a duplicate of it that is reached takes over meanwhile.
                identities.unreachable(target.name());
                retryLater();
            } else {
                client = ar.result().client();
                identityRead(ar.result().identity());
                act(identities.identified(target.name(), ar.result().identity().uid()));
            }
        });
    }

    /** A refusal shows as the other refusals do, with what it costs; only while the cluster is watched, where it is true. */
    private void identityRead(ClusterClients.Identity identity) {
        String warning = identity.uid() != null ? null
                : identity.refused() != null ? identity.refused() + " (refused: " + IDENTITY_COMMAND + "); " + IDENTITY_UNKNOWN
                : IDENTITY_UNKNOWN.replace("is unknown", "is unknown: no such namespace");
        if (warning != null && !warning.equals(identityWarning)) {
            LOG.warn("cluster {}: {}", target.name(), Redactor.redact(warning));
        }
        identityWarning = warning;
    }

    /** What {@link ClusterIdentities} decided for this entry, carried out on this connection. */
    private void act(ClusterIdentities.Decision decision) {
        if (decision == null) {
            return;
        }
        switch (decision.kind()) {
            case WATCH -> {
                if (mode != Mode.WATCHING) {
                    mode = Mode.WATCHING;
                    duplicateOf = null;
                    startWatching(connection);
                }
            }
            case WAIT -> {
                // A cluster already watched goes on until it is told it is a duplicate.
                if (mode != Mode.WATCHING && !(mode == Mode.WAITING && decision.why().equals(error))) {
                    mode = Mode.WAITING;
                    duplicateOf = null;
                    LOG.info("cluster {}: {}", target.name(), decision.why());
                    setState("Connecting", decision.why());
                }
            }
            case DUPLICATE -> standDown(decision);
        }
    }

    private void identitiesChanged() {
        ClusterIdentities.Decision decision = identities.decision(target.name());
        if (decision == null || mode == Mode.IDLE) {
            return;
        }
        if (mode != Mode.DUPLICATE) {
            act(decision);
        } else if (decision.kind() == ClusterIdentities.Decision.Kind.DUPLICATE) {
            duplicateOf = decision.other();
            setState("Duplicate", decision.why());
        } else {
            LOG.info("cluster {}: {} watches this cluster no more: connecting to take over", target.name(), duplicateOf);
            connect();
        }
    }

    private void startWatching(int of) {
        informers = new ClusterInformers(target.name(), vertx, context, informersListener(of));
        Future.fromCompletionStage(informers.start(client), context).onComplete(ar -> {
            if (of != connection || mode != Mode.WATCHING) {
                return;
            }
            if (ar.succeeded()) {
                attempt = 0;
                watchStarted = true;
                connected();
                startLease(of);
                if (probeTimer < 0) {
                    schedulePing();
                }
                if (rescanTimer < 0) {
                    scheduleRescan();
                }
            } else {
                fail(ConnectionErrors.describe(ar.cause()) + (target.proxy() == null ? "" : " (through proxy " + target.proxy() + ")"));
                closeClient();
                identities.stoppedWatching(target.name());
                retryLater();
            }
        });
    }

    /**
     * Another entry watches this cluster: close the connection, and if this one watched until now,
     * let the policy and the dashboard forget what it reported under this name (the other entry
     * reports the same objects under its own).
     */
    private void standDown(ClusterIdentities.Decision decision) {
        boolean watched = mode == Mode.WATCHING;
        closeClient();
        mode = Mode.DUPLICATE;
        identities.stoppedWatching(target.name());
        duplicateOf = decision.other();
        lastEventAt = null;
        // What this connection was refused no longer matters.
        deniedCommands.clear();
        LOG.info("cluster {}: not watched here: {}", target.name(), decision.why());
        if (watched) {
            vertx.eventBus().publish(Addresses.CLUSTER_EVENTS, new ClusterEvent.ClusterRemoved(target.name()));
            vertx.eventBus().publish(Addresses.READ_MODEL, new com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.ClusterGone(target.name()));
        }
        setState("Duplicate", decision.why());
    }

    private void connected() {
        watchFailure = null;
        commands = new ClusterCommands(target.name(), client, ops, informers.moverPods(), informers.moverJobs(), informers.unlockPods(),
                informers.monitors(),
                (namespace, name) -> context.runOnContext(v -> publish(new ClusterEvent.HolderChanged(target.name(), namespace, name))));
        setState("Connected", null);
        LOG.info("cluster {}: connected to {}", target.name(), target.server());
        informers.reportAll();
    }

    /** What the informers of connection {@code of} tell, on this verticle's context; a refusal or watch error of a closed one is dropped. */
    private ClusterInformers.Listener informersListener(int of) {
        return new ClusterInformers.Listener() {
            @Override
            public void publish(ClusterEvent event) {
                ClusterVerticle.this.publish(event);
            }

            @Override
            public void countsChanged() {
                publishState();
            }

            @Override
            public void allowed(String command) {
                permissions.allowed(command);
            }

            @Override
            public void refused(Throwable cause, String command) {
                if (of == connection) {
                    permissions.denied(command, ConnectionErrors.describe(cause));
                }
            }

            @Override
            public void watchError(Throwable t) {
                if (of == connection) {
                    onWatchError(t);
                }
            }

            @Override
            public boolean handling() {
                return commands != null;
            }
        };
    }

    /**
     * The safety net the original controller's scanInterval names: every so often the cached objects
     * are reported again (no API call), so that nothing a missed event would have triggered is lost.
     * The policy ignores what it has already decided. The period is the shortest scanInterval of
     * the cluster's valid monitors, at least {@link #MIN_RESCAN}, by default the hub's resync period.
     */
    private void scheduleRescan() {
        rescanTimer = vertx.setTimer(rescanPeriod().toMillis(), id -> {
            if (commands != null && !"Failed".equals(state)) {
                informers.rescan();
            }
            scheduleRescan();
        });
    }

    Duration rescanPeriod() {
        Duration shortest = informers == null ? resync : informers.shortestScanInterval(resync);
        return shortest.compareTo(MIN_RESCAN) < 0 ? MIN_RESCAN : shortest;
    }

    /**
     * fabric8 retries a failing list or watch for ever; the cluster shows why. A 401 or 403 (a token
     * revoked, an RBAC rule missing) fails the cluster even while other calls work.
     */
    private void onWatchError(Throwable t) {
        String why = ConnectionErrors.describe(t);
        if (!why.equals(watchFailure)) {
            LOG.warn("cluster {}: watch error, retrying: {}", target.name(), Redactor.redact(why));
        }
        boolean denied = t instanceof KubernetesClientException k && (k.getCode() == 401 || k.getCode() == 403)
                || why.startsWith("401") || why.startsWith("403");
        if (denied || !"Connected".equals(state)) {
            watchFailure = why;
            fail(why);
        }
    }

    /** A watch on a dead server can stay silent, so a cheap GET /version says whether the cluster answers. */
    private void schedulePing() {
        probeTimer = vertx.setPeriodic(PROBE_INTERVAL.toMillis(), id -> {
            if (probing || client == null || !watchStarted) {
                return;
            }
            probing = true;
            int of = connection;
            KubernetesClient c = client;
            // An identity refused or missing is asked for again: once it is known, a duplicate is told apart.
            boolean askIdentity = identityWarning != null;
            ops.run(() -> {
                c.getKubernetesVersion();
                return askIdentity ? ClusterClients.readIdentity(c) : null;
            }).onComplete(ar -> {
                probing = false;
                if (of != connection) {
                    return;
                }
                if (ar.succeeded() && ar.result() != null && ar.result().uid() != null) {
                    identityRead(ar.result());
                    act(identities.identified(target.name(), ar.result().uid()));
                    if (mode != Mode.WATCHING) {
                        return;
                    }
                }
                if (ar.failed()) {
                    if (!"Failed".equals(state)) {
                        LOG.warn("cluster {}: health probe failed: {}", target.name(), ConnectionErrors.describe(ar.cause()));
                    }
                    fail(ConnectionErrors.describe(ar.cause()));
                } else if (watchFailure != null && !(informers == null || informers.allWatching())) {
                    fail(watchFailure);
                } else if (!"Connected".equals(state)) {
                    LOG.info("cluster {}: answering again", target.name());
                    watchFailure = null;
                    connected();
                }
            });
        });
    }

    private void retryLater() {
        attempt++;
        long delay = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(attempt - 1, 6));
        retryTimer = vertx.setTimer(delay, id -> connect());
    }

    /** Completes once the Lease is released (if held) and the client closed, off the event loop. */
    private CompletableFuture<Void> closeClient() {
        connection++;
        watchStarted = false;
        if (informers != null) {
            informers.close();
        }
        if (commands != null) {
            commands.close();
        }
        commands = null;
        if (acting) {
            actingChanged(false);
        }
        ClusterLease held = lease;
        lease = null;
        KubernetesClient closing = client;
        client = null;
        if (closing == null) {
            return CompletableFuture.completedFuture(null);
        }
        // The Lease is released through the client before it closes; both block, so neither runs here.
        return CompletableFuture.runAsync(() -> {
            try {
                if (held != null) {
                    held.stop();
                }
            } finally {
                closing.close();
            }
        }, ClusterClients.TASKS);
    }

    /** Competes for the cluster's Lease on the client of connection {@code of}; its answers hop to this verticle's context. */
    private void startLease(int of) {
        if (lease != null) {
            return;
        }
        lease = new ClusterLease(target.name(), client, leaseSettings, leaseShare, ClusterClients.TASKS, new ClusterLease.Listener() {
            @Override
            public void acting(boolean now) {
                context.runOnContext(v -> {
                    if (of == connection && now != acting) {
                        actingChanged(now);
                        if (!now) {
                            showOnlyWhatIsWatched();
                        }
                    }
                });
            }

            @Override
            public void holder(String identity, Instant takenAt) {
                context.runOnContext(v -> {
                    if (of == connection && !(java.util.Objects.equals(identity, actingHub) && java.util.Objects.equals(takenAt, actingSince))) {
                        actingHub = identity;
                        actingSince = takenAt;
                        publishState();
                    }
                });
            }

            @Override
            public void problem(String why) {
                context.runOnContext(v -> {
                    if (of == connection && !java.util.Objects.equals(why, leaseProblem)) {
                        if (why != null) {
                            LOG.warn("cluster {}: {}", target.name(), Redactor.redact(why));
                        }
                        leaseProblem = why;
                        publishState();
                    }
                });
            }
        });
        ClusterLease starting = lease;
        // Its first attempt to take the Lease is a blocking call, made at once.
        ClusterClients.TASKS.execute(starting::start);
    }

    /**
     * Taking the Lease, the policy hears everything cached, as on a first connection, and rebuilds
     * what another hub left under way from the unlock Jobs. Losing it, the policy drops the cluster's
     * work at once, uncounted: the new holder finishes it.
     */
    private void actingChanged(boolean now) {
        if (now == acting) {
            return;
        }
        acting = now;
        if (now) {
            // At once, even while the cluster is Failed: the policy must know the monitors before any event that follows.
            if (commands != null) {
                informers.reportAll();
            }
        } else {
            vertx.eventBus().publish(Addresses.CLUSTER_EVENTS, new ClusterEvent.ClusterStandby(target.name()));
        }
        publishState();
    }

    /**
     * The unlocks, failures and monitors this hub showed for the cluster are the acting hub's to show
     * now (its policy dropped them): gone from this hub's page, where the cluster and its backups,
     * which it still watches, come back at once.
     */
    private void showOnlyWhatIsWatched() {
        vertx.eventBus().publish(Addresses.READ_MODEL, new com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.ClusterGone(target.name()));
        publishState();
        if (informers != null) {
            informers.reportBackups();
        }
    }

    /** Why this hub may not act on the cluster now, or null while it holds the Lease. */
    private String standbyReason() {
        return acting ? null : "standby: this hub (" + leaseSettings.identity() + ") does not hold the Lease of cluster " + target.name()
                + (actingHub == null ? "" : "; acting hub is " + actingHub + (actingSince == null ? "" : " since " + actingSince));
    }

    private void fail(String why) {
        setState("Failed", why);
    }

    private void setState(String newState, String why) {
        if (!newState.equals(state) || (why != null && !why.equals(error))) {
            since = Instant.now();
        }
        if ("Failed".equals(newState) && !"Failed".equals(state)) {
            LOG.warn("cluster {}: Failed: {}", target.name(), Redactor.redact(why));
        }
        state = newState;
        // Errors can quote a proxy URL or a server's message: never a credential on the API or in the log.
        error = why == null ? null : Redactor.redact(why);
        publishState();
    }

    /**
     * A refused command does not stop the watches, but must not pass silently: the cluster stays
     * Connected and its error names what was refused, until that command works again.
     */
    private final ClusterCommands.Permissions permissions = new ClusterCommands.Permissions() {
        @Override
        public void denied(String command, String why) {
            if (!why.equals(deniedCommands.put(command, why))) {
                LOG.warn("cluster {}: {} refused: {}", target.name(), command, Redactor.redact(why));
                publishState();
            }
        }

        @Override
        public void allowed(String command) {
            if (deniedCommands.remove(command) != null) {
                publishState();
            }
        }
    };

    private void publishState() {
        boolean counted = mode != Mode.DUPLICATE;
        int monitorCount = informers == null || !counted ? 0 : informers.monitorCount();
        int podCount = informers == null || !counted ? 0 : informers.moverPodCount();
        vertx.eventBus().publish(Addresses.READ_MODEL,
                new ClusterView(target.name(), Redactor.redact(target.server()), state, errorWithRefusals(), since, monitorCount, podCount,
                        lastEventAt, mode == Mode.DUPLICATE ? duplicateOf : null, credentials.expiresAt(),
                        credentials.warnings().stream().map(Redactor::redact).toList(), acting,
                        actingHub == null ? null : Redactor.redact(actingHub), actingSince));
    }

    private String errorWithRefusals() {
        List<String> errors = new ArrayList<>();
        if (error != null) {
            errors.add(error);
        }
        deniedCommands.forEach((command, why) -> errors.add(Redactor.redact(why) + " (refused: " + command + ")"));
        if (identityWarning != null && "Connected".equals(state)) {
            errors.add(Redactor.redact(identityWarning));
        }
        if (kubeconfigProblem != null) {
            errors.add(Redactor.redact(kubeconfigProblem));
        }
        if (leaseProblem != null && "Connected".equals(state)) {
            errors.add(Redactor.redact(leaseProblem));
        }
        return errors.isEmpty() ? null : String.join("; ", errors);
    }

    private void publish(ClusterEvent event) {
        lastEventAt = Instant.now();
        // Standing by, the policy hears nothing of the cluster (it would decide what the acting hub does); the backups' view does.
        if (!acting && !(event instanceof ClusterEvent.BackupChanged || event instanceof ClusterEvent.BackupDeleted)) {
            return;
        }
        vertx.eventBus().publish(Addresses.CLUSTER_EVENTS, event);
    }
}
