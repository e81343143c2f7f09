package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.policy.UnlockJobFactory;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The warm-up runs the failure path for real: it ends in an unlock Job of the sample mover, written by the serialization.
 * It runs once at once, the other times once the hub is ready, and never waits for that for ever.
 */
class StartUpWarmUpTest {
    @Test
    void itRunsAFailureToItsUnlockJob() {
        Job job = StartUpWarmUp.failurePath(HubSerialization.create());

        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).contains(UnlockJobFactory.REMOVE_ALL);
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).extracting(e -> e.getName()).contains("RESTIC_REPOSITORY");
    }

    @Test
    void onceAtOnceTheOtherRunsWhenTheHubIsReady() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger runsWhenItWaited = new AtomicInteger(-1);
        // Becomes ready the moment the warm-up waits for it, noting how far the warm-up had got by then.
        CompletableFuture<Void> ready = new CompletableFuture<>() {
            @Override
            public Void get(long timeout, TimeUnit unit) throws InterruptedException, java.util.concurrent.ExecutionException,
                    java.util.concurrent.TimeoutException {
                runsWhenItWaited.set(runs.get());
                complete(null);
                return super.get(timeout, unit);
            }
        };

        StartUpWarmUp.run(HubSerialization.create(), ready, Duration.ofMinutes(1), runs::set);

        assertThat(runsWhenItWaited).as("runs before it waited for the hub to be ready").hasValue(1);
        assertThat(runs).hasValue(StartUpWarmUp.FAILURE_PATH_RUNS);
    }

    @Test
    void aHubThatIsNeverReadyIsWaitedForOnlySoLong() throws Exception {
        AtomicInteger runs = new AtomicInteger();

        StartUpWarmUp.run(HubSerialization.create(), new CompletableFuture<Void>(), Duration.ofMillis(1), runs::set);

        assertThat(runs).hasValue(StartUpWarmUp.FAILURE_PATH_RUNS);
    }
}
