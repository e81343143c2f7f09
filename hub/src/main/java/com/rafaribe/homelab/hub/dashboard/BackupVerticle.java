package com.rafaribe.homelab.hub.dashboard;

import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate;
import com.rafaribe.homelab.hub.backups.BackupBook;
import io.vertx.core.AbstractVerticle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Feeds the pure {@link BackupBook} from what the clusters already watch (their ReplicationSources
 * and ReplicationDestinations, failed mover pods) and what the policy publishes (unlocks, cluster
 * connections), and publishes the backups' views to the read model. No API call: a timer only
 * looks, in memory, at the backups whose assessment said it changes by now (turning Late).
 */
public final class BackupVerticle extends AbstractVerticle {
    static final Duration TICK = Duration.ofSeconds(10);

    private final Clock clock;
    private final BackupBook book = new BackupBook();
    private long tickTimer = -1;

    public BackupVerticle(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void start() {
        vertx.eventBus().<ClusterEvent>consumer(Addresses.CLUSTER_EVENTS, m -> onEvent(m.body()));
        vertx.eventBus().<ReadModelUpdate>consumer(Addresses.READ_MODEL, m -> onUpdate(m.body()));
        tickTimer = vertx.setPeriodic(TICK.toMillis(), id -> publish(book.tick(clock.instant())));
    }

    @Override
    public void stop() {
        vertx.cancelTimer(tickTimer);
    }

    private void onEvent(ClusterEvent event) {
        Instant now = clock.instant();
        if (event instanceof ClusterEvent.BackupChanged e) {
            publish(book.changed(e.facts(), now));
        } else if (event instanceof ClusterEvent.BackupDeleted e) {
            publish(book.deleted(e.cluster(), e.kind(), e.namespace(), e.name()));
        } else if (event instanceof ClusterEvent.MoverPodFailed e) {
            publish(book.moverPodFailed(e.cluster(), e.mover().ownerKind(), e.mover().namespace(), e.mover().ownerName(), e.mover().podUid(),
                    created(e.pod().getMetadata().getCreationTimestamp()), now));
        } else if (event instanceof ClusterEvent.ClusterSynced e) {
            book.synced(e.cluster());
        } else if (event instanceof ClusterEvent.ClusterRemoved e) {
            publish(book.clusterGone(e.cluster()));
        }
    }

    private void onUpdate(ReadModelUpdate update) {
        Instant now = clock.instant();
        if (update instanceof ReadModelUpdate.ClusterView c) {
            publish(book.cluster(c.name(), c.state(), c.since(), now));
        } else if (update instanceof ReadModelUpdate.UnlockView u) {
            publish(book.unlock(u, now));
        } else if (update instanceof ReadModelUpdate.ClusterGone g) {
            publish(book.clusterGone(g.name()));
        }
    }

    private static Instant created(String timestamp) {
        try {
            return timestamp == null ? null : Instant.parse(timestamp);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void publish(List<ReadModelUpdate> updates) {
        updates.forEach(u -> vertx.eventBus().publish(Addresses.READ_MODEL, u));
    }
}
