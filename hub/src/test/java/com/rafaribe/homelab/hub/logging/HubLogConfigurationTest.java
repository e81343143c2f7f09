package com.rafaribe.homelab.hub.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

/** The hub's logging set up in code: one redacting console appender, fabric8's noise quieted, a file of one's own wins. */
class HubLogConfigurationTest {
    @Test
    void oneRedactingConsoleAppenderAndQuietLibraries() {
        LoggerContext context = new LoggerContext();
        try {
            assertThat(new HubLogConfiguration().configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            assertThat(root.getLevel()).isEqualTo(Level.INFO);
            ConsoleAppender<?> console = (ConsoleAppender<?>) root.getAppender("console");
            assertThat(console.getTarget()).isEqualTo("System.err");
            assertThat(console.getEncoder()).isInstanceOf(RedactingEncoder.class);
            assertThat(context.getLogger("io.fabric8.kubernetes.client.informers.impl.cache.Reflector").getEffectiveLevel())
                    .isEqualTo(Level.ERROR);
            assertThat(context.getLogger("io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector").getEffectiveLevel())
                    .isEqualTo(Level.ERROR);
        } finally {
            context.stop();
        }
    }

    @Test
    void theWarmUpThreadLogsOnlyWarningsAndErrors() throws InterruptedException {
        LoggerContext context = new LoggerContext();
        try {
            new HubLogConfiguration().configure(context);
            ListAppender<ILoggingEvent> seen = new ListAppender<>();
            seen.setContext(context);
            seen.start();
            Logger log = context.getLogger("com.rafaribe.homelab.hub.policy.UnlockLifecycle");
            log.addAppender(seen);
            Thread warmUp = new Thread(() -> {
                log.info("decision=unlock-created on the made-up cluster");
                log.warn("the warm-up did not finish");
            }, HubLogConfiguration.WARM_UP_THREAD);
            warmUp.start();
            warmUp.join();
            log.info("decision=unlock-created on a real cluster");

            assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage)
                    .containsExactly("the warm-up did not finish", "decision=unlock-created on a real cluster");
        } finally {
            context.stop();
        }
    }

    @Test
    void aConfigurationFileOfOnesOwnIsLeftToLogback() {
        LoggerContext context = new LoggerContext();
        System.setProperty(ContextInitializer.CONFIG_FILE_PROPERTY, "/etc/hub/logback.xml");
        try {
            assertThat(new HubLogConfiguration().configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
        } finally {
            System.clearProperty(ContextInitializer.CONFIG_FILE_PROPERTY);
            context.stop();
        }
    }
}
