package com.rafaribe.homelab.hub.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/** Tokens shaped as the API server's TokenRequest issues them (header.payload.signature, base64url without padding), signed by nobody. */
public final class Jwt {
    public static final String HEADER = "{\"alg\":\"RS256\",\"kid\":\"k1\"}";

    private Jwt() {
    }

    public static String of(String payload) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        return url.encodeToString(HEADER.getBytes(StandardCharsets.UTF_8)) + "." + url.encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + ".c2lnbmF0dXJl";
    }

    /** A ServiceAccount token whose exp is this instant. */
    public static String expiring(Instant exp) {
        return of("{\"aud\":[\"https://kubernetes.default.svc\"],\"exp\":" + exp.getEpochSecond() + ",\"iat\":" + (exp.getEpochSecond() - 3600)
                + ",\"sub\":\"system:serviceaccount:homelab-assistant-system:volsync-monitor-hub\"}");
    }
}
