package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.testing.Jwt;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A JWT's exp read without its signature, and every token that is not one read as "unknown", never as an error. */
class CredentialExpiryTest {
    static String jwt(String payload) {
        return Jwt.of(payload);
    }

    @Test
    void aJwtsExpIsItsExpiry() {
        Instant exp = Instant.parse("2026-12-24T18:00:00Z");
        assertThat(CredentialExpiry.ofJwt(Jwt.expiring(exp))).contains(exp);
    }

    @Test
    void aJwtWithoutExpHasNoExpiry() {
        assertThat(CredentialExpiry.ofJwt(jwt("{\"sub\":\"system:serviceaccount:x:y\"}"))).isEmpty();
        assertThat(CredentialExpiry.ofJwt(jwt("{\"exp\":\"tomorrow\"}"))).as("exp not a number").isEmpty();
        assertThat(CredentialExpiry.ofJwt(jwt("{\"exp\":-5}"))).as("exp before 1970").isEmpty();
        assertThat(CredentialExpiry.ofJwt(jwt("[1,2,3]"))).as("a payload that is not an object").isEmpty();
    }

    @Test
    void aFractionalExpCountsItsWholeSeconds() {
        assertThat(CredentialExpiry.ofJwt(jwt("{\"exp\":1798135200.75}"))).contains(Instant.ofEpochSecond(1798135200L));
    }

    @Test
    void tokensThatAreNotJwtsHaveNoExpiry() {
        assertThat(CredentialExpiry.ofJwt("token-lab")).as("a static token").isEmpty();
        assertThat(CredentialExpiry.ofJwt("abcdef.0123456789abcdef")).as("a bootstrap token").isEmpty();
        assertThat(CredentialExpiry.ofJwt("")).isEmpty();
        assertThat(CredentialExpiry.ofJwt(null)).isEmpty();
    }

    @Test
    void garbageHasNoExpiry() {
        assertThat(CredentialExpiry.ofJwt("a.b.c")).isEmpty();
        assertThat(CredentialExpiry.ofJwt("..")).isEmpty();
        assertThat(CredentialExpiry.ofJwt("eyJhbGciOiJub25lIn0.!!!notbase64!!!.sig")).isEmpty();
        String notJson = Base64.getUrlEncoder().withoutPadding().encodeToString("exp: 5".getBytes(StandardCharsets.UTF_8));
        assertThat(CredentialExpiry.ofJwt("eyJhbGciOiJub25lIn0." + notJson + ".sig")).isEmpty();
        assertThat(CredentialExpiry.ofJwt(jwt("{\"exp\":1e400}"))).as("an exp no instant holds").isEmpty();
        assertThat(CredentialExpiry.ofJwt("x".repeat(100_000) + "." + "y".repeat(100_000) + ".z")).as("too long to be a token").isEmpty();
    }

    @Test
    void paddedOrNotTheSamePayloadDecodes() {
        // 31 bytes of payload: base64 needs one '=' of padding, which JWTs leave off; some encoders keep it.
        String payload = "{\"exp\":1798135200,\"sub\":\"abcd\"}";
        assertThat(payload.length() % 3).isNotZero();
        String unpadded = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        String padded = Base64.getUrlEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        assertThat(padded).endsWith("=");
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString(Jwt.HEADER.getBytes(StandardCharsets.UTF_8));
        assertThat(CredentialExpiry.ofJwt(header + "." + unpadded + ".sig")).contains(Instant.ofEpochSecond(1798135200L));
        assertThat(CredentialExpiry.ofJwt(header + "." + padded + ".sig")).contains(Instant.ofEpochSecond(1798135200L));
    }

    @Test
    void surroundingWhitespaceOfATokenFileIsIgnored() {
        Instant exp = Instant.parse("2027-01-01T00:00:00Z");
        assertThat(CredentialExpiry.ofJwt("  " + Jwt.expiring(exp) + "\n")).contains(exp);
    }
}
