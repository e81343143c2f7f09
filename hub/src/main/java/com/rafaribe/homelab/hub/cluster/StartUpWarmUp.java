package com.rafaribe.homelab.hub.cluster;

import com.rafaribe.homelab.hub.logging.HubLogConfiguration;
import com.rafaribe.homelab.hub.policy.PolicyAction;
import com.rafaribe.homelab.hub.policy.PolicyWarmUp;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the first cluster connection and the first failure run, and nothing before them loads, run
 * on a thread of its own from the first moment of the process, while the main thread starts
 * Vert.x and the dashboard: a cold JVM loads classes one thread at a time, and the machine's other
 * CPU is idle then. Nothing is read or sent.
 *
 * <ol>
 *   <li>fabric8's own serialization, which reads every kubeconfig: its first read of a Kubernetes
 *       type finds every kind on the class path (about 400 ms of an idle CPU);</li>
 *   <li>the hub clients' deserializers for what the informers list ({@link ClusterClients#warmUp()}:
 *       a cluster that needs them first waits for them, so they are made once);</li>
 *   <li>the failure path: an unlock through a life cycle of its own ({@link PolicyWarmUp}), and Jackson
 *       writing its unlock Job and an Event (the first write of a type builds its serializers), {@value
 *       #FAILURE_PATH_RUNS} times. The first run loads its classes (the benchmark's first wave of failures
 *       had loaded about 270 classes and lambdas while it waited); the later ones get it compiled: C1, the
 *       image's only compiler, compiles a method after a few hundred calls or loop turns, and until then
 *       the first failures ran the detector and the rest interpreted. On an idle CPU the first run takes
 *       0.6 s, the second 8 ms, the hundredth 2 ms; the benchmark's first five failures spent 20 ms in
 *       detection after one run and 7-8 ms after a hundred (docs/performance.md). The runs after the
 *       first wait until the hub is ready ({@link #start}).</li>
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

    /** How often the failure path runs: enough for C1 to compile what it calls most, about 0.35 s of an idle CPU in all. */
    static final int FAILURE_PATH_RUNS = 100;
    /** How long the runs after the first wait for the hub to be ready: a cluster may stay Connecting for as long as it likes. */
    static final Duration READY_WAIT = Duration.ofMinutes(2);

    private StartUpWarmUp() {
    }

    /**
     * Starts it on a daemon thread; returns at once. The failure path's first run is at once (it loads what the path needs);
     * the others wait until {@code ready}: run while the clusters connect they took 1.5-2 of the CPU-seconds before every
     * cluster of 10 x 300 was Connected, and no failure is handled before then.
     */
    public static void start(CompletionStage<?> ready) {
        Thread thread = new Thread(() -> {
            try {
                run(ClusterClients.SERIALIZATION, ready, READY_WAIT, ran -> { });
            } catch (RuntimeException e) {
                LOG.warn("the start-up warm-up did not finish (the first connection and failure will be slower): {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, HubLogConfiguration.WARM_UP_THREAD);
        thread.setDaemon(true);
        thread.start();
    }

    /** @param ran told how often the failure path has run, after each run */
    static void run(KubernetesSerialization serialization, CompletionStage<?> ready, Duration readyWait, IntConsumer ran)
            throws InterruptedException {
        KubeConfigUtils.parseConfigFromString(KUBECONFIG);
        ClusterClients.warmUp();
        failurePath(serialization);
        ran.accept(1);
        try {
            ready.toCompletableFuture().get(readyWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException notReadyYet) {
            // Ready or not, the failure path is compiled before long: an unready hub handles the failures of clusters that synced.
        }
        for (int run = 2; run <= FAILURE_PATH_RUNS; run++) {
            failurePath(serialization);
            ran.accept(run);
        }
    }

    /** @return the unlock Job it wrote, for tests */
    static Job failurePath(KubernetesSerialization serialization) {
        Job job = PolicyWarmUp.unlockOnce(Instant.now()).stream().filter(PolicyAction.CreateJob.class::isInstance)
                .map(a -> ((PolicyAction.CreateJob) a).job()).findFirst()
                .orElseThrow(() -> new IllegalStateException("the warm-up's failure made no unlock Job"));
        serialization.asJson(job);
        serialization.asJson(EventRecorder.event("warm-up", "warm-up", new ObjectReferenceBuilder().withKind("Pod").withName("warm-up")
                .withNamespace("warm-up").build(), "Warning", "LockDetected", "warm-up", Instant.now()));
        return job;
    }
}
