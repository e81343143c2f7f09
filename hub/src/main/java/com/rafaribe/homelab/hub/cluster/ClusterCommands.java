package com.rafaribe.homelab.hub.cluster;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import com.rafaribe.homelab.hub.api.bus.CommandReply;
import com.rafaribe.homelab.hub.api.bus.CommandReply.HolderFacts.HolderPod;
import com.rafaribe.homelab.hub.api.bus.CommandReply.JobDeleted.Outcome;
import com.rafaribe.homelab.hub.policy.FailedMover;
import com.rafaribe.homelab.hub.policy.LockCause;
import com.rafaribe.homelab.hub.policy.PodStates;
import com.rafaribe.homelab.hub.policy.Redactor;
import com.rafaribe.homelab.hub.policy.LogTail;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.client.utils.URLUtils;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Carries out the policy's commands on one cluster; blocking calls run on the shared pool. */
final class ClusterCommands {
    /** A DNS-1123 subdomain, which every pod name is. */
    private static final java.util.regex.Pattern POD_NAME = java.util.regex.Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Logger LOG = LoggerFactory.getLogger(ClusterCommands.class);
    /** The last 500 lines are enough for restic's error, which it prints last. */
    static final int TAIL_LINES = 500;

    private final String cluster;
    private final KubernetesClient client;
    private final KubernetesOps ops;
    private final SharedIndexInformer<Pod> moverPods;
    private final SharedIndexInformer<Job> moverJobs;
    private final SharedIndexInformer<Pod> unlockPods;
    private final SharedIndexInformer<VolSyncMonitor> monitors;
    private final EventRecorder events;
    private final HolderWatches holderWatches;

    ClusterCommands(String cluster, KubernetesClient client, KubernetesOps ops, SharedIndexInformer<Pod> moverPods,
                    SharedIndexInformer<Job> moverJobs, SharedIndexInformer<Pod> unlockPods,
                    SharedIndexInformer<VolSyncMonitor> monitors, java.util.function.BiConsumer<String, String> holderChanged) {
        this.cluster = cluster;
        this.client = client;
        this.ops = ops;
        this.moverPods = moverPods;
        this.moverJobs = moverJobs;
        this.unlockPods = unlockPods;
        this.monitors = monitors;
        this.events = new EventRecorder(client, java.time.Clock.systemUTC());
        this.holderWatches = new HolderWatches(client, holderChanged);
    }

    /** The connection is going: its holder watches with it (the policy asks again once the cluster has listed anew). */
    void close() {
        holderWatches.close();
    }

    /** Hears which command the cluster refuses for want of a permission (401/403), and when it is allowed again. */
    interface Permissions {
        void denied(String command, String error);

        void allowed(String command);
    }

    /** What changes the cluster: a hub does it only while it holds the cluster's Lease. Reading and watching are free. */
    static boolean acts(ClusterCommand command) {
        return command instanceof ClusterCommand.CreateJob || command instanceof ClusterCommand.DeleteFailedJob
                || command instanceof ClusterCommand.DeleteUnlockJob || command instanceof ClusterCommand.PatchMonitorStatus
                || command instanceof ClusterCommand.RecordEvent;
    }

    /** The status code of a command refused because this hub does not hold the cluster's Lease. */
    static final int STANDBY = 423;

    /**
     * @param standby why this hub may not act on the cluster now (it does not hold its Lease), or null
     *                while it does: a command that {@link #acts} is then refused here, before any request
     */
    void handle(Message<ClusterCommand> message, Permissions permissions, java.util.function.Supplier<String> standby) {
        String command = message.body().getClass().getSimpleName();
        String notActing = acts(message.body()) ? standby.get() : null;
        if (notActing != null) {
            LOG.info("cluster {}: {} not carried out: {}", cluster, command, notActing);
            message.fail(STANDBY, Redactor.redact(notActing));
            return;
        }
        Future<? extends CommandReply> reply = dispatch(message.body());
        reply.onSuccess(r -> {
            permissions.allowed(command);
            message.reply(r);
        }).onFailure(e -> {
            int code = e instanceof KubernetesClientException k && k.getCode() > 0 ? k.getCode() : 500;
            // A namespace where the hub may not create Jobs (agent-config/rbac-namespaced/, an admission
            // policy) is a fact about that namespace, told with the failed pod, not a broken cluster.
            boolean refusedCreate = code == 403 && message.body() instanceof ClusterCommand.CreateJob;
            // The reply goes on to status, Events, the API and the log: redacted once, here, where it is made.
            String why = Redactor.redact(refusedCreate ? createRefused(((ClusterCommand.CreateJob) message.body()).job(), e)
                    : ConnectionErrors.describe(e));
            LOG.warn("cluster {}: {} failed: {}", cluster, command, why);
            if ((code == 401 || code == 403) && !refusedCreate) {
                permissions.denied(command, why);
            }
            message.fail(code, why);
        });
    }

