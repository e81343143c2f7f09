package com.rafaribe.homelab.hub.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.OAuthTokenProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The cluster the hub runs in, through the pod's ServiceAccount: the API server the kubelet
 * names in KUBERNETES_SERVICE_HOST/PORT, the projected token (read again at most every
 * {@link #TOKEN_REREAD}, as the kubelet rotates it well before it expires) and CA. Nothing else: outside a pod fabric8's autoConfigure would fall back
 * to ~/.kube/config, a cluster nobody asked for under a name that says otherwise. The paths may be
 * moved with fabric8's own variables, KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN and KUBERNETES_CERTS_CA_FILE.
 */
final class InCluster {
    static final String TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";
    static final String CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
    /** fabric8 asks for the token on every request, some on an event loop: the file is not read that often. */
    static final Duration TOKEN_REREAD = Duration.ofSeconds(10);

    private InCluster() {
    }

    static Config config(UnaryOperator<String> env) {
        String host = env.apply("KUBERNETES_SERVICE_HOST");
        String port = env.apply("KUBERNETES_SERVICE_PORT") == null ? "443" : env.apply("KUBERNETES_SERVICE_PORT");
        Path token = tokenFile(env);
        Path ca = Path.of(env.apply("KUBERNETES_CERTS_CA_FILE") == null ? CA : env.apply("KUBERNETES_CERTS_CA_FILE"));
        if (host == null || !Files.isReadable(token)) {
            throw new IllegalStateException("--in-cluster: not running in a Kubernetes pod (no KUBERNETES_SERVICE_HOST, or no "
                    + "service account token at " + token + "); outside a cluster give its kubeconfig instead");
        }
        ConfigBuilder config = new ConfigBuilder(Config.empty())
                .withMasterUrl("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port)
                .withOauthTokenProvider(new TokenFile(token));
        if (Files.isReadable(ca)) {
            config.withCaCertFile(ca.toString());
        }
        return config.build();
    }

    /** The projected token's file: where the kubelet writes it, or KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN. */
    static Path tokenFile(UnaryOperator<String> env) {
        return Path.of(env.apply("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN") == null ? TOKEN : env.apply("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN"));
    }

    private static final class TokenFile implements OAuthTokenProvider {
        private final Path path;
        private String token;
        private long readAt;

        TokenFile(Path path) {
            this.path = path;
        }

        @Override
        public synchronized String getToken() {
            long now = System.nanoTime();
            if (token == null || now - readAt > TOKEN_REREAD.toNanos()) {
                try {
                    token = Files.readString(path).strip();
                    readAt = now;
                } catch (IOException e) {
                    throw new KubernetesClientException("cannot read the service account token at " + path + ": " + e.getMessage(), e);
                }
            }
            return token;
        }
    }
}
