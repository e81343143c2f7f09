package com.rafaribe.homelab.hub.cluster;

import io.fabric8.kubernetes.api.model.Cluster;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the clusters to watch in kubeconfig files and folders. A context name found in two
 * files becomes {@code <file name>/<context>}; a file that does not parse becomes a cluster in
 * state Failed, and the others go on. Every context is a target, even two of one cluster: which of
 * them watches is {@link ClusterIdentities}'s to decide, and the other is shown as a duplicate.
 */
public final class Kubeconfigs {
    private Kubeconfigs() {
    }

    /** @param contexts only these contexts (all when empty) */
    public static List<ClusterTarget> discover(List<Path> paths, Set<String> contexts) {
        record Found(Path file, String text, NamedContext context, String server, String proxy, String caKey, String fingerprint) {
        }
        List<Found> found = new ArrayList<>();
        List<ClusterTarget> broken = new ArrayList<>();
        for (Path file : files(paths, broken)) {
            String text;
            Config config;
            try {
                text = Files.readString(file);
                config = KubeConfigUtils.parseConfigFromString(text);
                if (config == null) {
                    throw new IllegalArgumentException("empty");
                }
            } catch (IOException | RuntimeException e) {
                broken.add(ClusterTarget.broken(file, "kubeconfig " + file + " does not parse: " + (e instanceof IOException
                        ? e.getMessage() : KubeconfigParseError.describe(e))));
                continue;
            }
            for (NamedContext context : config.getContexts() == null ? List.<NamedContext>of() : config.getContexts()) {
                if (!contexts.isEmpty() && !contexts.contains(context.getName())) {
                    continue;
                }
                String clusterName = context.getContext() == null ? null : context.getContext().getCluster();
                String userName = context.getContext() == null ? null : context.getContext().getUser();
                NamedCluster named = config.getClusters() == null || clusterName == null ? null
                        : config.getClusters().stream().filter(c -> clusterName.equals(c.getName())).findFirst().orElse(null);
                NamedAuthInfo user = config.getUsers() == null || userName == null ? null
                        : config.getUsers().stream().filter(u -> userName.equals(u.getName())).findFirst().orElse(null);
                Cluster cluster = named == null ? null : named.getCluster();
                String server = cluster == null ? null : cluster.getServer();
                String ca = cluster == null ? null
                        : Objects.toString(cluster.getCertificateAuthorityData(), Objects.toString(cluster.getCertificateAuthority(), ""));
                found.add(new Found(file, text, context, server, cluster == null ? null : cluster.getProxyUrl(), ca,
                        fingerprint(context, named, user)));
            }
        }
        Map<String, Integer> nameCounts = new HashMap<>();
        found.forEach(f -> nameCounts.merge(f.context().getName(), 1, Integer::sum));
        List<ClusterTarget> targets = new ArrayList<>(broken);
        for (Found f : found) {
            String name = nameCounts.get(f.context().getName()) > 1
                    ? f.file().getFileName() + "/" + f.context().getName() : f.context().getName();
            targets.add(new ClusterTarget(name, f.context().getName(), f.file(), f.server(), f.proxy(),
                    f.server() == null ? "context " + f.context().getName() + " in " + f.file() + " names no cluster with a server" : null,
                    f.text(), f.fingerprint(), f.server() == null ? null : digest(f.server() + "\n" + f.caKey())));
        }
        return targets;
    }

    /** A digest of everything the connection is made of; the credentials go in only digested. */
    private static String fingerprint(NamedContext context, NamedCluster cluster, NamedAuthInfo user) {
        StringBuilder parts = new StringBuilder();
        for (Object part : new Object[] {context, cluster, user}) {
            parts.append(Serialization.asJson(part)).append('\0');
        }
        return digest(parts.toString());
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> files(List<Path> paths, List<ClusterTarget> broken) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> children = Files.list(path)) {
                    children.filter(p -> !p.getFileName().toString().startsWith(".")).filter(Files::isRegularFile)
                            .sorted().forEach(files::add);
                } catch (IOException e) {
                    broken.add(ClusterTarget.broken(path, "kubeconfig folder " + path + " cannot be read: " + e.getMessage()));
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                broken.add(ClusterTarget.broken(path, "kubeconfig " + path + " does not exist"));
            }
        }
        return files;
    }
}