    private Future<? extends CommandReply> dispatch(ClusterCommand command) {
        if (command instanceof ClusterCommand.FetchLog c) {
            return ops.run(() -> fetchLog(c));
        } else if (command instanceof ClusterCommand.CreateJob c) {
            return ops.run(() -> createJob(c.job()));
        } else if (command instanceof ClusterCommand.DeleteFailedJob c) {
            return ops.run(() -> deleteFailedJob(c));
        } else if (command instanceof ClusterCommand.PatchMonitorStatus c) {
            return ops.run(() -> patchStatus(c));
        } else if (command instanceof ClusterCommand.RecordEvent c) {
            return ops.run(() -> {
                events.record(c);
                return new CommandReply.Done();
            });
        } else if (command instanceof ClusterCommand.FindHolder c) {
            return findHolder(c);
        } else if (command instanceof ClusterCommand.WatchHolder c) {
            return watchHolder(c);
        } else if (command instanceof ClusterCommand.DeleteUnlockJob c) {
            return ops.run(() -> deleteUnlockJob(c));
        }
        return Future.failedFuture(new IllegalArgumentException("unknown command " + command));
    }

    /**
     * Why the API server refused an unlock Job, and what grants it: RBAC (the namespace has no
     * RoleBinding of the hub's unlock role) or an admission policy (its own message says which rule).
     */
    static String createRefused(Job job, Throwable error) {
        String namespace = job.getMetadata().getNamespace();
        String message = error instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null
                ? k.getStatus().getMessage() : String.valueOf(error.getMessage());
        String first = message.lines().findFirst().orElse("");
        if (first.contains("cannot create resource")) {
            return "the hub may not create Jobs in namespace " + namespace + ": forbidden (403); grant it with a RoleBinding of the "
                    + "ClusterRole volsync-monitor-hub-unlock to the hub's ServiceAccount in " + namespace
                    + " (agent-config/rbac-namespaced/app-namespaces.yaml)";
        }
        return "the API server refused unlock Job " + job.getMetadata().getName() + " in namespace " + namespace + " (403): "
                + (first.length() > 300 ? first.substring(0, 300) + "..." : first);
    }

    /**
     * Streams the tail through a 64 KiB ring buffer: however long the lines, memory stays bounded.
     * One GET of pods/log: fabric8's getLog would first list the pod (with a field selector) to wait
     * until it is ready, a request per read that a failed pod, terminated already, does not need.
     */
    private CommandReply.LogText fetchLog(ClusterCommand.FetchLog c) throws Exception {
        HttpClient http = client.getHttpClient();
        String url = URLUtils.join(client.getMasterUrl().toString(), "api", "v1", "namespaces", c.namespace(), "pods", c.pod(), "log")
                + "?container=" + URLUtils.encodeToUTF(c.container()) + "&tailLines=" + TAIL_LINES;
        HttpRequest.Builder request = http.newHttpRequestBuilder().uri(url);
        if (client.getConfiguration().getRequestTimeout() > 0) {
            request.timeout(client.getConfiguration().getRequestTimeout(), TimeUnit.MILLISECONDS);
        }
        HttpResponse<InputStream> response;
        try {
            response = http.sendAsync(request.build(), InputStream.class).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        try (InputStream in = response.body()) {
            if (!response.isSuccessful()) {
                String body = in == null ? "" : new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8);
                throw new KubernetesClientException("GET log of pod " + c.namespace() + "/" + c.pod() + ": " + response.code() + " "
                        + body, response.code(), null);
            }
            return new CommandReply.LogText(in == null ? "" : LogTail.of(in));
        }
    }

