package com.rafaribe.homelab.hub.cluster;

import com.rafaribe.homelab.hub.logging.HubLogConfiguration;
import com.rafaribe.homelab.hub.policy.PolicyAction;
import com.rafaribe.homelab.hub.policy.PolicyWarmUp;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the first cluster connection and the first failure run, and nothing before them loads, run
 * once on a thread of its own from the first moment of the process, while the main thread starts
 * Vert.x and the dashboard: a cold JVM loads classes one thread at a time, and the machine's other
 * CPU is idle then. Nothing is read or sent.
 *
 * <ol>
 *   <li>fabric8's own serialization, which reads every kubeconfig: its first read of a Kubernetes
 *       type finds every kind on the class path (about 400 ms of an idle CPU);</li>
 *   <li>the hub clients' deserializers for what the informers list ({@link ClusterVerticle#warmUp()}:
 *       a cluster that needs them first waits for them, so they are made once);</li>
 *   <li>the failure path: one unlock through a life cycle of its own ({@link PolicyWarmUp}), and Jackson
 *       writing its unlock Job and an Event (the first write of a type builds its serializers). The
 *       benchmark's first wave of failures loaded about 270 classes and lambdas of it while it waited.</li>
 * </ol>
 * The life cycle logs its decisions about the made-up cluster: on this thread the hub's logging drops
 * what is less than a warning ({@link HubLogConfiguration#WARM_UP_THREAD}).
 */
public final class StartUpWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(StartUpWarmUp.class);
    private static final String KUBECONFIG = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: warm-up
              cluster: {server: "https://127.0.0.1:6443"}
            contexts:
            - name: warm-up
              context: {cluster: warm-up, user: warm-up}
            users:
            - name: warm-up
              user: {}
            current-context: warm-up
            """;

    private StartUpWarmUp() {
    }

    /** Starts it on a daemon thread; returns at once. */
    public static void start() {
        Thread thread = new Thread(() -> {
            try {
                run(ClusterVerticle.SERIALIZATION);
            } catch (RuntimeException e) {
                LOG.warn("the start-up warm-up did not finish (the first connection and failure will be slower): {}", e.toString());
            }
        }, HubLogConfiguration.WARM_UP_THREAD);
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the unlock Job it wrote, for tests */
    static Job run(KubernetesSerialization serialization) {
        KubeConfigUtils.parseConfigFromString(KUBECONFIG);
        ClusterVerticle.warmUp();
        Job job = PolicyWarmUp.unlockOnce(Instant.now()).stream().filter(PolicyAction.CreateJob.class::isInstance)
                .map(a -> ((PolicyAction.CreateJob) a).job()).findFirst()
                .orElseThrow(() -> new IllegalStateException("the warm-up's failure made no unlock Job"));
        serialization.asJson(job);
        serialization.asJson(EventRecorder.event("warm-up", "warm-up", new ObjectReferenceBuilder().withKind("Pod").withName("warm-up")
                .withNamespace("warm-up").build(), "Warning", "LockDetected", "warm-up", Instant.now()));
        return job;
    }
}
