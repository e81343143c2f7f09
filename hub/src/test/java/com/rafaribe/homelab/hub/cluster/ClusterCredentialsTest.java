package com.rafaribe.homelab.hub.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.testing.Command;
import com.rafaribe.homelab.hub.testing.Jwt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which credential of a kubeconfig context the expiry is read from, and the warning of a context that skips TLS verification. */
class ClusterCredentialsTest {
    static final Instant EXP = Instant.parse("2027-03-01T12:00:00Z");

    @TempDir
    Path dir;

    static String kubeconfig(String cluster, String user) {
        return """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: %s}, {name: other, cluster: {server: "https://10.0.0.2:6443", insecure-skip-tls-verify: true}}]
                users: [{name: u, user: %s}, {name: other, user: {token: "%s"}}]
                contexts: [{name: home, context: {cluster: c, user: u}}, {name: away, context: {cluster: other, user: other}}]
                current-context: home
                """.formatted(cluster, user, Jwt.expiring(EXP.plusSeconds(999)));
    }

    @Test
    void aJwtTokensExpOfTheContextsOwnUser() {
        var facts = ClusterCredentials.ofContext(kubeconfig("{server: \"https://10.0.0.1:6443\"}", "{token: \"" + Jwt.expiring(EXP) + "\"}"),
                "home", dir.resolve("k.yaml"));
        assertThat(facts.expiresAt()).isEqualTo(EXP);
        assertThat(facts.warnings()).as("TLS verified").isEmpty();
    }

    @Test
    void aStaticTokenSaysNothing() {
        var facts = ClusterCredentials.ofContext(kubeconfig("{server: \"https://10.0.0.1:6443\"}", "{token: token-lab}"), "home", null);
        assertThat(facts.expiresAt()).isNull();
    }

    @Test
    void aTokenFileRelativeToTheKubeconfigIsRead() throws Exception {
        Files.writeString(dir.resolve("hub.token"), Jwt.expiring(EXP) + "\n");
        var facts = ClusterCredentials.ofContext(kubeconfig("{server: \"https://10.0.0.1:6443\"}", "{tokenFile: hub.token}"), "home",
                dir.resolve("k.yaml"));
        assertThat(facts.expiresAt()).isEqualTo(EXP);
        assertThat(ClusterCredentials.ofContext(kubeconfig("{server: \"https://10.0.0.1:6443\"}", "{tokenFile: missing.token}"), "home",
                dir.resolve("k.yaml")).expiresAt()).as("a file that is not there").isNull();
    }

    @Test
    void aClientCertificatesNotAfter() throws Exception {
        String pem = selfSignedCertificate(3);
        Instant notAfter = ClusterCredentials.ofContext(kubeconfig("{server: \"https://10.0.0.1:6443\"}",
                "{client-certificate-data: " + Base64.getEncoder().encodeToString(pem.getBytes()) + ", client-key-data: a2V5}"), "home", null)
                .expiresAt();
        assertThat(notAfter).isBetween(Instant.now().plus(Duration.ofDays(3)).minusSeconds(600), Instant.now().plus(Duration.ofDays(3)));

        Files.writeString(dir.resolve("client.crt"), pem);
        assertThat(ClusterCredentials.ofContext(kubeconfig("{server: \"https://10.0.0.1:6443\"}", "{client-certificate: client.crt}"),
                "home", dir.resolve("k.yaml")).expiresAt()).as("in a file beside the kubeconfig").isEqualTo(notAfter);
    }

    @Test
    void skippingTlsVerificationIsAWarning() {
        var facts = ClusterCredentials.ofContext(kubeconfig("{server: \"https://10.0.0.1:6443\", insecure-skip-tls-verify: true}",
                "{token: token-lab}"), "home", null);
        assertThat(facts.warnings()).containsExactly("TLS verification is off for this cluster (insecure-skip-tls-verify): a network attacker "
                + "can read its credential and impersonate its API server");
        assertThat(ClusterCredentials.ofContext(kubeconfig("{server: \"https://10.0.0.1:6443\", insecure-skip-tls-verify: false}",
                "{token: token-lab}"), "home", null).warnings()).isEmpty();
        var away = ClusterCredentials.ofContext(kubeconfig("{server: \"https://10.0.0.1:6443\"}", "{token: t}"), "away", null);
        assertThat(away.warnings()).as("another context of the file").hasSize(1);
        assertThat(away.expiresAt()).isEqualTo(EXP.plusSeconds(999));
    }

    @Test
    void inClusterTheProjectedTokenIsReadAgainEachTime() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), Jwt.expiring(EXP));
        Map<String, String> env = Map.of("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", token.toString());
        assertThat(ClusterCredentials.read(ClusterTarget.inCluster(), env::get).expiresAt()).isEqualTo(EXP);
        Files.writeString(token, Jwt.expiring(EXP.plus(Duration.ofHours(1))));
        assertThat(ClusterCredentials.read(ClusterTarget.inCluster(), env::get).expiresAt()).as("rotated by the kubelet")
                .isEqualTo(EXP.plus(Duration.ofHours(1)));
        assertThat(ClusterCredentials.read(ClusterTarget.inCluster(), env::get).warnings()).isEmpty();
    }

    /** A PEM certificate valid for this many days from now, made by the JDK's keytool. */
    String selfSignedCertificate(int days) throws Exception {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path store = dir.resolve("client.p12");
        Command.Output made = Command.run(dir, 60, List.of(keytool, "-genkeypair", "-keystore", store.toString(), "-storepass", "changeit",
                "-alias", "client", "-keyalg", "EC", "-dname", "CN=volsync-monitor-hub", "-validity", String.valueOf(days)));
        assertThat(made.exit()).as(made.text()).isZero();
        Command.Output pem = Command.run(dir, 60, List.of(keytool, "-exportcert", "-rfc", "-keystore", store.toString(), "-storepass",
                "changeit", "-alias", "client"));
        assertThat(pem.exit()).as(pem.text()).isZero();
        return pem.text().substring(pem.text().indexOf("-----BEGIN CERTIFICATE-----"));
    }
}
