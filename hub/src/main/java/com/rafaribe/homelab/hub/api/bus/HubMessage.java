package com.rafaribe.homelab.hub.api.bus;

/** Every event-bus payload of the hub; sent with {@link LocalCodec}. */
public interface HubMessage {
}