    private CommandReply.JobCreated createJob(Job job) {
        try {
            client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).resource(job).create();
            return new CommandReply.JobCreated(false);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return new CommandReply.JobCreated(true);
            }
            throw e;
        }
    }

    /**
     * Job names are reused by VolSync: only this very Job (UID), and only while none of its pods
     * runs. A command without a UID names a Job only by name, which may be a newer one: refused.
     */
    private CommandReply.JobDeleted deleteFailedJob(ClusterCommand.DeleteFailedJob c) throws Exception {
        if (c.uid() == null) {
            return new CommandReply.JobDeleted(Outcome.UNKNOWN_UID);
        }
        // The Job as the watch last saw it: one DELETE, whose preconditions make a stale cache harmless (409), and then
        // the Job is read once to tell a replaced Job from one that only changed since.
        Job cached = moverJobs.getStore().getByKey(c.namespace() + "/" + c.name());
        if (cached != null && c.uid().equals(cached.getMetadata().getUid()) && !active(cached)) {
            int code = deleteWithPreconditions(c.namespace(), c.name(), c.uid(), cached.getMetadata().getResourceVersion());
            if (code != 409) {
                return new CommandReply.JobDeleted(code == 404 ? Outcome.GONE : Outcome.DELETED);
            }
        }
        Job job = client.batch().v1().jobs().inNamespace(c.namespace()).withName(c.name()).get();
        if (job == null) {
            return new CommandReply.JobDeleted(Outcome.GONE);
        }
        if (!c.uid().equals(job.getMetadata().getUid())) {
            return new CommandReply.JobDeleted(Outcome.REPLACED);
        }
        if (active(job)) {
            return new CommandReply.JobDeleted(Outcome.STILL_ACTIVE);
        }
        // The preconditions fail (409) if the Job was replaced (UID) or changed (resourceVersion) since the GET.
        int code = deleteWithPreconditions(c.namespace(), c.name(), c.uid(), job.getMetadata().getResourceVersion());
        return new CommandReply.JobDeleted(code == 404 ? Outcome.GONE : code == 409 ? Outcome.REPLACED : Outcome.DELETED);
    }

    private static boolean active(Job job) {
        return job.getStatus() != null && job.getStatus().getActive() != null && job.getStatus().getActive() > 0;
    }

    /**
     * A DELETE carrying both preconditions, UID and resourceVersion: fabric8's delete() sends the
     * resourceVersion only. Background propagation, as fabric8's, so the Job's pods go with it.
     * Returns 2xx, 404 or 409; any other status is thrown, as fabric8 would.
     */
    private int deleteWithPreconditions(String namespace, String name, String uid, String resourceVersion) throws Exception {
        DeleteOptions options = new DeleteOptionsBuilder().withPropagationPolicy("Background")
                .withNewPreconditions().withUid(uid).withResourceVersion(resourceVersion).endPreconditions().build();
        HttpClient http = client.getHttpClient();
        HttpRequest.Builder request = http.newHttpRequestBuilder()
                .uri(URLUtils.join(client.getMasterUrl().toString(), "apis", "batch", "v1", "namespaces", namespace, "jobs", name))
                .delete("application/json", Serialization.asJson(options));
        if (client.getConfiguration().getRequestTimeout() > 0) {
            request.timeout(client.getConfiguration().getRequestTimeout(), TimeUnit.MILLISECONDS);
        }
        HttpResponse<String> response;
        try {
            response = http.sendAsync(request.build(), String.class).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        if (response.isSuccessful() || response.code() == 404 || response.code() == 409) {
            return response.code();
        }
        throw new KubernetesClientException("DELETE job " + namespace + "/" + name + ": " + response.body(), response.code(), null);
    }

    /**
     * Replaces the whole status through the status subresource with a JSON patch (a merge patch
     * would have to clear removed fields one by one, and the mock server appends its arrays). The
     * version the writer last saw goes along as a precondition: when the monitor changed since (the
     * other hub wrote before a Lease handover, a user edited the spec) the answer is 409, and the
     * monitor is read again so that the writer merges its changes into what is there. This is the
     * status's one way out: every string in it is redacted here.
     */
    private CommandReply patchStatus(ClusterCommand.PatchMonitorStatus c) {
        VolSyncMonitor cached = monitors.getStore().getByKey(c.namespace() + "/" + c.name());
        if (cached == null) {
            throw new IllegalStateException("monitor " + c.namespace() + "/" + c.name() + " is gone");
        }
        String version = c.resourceVersion() != null ? c.resourceVersion() : cached.getMetadata().getResourceVersion();
        String patch = Serialization.asJson(List.of(
                Map.of("op", "replace", "path", "/metadata/resourceVersion", "value", version),
                Map.of("op", "add", "path", "/status", "value", RedactedJson.of(Serialization.jsonMapper().valueToTree(c.status())))));
        var inNamespace = client.resources(VolSyncMonitor.class).inNamespace(c.namespace());
        try {
            // Through the cached item: by name alone fabric8 would read the monitor first.
            VolSyncMonitor written = inNamespace.resource(cached).subresource("status").patch(PatchContext.of(PatchType.JSON), patch);
            return new CommandReply.StatusWritten(written.getMetadata().getResourceVersion());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            VolSyncMonitor now = inNamespace.withName(c.name()).get();
            if (now == null) {
                throw new IllegalStateException("monitor " + c.namespace() + "/" + c.name() + " is gone");
            }
            return new CommandReply.StatusConflict(now.getStatus(), now.getMetadata().getResourceVersion());
        }
    }

    /**
     * Pods of that name in the namespaces where a holder may run: a watched pod is read from the
     * cache; any other costs one GET by name in its namespace, never a list.
     */
    private Future<CommandReply.HolderFacts> findHolder(ClusterCommand.FindHolder c) {
        if (!POD_NAME.matcher(c.podName()).matches()) {
            // restic printed a host name no pod can have (a NAS, a laptop): no such pod exists, and no request is needed.
            return Future.succeededFuture(new CommandReply.HolderFacts(List.of()));
        }
        List<Pod> cached = new java.util.ArrayList<>();
        List<String> toAsk = new java.util.ArrayList<>();
        for (String namespace : c.namespaces()) {
            Pod pod = moverPods.getStore().getByKey(namespace + "/" + c.podName());
            if (pod == null) {
                pod = unlockPods.getStore().getByKey(namespace + "/" + c.podName());
            }
            Optional<Optional<Pod>> watched = pod == null ? Optional.empty() : Optional.of(Optional.of(pod));
            if (watched.isEmpty()) {
                watched = holderWatches.current(namespace, c.podName());
            }
            if (watched.isPresent()) {
                // A watched pod (or a watched name with no pod any more) is known without asking.
                watched.get().ifPresent(cached::add);
            } else if (!(namespace.equals(c.ownJobNamespace()) && c.ownJob() != null && PodStates.isPodOfJob(c.podName(), c.ownJob()))) {
                // Not a pod of the failed mover's own Job, absent from the cache that saw it fail: only a GET can place it.
                toAsk.add(namespace);
            }
        }
        if (toAsk.isEmpty()) {
            return Future.succeededFuture(holderFacts(cached));
        }
        return ops.run(() -> {
            List<Pod> found = new java.util.ArrayList<>(cached);
            for (String namespace : toAsk) {
                Pod pod = client.pods().inNamespace(namespace).withName(c.podName()).get();
                if (pod != null) {
                    found.add(pod);
                    holderWatches.seen(pod);
                }
            }
            return holderFacts(found);
        });
    }

    /** A pod the informers cover needs no watch of its own: their events tell the policy already. */
    private Future<CommandReply.Done> watchHolder(ClusterCommand.WatchHolder c) {
        String key = c.namespace() + "/" + c.podName();
        if (!c.watch()) {
            holderWatches.unwatch(c.recordKey(), c.namespace(), c.podName());
            return Future.succeededFuture(new CommandReply.Done());
        }
        if (moverPods.getStore().getByKey(key) != null || unlockPods.getStore().getByKey(key) != null) {
            return Future.succeededFuture(new CommandReply.Done());
        }
        return ops.run(() -> {
            holderWatches.watch(c.recordKey(), c.namespace(), c.podName());
            return new CommandReply.Done();
        });
    }

    private static CommandReply.HolderFacts holderFacts(List<Pod> pods) {
        return new CommandReply.HolderFacts(pods.stream().map(p -> new HolderPod(p.getMetadata().getNamespace(), p.getMetadata().getName(),
                p.getMetadata().getUid(), PodStates.phase(p), PodStates.alive(p), p.getMetadata().getCreationTimestamp() == null ? null
                : java.time.Instant.parse(p.getMetadata().getCreationTimestamp()), LockCause.of(p, false, false, false))).toList());
    }

    /** A raced unlock Job: deleted with its pods, by UID when known (a newer Job of the name is never touched). */
    private CommandReply.Done deleteUnlockJob(ClusterCommand.DeleteUnlockJob c) {
        var job = client.batch().v1().jobs().inNamespace(c.namespace()).withName(c.name());
        Job current = job.get();
        if (current != null && (c.uid() == null || c.uid().equals(current.getMetadata().getUid()))) {
            job.withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
        }
        return new CommandReply.Done();
    }
}
