package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClusterCommand;
import com.rafaribe.homelab.hub.api.bus.CommandReply;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The policy's side of the command contract: typed requests to one cluster, each with a timeout and a readable failure. */
final class ClusterCalls {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterCalls.class);

    private final Vertx vertx;

    ClusterCalls(Vertx vertx) {
        this.vertx = vertx;
    }

    <T extends CommandReply> Future<T> request(String cluster, ClusterCommand command, Class<T> replyType) {
        return vertx.eventBus().<CommandReply>request(Addresses.clusterCommands(cluster), command,
                        new DeliveryOptions().setSendTimeout(Addresses.COMMAND_TIMEOUT.toMillis()))
                .recover(err -> Future.failedFuture(describe(cluster, command, err)))
                .map(reply -> replyType.cast(reply.body()));
    }

    /** Events are best effort: a failure is logged, never retried. */
    void recordEvent(String cluster, ObjectReference involved, String type, String reason, String message) {
        request(cluster, new ClusterCommand.RecordEvent(involved, type, reason, message), CommandReply.Done.class)
                .onFailure(err -> LOG.warn("cluster={} event {} on {}/{} not recorded: {}", cluster, reason,
                        involved.getNamespace(), involved.getName(), err.getMessage()));
    }

    private static Throwable describe(String cluster, ClusterCommand command, Throwable err) {
        String what = command.getClass().getSimpleName() + " on cluster " + cluster;
        if (err instanceof ReplyException r) {
            return new IllegalStateException(switch (r.failureType()) {
                case TIMEOUT -> what + " timed out after " + Addresses.COMMAND_TIMEOUT.toSeconds() + "s";
                case NO_HANDLERS -> what + ": the cluster is not being watched";
                default -> what + " failed: " + r.getMessage();
            }, err);
        }
        return err;
    }
}
