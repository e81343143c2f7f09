package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import com.rafaribe.homelab.hub.api.bus.CommandReply;
import com.rafaribe.homelab.hub.api.bus.LocalCodec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Status writes are coalesced per monitor: the changes of one quick unlock (decided, created, done) make one write. */
class MonitorStatusWriterTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void changesWithinASecondOfTheFirstAreOneWrite() {
        LocalCodec.register(vertx);
        record Written(long atNanos, ClusterCommand.PatchMonitorStatus patch) {
        }
        List<Written> written = new CopyOnWriteArrayList<>();
        vertx.eventBus().<ClusterCommand>consumer(Addresses.clusterCommands("home"), m -> {
            if (m.body() instanceof ClusterCommand.PatchMonitorStatus p) {
                written.add(new Written(System.nanoTime(), p));
                m.reply(new CommandReply.StatusWritten("2"));
            }
        });
        StatusBook book = new StatusBook();
        VolSyncMonitor monitor = new VolSyncMonitor();
        monitor.setMetadata(new ObjectMetaBuilder().withName("m").withNamespace("ops").withResourceVersion("1").build());
        String key = StatusBook.key("home", "ops", "m");
        long[] firstChange = new long[1];
        MonitorStatusWriter[] writer = new MonitorStatusWriter[1];
        // The book is the policy's: changed on one context, where the writer's timer runs too.
        vertx.runOnContext(v -> {
            book.seed("home", monitor);
            writer[0] = new MonitorStatusWriter(vertx, book);
            firstChange[0] = System.nanoTime();
            book.update(key, s -> s.setTotalLockErrorsDetected(1L));
            vertx.setTimer(300, t -> book.update(key, s -> s.setTotalUnlocksCreated(1L)));
            vertx.setTimer(600, t -> book.update(key, s -> s.setTotalUnlocksSucceeded(1L)));
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> !written.isEmpty());

        // Written at once, the first write would hold the detection alone, and the rest would take a second one.
        Written first = written.get(0);
        assertThat(first.patch().status().getTotalLockErrorsDetected()).isEqualTo(1L);
        assertThat(first.patch().status().getTotalUnlocksCreated()).isEqualTo(1L);
        assertThat(first.patch().status().getTotalUnlocksSucceeded()).isEqualTo(1L);
        assertThat(first.atNanos() - firstChange[0]).isGreaterThanOrEqualTo(MonitorStatusWriter.SETTLE_NANOS);
        vertx.runOnContext(v -> writer[0].close());
    }
}
