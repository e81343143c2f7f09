package com.rafaribe.homelab.hub.dashboard;

import java.time.Duration;

/**
 * The bounds of the HTTP side, so that one client (or a neighbour that can reach the port) cannot hold
 * it: tests shorten them.
 *
 * @param idleTimeout        a connection with no byte in or out this long is closed; longer than the
 *                           event stream's keep-alive, which keeps a live dashboard's connection busy
 * @param tokenRecheck       how often the token file's modification time is looked at
 * @param eventStreams       live event streams in all
 * @param eventStreamsPerClient live event streams of one client address
 * @param maxBody            the largest request body: only the login form has one
 */
record HttpLimits(Duration idleTimeout, Duration tokenRecheck, int eventStreams, int eventStreamsPerClient, int maxBody) {
    static final HttpLimits DEFAULT = new HttpLimits(Duration.ofSeconds(60), Duration.ofSeconds(10), 64, 8, 4096);
}
