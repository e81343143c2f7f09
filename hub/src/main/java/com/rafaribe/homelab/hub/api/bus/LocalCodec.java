package com.rafaribe.homelab.hub.api.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes a {@link HubMessage} by reference: the bus is local to one JVM. Messages are records of
 * values and fabric8 model objects that receivers treat as read-only.
 */
public final class LocalCodec implements MessageCodec<HubMessage, HubMessage> {
    public static final String NAME = "volsync-monitor-hub-local";

    private LocalCodec() {
    }

    /** Registers the codec and selects it for every hub message; once per Vertx. */
    public static void register(Vertx vertx) {
        vertx.eventBus().registerCodec(new LocalCodec());
        vertx.eventBus().codecSelector(body -> body instanceof HubMessage ? NAME : null);
    }

    @Override
    public void encodeToWire(Buffer buffer, HubMessage message) {
        throw new UnsupportedOperationException("hub messages never leave the JVM");
    }

    @Override
    public HubMessage decodeFromWire(int pos, Buffer buffer) {
        throw new UnsupportedOperationException("hub messages never leave the JVM");
    }

    @Override
    public HubMessage transform(HubMessage message) {
        return message;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }
}
