package com.rafaribe.homelab.hub.dashboard;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A heartbeat on every event loop of the Vertx: each loop notes the time every {@link #BEAT}. The
 * verticles (dashboard, policy, supervisor, clusters) all run on these loops, so one that stopped
 * beating is blocked and its work stands still; {@code /healthz} then fails and Kubernetes restarts
 * the hub. The dashboard's own loop answers {@code /healthz} itself: when it is the one blocked,
 * the probe gets no answer at all.
 */
final class EventLoopWatch implements AutoCloseable {
    static final Duration BEAT = Duration.ofSeconds(1);
    /** Vert.x warns of a loop blocked for 2 s; five times that is no hiccup. */
    static final Duration DEFAULT_LIMIT = Duration.ofSeconds(10);

    private final EventLoopBeats beats;
    private final Duration limit;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();

    EventLoopWatch(Vertx vertx, Duration limit) {
        this.limit = limit;
        List<EventExecutor> loops = new ArrayList<>();
        ((VertxInternal) vertx).nettyEventLoopGroup().forEach(loops::add);
        beats = new EventLoopBeats(loops.size(), System.nanoTime());
        long period = Math.min(BEAT.toMillis(), Math.max(1, limit.toMillis() / 4));
        for (int i = 0; i < loops.size(); i++) {
            int loop = i;
            timers.add(loops.get(i).scheduleAtFixedRate(() -> beats.beat(loop, System.nanoTime()), 0, period, TimeUnit.MILLISECONDS));
        }
    }

    /** How many event loops have not beaten for longer than the limit. */
    int stuck() {
        return beats.stuck(System.nanoTime(), limit).size();
    }

    Duration limit() {
        return limit;
    }

    @Override
    public void close() {
        timers.forEach(t -> t.cancel(false));
    }
}
