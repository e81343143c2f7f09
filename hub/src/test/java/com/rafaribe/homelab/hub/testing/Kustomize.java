package com.rafaribe.homelab.hub.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * deploy/ and agent-config/ as `kubectl apply -k` sees them: what `kubectl kustomize` builds, as
 * objects. Two kubectls matter: the PATH's (whatever this machine ships, a modern kustomize) and
 * Debian's 1.20 (kustomize 2.0.3, the oldest the README promises), which
 * scripts/build-kube-control-plane unpacks beside the control plane's binaries.
 */
public final class Kustomize {
    public static final Path DEPLOY = Path.of(System.getProperty("repo.dir", "..")).resolve("deploy");
    public static final Path EXAMPLE = DEPLOY.resolve("overlays/example");

    private Kustomize() {
    }

    public static void requireKubectl() {
        Tier.require(onPath("kubectl"), "the deploy/ manifests (kubectl kustomize)", "install kubectl (apt-get install kubernetes-client)");
    }

    /** Debian's kubectl 1.20, unpacked by scripts/build-kube-control-plane (not installed: the PATH's kubectl stays). */
    public static Path debianKubectl() {
        return ControlPlane.binaries().resolve("client").resolve("kubectl");
    }

    public static boolean hasDebianKubectl() {
        return Files.isExecutable(debianKubectl());
    }

    public static void requireDebianKubectl() {
        Tier.require(hasDebianKubectl(), "Debian's kubectl 1.20 (kustomize 2.0.3)", "run scripts/build-kube-control-plane as root once");
    }

    /** The kubectls to check with: the PATH's, and Debian's 1.20 where it is unpacked. */
    public static List<String> kubectls() {
        requireKubectl();
        return hasDebianKubectl() ? List.of("kubectl", debianKubectl().toString()) : List.of("kubectl");
    }

    public static List<HasMetadata> build(Path dir) throws Exception {
        return build(dir, "kubectl");
    }

    /** `kubectl kustomize DIR` with this kubectl; its error output in the failure when it fails. */
    public static List<HasMetadata> build(Path dir, String kubectl) throws Exception {
        if ("kubectl".equals(kubectl)) {
            requireKubectl();
        }
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process p = new ProcessBuilder(kubectl, "kustomize", dir.toString()).redirectError(err.toFile()).start();
            String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new AssertionError(kubectl + " kustomize " + dir + " failed (exit " + p.exitValue() + "):\n" + Files.readString(err));
            }
            return Arrays.stream(yaml.split("(?m)^---\\s*$")).filter(doc -> !doc.isBlank())
                    .map(doc -> (HasMetadata) Serialization.unmarshal(doc)).toList();
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** The example overlay as it is in git: its token Secret is created beside it, not built. */
    public static List<HasMetadata> buildExample() throws Exception {
        return buildExample("kubectl");
    }

    public static List<HasMetadata> buildExample(String kubectl) throws Exception {
        return build(EXAMPLE, kubectl);
    }

    public static Deployment hubDeployment(List<HasMetadata> objects) {
        return one(objects, Deployment.class, "homelab-assistant-controller");
    }

    public static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast).filter(o -> name.equals(o.getMetadata().getName()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " in the build"));
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(java.io.File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }
}
