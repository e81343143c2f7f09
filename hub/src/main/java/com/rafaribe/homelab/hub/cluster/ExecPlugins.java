package com.rafaribe.homelab.hub.cluster;

import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * fabric8 only logs a warning when a context's exec credential plugin cannot run, and then talks
 * to the API server without credentials. The hub checks first, so the cluster shows what is missing.
 */
final class ExecPlugins {
    private ExecPlugins() {
    }

    static void requireInstalled(ClusterTarget target) {
        Config config = KubeConfigUtils.parseConfigFromString(target.kubeconfig());
        NamedContext context = config.getContexts().stream().filter(c -> target.context().equals(c.getName())).findFirst().orElse(null);
        if (context == null || context.getContext() == null || context.getContext().getUser() == null) {
            return;
        }
        AuthInfo user = config.getUsers() == null ? null : config.getUsers().stream()
                .filter(u -> context.getContext().getUser().equals(u.getName())).map(NamedAuthInfo::getUser).findFirst().orElse(null);
        if (user == null) {
            return;
        }
        if (user.getAuthProvider() != null) {
            throw new IllegalStateException("context " + target.context() + " uses the auth provider \"" + user.getAuthProvider().getName()
                    + "\", which the hub does not support; use a token or an exec plugin");
        }
        if (user.getExec() == null || user.getExec().getCommand() == null) {
            return;
        }
        String command = user.getExec().getCommand();
        if (!onPath(command, target.file().getParent())) {
            throw new IllegalStateException("exec credential plugin \"" + command + "\" of context " + target.context()
                    + " is not installed (not found on PATH)" + (user.getExec().getInstallHint() == null ? "" : ": " + user.getExec().getInstallHint()));
        }
    }

    private static boolean onPath(String command, Path kubeconfigDir) {
        if (command.contains(File.separator)) {
            Path path = Path.of(command);
            if (!path.isAbsolute() && kubeconfigDir != null) {
                path = kubeconfigDir.resolve(path);
            }
            return Files.isExecutable(path);
        }
        String pathEnv = System.getenv("PATH");
        if (pathEnv == null) {
            return false;
        }
        for (String dir : pathEnv.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
