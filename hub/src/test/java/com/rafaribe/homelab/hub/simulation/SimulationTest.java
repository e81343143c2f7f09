package com.rafaribe.homelab.hub.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Deterministic simulation of the unlock life cycle: {@value #DEFAULT_SCHEDULES} random schedules
 * per run (-Dsimulation.schedules=N), each from seed base+i (-Dsimulation.base=B), each a few
 * hundred events of VolSync movers, restic locks, NAS processes, unlock Jobs and faults (hub
 * restarts, watch gaps, unreachable clusters, deleted and forged Jobs, impostor pods, monitor
 * changes, clock jumps), with {@link Invariants} checked after every step. A failing schedule
 * prints its seed; -Dsimulation.seed=N replays only that one.
 */
class SimulationTest {
    static final int DEFAULT_SCHEDULES = 10_000;
    static final int EVENTS = 170;

    /**
     * Seeds that once broke an invariant, each fixed in the life cycle: 9 (a raced create counted),
     * 9495 and 13450 (a NAS lock removed on evidence that another unlock had outdated, once across a
     * restart), 12077 (a withdrawn Job adopted again after its monitor was disabled).
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {9, 9495, 12077, 13450})
    void seedsThatOnceFailedStillPass(long seed) {
        Logger policy = (Logger) LoggerFactory.getLogger("com.rafaribe.homelab.hub.policy");
        Level before = policy.getLevel();
        policy.setLevel(Level.OFF);
        try {
            Simulation s = new Simulation(seed, EVENTS);
            s.run();
            assertThat(s.steps).isGreaterThan(EVENTS);
        } finally {
            policy.setLevel(before);
        }
    }

    @Test
    void schedules() throws Exception {
        Logger policy = (Logger) LoggerFactory.getLogger("com.rafaribe.homelab.hub.policy");
        Level before = policy.getLevel();
        policy.setLevel(Level.OFF);
        try {
            String only = System.getProperty("simulation.seed");
            if (only != null && !only.isBlank()) {
                Simulation s = new Simulation(Long.parseLong(only.trim()), EVENTS);
                s.run();
                System.out.println("simulation: seed " + only + " passed: " + s.steps + " steps, " + s.worldEvents + " world events, "
                        + s.unlocksExecuted + " unlocks run (" + s.removeAllExecuted + " --remove-all, " + s.crossKeyRemovals
                        + " of another key's live lock), " + s.lockFailures + " lock failures");
                return;
            }
            int schedules = Integer.getInteger("simulation.schedules", DEFAULT_SCHEDULES);
            long base = Long.getLong("simulation.base", 1L);
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            AtomicInteger next = new AtomicInteger();
            AtomicReference<Simulation.Violation> failed = new AtomicReference<>();
            AtomicLong steps = new AtomicLong();
            AtomicLong events = new AtomicLong();
            AtomicLong unlocks = new AtomicLong();
            AtomicLong removeAll = new AtomicLong();
            AtomicLong lockFailures = new AtomicLong();
            AtomicLong crossKey = new AtomicLong();
            AtomicInteger done = new AtomicInteger();
            long start = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < schedules && failed.get() == null; i = next.getAndIncrement()) {
                        Simulation s = new Simulation(base + i, EVENTS);
                        try {
                            s.run();
                        } catch (Simulation.Violation v) {
                            failed.accumulateAndGet(v, (a, b) -> a == null || b.seed < a.seed ? b : a);
                            return;
                        }
                        steps.addAndGet(s.steps);
                        events.addAndGet(s.worldEvents);
                        unlocks.addAndGet(s.unlocksExecuted);
                        removeAll.addAndGet(s.removeAllExecuted);
                        lockFailures.addAndGet(s.lockFailures);
                        crossKey.addAndGet(s.crossKeyRemovals);
                        done.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("simulation: " + done.get() + " schedules passed in " + ms + " ms on " + threads + " threads: " + steps.get()
                    + " steps (" + events.get() + " of them world events, the rest the hub's answers and ticks), " + lockFailures.get()
                    + " lock failures, " + unlocks.get() + " unlocks run (" + removeAll.get() + " --remove-all; " + crossKey.get()
                    + " removed a live lock of another repository key: the design gap Invariants documents)");
            if (failed.get() != null) {
                System.out.println("simulation: FAILED after " + done.get() + " schedules passed");
                throw failed.get();
            }
        } finally {
            policy.setLevel(before);
        }
    }
}
