package com.rafaribe.homelab.hub.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The one shared worker pool for blocking fabric8 calls (Strimzi's kubernetes-ops-pool): no
 * event loop ever waits on an API server. A call made from a verticle completes on its context.
 */
public final class KubernetesOps {
    public static final String POOL_NAME = "kubernetes-ops-pool";
    public static final int POOL_SIZE = 16;

    private final WorkerExecutor executor;

    public KubernetesOps(Vertx vertx) {
        // Shared by name: every verticle that creates one gets the same pool.
        this.executor = vertx.createSharedWorkerExecutor(POOL_NAME, POOL_SIZE, 2, TimeUnit.MINUTES);
    }

    public <T> Future<T> run(Callable<T> call) {
        return executor.executeBlocking(call, false);
    }

    public void close() {
        executor.close();
    }
}
