package com.rafaribe.homelab.hub.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test a {@link ControlPlane}: started once for the whole run (about 4 s and 450 MB) and
 * stopped, all its processes and its folder, when the run ends. Skips in one line where the
 * binaries are not built.
 */
public final class ControlPlaneExtension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ControlPlane.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ControlPlane.requireInstalled();
        return context.getRoot().getStore(ExtensionContext.Namespace.create(ControlPlaneExtension.class))
                .getOrComputeIfAbsent("plane", key -> new Running(start()), Running.class).plane;
    }

    private static ControlPlane start() {
        try {
            return ControlPlane.start();
        } catch (Exception e) {
            throw new IllegalStateException("the control plane did not start: " + e.getMessage(), e);
        }
    }

    /** Closed by JUnit when the run ends. */
    private record Running(ControlPlane plane) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Exception {
            plane.close();
        }
    }
}
