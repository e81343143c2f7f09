package com.rafaribe.homelab.hub.cluster;

import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.Cluster;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What a cluster's credential and TLS settings tell before any request: when the credential
 * expires ({@link CredentialExpiry}: the bearer token's exp when it is a JWT, else the client
 * certificate's notAfter) and whether TLS verification is off. Read from the kubeconfig context
 * the hub connects with, or from the pod's projected token in-cluster. Files (tokenFile,
 * client-certificate, the projected token) are read here: call it off the event loop.
 */
final class ClusterCredentials {
    static final String INSECURE_WARNING = "TLS verification is off for this cluster (insecure-skip-tls-verify): a network attacker can "
            + "read its credential and impersonate its API server";

    /** @param expiresAt when the credential stops working, or null when it does not say; @param warnings sentences for people */
    record Facts(Instant expiresAt, List<String> warnings) {
        static final Facts NONE = new Facts(null, List.of());
    }

    private ClusterCredentials() {
    }

    static Facts read(ClusterTarget target, UnaryOperator<String> env) {
        if (target.isInCluster()) {
            return new Facts(ofTokenFile(InCluster.tokenFile(env)).orElse(null), List.of());
        }
        if (target.kubeconfig() == null || target.context() == null) {
            return Facts.NONE;
        }
        return ofContext(target.kubeconfig(), target.context(), target.file());
    }

    /** @param file the kubeconfig's file: relative paths in it are relative to its folder, as kubectl reads them */
    static Facts ofContext(String kubeconfig, String contextName, Path file) {
        Config config;
        try {
            config = KubeConfigUtils.parseConfigFromString(kubeconfig);
        } catch (RuntimeException e) {
            return Facts.NONE;
        }
        NamedContext context = config == null || config.getContexts() == null ? null
                : config.getContexts().stream().filter(c -> contextName.equals(c.getName())).findFirst().orElse(null);
        if (context == null || context.getContext() == null) {
            return Facts.NONE;
        }
        String clusterName = context.getContext().getCluster();
        String userName = context.getContext().getUser();
        Cluster cluster = config.getClusters() == null || clusterName == null ? null : config.getClusters().stream()
                .filter(c -> clusterName.equals(c.getName())).map(NamedCluster::getCluster).findFirst().orElse(null);
        AuthInfo user = config.getUsers() == null || userName == null ? null : config.getUsers().stream()
                .filter(u -> userName.equals(u.getName())).map(NamedAuthInfo::getUser).findFirst().orElse(null);
        List<String> warnings = new ArrayList<>();
        if (cluster != null && Boolean.TRUE.equals(cluster.getInsecureSkipTlsVerify())) {
            warnings.add(INSECURE_WARNING);
        }
        Path dir = file == null || file.toAbsolutePath().getParent() == null ? Path.of(".") : file.toAbsolutePath().getParent();
        return new Facts(user == null ? null : expiry(user, dir).orElse(null), List.copyOf(warnings));
    }

    /** The token the hub sends if it is a JWT, else the client certificate: the one the API server will look at first expiring. */
    private static Optional<Instant> expiry(AuthInfo user, Path dir) {
        Optional<Instant> token = present(user.getToken()) ? CredentialExpiry.ofJwt(user.getToken())
                : present(user.getTokenFile()) ? ofTokenFile(dir.resolve(user.getTokenFile())) : Optional.empty();
        if (token.isPresent()) {
            return token;
        }
        if (present(user.getClientCertificateData())) {
            try {
                return CredentialExpiry.ofCertificate(Base64.getMimeDecoder().decode(user.getClientCertificateData()));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        if (present(user.getClientCertificate())) {
            try {
                return CredentialExpiry.ofCertificate(Files.readAllBytes(dir.resolve(user.getClientCertificate())));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** A token file, read again each time: the kubelet rotates a projected token well before it expires. */
    static Optional<Instant> ofTokenFile(Path file) {
        try {
            if (Files.size(file) > CredentialExpiry.MAX_TOKEN_LENGTH) {
                return Optional.empty();
            }
            return CredentialExpiry.ofJwt(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
