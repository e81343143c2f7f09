package com.rafaribe.homelab.hub.testing;

import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** What a {@link TestCluster} runs on, from the fastest to the most real. A suite parameterised over these runs unchanged on each. */
public enum Backend {
    /** A fabric8 mock API server (tier 2); pods run by the sandbox's own runner and Job controller. */
    MOCK {
        @Override
        public TestCluster start(String name) {
            return new MockCluster(SandboxApiServer.start(name));
        }
    },
    /** kube-apiserver, controller manager and etcd from Debian (tier 4); skipped in one line where not built. */
    CONTROL_PLANE {
        @Override
        public TestCluster start(String name) throws Exception {
            return PlaneCluster.start(name);
        }
    },
    /** k3s in Docker through Testcontainers: where a Docker engine runs; skipped in one line elsewhere. */
    K3S {
        @Override
        public TestCluster start(String name) throws Exception {
            return K3sCluster.start(name);
        }
    };

    public abstract TestCluster start(String name) throws Exception;

    /** Several clusters, started side by side (a control plane takes seconds); all or none. */
    public List<TestCluster> start(String... names) throws Exception {
        List<CompletableFuture<TestCluster>> starting = new ArrayList<>();
        for (String name : names) {
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return start(name);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
        }
        List<TestCluster> started = new ArrayList<>();
        Throwable failure = null;
        for (CompletableFuture<TestCluster> f : starting) {
            try {
                started.add(f.join());
            } catch (CompletionException e) {
                failure = failure == null ? e.getCause() : failure;
            }
        }
        if (failure != null) {
            for (TestCluster c : started) {
                c.close();
            }
            if (failure instanceof Exception e) {
                throw e;
            }
            throw (Error) failure;
        }
        return started;
    }

    /** One kubeconfig with a context per cluster, named after it, as a user writes one for `run`. */
    public static Path kubeconfig(Path dir, List<? extends TestCluster> clusters) throws IOException {
        StringBuilder clusterEntries = new StringBuilder();
        StringBuilder users = new StringBuilder();
        StringBuilder contexts = new StringBuilder();
        for (TestCluster c : clusters) {
            clusterEntries.append("- name: %s\n  cluster: {server: \"%s\", insecure-skip-tls-verify: true}\n".formatted(c.name(), c.server()));
            users.append("- name: %s\n  user: {token: \"%s\"}\n".formatted(c.name(), c.hubToken()));
            contexts.append("- name: %1$s\n  context: {cluster: %1$s, user: %1$s}\n".formatted(c.name()));
        }
        String yaml = "apiVersion: v1\nkind: Config\nclusters:\n" + clusterEntries + "users:\n" + users + "contexts:\n" + contexts
                + "current-context: " + clusters.get(0).name() + "\n";
        return Files.writeString(Files.createDirectories(dir).resolve("kubeconfig-" + String.join("-", clusters.stream().map(TestCluster::name).toList())),
                yaml);
    }
}
