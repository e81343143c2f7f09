package com.rafaribe.homelab.hub.cluster;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * When a credential stops working, read from the credential itself: a JWT's {@code exp} claim (a
 * ServiceAccount token from the TokenRequest API, or the projected token of a pod), a client
 * certificate's notAfter. The signature is not checked: the API server does that; the hub only
 * wants to say "renew it before then". Anything else (a static token, garbage) has no expiry,
 * never an error: only the instant leaves this class, never the token or a part of it, so
 * nothing here logs or throws with it.
 */
public final class CredentialExpiry {
    /** A real JWT is a few kilobytes; a longer "token" is not worth decoding. */
    static final int MAX_TOKEN_LENGTH = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CredentialExpiry() {
    }

    /** The {@code exp} of a JWT (header.payload.signature, base64url, padded or not); empty for anything else. */
    public static Optional<Instant> ofJwt(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String t = token.strip();
        if (t.length() > MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        String[] parts = t.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode header = JSON.readTree(decode(parts[0]));
            JsonNode claims = JSON.readTree(decode(parts[1]));
            if (!header.isObject() || !claims.isObject()) {
                return Optional.empty();
            }
            JsonNode exp = claims.get("exp");
            // NumericDate: seconds since 1970, possibly fractional (RFC 7519).
            if (exp == null || !exp.isNumber() || !(exp.asDouble() > 0) || exp.asDouble() > Instant.MAX.getEpochSecond()) {
                return Optional.empty();
            }
            return Optional.of(Instant.ofEpochSecond((long) Math.floor(exp.asDouble())));
        } catch (IllegalArgumentException | JacksonException e) {
            // Deliberately without the exception: its message could quote the token.
            return Optional.empty();
        }
    }

    /** The notAfter of the first certificate in this PEM or DER text (the client's own, before its chain); empty if none parses. */
    public static Optional<Instant> ofCertificate(byte[] pemOrDer) {
        if (pemOrDer == null || pemOrDer.length == 0) {
            return Optional.empty();
        }
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pemOrDer));
            return Optional.of(cert.getNotAfter().toInstant());
        } catch (CertificateException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** base64url, with or without padding; standard base64's + and / too, as some encoders write them. */
    private static String decode(String part) {
        byte[] bytes = Base64.getUrlDecoder().decode(part.replace('+', '-').replace('/', '_'));
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
