package com.rafaribe.homelab.hub.dashboard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When each event loop last ran its heartbeat, in {@link System#nanoTime()} units: a loop whose beat
 * is older than the limit is stuck (a blocking call, an endless loop) and the hub can no longer be
 * trusted to answer. Each loop writes its own slot; any thread reads.
 */
final class EventLoopBeats {
    private final AtomicLongArray lastBeat;

    EventLoopBeats(int loops, long now) {
        lastBeat = new AtomicLongArray(loops);
        for (int i = 0; i < loops; i++) {
            lastBeat.set(i, now);
        }
    }

    void beat(int loop, long now) {
        lastBeat.set(loop, now);
    }

    /** The loops whose last beat is older than {@code limit} at {@code now}. */
    List<Integer> stuck(long now, Duration limit) {
        List<Integer> stuck = new ArrayList<>();
        for (int i = 0; i < lastBeat.length(); i++) {
            if (now - lastBeat.get(i) > limit.toNanos()) {
                stuck.add(i);
            }
        }
        return stuck;
    }

    int loops() {
        return lastBeat.length();
    }
}
