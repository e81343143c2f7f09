package com.rafaribe.homelab.hub.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** deploy/ as `kubectl apply -k` sees it: what `kubectl kustomize` builds, as objects. */
public final class Kustomize {
    public static final Path DEPLOY = Path.of(System.getProperty("repo.dir", "..")).resolve("deploy");
    public static final Path EXAMPLE = DEPLOY.resolve("overlays/example");

    private Kustomize() {
    }

    public static void requireKubectl() {
        Tier.require(onPath("kubectl"), "the deploy/ manifests (kubectl kustomize)", "install kubectl (apt-get install kubernetes-client)");
    }

    public static List<HasMetadata> build(Path dir) throws Exception {
        requireKubectl();
        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("kubectl kustomize " + dir + " failed (exit " + p.exitValue() + ")");
        }
        return Arrays.stream(yaml.split("(?m)^---\\s*$")).filter(doc -> !doc.isBlank())
                .map(doc -> (HasMetadata) Serialization.unmarshal(doc)).toList();
    }

    /** The example overlay as it is in git: its token Secret is created beside it, not built. */
    public static List<HasMetadata> buildExample() throws Exception {
        return build(EXAMPLE);
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
