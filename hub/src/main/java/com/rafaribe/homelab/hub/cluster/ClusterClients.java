package com.rafaribe.homelab.hub.cluster;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.batch.v1.JobList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fabric8 clients of every cluster verticle, opened alike: one serialization and one task pool
 * for all of them, the hub's timeouts and retries, and the cluster's identity read through one.
 * Blocking: called on the worker pool.
 */
final class ClusterClients {
    /** The namespace whose UID names the cluster: every cluster has one, created once with the cluster. */
    static final String IDENTITY_NAMESPACE = "kube-system";

    /** One for every client ({@link HubSerialization}). */
    static final KubernetesSerialization SERIALIZATION = HubSerialization.create();
    /**
     * One task pool for every client (informer handlers, watch reconnects): by default each client
     * makes its own cached pool, six or seven threads per cluster once its informers run, each with
     * its stack and malloc arena. Cached as fabric8's own, so nothing waits for a thread; shared, so
     * a thread serves whichever cluster has work. Not shut down when a client closes.
     */
    static final ExecutorService TASKS = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "kubernetes-client-tasks-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });
    private static boolean warm;

    private ClusterClients() {
    }

    /** A client of the cluster that has answered GET /version once. */
    static KubernetesClient open(ClusterTarget target, Vertx vertx) throws Exception {
        if (!target.isInCluster()) {
            ExecPlugins.requireInstalled(target);
        }
        Config config = target.isInCluster() ? InCluster.config(System::getenv)
                : Config.fromKubeconfig(target.context(), target.kubeconfig(), target.file().toString());
        config.setConnectionTimeout(5_000);
        config.setRequestTimeout(15_000);
        config.setRequestRetryBackoffLimit(1);
        config.setWatchReconnectLimit(-1);
        config.setWatchReconnectInterval(1_000);
        warmUp();
        KubernetesClient c = new KubernetesClientBuilder().withConfig(config).withKubernetesSerialization(SERIALIZATION)
                .withHttpClientFactory(new Vertx5HttpClientFactory(vertx)).withTaskExecutor(TASKS).build();
        try {
            c.getKubernetesVersion();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * fabric8 parses responses on an event loop, and the first response of a type builds its Jackson
     * deserializers there: for pods and Jobs, seconds on a cold JVM on a busy machine, with several
     * clusters connecting at once. So every client shares one serialization, whose deserializers for
     * what the informers list are built once, here, on the worker pool, if {@link StartUpWarmUp} has not
     * built them already.
     */
    static void warmUp() {
        synchronized (SERIALIZATION) {
            if (!warm) {
                for (Class<?> type : List.of(PodList.class, JobList.class, VolSyncMonitor.class, GenericKubernetesResourceList.class,
                        Namespace.class)) {
                    SERIALIZATION.unmarshal("{}", type);
                }
                warm = true;
            }
        }
    }

    /** {@code uid} null when unknown: {@code refused} says why when the API server refused it, else the namespace is missing. */
    record Identity(String uid, String refused) {
    }

    /** 401/403 are not a failure of the connection: the cluster is watched without knowing who it is. */
    static Identity readIdentity(KubernetesClient c) {
        try {
            Namespace ns = c.namespaces().withName(IDENTITY_NAMESPACE).get();
            return new Identity(ns == null || ns.getMetadata() == null ? null : ns.getMetadata().getUid(), null);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 401 || e.getCode() == 403) {
                return new Identity(null, ConnectionErrors.describe(e));
            }
            throw e;
        }
    }
}
